"""German labels of the codes the offers tables show (everything about an indicator, such as
its title, subject phrase, main-indicator order and Sozialindex defaults, is in the catalogue:
:func:`bimokit.catalogue.load_catalogue`)."""

from __future__ import annotations

__all__ = ["ANGEBOTSARTEN", "ZIELGRUPPEN_DE"]

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
