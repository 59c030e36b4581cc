"""No pickles (issue 14.2): what the report and the batch keep is data read with a schema.

A shared reports folder can be written by others. Nothing bimokit reads back from it (the
chapters' data, the batch's indicator values, a ``--values`` file) may run code: it is JSON or
CSV read against a schema and checked against a SHA-256 in a manifest; a damaged or foreign
file is rebuilt, a pickle is refused.
"""

from __future__ import annotations

import json
import math
import pickle
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import pandas as hpd

import bimokit
import bimokit as bk
from bimokit._frames import dumps, frame_from_record, frame_record
from bimokit.cli import main
from bimokit.errors import InputError, ParameterError
from bimokit.publish import KeyFigure, PublishedTable, read_published
from bimokit.report import finish_report, run_report, validate_request

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"
BATCH_NOTEBOOKS = Path(__file__).parent / "data" / "batch_notebooks"
PACKAGE = Path(bimokit.__file__).parent


class _Bomb:
    """A pickle that, when loaded, writes a marker file: the attack of issue 14.2."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.write_text, (Path(self.marker), "owned"))


def _plant(path: Path, marker: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(_Bomb(marker)))
    return path


# --- the grep test ----------------------------------------------------------------------------


_UNSAFE = re.compile(
    r"\bpickle\.loads?\b|\bread_pickle\b|\bto_pickle\b|^\s*import pickle|^\s*from pickle|"
    r"\bcloudpickle\b|\bdill\b|\bjoblib\.load\b|\bshelve\b|allow_pickle\s*=\s*True|"
    r"\bmarshal\.loads?\b",
    re.MULTILINE,
)


def test_no_module_loads_a_pickle():
    hits = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for m in _UNSAFE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            hits.append(f"{path.relative_to(PACKAGE)}:{line}: {m.group(0).strip()}")
    assert hits == []


# --- frames as JSON -----------------------------------------------------------------------------


_COLUMNS = [
    hpd.column("i", dtype="int64"),
    hpd.column("f", elements=st.floats(allow_nan=True, allow_infinity=True), dtype="float64"),
    hpd.column("b", dtype=bool),
    hpd.column("s", elements=st.one_of(st.none(), st.text()), dtype=object),
    hpd.column("o", elements=st.one_of(st.none(), st.text(max_size=5), st.integers(),
                                       st.floats(allow_nan=False), st.booleans()),
               dtype=object),
]


@settings(max_examples=60, deadline=None)
@given(hpd.data_frames(_COLUMNS, index=hpd.range_indexes(max_size=15)))
def test_frames_come_back_exactly(frame):
    back = frame_from_record(json.loads(dumps(frame_record(frame))))
    pd.testing.assert_frame_equal(back, frame)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"ags": pd.Series(["09162", None], dtype="str"),
                  "year": [2023, 2024], 2024: [1.5, -math.inf]}),
    pd.DataFrame({"k": pd.Categorical(["b", "a", None], categories=["b", "a"], ordered=True),
                  "n": pd.array([1, None, 3], dtype="Int64"),
                  "t": pd.to_datetime(["2024-01-01", None, "2023-05-06"])}),
])
def test_frames_with_other_types_come_back_exactly(frame):
    pd.testing.assert_frame_equal(frame_from_record(json.loads(dumps(frame_record(frame)))),
                                  frame)


@pytest.mark.parametrize("damage, field", [
    (lambda r: r["data"][0].__setitem__(0, "zwei"), "year"),
    (lambda r: r["data"][1].pop(), "value"),
    (lambda r: r["columns"][1].__setitem__("dtype", "pickle"), "value"),
])
def test_a_frame_that_does_not_fit_its_schema_names_file_and_column(damage, field):
    record = frame_record(pd.DataFrame({"year": [2023, 2024], "value": [1.0, 2.0]}))
    damage(record)
    with pytest.raises(InputError, match=rf"^t\.json, field {field}: "):
        frame_from_record(record, path="t.json")


def test_published_items_are_json_and_checked(tmp_path):
    bk.publish_table(pd.DataFrame({"ags": ["99101"], "value": [-1.5]}), name="T1",
                     out_dir=tmp_path, labels={"value": "Musterstadt"}, decimals={"value": 1},
                     note="n", display=False)
    bk.publish_keyfigure(indicator="X1", label="x", value=float("inf"), unit="%", year=2024,
                         out_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keyfigure_001.json",
                                                          "table_001.json"]
    tables, figures = read_published(tmp_path, chapter="A")
    assert tables[0].labels == {"value": "Musterstadt"} and tables[0].chapter == "A"
    assert tables[0].table["value"].tolist() == [-1.5]
    assert figures[0].value == math.inf and figures[0].chapter == "A"
    # a foreign key figure: an unknown field, then a value of the wrong type
    (tmp_path / "keyfigure_001.json").write_text('{"indicator": "X", "label": "x", '
                                                 '"value": 1, "__class__": "os.system"}')
    with pytest.raises(InputError, match="keyfigure_001.json, field __class__"):
        read_published(tmp_path)
    (tmp_path / "keyfigure_001.json").write_text('{"indicator": "X", "label": "x", '
                                                 '"value": "viel"}')
    with pytest.raises(InputError, match="keyfigure_001.json, field value"):
        read_published(tmp_path)


def test_records_round_trip():
    t = PublishedTable(name="T", table=pd.DataFrame({"a": [1]}), labels={"a": "A"},
                       decimals={"a": None}, chapter="S")
    back = PublishedTable.from_record(json.loads(dumps(t.to_record())))
    assert (back.name, back.labels, back.decimals, back.chapter) == ("T", {"a": "A"},
                                                                     {"a": None}, "S")
    f = KeyFigure(indicator="C1", label="Quote", value=-2.5, unit="%", year=2024,
                  ampel="rot", trend_arrow="↓", decimals=1, chapter="C")
    assert KeyFigure.from_record(json.loads(dumps(f.to_record()))) == f


# --- values files -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["werte.pkl", "werte.pickle"])
def test_a_values_pickle_is_refused_and_never_loaded(tmp_path, name):
    marker = tmp_path / "owned.txt"
    path = _plant(tmp_path / name, marker)
    with pytest.raises(ParameterError, match="pickle files are not read, because loading a "
                                             "pickle runs whatever code"):
        bk.load_values(path)
    with pytest.raises(ParameterError, match="pickle files are not read"):
        bk.save_values(pd.DataFrame({"a": [1]}), tmp_path / "neu.pkl")
    assert not marker.exists()


@pytest.mark.parametrize("body, message", [
    ("ags,year,indicator,value\n99101,2024,A1.1,1.5\n99101,zwei,A1.1,2\n",
     r"werte\.csv, line 3, field year: 'zwei' is not a year"),
    ("ags,year,indicator,value\n99101,2024,A1.1,1.5\n99101,2023,A1.1,viel\n",
     r"werte\.csv, line 3, field value: 'viel' is not a number"),
    ("ags,year,value\n99101,2024,1.5\n", r"werte\.csv, field indicator: not an indicator"),
])
def test_a_values_csv_is_read_with_its_schema(tmp_path, body, message):
    path = tmp_path / "werte.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        bk.load_values(path)


def test_values_csv_keeps_types_and_texts(tmp_path):
    values = pd.DataFrame({"ags": ["01001", "99"], "year": [2024, 2024],
                           "indicator": ["D1", "D1"], "category": ["2020", "=1+1"],
                           "value": [0.1 + 0.2, -3.0], "status": ["", "-"]})
    back = bk.load_values(bk.save_values(values, tmp_path / "v.csv"))
    pd.testing.assert_frame_equal(back, values)  # '2020' stays text, 0.30000000000000004 exact
    assert "'=1+1" in (tmp_path / "v.csv").read_text(encoding="utf-8")  # quoted for Excel


def test_batch_values_option_refuses_a_pickle(tmp_path, capsys):
    marker = tmp_path / "owned.txt"
    evil = _plant(tmp_path / "werte.pkl", marker)
    out = tmp_path / "reports"
    kommunen = tmp_path / "kommunen.txt"
    kommunen.write_text("99101\n", encoding="utf-8")
    code = main(["batch", "--ags-list", str(kommunen), "--values", str(evil), "--out",
                 str(out), "--no-progress", "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "pickle files are not read" in err and "Traceback" not in err
    assert not marker.exists() and not out.exists()


# --- the chapters' data in <out>/<ags>/.bimokit -----------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    result = run_report("99101", out=out, chapters="A", notebook_dir=NOTEBOOKS,
                        progress=False)
    assert result.ok
    return result


def _request(out_dir: Path, chapters="A"):
    return validate_request("99101", out=out_dir.parent, chapters=chapters,
                            notebook_dir=NOTEBOOKS)


def test_chapter_data_is_json_with_a_checksum(built):
    state = built.out_dir / ".bimokit"
    names = sorted(p.name for p in state.iterdir() if not p.name.startswith("."))
    assert names == ["A.json", "lock", "manifest.json", "report.json"]
    manifest = json.loads((state / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    assert manifest["files"]["A.json"]["sha256"] == hashlib.sha256(
        (state / "A.json").read_bytes()).hexdigest()


@pytest.mark.parametrize("damage", ["truncate", "foreign", "pickle"])
def test_damaged_or_foreign_chapter_data_is_dropped_not_used(built, tmp_path, damage):
    import shutil

    out_dir = tmp_path / "99101"
    shutil.copytree(built.out_dir, out_dir)
    data = out_dir / ".bimokit" / "A.json"
    marker = tmp_path / "owned.txt"
    if damage == "truncate":
        data.write_bytes(data.read_bytes()[:100])
    elif damage == "foreign":  # valid JSON of the right shape, but not what the run wrote
        record = json.loads(data.read_text(encoding="utf-8"))
        record["tables"][0]["name"] = "gefälscht"
        data.write_text(json.dumps(record), encoding="utf-8")
    else:  # an old-style pickle planted beside it, and the JSON gone
        data.unlink()
        _plant(out_dir / ".bimokit" / "A.pkl", marker)
    finish_report(_request(out_dir))
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="A.html"' not in index and "gefälscht" not in index
    if damage == "pickle":  # never loaded, and removed
        assert not (out_dir / ".bimokit" / "A.pkl").exists()
    else:  # no page without trusted data: the next run builds it again
        assert not (out_dir / "A.html").exists() and not data.exists()
    assert not marker.exists()


def test_a_truncated_chapter_cache_is_rebuilt_by_the_next_run(built, tmp_path):
    import shutil

    out = tmp_path / "reports"
    shutil.copytree(built.out_dir, out / "99101")
    data = out / "99101" / ".bimokit" / "A.json"
    data.write_bytes(data.read_bytes()[:50])
    result = run_report("99101", out=out, chapters="A", notebook_dir=NOTEBOOKS,
                        progress=False)
    assert result.ok and (out / "99101" / "A.html").is_file()
    assert json.loads(data.read_text(encoding="utf-8"))["chapter"] == "A"


# --- the batch ------------------------------------------------------------------------------


def _tiny_data(folder: Path) -> Path:
    folder.mkdir()
    (folder / "regions.csv").write_text(
        "ags,name,level,parent\n99,Musterland,land,\n99101,Musterstadt,kreis,99\n",
        encoding="utf-8")
    (folder / "facts.csv").write_text(
        "ags,year,variable,value,status,source\n99101,2020,bevoelkerung,100,,t\n"
        "99,2020,bevoelkerung,1000,,t\n", encoding="utf-8")
    return folder


def test_prepare_values_rebuilds_a_damaged_cache_and_with_force(tmp_path):
    from bimokit.batch import prepare_values

    marker = tmp_path / "owned.txt"
    _plant(tmp_path / ".bimokit-batch" / "values.pkl", marker)  # an old or planted pickle
    data = _tiny_data(tmp_path / "data")
    path = prepare_values(data, tmp_path)
    assert path.name == "values.csv" and not (path.parent / "values.pkl").exists()
    good = path.read_bytes()
    stamp = path.stat().st_mtime_ns
    assert prepare_values(data, tmp_path) == path and path.stat().st_mtime_ns == stamp
    path.write_bytes(good[: len(good) // 2])  # truncated: the checksum differs
    prepare_values(data, tmp_path)
    assert path.read_bytes() == good
    stamp = path.stat().st_mtime_ns
    prepare_values(data, tmp_path, force=True)  # --force: computed again
    assert path.stat().st_mtime_ns != stamp and path.read_bytes() == good
    assert not marker.exists()


def test_batch_rebuilds_damaged_chapter_data(tmp_path, capsys):
    data = _tiny_data(tmp_path / "data")
    out = tmp_path / "reports"
    argv = ["batch", "--all", "--data", str(data), "--out", str(out), "--notebooks",
            str(BATCH_NOTEBOOKS), "--chapters", "B", "--workers", "1", "--no-progress"]
    assert main(argv) == 0
    cached = out / "99101" / ".bimokit" / "B.json"
    values = out / ".bimokit-batch" / "values.csv"
    cached.write_bytes(cached.read_bytes()[:40])
    values.write_bytes(values.read_bytes()[:40])
    assert main(argv) == 0, capsys.readouterr()
    report = json.loads((out / "batch_report.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in report["records"]] == ["ok"]  # rebuilt, not skipped
    assert json.loads(cached.read_text(encoding="utf-8"))["chapter"] == "B"
    assert bk.load_values(values)["ags"].notna().all()  # the values were computed again
    assert main(argv) == 0  # and now it is current
    report = json.loads((out / "batch_report.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in report["records"]] == ["skipped"]
