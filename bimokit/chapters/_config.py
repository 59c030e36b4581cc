"""What each chapter shows: its main indicators, German sentence subjects and labels.

This is text and selection, not method: which indicators open a chapter, how an indicator is
named as the subject of a German sentence, and German labels of codes the tables show.
"""

from __future__ import annotations

from ..text import Subject

__all__ = [
    "CHAPTER_TITLES",
    "MAIN_INDICATORS",
    "SOZIALRAUM_INDICATORS",
    "KREIS_INDICATORS",
    "SIMILAR_CONTEXT",
    "STRUCTURAL_ZEROS",
    "subject_of",
    "ANGEBOTSARTEN",
    "ZIELGRUPPEN_DE",
]

#: Chapter letter → German title (as in the report's table of contents).
CHAPTER_TITLES = {
    "A": "Rahmenbedingungen: Demografie und soziale Lage",
    "B": "Grundinformationen: Einrichtungen, Personal, Bildungsangebot",
    "C": "Frühkindliche Bildung",
    "D": "Allgemeinbildende Schulen",
    "E": "Berufliche Bildung",
    "F": "Hochschule",
    "G": "Weiterbildung",
    "H": "Non-formale Bildung",
    "S": "Sozialraum und Steuerung",
}

#: The indicators whose Kernaussagen open each chapter, most important first.
MAIN_INDICATORS = {
    "A": ("A1.1", "A1.8", "A1.11", "A2.1", "A2.5"),
    "B": ("B1.1", "B1.2", "B1.3", "B2.1", "B2.2"),
    "C": ("C1.1", "C1.2", "C2.1", "C1.4", "C3.1"),
    "D": ("D4.1", "D4.5", "D3.1", "D1.8", "D2.1"),
    "E": ("E1.2", "E1.3", "E2.1", "E2.4"),
    "F": ("F1.1", "F1.2", "F1.3", "F2.2"),
    "G": ("G1.1", "G1.2", "G1.3", "G1.4"),
    "H": ("H1.1", "H1.2", "H1.3", "H1.4"),
    "S": ("A2.1", "C3.1", "D3.1"),
}

#: Default Sozialindex indicators for Sozialräume and their need direction (+1: a higher value
#: means more need; −1: less need).
SOZIALRAUM_INDICATORS = {"A2.1": 1, "C3.1": 1, "D3.1": -1}

#: Default Sozialindex indicators when the Kommune has no Sozialräume (Kreise of the Land).
KREIS_INDICATORS = {"A2.1": 1, "A2.3": 1, "D4.1": 1}

#: Structural zeros: where the ``marker`` count of a Kommune is 0 in its latest year, the
#: facility does not exist there (a Kreis without a Hochschule). Every indicator of
#: ``indicators`` is then reported with ``text`` ("Im Kreis gibt es keine Hochschule"), not
#: ranked or compared with the Land.
STRUCTURAL_ZEROS = {
    "F": {"marker": "F1.1", "indicators": ("F1.1", "F1.2", "F1.3", "F1.4", "F2.1", "F2.2"),
          "text": "gibt es keine Hochschule"},
}

#: Context indicators of the Vergleichsgruppe ``aehnlich:<k>`` (most similar Kreise).
SIMILAR_CONTEXT = ("A2.1", "A1.11", "A1.8")

