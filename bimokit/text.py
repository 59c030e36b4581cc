"""German Kernaussagen: one sentence per indicator, correct in grammar, numbers and claims.

A Kernaussage reports the Kommune's latest value, compares it with the Land, the Bund or the
Vergleichsgruppe and names the trend::

    Der Anteil der Schulabgängerinnen und Schulabgänger ohne Hauptschulabschluss lag 2024
    bei 7,1 % und damit 1,4 Prozentpunkte über dem Landeswert; seit 2015 ist er gestiegen.

What a sentence may claim is decided from the inputs, never from wording alone:

* "gestiegen"/"gesunken" only where the trend class (from :mod:`bimokit.trends`) is
  ``steigend``/``fallend``; ``stabil`` → "blieb … weitgehend stabil", ``uneinheitlich`` →
  "entwickelte sich … uneinheitlich"; no class → no trend clause. A trend over fewer than
  :data:`MIN_TREND_YEARS` years is never claimed (three points are no trend).
* A break in the series (Zensus 2022) is named: the sentence describes the development up to
  the break and since the break separately, each only where it has enough years ("von 2012
  bis 2021 ist sie gestiegen, seit dem Zeitreihenbruch durch den Zensus 2022 ist die Reihe
  für eine Trendaussage noch zu kurz").
* "über"/"unter dem Landeswert" only where the difference is statistically secured (the
  reference lies outside the Kommune's confidence interval, or the funnel flag says so);
  otherwise "etwa auf dem Niveau des Landes (Unterschied statistisch nicht gesichert)".
* Differences are rounded to the displayed precision first: a rounded difference of 0 reads
  "genau auf dem Landeswert".
* Units are written once: a rate whose subject names it ("die Zahl der Kinder je Person")
  gets the bare number, and a difference in a rate unit is the bare number after the value
  ("27,7 je 100 Personen von 20 bis unter 65 Jahren und damit 4,3 unter dem Landeswert").
* "günstiger"/"ungünstiger" only where the indicator's direction is +1 or -1.
* A secret or missing value gives a sentence saying that the value is not published and why,
  and no comparison or trend claim.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .errors import ParameterError
from .fmt import (
    default_decimals,
    fmt_diff,
    fmt_number,
    fmt_value,
    is_missing,
    normalize_unit,
    round_half_up,
)

__all__ = [
    "Subject", "Comparison", "MIN_TREND_YEARS", "subject_of", "kernaussage", "kernaussagen",
    "trend_summary",
]

#: Trend classes of :mod:`bimokit.trends` that a sentence can report, and the fewest years with
#: a value on which a sentence states a trend (the same number from which
#: :func:`bimokit.trends.trend` gives a class at all: five).
from .trends import MIN_TREND_YEARS, TREND_CLASSES  # noqa: E402

_GENERA = ("m", "f", "n")
_PRONOUN = {"m": "er", "f": "sie", "n": "es"}

#: Reference kinds: (dative phrase "über dem …", genitive phrase "auf dem Niveau …",
#: comparison phrase "günstiger als …").
_REFERENCES = {
    "land": ("dem Landeswert", "des Landes", "im Land"),
    "bund": ("dem Bundeswert", "des Bundes", "im Bund"),
    "gruppe": ("dem Wert der Vergleichsgruppe", "der Vergleichsgruppe", "in der Vergleichsgruppe"),
}
_REFERENCE_ALIASES = {
    "land": "land",
    "bund": "bund",
    "deutschland": "bund",
    "gruppe": "gruppe",
    "group": "gruppe",
    "vergleichsgruppe": "gruppe",
}

#: Why a value is not published, by status symbol.
_MISSING_REASON = {
    ".": "Geheimhaltung",
    "x": "Aussage nicht sinnvoll",
    "...": "Angabe fällt später an",
    "/": "Zahlenwert nicht sicher genug",
    "!": "Zahlen nicht plausibel",
}
#: Remarks after a published value, by status symbol.
_VALUE_REMARK = {
    "p": "vorläufig",
    "s": "geschätzt",
    "r": "berichtigt",
    "()": "Aussagewert eingeschränkt",
}


@dataclass(frozen=True)
class Subject:
    """The grammatical subject of a Kernaussage.

    Parameters
    ----------
    phrase : str
        The noun phrase with its article in the nominative, as it stands at the start of a
        sentence but in lower case: ``"der Anteil der Schulabgängerinnen und Schulabgänger ohne
        Hauptschulabschluss"``, ``"die Betreuungsquote der unter Dreijährigen"``.
    genus : {"m", "f", "n"}
        Grammatical gender of the head noun; decides the pronoun (er/sie/es).
    plural : bool
        The head noun is plural ("die Ausgaben je Schüler"): verbs and pronoun in the plural.

    Examples
    --------
    >>> Subject("die Betreuungsquote der unter Dreijährigen", genus="f").pronoun
    'sie'
    >>> Subject.from_title("D3.1 Abgänger ohne Abschluss").phrase
    'der Wert des Indikators „D3.1 Abgänger ohne Abschluss“'
    """

    phrase: str
    genus: str = "m"
    plural: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.phrase, str) or not self.phrase.strip():
            raise ParameterError("`Subject.phrase` must be a non-empty German noun phrase.")
        if self.genus not in _GENERA:
            raise ParameterError(
                f"`Subject.genus` must be one of 'm', 'f' or 'n'; not {self.genus!r}."
            )

    @classmethod
    def from_title(cls, title: str) -> Subject:
        """The fallback subject ``der Wert des Indikators „<title>“``."""
        return cls(f"der Wert des Indikators „{str(title).strip()}“", genus="m")

    @property
    def pronoun(self) -> str:
        """``er``/``sie``/``es``; ``sie`` in the plural."""
        return "sie" if self.plural else _PRONOUN[self.genus]

    @property
    def capitalized(self) -> str:
        """The phrase with a capital first letter (sentence start)."""
        p = self.phrase.strip()
        return p[:1].upper() + p[1:]

    def verb(self, singular: str, plural: str) -> str:
        """Pick the verb form that agrees with the subject."""
        return plural if self.plural else singular



def subject_of(indicator) -> Subject:
    """The grammatical subject of a Kernaussage about a catalogue ``indicator``.

    The catalogue entry's ``subject`` where it has one; otherwise titles that start with a noun
    whose gender is known (``Anteil …``, ``…anteil``, ``…quote``, ``…quotient``) get their
    article, and anything else falls back to ``der Wert des Indikators „<title>“``.

    Examples
    --------
    >>> from bimokit.catalogue import load_catalogue
    >>> cat = load_catalogue()
    >>> subject_of(cat["D4.1"]).phrase
    'der Anteil der Schulabgänger ohne Ersten Schulabschluss'
    >>> s = subject_of(cat["C1.1"])
    >>> s.phrase, s.pronoun
    ('die Betreuungsquote der Kinder unter 3 Jahren', 'sie')
    >>> subject_of(cat["A1.1"]).phrase
    'die Einwohnerzahl'
    """
    if indicator.subject:
        phrase, genus = indicator.subject
        return Subject(phrase, genus=genus)
    title = indicator.title
    low = title.split(" ", 1)[0].lower()
    if low == "anteil" or low.endswith("anteil"):
        return Subject(f"der {title}", genus="m")
    if low.endswith("quote"):
        return Subject(f"die {title}", genus="f")
    if low.endswith("quotient"):
        return Subject(f"der {title}", genus="m")
    return Subject.from_title(title)


@dataclass(frozen=True)
class Comparison:
    """A reference value the Kommune is compared with.

    Parameters
    ----------
    value : float
        The reference value (Land, Bund or Vergleichsgruppe), in the indicator's unit.
    kind : {"land", "bund", "gruppe"}
        Which reference it is; decides the wording ("dem Landeswert", "dem Bundeswert",
        "dem Wert der Vergleichsgruppe").
    significant : bool, optional
        Whether the difference is statistically secured (e.g. the funnel flag: the Kommune lies
        outside the 95 % limits). ``None``: decided from the Kommune's confidence interval
        (passed to :func:`kernaussage`); without interval the difference is stated as it is
        (full counts carry no sampling error).
    """

    value: float
    kind: str = "land"
    significant: bool | None = None

    def __post_init__(self) -> None:
        kind = _REFERENCE_ALIASES.get(str(self.kind).strip().lower())
        if kind is None:
            raise ParameterError(
                f"`Comparison.kind` must be one of 'land', 'bund' or 'gruppe'; not {self.kind!r}."
            )
        object.__setattr__(self, "kind", kind)


def _as_subject(subject: Subject | str) -> Subject:
    if isinstance(subject, Subject):
        return subject
    if isinstance(subject, str) and subject.strip():
        return Subject.from_title(subject)
    raise ParameterError(
        "`subject` must be a Subject(phrase, genus=…) or the indicator title as a string; "
        f"not {subject!r}."
    )


def _status(status: object) -> str:
    if is_missing(status):
        return ""
    return str(status).strip()


def _year(year: object, name: str = "year") -> int:
    if is_missing(year):
        raise ParameterError(f"`{name}` must be a year such as 2024; it is missing.")
    try:
        f = float(year)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"`{name}` must be a year such as 2024; not {year!r}.") from exc
    if not f.is_integer():
        raise ParameterError(f"`{name}` must be a whole year such as 2024; not {year!r}.")
    return int(f)


def join_list(parts: Sequence[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " und " + parts[-1]


_PLAIN_UNITS = ("%", "‰", "EUR", "Tsd. EUR", "Anzahl")


def _is_ratio_unit(unit: str) -> bool:
    """``je 1.000 Einwohner …``, ``Kinder je Person``: units that say 'per something'."""
    return unit not in _PLAIN_UNITS and (unit.startswith("je ") or " je " in unit)


def _comparison_clause(
    value: float,
    comp: Comparison,
    *,
    unit: str,
    decimals: int,
    ci_low: object,
    ci_high: object,
    direction: int,
) -> tuple[str, str] | None:
    """``(kind, text)``: kind ``gleich`` (rounded difference 0), ``ns`` (not significant) or
    ``diff``; for ``gleich``/``ns`` the text is only the reference (``dem Landeswert`` /
    ``des Landes``) so that :func:`_join_comparisons` can merge neighbours."""
    if is_missing(comp.value):
        return None
    ref = float(comp.value)
    dative, genitive, where = _REFERENCES[comp.kind]
    # Compare what the reader sees: the rounded values' difference.
    shown = round_half_up(value, decimals) - round_half_up(ref, decimals)
    shown = round_half_up(shown, decimals)
    if shown == 0:
        return "gleich", dative
    significant = comp.significant
    if significant is None and not (is_missing(ci_low) or is_missing(ci_high)):
        significant = not (float(ci_low) <= ref <= float(ci_high))  # type: ignore[arg-type]
    if significant is False:
        return "ns", genitive
    side = "über" if shown > 0 else "unter"
    # a long rate unit was just written after the value: the difference is the bare number
    amount = fmt_number(abs(shown), decimals) if _is_ratio_unit(unit) else \
        fmt_diff(abs(shown), unit, decimals, prose=True)
    clause = f"{amount} {side} {dative}"
    if direction in (1, -1):
        better = (shown > 0) == (direction == 1)
        clause += f" ({'günstiger' if better else 'ungünstiger'} als {where})"
    return "diff", clause


def _join_comparisons(clauses: Sequence[tuple[str, str]]) -> str:
    """Join comparison clauses; neighbours that are equal or not significant share one phrase:
    "genau auf dem Landeswert und dem Wert der Vergleichsgruppe", "etwa auf dem Niveau des
    Landes und der Vergleichsgruppe (Unterschiede statistisch nicht gesichert)"."""
    groups: list[tuple[str, list[str]]] = []
    for kind, text in clauses:
        if groups and groups[-1][0] == kind and kind in ("gleich", "ns"):
            groups[-1][1].append(text)
        else:
            groups.append((kind, [text]))
    parts = []
    for kind, texts in groups:
        if kind == "gleich":
            parts.append(f"genau auf {join_list(texts)}")
        elif kind == "ns":
            word = "Unterschied" if len(texts) == 1 else "Unterschiede"
            parts.append(f"etwa auf dem Niveau {join_list(texts)} ({word} statistisch nicht "
                         "gesichert)")
        else:
            parts.extend(texts)
    return join_list(parts)


