"""Column names and status symbols shared by every module (see docs/design.md, "The data model")."""

from __future__ import annotations

__all__ = [
    "FACT_COLUMNS",
    "REGION_COLUMNS",
    "VALUE_COLUMNS",
    "VALUE_FIXED_COLUMNS",
    "STATUS_SYMBOLS",
    "MISSING_STATUS",
    "WEAK_STATUS",
    "TOTAL",
    "LAENDER",
    "IMPLAUSIBLE",
]

#: Fixed columns of a facts table; dimension columns go between ``variable`` and ``value``.
FACT_COLUMNS = ("ags", "year", "variable", "value", "status", "source")

#: Columns of a region table; ``exists`` is False for dissolved units (see bimokit.regions).
REGION_COLUMNS = (
    "ags", "name", "level", "parent", "kreistyp", "valid_from", "valid_to", "exists",
)

#: Columns of the indicator-values table that :func:`bimokit.compute` returns: the breakdown
#: (dimension) and its category follow ``indicator``.
VALUE_COLUMNS = (
    "ags", "year", "indicator", "breakdown", "category", "numerator", "denominator", "value",
    "ci_low", "ci_high", "status",
)

#: The columns of an indicator-values table that are not dimensions: any other column (such as
#: ``breakdown``/``category`` or ``geschlecht``) splits a series.
VALUE_FIXED_COLUMNS = (
    "ags", "year", "indicator", "numerator", "denominator", "value", "ci_low", "ci_high", "status",
)

#: Label of the total category of every dimension.
TOTAL = "insgesamt"

#: Symbols of the statistical offices (Zeichenerklärung) and what they mean.
STATUS_SYMBOLS = {
    "": "Zahlenwert",
    "-": "nichts vorhanden (genau null)",
    "0": "weniger als die Hälfte von 1 in der letzten besetzten Stelle, jedoch mehr als nichts",
    ".": "Zahlenwert unbekannt oder geheim zu halten",
    "x": "Tabellenfach gesperrt, weil Aussage nicht sinnvoll",
    "...": "Angabe fällt später an",
    "/": "keine Angaben, da Zahlenwert nicht sicher genug",
    "()": "Aussagewert eingeschränkt, da der Zahlenwert statistisch relativ unsicher ist",
    "p": "vorläufige Zahl",
    "r": "berichtigte Zahl",
    "s": "geschätzte Zahl",
    "!": "nicht plausibel (z. B. Zähler größer als Nenner oder eine negative Anzahl)",
}

#: bimokit's own status (not an office symbol): a value that cannot be true, such as a share
#: above 100 % or a rate from a negative count. Its value is NaN, so that it never enters a
#: Kernaussage, a ranking, a funnel or an index; tables show "nicht plausibel".
IMPLAUSIBLE = "!"

#: Status symbols whose value is unknown (NaN): nothing computed from them is published.
MISSING_STATUS = frozenset({".", "x", "...", "/", IMPLAUSIBLE})

#: Status symbols that mark a value as usable but uncertain; carried into results.
WEAK_STATUS = frozenset({"()", "p", "s", "r"})

#: The 16 Länder by their two-digit key.
LAENDER = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Niedersachsen",
    "04": "Bremen",
    "05": "Nordrhein-Westfalen",
    "06": "Hessen",
    "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg",
    "09": "Bayern",
    "10": "Saarland",
    "11": "Berlin",
    "12": "Brandenburg",
    "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen",
    "15": "Sachsen-Anhalt",
    "16": "Thüringen",
}
