"""End to end: the README's main command on the embedded sample, checked page by page.

``bimokit report --ags 99101`` must write index, Steckbrief, nine chapters and the
Tabellenanhang; no page may show code, a Python traceback or a raw ``nan``, and every image
carries alt text. One chapter is rendered in headless Chromium and a screenshot is kept in
``test-output/`` (CI keeps it as the test's output).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from _chromium import render

from bimokit import cli
from bimokit.report import CHAPTERS

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


class _Page(HTMLParser):
    """Collects images, visible text and code-cell markers of a page."""

    def __init__(self):
        super().__init__()
        self.images: list[dict] = []
        self.text: list[str] = []
        self.code_areas = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        classes = (attrs.get("class") or "").split()
        # nbconvert renders a code cell's source in an editor block with highlighted code;
        # with exclude_input there is none (Markdown cells keep their jp-InputArea)
        if "jp-CodeMirrorEditor" in classes or "hl-ipython3" in classes:
            self.code_areas += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    code = cli.main(["report", "--ags", "99101", "--out", str(out), "--no-progress"])
    assert code == 0
    return out / "99101"


def test_main_command_writes_index_nine_chapters_and_xlsx(sample_report):
    names = sorted(p.name for p in sample_report.iterdir() if p.is_file())
    chapters = [f"{letter}.html" for letter in CHAPTERS]
    assert len(chapters) == 9
    assert set(chapters) | {"index.html", "steckbrief.html", "tabellenanhang_99101.xlsx"} <= set(
        names
    )
    index = (sample_report / "index.html").read_text(encoding="utf-8")
    assert "Musterstadt" in index
    for letter in CHAPTERS:
        assert f'href="{letter}.html"' in index
    book = openpyxl.load_workbook(sample_report / "tabellenanhang_99101.xlsx")
    assert len(book.sheetnames) > 9  # a contents sheet plus the chapters' tables
    for ws in book.worksheets:
        assert ws.max_row >= 2, f"empty sheet {ws.title!r}"


@pytest.mark.parametrize("page", [*(f"{c}.html" for c in CHAPTERS), "index.html",
                                  "steckbrief.html"])
def test_page_has_no_code_traceback_nan_and_all_images_have_alt(sample_report, page):
    html_text = (sample_report / page).read_text(encoding="utf-8")
    parser = _Page()
    parser.feed(html_text)
    visible = " ".join(parser.text)
    assert parser.code_areas == 0
    # code of the notebooks never reaches the page
    assert "import bimokit" not in html_text and "bk.Chapter(" not in html_text
    assert "Traceback" not in visible and "Error" not in visible
    # no raw missing values in tables or sentences
    assert re.search(r"\b(nan|NaN|<NA>|None|NaT|inf)\b", visible) is None
    for img in parser.images:
        assert (img.get("alt") or "").strip(), f"an image on {page} has no alt text"
    if page in {f"{c}.html" for c in CHAPTERS}:
        assert parser.images, f"{page} has no chart"
    # German number formats: a percentage with decimal comma appears on every chapter page
    if page not in ("index.html", "steckbrief.html", "F.html"):
        assert re.search(r"\d,\d %", visible), f"{page}: no German percentage found"


def test_one_chapter_renders_in_headless_chromium(sample_report, tmp_path):
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "report_99101_C.png"
    dom = render(sample_report / "C.html", shot, tmp_path / "profile", height=3000)
    assert '<html lang="de">' in dom and "Betreuungsquote" in dom
    assert len(shot.read_bytes()) > 50_000


@pytest.mark.parametrize(("chapter", "expected"), [
    ("A", ["Personen je Altersjahr", "Markiert: Zeitreihenbruch 2022 (Zensus 2022)"]),
    ("S", ["Soll-Konzept je Sozialraum", "Maßstab: ", "Mehrere Anbieter im selben Sozialraum",
           "Ohne jedes Angebot in Gebieten mit hohem Bedarf"]),
])
def test_chapters_a_and_s_render_in_headless_chromium(sample_report, tmp_path, chapter,
                                                      expected):
    # screenshots of the whole chapters, kept in test-output/ to look at legends and labels
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / f"report_99101_{chapter}.png"
    dom = render(sample_report / f"{chapter}.html", shot, tmp_path / "profile", height=20000)
    assert '<html lang="de">' in dom
    for text in expected:
        assert text in dom, text
    assert len(shot.read_bytes()) > 200_000