def _trend_clause(subject: Subject, trend: str, since: int | None, until: int | None) -> str:
    if since is None:
        when = "im Beobachtungszeitraum"
    elif until is None:
        when = f"seit {since}"
    else:
        when = f"von {since} bis {until}"
    return f"{when} {_trend_predicate(subject, trend)}"


def _trend_predicate(subject: Subject, trend: str) -> str:
    pron = subject.pronoun
    if trend == "steigend":
        return f"{subject.verb('ist', 'sind')} {pron} gestiegen"
    if trend == "fallend":
        return f"{subject.verb('ist', 'sind')} {pron} gesunken"
    if trend == "stabil":
        return f"{subject.verb('blieb', 'blieben')} {pron} weitgehend stabil"
    return f"{subject.verb('entwickelte', 'entwickelten')} {pron} sich uneinheitlich"


def _break_phrase(label: str, year: int | None) -> str:
    """``den Zeitreihenbruch durch den Zensus 2022`` / ``den Zeitreihenbruch 2021 (…)``."""
    label = " ".join(str(label).split())
    if label.lower().startswith("zensus"):
        text = f"den Zeitreihenbruch durch den {label}"
        return text if year is None or str(year) in label else f"{text} ({year})"
    return f"den Zeitreihenbruch {year} ({label})" if year is not None else \
        f"den Zeitreihenbruch ({label})"


