"""German Kernaussagen (bimokit.text), checked sentence by sentence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bimokit.errors import ParameterError
from bimokit.text import Comparison, Subject, kernaussage, kernaussagen

OHNE = Subject(
    "der Anteil der Schulabgängerinnen und Schulabgänger ohne Hauptschulabschluss", genus="m"
)
QUOTE = Subject("die Betreuungsquote der unter Dreijährigen", genus="f")
ANGEBOT = Subject("das Angebot an Kita-Plätzen", genus="n")
AUSGABEN = Subject("die Ausgaben je Schülerin und Schüler", genus="f", plural=True)


def test_rising_above_land():
    # 7,1 − 5,7 = 1,4 Prozentpunkte; no interval given → stated as it is.
    s = kernaussage(
        7.1, subject=OHNE, year=2024, unit="%",
        comparisons=Comparison(5.7, "land"), trend="steigend", trend_since=2015,
    )
    assert s == (
        "Der Anteil der Schulabgängerinnen und Schulabgänger ohne Hauptschulabschluss lag 2024 "
        "bei 7,1 % und damit 1,4 Prozentpunkte über dem Landeswert; seit 2015 ist er gestiegen."
    )


def test_falling_below_land_with_direction():
    # 32,44 → 32,4; 35,96 → 36,0; 32,4 − 36,0 = −3,6; direction +1 and below → ungünstiger.
    s = kernaussage(
        32.44, subject=QUOTE, year=2023, unit="%",
        comparisons=Comparison(35.96, "land"), trend="fallend", trend_since=2016, direction=1,
    )
    assert s == (
        "Die Betreuungsquote der unter Dreijährigen lag 2023 bei 32,4 % und damit "
        "3,6 Prozentpunkte unter dem Landeswert (ungünstiger als im Land); "
        "seit 2016 ist sie gesunken."
    )


def test_direction_minus_one_below_is_better():
    # 5,0 − 6,2 = −1,2; higher is worse → below the Bund is günstiger.
    s = kernaussage(
        5.0, subject=OHNE, year=2024, unit="%",
        comparisons=Comparison(6.2, "bund"), direction=-1,
    )
    assert s.endswith(
        "lag 2024 bei 5,0 % und damit 1,2 Prozentpunkte unter dem Bundeswert "
        "(günstiger als im Bund)."
    )


def test_stable_neuter():
    s = kernaussage(
        101.26, subject=ANGEBOT, year=2024, unit="je 1000 Kinder",
        trend="stabil", trend_since=2015,
    )
    assert s == (
        "Das Angebot an Kita-Plätzen lag 2024 bei 101,3 je 1.000 Kinder; "
        "seit 2015 blieb es weitgehend stabil."
    )


def test_uneinheitlich_plural_and_eur():
    # Plural subject: "lagen", "entwickelten sie sich"; EUR with 0 decimals in prose as Euro;
    # 8.123,6 → 8.124; 8.500 − 8.124 = 376 below the Vergleichsgruppe.
    s = kernaussage(
        8123.6, subject=AUSGABEN, year=2022, unit="EUR",
        comparisons=Comparison(8500, "gruppe"), trend="uneinheitlich", trend_since=2012,
    )
    assert s == (
        "Die Ausgaben je Schülerin und Schüler lagen 2022 bei 8.124 Euro und damit 376 Euro "
        "unter dem Wert der Vergleichsgruppe; seit 2012 entwickelten sie sich uneinheitlich."
    )


def test_rising_plural_verb():
    s = kernaussage(
        8123.6, subject=AUSGABEN, year=2022, unit="EUR", trend="steigend", trend_since=2012
    )
    assert s.endswith("lagen 2022 bei 8.124 Euro; seit 2012 sind sie gestiegen.")


def test_not_significant_by_confidence_interval():
    # Land 6,5 lies inside the Kommune's 95 % interval [5,9; 8,4] → no "über".
    s = kernaussage(
        7.1, subject=OHNE, year=2024, unit="%", ci_low=5.9, ci_high=8.4,
        comparisons=Comparison(6.5, "land"), trend="steigend", trend_since=2015,
    )
    assert s == (
        "Der Anteil der Schulabgängerinnen und Schulabgänger ohne Hauptschulabschluss lag 2024 "
        "bei 7,1 % und damit etwa auf dem Niveau des Landes (Unterschied statistisch nicht "
        "gesichert); seit 2015 ist er gestiegen."
    )
    assert "über" not in s


def test_significant_by_confidence_interval():
    # Land 5,7 lies below the interval [6,2; 8,0] → difference secured: 1,4 über.
    s = kernaussage(
        7.1, subject=OHNE, year=2024, unit="%", ci_low=6.2, ci_high=8.0,
        comparisons=Comparison(5.7, "land"),
    )
    assert s.endswith("bei 7,1 % und damit 1,4 Prozentpunkte über dem Landeswert.")


def test_funnel_flag_overrides_interval():
    # The funnel says "inside the limits" (significant=False) although no interval is given;
    # the Bund comparison has no flag and is stated as it is (7,1 − 6,0 = 1,1).
    s = kernaussage(
        7.1, subject=OHNE, year=2024, unit="%",
        comparisons=[Comparison(6.0, "gruppe", significant=False), Comparison(6.0, "bund")],
        direction=-1,
    )
    assert s.endswith(
        "bei 7,1 % und damit etwa auf dem Niveau der Vergleichsgruppe (Unterschied statistisch "
        "nicht gesichert) und 1,1 Prozentpunkte über dem Bundeswert (ungünstiger als im Bund)."
    )
    assert "günstiger als in der Vergleichsgruppe" not in s


def test_exactly_equal_after_rounding():
    # 7,14 → 7,1 and 7,06 → 7,1: the rounded difference is 0,0 → "genau auf".
    s = kernaussage(
        7.14, subject=OHNE, year=2024, unit="%", comparisons=Comparison(7.06, "land"),
        direction=-1,
    )
    assert s == (
        "Der Anteil der Schulabgängerinnen und Schulabgänger ohne Hauptschulabschluss lag 2024 "
        "bei 7,1 % und damit genau auf dem Landeswert."
    )


def test_difference_uses_displayed_values():
    # Unrounded 7,14 − 5,66 = 1,48 would round to 1,5; the reader sees 7,1 and 5,7 → 1,4.
    s = kernaussage(7.14, subject=OHNE, year=2024, unit="%", comparisons=Comparison(5.66))
    assert "1,4 Prozentpunkte über dem Landeswert" in s


def test_singular_prozentpunkt_with_zero_decimals():
    # decimals=0: 8 − 7 = 1 → "1 Prozentpunkt"; with one decimal "1,0 Prozentpunkte".
    s0 = kernaussage(8.0, subject=OHNE, year=2024, unit="%", decimals=0,
                     comparisons=Comparison(7.0))
    s1 = kernaussage(8.0, subject=OHNE, year=2024, unit="%", comparisons=Comparison(7.0))
    assert "bei 8 % und damit 1 Prozentpunkt über dem Landeswert." in s0
    assert "bei 8,0 % und damit 1,0 Prozentpunkte über dem Landeswert." in s1


def test_secret_value_claims_nothing():
    s = kernaussage(
        np.nan, subject=OHNE, year=2024, unit="%", status=".",
        comparisons=Comparison(5.7, "land"), trend="steigend", trend_since=2015,
    )
    assert s == (
        "Der Anteil der Schulabgängerinnen und Schulabgänger ohne Hauptschulabschluss liegt für "
        "2024 nicht vor (Geheimhaltung)."
    )


def test_secret_status_wins_over_a_number():
    # A secret cell that carries a number (must never be un-suppressed) is still not shown.
    s = kernaussage(7.1, subject=AUSGABEN, year=2024, unit="EUR", status=".")
    assert s == "Die Ausgaben je Schülerin und Schüler liegen für 2024 nicht vor (Geheimhaltung)."
    assert "7" not in s.replace("2024", "")


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("/", "Zahlenwert nicht sicher genug"),
        ("x", "Aussage nicht sinnvoll"),
        ("...", "Angabe fällt später an"),
        ("", "keine Angabe"),
        (None, "keine Angabe"),
    ],
)
def test_other_missing_reasons(status, reason):
    s = kernaussage(None, subject=QUOTE, year=2021, unit="%", status=status, trend="stabil")
    assert s == f"Die Betreuungsquote der unter Dreijährigen liegt für 2021 nicht vor ({reason})."


def test_vorlaeufig():
    # 41,26 → 41,3; 41,3 − 44,0 = −2,7
    s = kernaussage(
        41.26, subject=QUOTE, year=2024, unit="%", status="p",
        comparisons=Comparison(44.0, "land"),
    )
    assert s == (
        "Die Betreuungsquote der unter Dreijährigen lag 2024 bei 41,3 % (vorläufig) und damit "
        "2,7 Prozentpunkte unter dem Landeswert."
    )


def test_per_thousand_rate_and_promille():
    # 12,35 → 12,4 (half up); Land 10,3 → 2,1 above. The subject names the rate, so the
    # unit is not repeated after the value nor after the difference.
    s = kernaussage(
        12.35, subject=Subject("die Zahl der Auszubildenden je 1.000 Einwohner", genus="f"),
        year=2020, unit="je 1000 Einwohner", comparisons=Comparison(10.3, "land"),
    )
    assert s == (
        "Die Zahl der Auszubildenden je 1.000 Einwohner lag 2020 bei 12,4 "
        "und damit 2,1 über dem Landeswert."
    )
    # a subject without the rate: the unit once, after the value
    q = kernaussage(27.7, subject=Subject("der Jugendquotient", genus="m"), year=2024,
                    unit="je 100 Personen von 20 bis unter 65 Jahren",
                    comparisons=Comparison(32.0, "land"))
    assert q == ("Der Jugendquotient lag 2024 bei 27,7 je 100 Personen von 20 bis unter 65 "
                 "Jahren und damit 4,3 unter dem Landeswert.")
    p = kernaussage(3.2, subject=OHNE, year=2020, unit="‰", comparisons=Comparison(2.7, "bund"))
    assert p.endswith("bei 3,2 ‰ und damit 0,5 Promillepunkte über dem Bundeswert.")


def test_fallback_subject_and_trend_until():
    s = kernaussage(
        1234, subject="C1.2 Kinder in Tageseinrichtungen", year=2024, unit="Anzahl",
        trend="steigend", trend_since=2015, trend_until=2023,
    )
    assert s == (
        "Der Wert des Indikators „C1.2 Kinder in Tageseinrichtungen“ lag 2024 bei 1.234; "
        "von 2015 bis 2023 ist er gestiegen."
    )
    t = kernaussage(1234, subject="X", year=2024, unit="Anzahl", trend="fallend",
                    trend_until=2024)
    assert t.endswith("; im Beobachtungszeitraum ist er gesunken.")


def test_missing_comparison_value_is_left_out():
    s = kernaussage(7.1, subject=OHNE, year=2024, unit="%",
                    comparisons=[Comparison(np.nan, "land"), Comparison(6.9, "bund")])
    assert s.endswith("bei 7,1 % und damit 0,2 Prozentpunkte über dem Bundeswert.")
    assert "Landes" not in s


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"trend": "gestiegen"}, "trend"),
        ({"direction": 2}, "direction"),
        ({"year": "zwanzig"}, "year"),
        ({"subject": ""}, "subject"),
        ({"comparisons": [5.7]}, "Comparison"),
    ],
)
def test_bad_parameters(kwargs, match):
    args = {"subject": OHNE, "year": 2024, "unit": "%"} | kwargs
    with pytest.raises(ParameterError, match=match):
        kernaussage(7.1, **args)


def test_bad_subject_and_comparison():
    with pytest.raises(ParameterError, match="genus"):
        Subject("der Anteil", genus="x")
    with pytest.raises(ParameterError, match="kind"):
        Comparison(5.0, "kreis")
    assert Comparison(5.0, "Vergleichsgruppe").kind == "gruppe"


def test_kernaussagen_from_dataframe():
    rows = pd.DataFrame(
        {
            "subject": [OHNE.phrase, None, "die Ausgaben je Einwohner"],
            "genus": ["m", None, "f"],
            "plural": [False, None, True],
            "title": ["D3.1", "C2.1 Betreuungsquote", "A4"],
            "value": [7.1, np.nan, 512.0],
            "year": [2024, 2024, 2023],
            "unit": ["%", "%", "EUR"],
            "status": ["", ".", "p"],
            "land_value": [5.7, 30.0, 512.4],
            "land_significant": [True, None, None],
            "group_value": [6.9, np.nan, np.nan],
            "group_significant": [False, None, None],
            "trend_class": ["steigend", "fallend", None],
            "first_year": [2015, 2015, np.nan],
            "last_year": [2024, 2024, np.nan],
            "direction": [-1, 1, 0],
        }
    )
    out = kernaussagen(rows)
    assert out == [
        "Der Anteil der Schulabgängerinnen und Schulabgänger ohne Hauptschulabschluss lag 2024 "
        "bei 7,1 % und damit 1,4 Prozentpunkte über dem Landeswert (ungünstiger als im Land) "
        "und etwa auf dem Niveau der Vergleichsgruppe (Unterschied statistisch nicht gesichert); "
        "seit 2015 ist er gestiegen.",
        "Der Wert des Indikators „C2.1 Betreuungsquote“ liegt für 2024 nicht vor "
        "(Geheimhaltung).",
        # 512 vs 512,4 → both 512 at 0 decimals → genau auf dem Landeswert
        "Die Ausgaben je Einwohner lagen 2023 bei 512 Euro (vorläufig) und damit genau auf dem "
        "Landeswert.",
    ]
    assert not any("nan" in s.lower() for s in out)


def test_kernaussagen_errors_name_the_row():
    with pytest.raises(ParameterError, match=r"Row 1: .*'unit'"):
        kernaussagen([
            {"title": "A", "value": 1.0, "year": 2024, "unit": "%"},
            {"title": "B", "value": 1.0, "year": 2024},
        ])
    with pytest.raises(ParameterError, match=r"Row 0: neither 'subject' nor 'title'"):
        kernaussagen([{"value": 1.0, "year": 2024, "unit": "%"}])


@given(
    value=st.floats(0, 100, allow_nan=False),
    ref=st.floats(0, 100, allow_nan=False),
    half=st.floats(0, 20, allow_nan=False),
    trend=st.sampled_from([None, "steigend", "fallend", "stabil", "uneinheitlich"]),
    status=st.sampled_from(["", "p", ".", "/"]),
)
def test_claims_follow_inputs(value, ref, half, trend, status):
    s = kernaussage(
        value, subject=OHNE, year=2024, unit="%", status=status,
        comparisons=Comparison(ref, "land"), ci_low=value - half, ci_high=value + half,
        trend=trend, trend_since=2015,
    )
    assert "nan" not in s.lower()
    assert s.endswith(".") and s[0].isupper()
    assert ("gestiegen" in s) == (trend == "steigend" and status not in (".", "/"))
    assert ("gesunken" in s) == (trend == "fallend" and status not in (".", "/"))
    if value - half <= ref <= value + half:
        assert "über dem" not in s and "unter dem" not in s
    if status in (".", "/"):
        assert "Landes" not in s and "seit" not in s


def test_kernaussagen_from_compare_and_trend_columns():
    # Columns as bimokit.comparison and bimokit.trends name them: the funnel flag refers to the
    # group (funnel_base 'group'); diff_unit 'Prozentpunkte' means the unit is %.
    rows = [
        {"title": "D3.1", "value": 7.1, "year": 2024, "diff_unit": "Prozentpunkte",
         "land_value": 5.7, "group_value": 6.6, "funnel_flag": "innerhalb",
         "funnel_base": "group", "trend_class": "", "first_year": 2015, "last_year": 2024},
        {"title": "D3.1", "value": 7.1, "year": 2024, "unit": "%", "land_value": 5.7,
         "funnel_flag": "oberhalb 95 %", "funnel_base": "land", "ci_low": 5.5, "ci_high": 8.0},
    ]
    assert kernaussagen(rows) == [
        "Der Wert des Indikators „D3.1“ lag 2024 bei 7,1 % und damit 1,4 Prozentpunkte über "
        "dem Landeswert und etwa auf dem Niveau der Vergleichsgruppe (Unterschied statistisch "
        "nicht gesichert).",
        # the funnel flag (outside the Land's 95 % limits) outranks the interval [5,5; 8,0]
        "Der Wert des Indikators „D3.1“ lag 2024 bei 7,1 % und damit 1,4 Prozentpunkte über "
        "dem Landeswert.",
    ]


EINWOHNER = Subject("die Einwohnerzahl", genus="f")


def test_no_trend_claim_over_three_years():
    # 3 years (2022–2024) are too few for any trend word, "stabil" included
    s = kernaussage(585719, subject=EINWOHNER, year=2024, unit="Anzahl", trend="stabil",
                    trend_since=2022, trend_years=3)
    assert s == "Die Einwohnerzahl lag 2024 bei 585.719."
    # the span alone decides when the number of years is not given: 2022 … 2024 = 3 years
    s = kernaussage(585719, subject=EINWOHNER, year=2024, unit="Anzahl", trend="stabil",
                    trend_since=2022, trend_until=2024)
    assert s == "Die Einwohnerzahl lag 2024 bei 585.719."
    s = kernaussage(585719, subject=EINWOHNER, year=2024, unit="Anzahl", trend="steigend",
                    trend_since=2020, trend_years=5)
    assert s == "Die Einwohnerzahl lag 2024 bei 585.719; seit 2020 ist sie gestiegen."


def test_zensus_break_trend_before_and_too_short_after():
    s = kernaussage(585719, subject=EINWOHNER, year=2024, unit="Anzahl", trend="stabil",
                    trend_since=2022, trend_years=3, trend_break="Zensus 2022",
                    trend_before="steigend", trend_before_since=2012, trend_before_until=2021,
                    trend_before_years=10)
    assert s == ("Die Einwohnerzahl lag 2024 bei 585.719; von 2012 bis 2021 ist sie gestiegen, "
                 "seit dem Zeitreihenbruch durch den Zensus 2022 ist die Reihe für eine "
                 "Trendaussage noch zu kurz.")


def test_zensus_break_both_segments_long_enough():
    s = kernaussage(21.5, subject=QUOTE, year=2028, unit="%", trend="fallend",
                    trend_since=2022, trend_years=7, trend_break="Zensus 2022",
                    trend_before="uneinheitlich", trend_before_since=2012,
                    trend_before_until=2021, trend_before_years=10)
    assert s.endswith("; von 2012 bis 2021 entwickelte sie sich uneinheitlich, seit dem "
                      "Zeitreihenbruch durch den Zensus 2022 ist sie gesunken.")


def test_break_with_too_few_years_on_both_sides():
    s = kernaussage(20.5, subject=OHNE, year=2024, unit="%", trend="stabil", trend_since=2022,
                    trend_years=3, trend_break="Zensus 2022", trend_before="stabil",
                    trend_before_since=2019, trend_before_until=2021, trend_before_years=3)
    assert s.endswith("lag 2024 bei 20,5 %; wegen des Zeitreihenbruchs durch den Zensus 2022 "
                      "ist keine Trendaussage möglich (zu wenige vergleichbare Jahre).")
    assert "stabil" not in s


def test_break_of_a_territorial_reform_is_named_with_its_year():
    s = kernaussage(10.0, subject=QUOTE, year=2024, unit="%", trend="steigend",
                    trend_since=2018, trend_years=7, trend_break="Gebietsstand 2018")
    assert s.endswith("; seit dem Zeitreihenbruch 2018 (Gebietsstand 2018) ist sie gestiegen.")


def test_kernaussagen_rows_use_n_years_of_trend():
    rows = [{"subject": "die Einwohnerzahl", "genus": "f", "value": 1000, "year": 2024,
             "unit": "Anzahl", "trend_class": "stabil", "first_year": 2022, "last_year": 2024,
             "n_years": 3}]
    assert kernaussagen(rows) == ["Die Einwohnerzahl lag 2024 bei 1.000."]


def test_equal_and_not_significant_references_share_one_phrase():
    # 90,3 = 90,3 = 90,3 at one decimal
    s = kernaussage(90.31, subject=QUOTE, year=2024, unit="%",
                    comparisons=[Comparison(90.28, "land"), Comparison(90.3, "gruppe")])
    assert s == ("Die Betreuungsquote der unter Dreijährigen lag 2024 bei 90,3 % und damit "
                 "genau auf dem Landeswert und dem Wert der Vergleichsgruppe.")
    # both references inside the interval [43,0; 46,0]
    s = kernaussage(44.5, subject=QUOTE, year=2024, unit="%", ci_low=43.0, ci_high=46.0,
                    comparisons=[Comparison(44.2, "land"), Comparison(44.1, "gruppe")])
    assert s == ("Die Betreuungsquote der unter Dreijährigen lag 2024 bei 44,5 % und damit etwa "
                 "auf dem Niveau des Landes und der Vergleichsgruppe (Unterschiede statistisch "
                 "nicht gesichert).")
    # a secured difference between them keeps its own clause
    s = kernaussage(44.5, subject=QUOTE, year=2024, unit="%", ci_low=43.0, ci_high=46.0,
                    comparisons=[Comparison(44.2, "land"), Comparison(40.0, "gruppe")])
    assert s.endswith("etwa auf dem Niveau des Landes (Unterschied statistisch nicht "
                      "gesichert) und 4,5 Prozentpunkte über dem Wert der Vergleichsgruppe.")


@pytest.mark.parametrize("value", [157.1, float("nan")])
def test_kernaussage_never_states_a_value_that_is_not_plausible(value):
    s = kernaussage(value, subject=Subject("der Ausländeranteil", genus="m"), year=2024,
                    unit="%", status="!")
    assert s == "Der Ausländeranteil liegt für 2024 nicht vor (Zahlen nicht plausibel)."
    assert "157" not in s