# Subjects that the title rules below do not give.
_SUBJECTS = {
    "A1.1": ("die Einwohnerzahl", "f"),
    "A2.3": ("der Anteil der Arbeitslosen an den Einwohnern von 15 bis unter 65 Jahren", "m"),
    "A2.5": ("das verfügbare Einkommen der privaten Haushalte je Einwohner", "n"),
    "B1.1": ("die Zahl der Kindertageseinrichtungen", "f"),
    "B1.2": ("die Zahl der Kinder je pädagogisch tätige Person in Kindertageseinrichtungen",
             "f"),
    "B1.3": ("die Zahl der genehmigten Plätze in Kindertageseinrichtungen je 100 Kinder unter "
             "6 Jahren", "f"),
    "B1.4": ("die Zahl der Kinder je Kindertageseinrichtung", "f"),
    "B1.5": ("die Auslastung der genehmigten Plätze in Kindertageseinrichtungen", "f"),
    "B2.1": ("die Zahl der allgemeinbildenden Schulen", "f"),
    "B2.2": ("die Zahl der Schülerinnen und Schüler je allgemeinbildende Schule", "f"),
    "B2.3": ("die Zahl der Grundschulen je 1.000 Kinder von 6 bis unter 10 Jahren", "f"),
    "D1.1": ("die Zahl der Schülerinnen und Schüler an allgemeinbildenden Schulen", "f"),
    "D4.6": ("die Zahl der Absolventen und Abgänger allgemeinbildender Schulen", "f"),
    "E1.1": ("die Zahl der Schülerinnen und Schüler an beruflichen Schulen", "f"),
    "E2.1": ("die Zahl der Auszubildenden je 1.000 Einwohner von 15 bis unter 25 Jahren", "f"),
    "E2.4": ("die Zahl der neu abgeschlossenen Ausbildungsverträge je 1.000 Einwohner von 15 "
             "bis unter 25 Jahren", "f"),
    "F1.1": ("die Zahl der Studierenden", "f"),
    "F1.2": ("die Zahl der Studierenden je 1.000 Einwohner von 18 bis unter 25 Jahren", "f"),
    "F2.1": ("die Zahl der Studienanfänger im 1. Hochschulsemester", "f"),
    "F2.2": ("die Zahl der Studienanfänger je 1.000 Einwohner von 18 bis unter 20 Jahren", "f"),
    "G1.1": ("die Zahl der VHS-Belegungen je 1.000 Einwohner", "f"),
    "G1.2": ("die Zahl der VHS-Kurse je 1.000 Einwohner", "f"),
    "G1.3": ("die Zahl der VHS-Unterrichtsstunden je 1.000 Einwohner", "f"),
    "G1.5": ("die Zahl der Belegungen je VHS-Kurs", "f"),
    "H1.1": ("die Zahl der Entleihungen öffentlicher Bibliotheken je Einwohner", "f"),
    "H1.2": ("die Zahl der aktiven Bibliotheksnutzer je 1.000 Einwohner", "f"),
    "H1.3": ("die Zahl der Musikschülerinnen und -schüler je 1.000 Einwohner unter 25 Jahren",
             "f"),
    "H1.4": ("die Zahl der Teilnehmenden an Angeboten der Kinder- und Jugendarbeit je 1.000 "
             "Einwohner von 6 bis unter 25 Jahren", "f"),
}


def subject_of(indicator: str, title: str) -> Subject:
    """The grammatical subject of a Kernaussage about ``indicator``.

    Titles that start with a noun whose gender is known (``Anteil …``, ``…anteil``,
    ``…quote``, ``…quotient``) get their article; a few indicators have a phrase of their own;
    anything else falls back to ``der Wert des Indikators „<title>“``.

    Examples
    --------
    >>> subject_of("D4.1", "Anteil der Schulabgänger ohne Ersten Schulabschluss").phrase
    'der Anteil der Schulabgänger ohne Ersten Schulabschluss'
    >>> s = subject_of("C1.1", "Betreuungsquote der Kinder unter 3 Jahren")
    >>> s.phrase, s.pronoun
    ('die Betreuungsquote der Kinder unter 3 Jahren', 'sie')
    >>> subject_of("X9", "Neues Maß").phrase
    'der Wert des Indikators „Neues Maß“'
    """
    if indicator in _SUBJECTS:
        phrase, genus = _SUBJECTS[indicator]
        return Subject(phrase, genus=genus)
    first = title.split(" ", 1)[0]
    low = first.lower()
    if low == "anteil" or low.endswith("anteil"):
        return Subject(f"der {title}", genus="m")
    if low.endswith("quote"):
        return Subject(f"die {title}", genus="f")
    if low.endswith("quotient"):
        return Subject(f"der {title}", genus="m")
    return Subject.from_title(title)


#: German labels of the Angebotsarten in the sample inventory (others are shown as written).
ANGEBOTSARTEN = {
    "hausaufgabenhilfe": "Hausaufgabenhilfe",
    "sprachfoerderung": "Sprachförderung",
    "jugendtreff": "Jugendtreff",
    "elterncafe": "Elterncafé",
    "schulsozialarbeit": "Schulsozialarbeit",
    "lernfoerderung": "Lernförderung",
    "ferienbetreuung": "Ferienbetreuung",
    "familienbildung": "Familienbildung",
    "fruehe_hilfen": "Frühe Hilfen",
}

#: German labels of the Zielgruppen of :data:`bimokit.offers.ZIELGRUPPEN`.
ZIELGRUPPEN_DE = {
    "kinder_u3": "Kinder unter 3 Jahren",
    "kinder_3_6": "Kinder von 3 bis unter 6 Jahren",
    "kinder_u6": "Kinder unter 6 Jahren",
    "eltern_u6": "Eltern von Kindern unter 6 Jahren",
    "kinder_6_10": "Kinder von 6 bis unter 10 Jahren",
    "kinder_10_15": "Kinder von 10 bis unter 15 Jahren",
    "jugendliche_15_18": "Jugendliche von 15 bis unter 18 Jahren",
    "kinder_jugendliche_6_18": "Kinder und Jugendliche von 6 bis unter 18 Jahren",
    "junge_erwachsene_18_25": "junge Erwachsene von 18 bis unter 25 Jahren",
    "erwachsene_25_65": "Erwachsene von 25 bis unter 65 Jahren",
    "senioren_65plus": "Menschen ab 65 Jahren",
    "alle": "alle Einwohnerinnen und Einwohner",
}