def _enough(trend: str | None, years: int | None, since: int | None, until: int | None) -> bool:
    """A trend class that a sentence may state: known, and over enough years."""
    if trend is None:
        return False
    if years is None and since is not None and until is not None:
        years = until - since + 1
    return years is None or years >= MIN_TREND_YEARS


def _break_clause(subject: Subject, *, label: str, year: int | None, trend: str | None,
                  years: int | None, until: int | None, before: str | None,
                  before_since: int | None, before_until: int | None,
                  before_years: int | None) -> str:
    """Trend clause of a series with a break: before and since the break, each if long enough."""
    brk = _break_phrase(label, year)
    since_brk = f"seit {brk.replace('den ', 'dem ', 1)}"
    after_ok = _enough(trend, years, year, until)
    before_ok = _enough(before, before_years, before_since, before_until)
    parts = []
    if before_ok:
        parts.append(_trend_clause(subject, before, before_since, before_until))  # type: ignore[arg-type]
    if after_ok:
        parts.append(f"{since_brk} {_trend_predicate(subject, trend)}")  # type: ignore[arg-type]
    elif before_ok:
        parts.append(f"{since_brk} ist die Reihe für eine Trendaussage noch zu kurz")
    if not parts:
        gen = brk.replace("den Zeitreihenbruch", "des Zeitreihenbruchs", 1)
        return f"wegen {gen} ist keine Trendaussage möglich (zu wenige vergleichbare Jahre)"
    return ", ".join(parts)


