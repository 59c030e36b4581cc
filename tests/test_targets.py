"""Tests of bimokit.targets: hand-computed Zielerreichung, direction, Ampel, properties."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bimokit as bk
from bimokit.errors import InputProblems, InputWarning, ParameterError
from bimokit.targets import (
    TARGET_COLUMNS,
    achievement,
    ampel,
    describe_method,
    path_value,
    read_zielwerte,
)


def _values(rows):
    return pd.DataFrame(rows, columns=["ags", "indicator", "year", "value"])


VALUES = _values([
    # Betreuungsquote U3 (%), higher is better; baseline 2020, target 45 % in 2030
    ("05111", "C1.1", 2020, 30.0), ("05111", "C1.1", 2024, 37.5),
    ("05112", "C1.1", 2020, 30.0), ("05112", "C1.1", 2024, 33.0),
    ("05113", "C1.1", 2020, 30.0), ("05113", "C1.1", 2024, 29.0),
    # Abgänger ohne Abschluss (%), lower is better; 8 → 5 by 2030
    ("05111", "D3.1", 2020, 8.0), ("05111", "D3.1", 2024, 4.5),
])

TARGETS = pd.DataFrame({
    "indicator": ["C1.1", "D3.1"], "baseline_year": [2020, 2020], "target_year": [2030, 2030],
    "target_value": [45.0, 5.0],
})


def test_primitives_by_hand():
    # (37.5 − 30)/(45 − 30) = 0.5
    assert achievement(37.5, 30.0, 45.0) == pytest.approx(0.5)
    # direction −1: (4.5 − 8)/(5 − 8) = 3.5/3 = 1.1667
    assert achievement(4.5, 8.0, 5.0) == pytest.approx(3.5 / 3)
    assert np.isnan(achievement(5.0, 5.0, 5.0))
    # 2024 is 40 % of 2020–2030: 30 + 15·0.4 = 36
    assert path_value(30.0, 45.0, 2020, 2030, 2024) == pytest.approx(36.0)
    assert ampel([1.0, 0.5, 0.49, np.nan], [False, False, False, True]).tolist() == [
        "grün", "gelb", "rot", "grün"]
    with pytest.raises(ParameterError, match="gelb"):
        ampel([1.0], [False], thresholds=(0.5, 0.8))


def test_target_status_by_hand():
    r = bk.target_status(VALUES, TARGETS, direction={"C1.1": 1, "D3.1": -1})
    assert list(r.columns) == ["ags", "indicator", *TARGET_COLUMNS]
    r = r.set_index(["ags", "indicator"])
    a = r.loc[("05111", "C1.1")]
    # a = 7.5/15 = 50 %; s = 40 %; path 36; 37.5 ≥ 36 → on track; progress 50/40 = 125 % → grün
    assert a.achievement_pct == pytest.approx(50.0)
    assert a.time_share_pct == pytest.approx(40.0)
    assert a.path_value == pytest.approx(36.0)
    assert a.progress_pct == pytest.approx(125.0)
    assert a.on_track and not a.target_reached and a.ampel == "grün"
    assert (a.direction, a.direction_source, a.target_mode) == (1, "Katalog", "Veränderung")
    b = r.loc[("05112", "C1.1")]
    # a = 3/15 = 20 %; progress 20/40 = 50 % → gelb (threshold 50 %)
    assert b.achievement_pct == pytest.approx(20.0)
    assert b.progress_pct == pytest.approx(50.0) and b.ampel == "gelb" and not b.on_track
    c = r.loc[("05113", "C1.1")]
    # moved away: raw (29 − 30)/15 = −6.67 %, clipped to 0 → rot
    assert c.achievement_raw_pct == pytest.approx(-100 / 15)
    assert c.achievement_pct == 0.0 and c.ampel == "rot"
    d = r.loc[("05111", "D3.1")]
    # lower is better: 8 → 4.5 passes the target 5: raw 116.7 %, clipped 100 %, grün
    assert d.achievement_raw_pct == pytest.approx(100 * 3.5 / 3)
    assert d.achievement_pct == 100.0 and d.target_reached and d.ampel == "grün"
    assert (r["threshold_gruen_pct"] == 100.0).all() and (r["threshold_gelb_pct"] == 50).all()


def test_direction_inferred_and_targets_column_wins():
    r = bk.target_status(VALUES, TARGETS).set_index(["ags", "indicator"])
    assert r.loc[("05111", "D3.1"), "direction"] == -1
    assert r.loc[("05111", "D3.1"), "direction_source"] == "abgeleitet"
    t = TARGETS.assign(direction=[1, -1])
    r = bk.target_status(VALUES, t, direction={"C1.1": -1}).set_index(["ags", "indicator"])
    assert r.loc[("05111", "C1.1"), "direction_source"] == "Ziele"


def test_hold_mode_when_baseline_already_meets_target():
    # lower is better, baseline 4 % already below the target 5 %: keep it
    v = _values([("05114", "D3.1", 2020, 4.0), ("05114", "D3.1", 2024, 4.8),
                 ("05115", "D3.1", 2020, 4.0), ("05115", "D3.1", 2024, 5.5)])
    r = bk.target_status(v, TARGETS, direction={"D3.1": -1}).set_index("ags")
    assert (r["target_mode"] == "Halten").all()
    assert r.loc["05114", "ampel"] == "grün" and r.loc["05114", "on_track"]
    assert r.loc["05115", "ampel"] == "rot" and not r.loc["05115", "target_reached"]
    assert r["achievement_pct"].isna().all()


def test_region_target_overrides_general_and_year_option():
    t = pd.concat([TARGETS, pd.DataFrame({"indicator": ["C1.1"], "ags": ["05112"],
                                          "baseline_year": [2020], "target_year": [2025],
                                          "target_value": [33.0]})], ignore_index=True)
    r = bk.target_status(VALUES, t).set_index(["ags", "indicator"])
    # own target 33 by 2025, reached in 2024
    assert r.loc[("05112", "C1.1"), "target_value"] == 33.0
    assert r.loc[("05112", "C1.1"), "ampel"] == "grün"
    assert r.loc[("05111", "C1.1"), "target_value"] == 45.0
    # assess the baseline year itself: nothing due yet → on track, grün, progress +inf
    r20 = bk.target_status(VALUES, TARGETS, year=2020).set_index(["ags", "indicator"])
    assert r20.loc[("05111", "C1.1"), "ampel"] == "grün"
    assert r20.loc[("05111", "C1.1"), "time_share_pct"] == 0.0
    # a year without values
    r21 = bk.target_status(VALUES, TARGETS, year=2021)
    assert (r21["ampel"] == "").all() and r21["reason"].str.contains("kein Wert").all()


def test_missing_baseline_and_breakdowns():
    v = VALUES.assign(geschlecht="insgesamt")
    v = pd.concat([v, v.assign(geschlecht="weiblich", value=v["value"] + 1)])
    v = v[~((v["geschlecht"] == "weiblich") & (v["ags"] == "05113") & (v["year"] == 2020))]
    r = bk.target_status(v, TARGETS)
    assert list(r.columns[:3]) == ["ags", "indicator", "geschlecht"]
    assert len(r) == 8
    miss = r[(r["ags"] == "05113") & (r["geschlecht"] == "weiblich")].iloc[0]
    assert miss.reason == "kein Basiswert" and miss.ampel == ""
    # a given baseline_value is used instead of the table
    t = TARGETS.assign(baseline_value=[20.0, np.nan])
    r = bk.target_status(VALUES, t).set_index(["ags", "indicator"])
    # (37.5 − 20)/(45 − 20) = 70 %
    assert r.loc[("05111", "C1.1"), "achievement_pct"] == pytest.approx(70.0)


def test_errors():
    with pytest.raises(ParameterError, match="lacks the column"):
        bk.target_status(VALUES, TARGETS.drop(columns="target_value"))
    with pytest.raises(ParameterError, match="must come after baseline_year"):
        bk.target_status(VALUES, TARGETS.assign(target_year=[2020, 2030]))
    with pytest.raises(ParameterError, match="rows 1 and 3 both give a target for indicator "
                       "'C1.1' and every region"):
        bk.target_status(VALUES, pd.concat([TARGETS, TARGETS]))
    with pytest.raises(ParameterError, match="rows 1 and 2 both .* region '05111'"):
        bk.target_status(VALUES, pd.concat([TARGETS.iloc[:1], TARGETS.iloc[:1]]).assign(
            ags="05111"))
    with pytest.raises(ParameterError, match="direction must be 1"):
        bk.target_status(VALUES, TARGETS.assign(direction=[2, 1]))
    with pytest.raises(ParameterError, match="without values: 09999"):
        bk.target_status(VALUES, TARGETS.assign(ags=["09999", ""]))
    with pytest.raises(ParameterError, match="target_value must be a finite number"):
        bk.target_status(VALUES, TARGETS.assign(target_value=["viel", 5.0]))


def test_describe_method_states_thresholds():
    r = bk.target_status(VALUES, TARGETS, thresholds=(0.9, 0.6))
    text = describe_method(r)
    assert "mindestens 90 %" in text and "gelb ab 60 %" in text


# --- properties -----------------------------------------------------------------------------

num = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False).map(lambda x: round(x, 2))


@settings(max_examples=60, deadline=None)
@given(num, num, st.integers(2000, 2020), st.integers(1, 15), st.data())
def test_reaching_target_is_100_and_path_is_on_track(baseline, target, by, span, data):
    if target == baseline:
        return
    ty = by + span
    year = data.draw(st.integers(by + 1, ty))
    on_path = float(path_value(baseline, target, by, ty, year))
    v = _values([("05111", "X", by, baseline), ("05111", "X", ty, target),
                 ("05112", "X", by, baseline), ("05112", "X", year, on_path)])
    t = pd.DataFrame({"indicator": ["X"], "baseline_year": [by], "target_year": [ty],
                      "target_value": [target]})
    r = bk.target_status(v, t).set_index("ags")
    assert r.loc["05111", "achievement_pct"] == pytest.approx(100.0)
    assert r.loc["05111", "target_reached"] and r.loc["05111", "ampel"] == "grün"
    # the plan value itself is on track
    assert r.loc["05112", "on_track"] and r.loc["05112", "ampel"] == "grün"
    assert r.loc["05112", "progress_pct"] == pytest.approx(100.0)


@settings(max_examples=60, deadline=None)
@given(num, num, num)
def test_direction_mirror(baseline, target, current):
    # negating every value and the direction gives the same achievement and Ampel
    if target == baseline:
        return
    rows = [("05111", "X", 2020, baseline), ("05111", "X", 2024, current)]
    t = pd.DataFrame({"indicator": ["X"], "baseline_year": [2020], "target_year": [2030],
                      "target_value": [target]})
    r1 = bk.target_status(_values(rows), t).iloc[0]
    neg = [(a, i, y, -x) for a, i, y, x in rows]
    r2 = bk.target_status(_values(neg), t.assign(target_value=-target)).iloc[0]
    assert r1.direction == -r2.direction
    assert r1.ampel == r2.ampel
    assert r1.achievement_pct == pytest.approx(r2.achievement_pct)


# ---------------------------------------------------------------------------------------------
# no Ampel from a number that is not usable


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan, "inf"])
def test_target_status_refuses_non_finite_targets(bad):
    with pytest.raises(ParameterError, match="target_value must be a finite number"):
        bk.target_status(VALUES, TARGETS.assign(target_value=[45.0, bad]))


@pytest.mark.parametrize("bad", [np.inf, -np.inf, "inf"])
def test_target_status_refuses_non_finite_baselines(bad):
    # an empty (NaN) baseline means "from the data"; an infinite one is refused
    with pytest.raises(ParameterError, match="baseline_value must be a finite number"):
        bk.target_status(VALUES, TARGETS.assign(baseline_value=[30.0, bad]))


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_non_finite_value_gets_no_ampel(bad):
    v = VALUES.copy()
    v.loc[(v["ags"] == "05111") & (v["indicator"] == "C1.1") & (v["year"] == 2024), "value"] = bad
    r = bk.target_status(v, TARGETS, year=2024,
                         direction={"C1.1": 1, "D3.1": -1}).set_index(["ags", "indicator"])
    a = r.loc[("05111", "C1.1")]
    assert a.ampel == "" and np.isnan(a.achievement_pct)
    assert a.reason == "kein Wert im Bewertungsjahr"
    # the other Kommunen are judged as before: (33 − 30)/15 = 20 %, gelb
    assert r.loc[("05112", "C1.1"), "ampel"] == "gelb"


# ---------------------------------------------------------------------------------------------
# reading the Zielwerte file: every problem at once, with line and field


def _write(tmp_path, text, name="zielwerte.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_read_zielwerte_lists_five_different_errors_at_once(tmp_path):
    p = _write(tmp_path, "ags,indicator,baseline_year,target_year,target_value,bemerkung\n"
               ",C1.1,2018,2030,inf,\n"           # line 2: not finite (today: Ampel grün)
               ",D4.1,2018,2030,-50,\n"           # line 3: a share below 0
               ",Z9.9,2018,2030,5,\n"             # line 4: unknown indicator (today: ignored)
               "99101,D4.5,2018,2030,45,\n"
               "99101,D4.5,2018,2030,40,\n"       # line 6: contradicts line 5
               ",A2.1,2018,2030,nan,\n")          # line 8: not a number either
    with pytest.raises(InputProblems) as e:
        read_zielwerte(p)
    lines = str(e.value).splitlines()
    assert lines[0] == f"{p}: 5 Fehler, die Datei wurde nicht übernommen:"
    assert lines[1:] == [
        "  zielwerte.csv, Zeile 2, Feld target_value: 'inf' ist keine endliche Zahl",
        "  zielwerte.csv, Zeile 3, Feld target_value: '-50' liegt nicht zwischen 0 und 100: "
        "D4.1 ist ein Anteil in %",
        "  zielwerte.csv, Zeile 4, Feld indicator: unbekannter Indikator 'Z9.9'; die Kennungen "
        "listet 'bimokit indicators'",
        "  zielwerte.csv, Zeile 6, Feld indicator: zweiter, anderer Zielwert für D4.5 und "
        "99101: Zeile 5 sagt 45 bis 2030, diese Zeile 40 bis 2030; je Indikator und Region "
        "gilt ein Zielwert",
        "  zielwerte.csv, Zeile 7, Feld target_value: 'nan' ist keine endliche Zahl",
    ]
    assert [(q.line, q.field) for q in e.value.problems] == [
        (2, "target_value"), (3, "target_value"), (4, "indicator"), (6, "indicator"),
        (7, "target_value")]
    assert (e.value.line, e.value.field) == (2, "target_value")


@pytest.mark.parametrize(("row", "field", "message"), [
    # Betreuungsquote U3, a share where higher is better: −50 would have been grün
    (",C1.1,2018,2030,-50", "target_value", "'-50' liegt nicht zwischen 0 und 100"),
    (",C1.1,2018,2030,150", "target_value", "'150' liegt nicht zwischen 0 und 100"),
    # VHS-Belegungen je 1.000 Einwohner: a rate, never negative
    (",G1.1,2018,2030,-5", "target_value", "'-5' ist negativ: G1.1 (je 1.000 Einwohner)"),
    (",C1.1,2018,2018,50", "target_year", "das Zieljahr 2018 liegt nicht nach dem Basisjahr"),
    (",C1.1,18,2030,50", "baseline_year", "'18' ist kein Jahr"),
    (",C1.1,2018,2030,", "target_value", "Pflichtfeld ist leer"),
    (",D41,2018,2030,5", "indicator", "unbekannter Indikator 'D41' (meinten Sie 'D4.1'"),
    ("Musterstadt,D4.1,2018,2030,5", "ags", "'Musterstadt' ist kein Regionalschlüssel"),
])
def test_read_zielwerte_refuses_each_kind_of_bad_row(tmp_path, row, field, message):
    p = _write(tmp_path, "ags,indicator,baseline_year,target_year,target_value\n" + row + "\n")
    with pytest.raises(InputProblems, match=re.escape(message)) as e:
        read_zielwerte(p)
    assert (e.value.line, e.value.field) == (2, field) and len(e.value.problems) == 1


def test_read_zielwerte_direction_from_the_catalogue(tmp_path):
    # D4.1 (ohne Abschluss) is lower-is-better in the catalogue: direction 1 contradicts it
    p = _write(tmp_path, "indicator;baseline_year;target_year;target_value;direction\n"
               "D4.1;2018;2030;5;1\nA1.9;2018;2030;30;-1\n")
    with pytest.raises(InputProblems, match="die Richtung 1 widerspricht dem Katalog "
                       r"\(D4.1: niedriger ist besser\)") as e:
        read_zielwerte(p)
    assert len(e.value.problems) == 1  # A1.9 is neutral in the catalogue: its direction holds
    # a target worse than its baseline can only be held: a remark, and target_status holds it
    p = _write(tmp_path, "indicator;baseline_year;target_year;target_value;baseline_value\n"
               "C1.1;2018;2030;30;40\n")
    with pytest.warns(InputWarning, match="Zeile 2, Feld target_value: der Zielwert 30 ist "
                      "schlechter als der Basiswert 40 .C1.1: höher ist besser."):
        t = read_zielwerte(p)
    r = bk.target_status(_values([("05111", "C1.1", 2018, 40.0), ("05111", "C1.1", 2024, 35.0)]),
                         t, direction=bk.load_catalogue().table())
    # 35 ≥ 30: held → grün; target mode Halten
    assert r[["target_mode", "ampel"]].values.tolist() == [["Halten", "grün"]]


def test_read_zielwerte_german_template_headers_and_numbers(tmp_path):
    p = _write(tmp_path, "# aus der Vorlage\n"
               "AGS;Indikator;Basisjahr;Zieljahr;Zielwert;Basiswert;Bemerkung\n"
               "99101;C1.1;2018;2030;52,5;40,0;Beschluss\n"
               ";D4.1;2018;2030;5;;\n"
               ";D4.1;2018;2030;5;;\n")   # repeats line 4: a remark, left out
    with pytest.warns(InputWarning, match="Zeile 5, Feld Indikator: wiederholt Zeile 4"):
        t = read_zielwerte(p)
    assert t[["ags", "indicator", "target_value", "baseline_value", "line"]].values.tolist()[0] \
        == ["99101", "C1.1", 52.5, 40.0, 3]
    assert t["ags"].iloc[1] is None and np.isnan(t["baseline_value"].iloc[1])
    assert len(t) == 2 and t["bemerkung"].iloc[0] == "Beschluss"


def test_read_zielwerte_regions(tmp_path):
    p = _write(tmp_path, "ags,indicator,baseline_year,target_year,target_value\n"
               "99101,D4.1,2018,2030,5\n99999,D4.1,2018,2030,5\n")
    with pytest.raises(InputProblems, match="Zeile 3, Feld ags: die Region '99999' gibt es"):
        read_zielwerte(p, regions=["99101", "99102"])
    assert len(read_zielwerte(p)) == 2  # without a region table only the shape is checked