def kernaussage(
    value: float | None,
    *,
    subject: Subject | str,
    year: int,
    unit: str,
    status: str | None = "",
    decimals: int | None = None,
    comparisons: Comparison | Sequence[Comparison] | None = None,
    ci_low: float | None = None,
    ci_high: float | None = None,
    trend: str | None = None,
    trend_since: int | None = None,
    trend_until: int | None = None,
    trend_years: int | None = None,
    trend_break: str | None = None,
    trend_break_year: int | None = None,
    trend_before: str | None = None,
    trend_before_since: int | None = None,
    trend_before_until: int | None = None,
    trend_before_years: int | None = None,
    direction: int | None = 0,
) -> str:
    """One German Kernaussage about an indicator value of a Kommune.

    Parameters
    ----------
    value : float or None
        The Kommune's value in ``year`` (NaN/None where not published).
    subject : Subject or str
        The grammatical subject; a plain string is taken as the indicator title and gives
        "Der Wert des Indikators „…“".
    year : int
        Reporting year of ``value``.
    unit : str
        ``%`` (differences in Prozentpunkten), ``‰``, ``je 1.000 Einwohner``, ``EUR``,
        ``Anzahl``, … (see :func:`bimokit.fmt.normalize_unit`).
    status : str
        Status symbol of ``value`` (docs/design.md): ``.``/``x``/``...``/``/`` → not published;
        ``p`` → "(vorläufig)", ``s`` → "(geschätzt)", ``r`` → "(berichtigt)",
        ``()`` → "(Aussagewert eingeschränkt)".
    decimals : int, optional
        Displayed precision; default 1 for shares and rates, 0 for EUR and counts.
    comparisons : Comparison or list of Comparison, optional
        Reference values (Land, Bund, Vergleichsgruppe) in the order they are to be named.
    ci_low, ci_high : float, optional
        Confidence interval of ``value``; a reference inside it makes the difference "statistisch
        nicht gesichert" unless the Comparison carries its own ``significant`` flag.
    trend : {"steigend", "fallend", "stabil", "uneinheitlich"}, optional
        Trend class from :mod:`bimokit.trends`; ``None``/NaN: no trend clause.
    trend_since, trend_until : int, optional
        First and last year of the trend; ``trend_until`` equal to ``year`` is not repeated.
    trend_years : int, optional
        Number of years with a value the trend rests on (``n_years`` of
        :func:`bimokit.trends.trend`); below :data:`MIN_TREND_YEARS` no trend is stated.
        Default: the span ``trend_since`` … ``trend_until`` where both are given.
    trend_break : str, optional
        Label of a break in the series inside the window (``"Zensus 2022"``; the ``breaks``
        of :func:`bimokit.trends.trend`), after which ``trend`` was measured. The sentence then
        names the break and reports ``trend`` as the development since the break.
    trend_break_year : int, optional
        First year after the break (default ``trend_since``).
    trend_before, trend_before_since, trend_before_until, trend_before_years : optional
        Trend class, years and number of years of the segment before the break.
    direction : {1, -1, 0}
        1: higher is better, -1: higher is worse, 0/None: neutral (no judgement).

    Returns
    -------
    str
        One sentence ending with a full stop.

    Notes
    -----
    The difference is computed from the values rounded to ``decimals`` and rounded again, so the
    sentence matches the numbers printed in tables. A difference of zero at that precision reads
    "genau auf dem Landeswert" whatever the significance. A secret or missing value yields only
    the sentence that the value is not published; nothing else is claimed.

    Examples
    --------
    >>> s = Subject("der Anteil der Schulabgängerinnen und Schulabgänger ohne "
    ...             "Hauptschulabschluss", genus="m")
    >>> kernaussage(7.1, subject=s, year=2024, unit="%",
    ...             comparisons=Comparison(5.7, "land"), trend="steigend", trend_since=2015)
    'Der Anteil der Schulabgängerinnen und Schulabgänger ohne Hauptschulabschluss lag 2024 bei 7,1 % und damit 1,4 Prozentpunkte über dem Landeswert; seit 2015 ist er gestiegen.'
    >>> kernaussage(None, subject=s, year=2024, unit="%", status=".")
    'Der Anteil der Schulabgängerinnen und Schulabgänger ohne Hauptschulabschluss liegt für 2024 nicht vor (Geheimhaltung).'
    >>> kernaussage(585719, subject=Subject("die Einwohnerzahl", genus="f"), year=2024,
    ...             unit="Anzahl", trend="stabil", trend_since=2022, trend_years=3,
    ...             trend_break="Zensus 2022", trend_before="steigend", trend_before_since=2012,
    ...             trend_before_until=2021, trend_before_years=10)
    'Die Einwohnerzahl lag 2024 bei 585.719; von 2012 bis 2021 ist sie gestiegen, seit dem Zeitreihenbruch durch den Zensus 2022 ist die Reihe für eine Trendaussage noch zu kurz.'
    """  # noqa: E501
    subj = _as_subject(subject)
    yr = _year(year)
    u = normalize_unit(unit)
    dec = default_decimals(u) if decimals is None else decimals
    if not isinstance(dec, int) or dec < 0:
        raise ParameterError(f"`decimals` must be a whole number ≥ 0; not {decimals!r}.")
    st = _status(status)
    dirn = 0 if is_missing(direction) else direction
    if dirn not in (1, -1, 0):
        raise ParameterError(f"`direction` must be 1, -1 or 0; not {direction!r}.")
    tr = None if is_missing(trend) else str(trend).strip().lower()
    if tr is not None and tr not in TREND_CLASSES:
        raise ParameterError(
            "`trend` must be one of 'steigend', 'fallend', 'stabil' or 'uneinheitlich' "
            f"(or None); not {trend!r}."
        )

    vorliegen = subj.verb("liegt", "liegen")
    if st in _MISSING_REASON or is_missing(value):
        reason = _MISSING_REASON.get(st, "keine Angabe")
        return f"{subj.capitalized} {vorliegen} für {yr} nicht vor ({reason})."
    try:
        val = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"`value` must be a number; not {value!r}.") from exc
    if math.isinf(val):
        raise ParameterError(f"`value` must be a finite number; not {value!r}.")

    # "Die Zahl der Kinder je Kita-Platz lag bei 4,5": the subject already names the ratio
    shown = fmt_number(val, dec) if _is_ratio_unit(u) and " je " in f" {subj.phrase} " \
        else fmt_value(val, u, dec, prose=True)
    text = f"{subj.capitalized} {subj.verb('lag', 'lagen')} {yr} bei {shown}"
    if st in _VALUE_REMARK:
        text += f" ({_VALUE_REMARK[st]})"

    if comparisons is None:
        comps: list[Comparison] = []
    elif isinstance(comparisons, Comparison):
        comps = [comparisons]
    else:
        comps = list(comparisons)
    for c in comps:
        if not isinstance(c, Comparison):
            raise ParameterError(
                f"`comparisons` must hold Comparison(value, kind) objects; not {c!r}."
            )
    clauses = [
        cl
        for c in comps
        if (
            cl := _comparison_clause(
                val, c, unit=u, decimals=dec, ci_low=ci_low, ci_high=ci_high, direction=dirn
            )
        )
    ]
    if clauses:
        text += " und damit " + _join_comparisons(clauses)

    since = None if is_missing(trend_since) else _year(trend_since, "trend_since")
    until = None if is_missing(trend_until) else _year(trend_until, "trend_until")
    n = None if is_missing(trend_years) else int(trend_years)  # type: ignore[arg-type]
    if not is_missing(trend_break):
        before = _trend_class(trend_before, "trend_before")
        clause = _break_clause(
            subj, label=str(trend_break),
            year=since if is_missing(trend_break_year) else _year(trend_break_year,
                                                                  "trend_break_year"),
            trend=tr, years=n, until=yr if until is None else until, before=before,
            before_since=None if is_missing(trend_before_since)
            else _year(trend_before_since, "trend_before_since"),
            before_until=None if is_missing(trend_before_until)
            else _year(trend_before_until, "trend_before_until"),
            before_years=None if is_missing(trend_before_years) else int(trend_before_years),
        )
        text += "; " + clause
    elif _enough(tr, n, since, until):
        if until == yr:
            until = None
        text += "; " + _trend_clause(subj, tr, since, until)
    return text + "."


def _trend_class(trend: object, name: str) -> str | None:
    tr = None if is_missing(trend) else str(trend).strip().lower()
    if tr is not None and tr not in TREND_CLASSES:
        raise ParameterError(
            f"`{name}` must be one of 'steigend', 'fallend', 'stabil' or 'uneinheitlich' "
            f"(or None); not {trend!r}."
        )
    return tr


#: Row keys of :func:`kernaussagen` → (Comparison kind, significance key).
_ROW_REFERENCES = (
    ("land_value", "land", "land_significant"),
    ("bund_value", "bund", "bund_significant"),
    ("group_value", "gruppe", "group_significant"),
)


def _get(row: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        if k in row and not is_missing(row[k]):
            return row[k]
    return None


def _flag(x: Any) -> bool | None:
    if x is None or is_missing(x):
        return None
    if isinstance(x, str):
        low = x.strip().lower()
        if low in ("true", "ja", "1", "yes"):
            return True
        if low in ("false", "nein", "0", "no"):
            return False
        raise ParameterError(f"A significance flag must be True or False; not {x!r}.")
    return bool(x)


def kernaussagen(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> list[str]:
    """Kernaussagen for several indicators, one sentence per row.

    Parameters
    ----------
    rows : DataFrame or iterable of mappings
        One row per indicator (usually the Kommune's latest year joined with the comparison and
        trend results). Keys:

        * ``value``, ``year``, ``unit`` (required);
        * ``subject`` (a :class:`Subject` or a phrase with ``genus`` and optional ``plural``
          keys) or ``title`` (fallback "Der Wert des Indikators „…“");
        * ``unit``, ``status``, ``decimals``, ``direction``, ``ci_low``, ``ci_high``;
        * ``land_value``, ``bund_value``, ``group_value`` and their optional flags
          ``land_significant``, ``bund_significant``, ``group_significant``; without a flag,
          ``funnel_flag`` of :func:`bimokit.comparison.compare` (``innerhalb`` = not significant)
          applies to the reference named by ``funnel_base`` (``group``, default, or ``land``);
        * ``trend`` or ``trend_class``; ``trend_since`` or ``first_year`` (or ``base_year``);
          ``trend_until`` or ``last_year``; ``trend_years`` or ``n_years`` (the columns of
          :func:`bimokit.trends.trend`);
        * ``trend_break``, ``trend_break_year``, ``trend_before``, ``trend_before_since``,
          ``trend_before_until``, ``trend_before_years`` for a series with a break (see
          :func:`kernaussage`).
        * ``unit`` may be left out where ``diff_unit`` is ``Prozentpunkte`` (then ``%``).

        Missing keys and NaN cells are treated as absent.

    Returns
    -------
    list of str
        The sentences in row order.

    Examples
    --------
    >>> kernaussagen([
    ...     {"title": "Ausgaben je Schüler", "value": 7512.4, "year": 2023, "unit": "EUR",
    ...      "land_value": 7012.0},
    ...     {"subject": "die Übergangsquote auf das Gymnasium", "genus": "f", "value": 41.26,
    ...      "year": 2024, "unit": "%", "trend_class": "stabil", "first_year": 2015},
    ... ])  # doctest: +NORMALIZE_WHITESPACE
    ['Der Wert des Indikators „Ausgaben je Schüler“ lag 2023 bei 7.512 Euro und damit 500 Euro über dem Landeswert.',
     'Die Übergangsquote auf das Gymnasium lag 2024 bei 41,3 %; seit 2015 blieb sie weitgehend stabil.']
    """  # noqa: E501
    if isinstance(rows, pd.DataFrame):
        records: list[Mapping[str, Any]] = rows.to_dict(orient="records")
    else:
        records = list(rows)
    out: list[str] = []
    for i, row in enumerate(records):
        if not isinstance(row, Mapping):
            raise ParameterError(f"Row {i}: expected a mapping of column → value; not {row!r}.")
        try:
            out.append(_kernaussage_from_row(row))
        except ParameterError as exc:
            raise ParameterError(f"Row {i}: {exc}") from None
    return out


def _kernaussage_from_row(row: Mapping[str, Any]) -> str:
    if "year" not in row:
        raise ParameterError("the key 'year' is missing.")
    if "value" not in row:
        raise ParameterError("the key 'value' is missing.")
    unit = row.get("unit")
    if is_missing(unit):
        diff_unit = _get(row, "diff_unit")  # bimokit.comparison: "Prozentpunkte" for % indicators
        unit = "%" if diff_unit == "Prozentpunkte" else diff_unit
    if is_missing(unit):
        raise ParameterError("the key 'unit' is missing (e.g. '%', 'EUR', 'Anzahl').")
    subject = row.get("subject")
    if isinstance(subject, str) and subject.strip():
        genus = _get(row, "genus") or "m"
        plural = bool(_flag(row.get("plural")))
        subj: Subject | str = Subject(subject, genus=str(genus), plural=plural)
    elif isinstance(subject, Subject):
        subj = subject
    else:
        title = _get(row, "title", "indicator")
        if title is None:
            raise ParameterError("neither 'subject' nor 'title' is given.")
        subj = str(title)
    # The funnel flag of bimokit.comparison speaks about the reference named by funnel_base.
    flag = _get(row, "funnel_flag")
    funnel_ref = {"group": "gruppe", "gruppe": "gruppe", "land": "land"}.get(
        str(_get(row, "funnel_base") or "group").strip().lower(), "gruppe")
    comps = []
    for key, kind, sig in _ROW_REFERENCES:
        if key not in row or is_missing(row[key]):
            continue
        significant = _flag(row.get(sig))
        if significant is None and flag is not None and kind == funnel_ref:
            significant = str(flag).strip() != "innerhalb"
        comps.append(Comparison(float(row[key]), kind, significant=significant))
    decimals = _get(row, "decimals")
    direction = _get(row, "direction")
    return kernaussage(
        row["value"],
        subject=subj,
        year=row["year"],
        unit=str(unit),
        status=_get(row, "status") or "",
        decimals=None if decimals is None else int(decimals),
        comparisons=comps,
        ci_low=_get(row, "ci_low"),
        ci_high=_get(row, "ci_high"),
        trend=_get(row, "trend", "trend_class"),
        trend_since=_get(row, "trend_since", "first_year", "base_year"),
        trend_until=_get(row, "trend_until", "last_year"),
        trend_years=_get(row, "trend_years", "n_years"),
        trend_break=_get(row, "trend_break"),
        trend_break_year=_get(row, "trend_break_year"),
        trend_before=_get(row, "trend_before"),
        trend_before_since=_get(row, "trend_before_since"),
        trend_before_until=_get(row, "trend_before_until"),
        trend_before_years=_get(row, "trend_before_years"),
        direction=0 if direction is None else int(direction),
    )


#: The trend classes as the short Steckbrief note words them (the Kernaussage's predicate).
_TREND_WORDS = {"steigend": "gestiegen", "fallend": "gesunken", "stabil": "weitgehend stabil",
                "uneinheitlich": "uneinheitlich"}


def _span(since: int | None, until: int | None) -> str:
    if since is None:
        return "im Beobachtungszeitraum"
    return f"seit {since}" if until is None else f"{since}–{until}"


def trend_summary(row: Mapping[str, Any]) -> tuple[str | None, str]:
    """What the Kernaussage of ``row`` says about the trend, short, for the Steckbrief.

    Parameters
    ----------
    row : mapping
        The row :func:`kernaussagen` turns into a sentence (``trend_class``, ``first_year``,
        ``last_year``, ``n_years``, ``year`` and the ``trend_break``/``trend_before…`` keys).

    Returns
    -------
    (str or None, str)
        The trend class the sentence states for the latest comparable years (None where it
        states none) and a short German note with the years and, after a break, the
        development before it, e.g. ``(None, '2012–2021 gestiegen; seit Zensus 2022 zu
        wenige Jahre')``. Both come from the same rule as the sentence
        (:data:`MIN_TREND_YEARS`), so the Steckbrief and the chapter say the same about the
        same series.

    Examples
    --------
    >>> trend_summary({"year": 2024, "trend_class": "uneinheitlich", "first_year": 2012,
    ...                "last_year": 2024, "n_years": 13})
    ('uneinheitlich', 'seit 2012 uneinheitlich')
    >>> trend_summary({"year": 2024, "trend_class": "stabil", "first_year": 2022,
    ...                "last_year": 2024, "n_years": 3, "trend_break": "Zensus 2022",
    ...                "trend_break_year": 2022, "trend_before": "steigend",
    ...                "trend_before_since": 2012, "trend_before_until": 2021,
    ...                "trend_before_years": 10})
    (None, '2012–2021 gestiegen; seit Zensus 2022 zu wenige Jahre')
    >>> trend_summary({"year": 2024, "trend_class": "steigend", "first_year": 2022,
    ...                "last_year": 2024, "n_years": 3})
    (None, 'nur 3 Jahre (mindestens 5 nötig)')
    """
    year = _get(row, "year")
    tr = _trend_class(_get(row, "trend", "trend_class"), "trend")
    since = _get(row, "trend_since", "first_year", "base_year")
    until = _get(row, "trend_until", "last_year")
    since = None if since is None else int(since)
    until = None if until is None or (year is not None and int(until) == int(year)) \
        else int(until)
    n = _get(row, "trend_years", "n_years")
    n = None if n is None else int(n)
    label = _get(row, "trend_break")
    if label is None:
        if _enough(tr, n, since, until):
            return tr, f"{_span(since, until)} {_TREND_WORDS[tr]}"
        if n is not None and n >= 1:
            return None, f"nur {n} {'Jahr' if n == 1 else 'Jahre'} (mindestens " \
                f"{MIN_TREND_YEARS} nötig)"
        return None, "keine Trendaussage"
    brk_year = _get(row, "trend_break_year")
    brk_year = since if brk_year is None else int(brk_year)
    label = " ".join(str(label).split())
    seit = f"seit {label}" if label.lower().startswith("zensus") else \
        f"seit Bruch {brk_year} ({label})"
    before = _trend_class(_get(row, "trend_before"), "trend_before")
    b_since, b_until = _get(row, "trend_before_since"), _get(row, "trend_before_until")
    b_n = _get(row, "trend_before_years")
    b_since = None if b_since is None else int(b_since)
    b_until = None if b_until is None else int(b_until)
    before_ok = _enough(before, None if b_n is None else int(b_n), b_since, b_until)
    after_ok = _enough(tr, n, brk_year, until if until is not None else year)
    parts = []
    if before_ok:
        parts.append(f"{_span(b_since, b_until)} {_TREND_WORDS[before]}")
    if after_ok:
        parts.append(f"{seit} {_TREND_WORDS[tr]}")
    elif before_ok:
        parts.append(f"{seit} zu wenige Jahre")
    if not parts:
        return None, f"zu wenige vergleichbare Jahre ({seit} und davor)"
    return (tr if after_ok else None), "; ".join(parts)
