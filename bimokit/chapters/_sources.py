"""Source lines of the files a chapter used: title, attribution (©) and Stand, from the files."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

__all__ = ["describe_file"]

_STAND = re.compile(r"Stand:\s*(\d{2}\.\d{2}\.\d{4})")


def _text(path: Path, *, head: bool) -> str:
    raw = path.read_bytes()
    chunk = raw[:4000] if head else raw[-4000:]
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return chunk.decode(enc)
        except UnicodeDecodeError:
            continue
    return chunk.decode("latin-1", errors="replace")


def _classic_title(head: str) -> str:
    """The table title of a classic GENESIS header: its lines joined up to 'regionale Tiefe'.

    GENESIS wraps the title at a fixed width, so a line may end inside a phrase
    ("einschließlich" / "privater Organisationen …") or inside "regionale Tiefe".

    Examples
    --------
    >>> _classic_title("GENESIS-Tabelle: 12411-01-01-4\\nBevölkerung nach Geschlecht - "
    ...                "Stichtag 31.12. - regionale;;\\nTiefe: Kreise und krfr. Städte;;\\n"
    ...                "Fortschreibung des Bevölkerungsstandes;;")
    'Bevölkerung nach Geschlecht – Stichtag 31.12.'
    """
    lines = [ln.split(";")[0].strip().strip('"') for ln in head.splitlines()[1:6]]
    text = " ".join(ln for ln in lines if ln)
    cut = re.search(r"\bregionale\s+tiefe\b", text, flags=re.IGNORECASE)
    if cut:
        text = text[:cut.start()]
    text = " ".join(text.split()).strip(" -–")
    return text.replace(" - ", " – ")


def _attribution(tail: str) -> str:
    start = tail.find("©")
    if start < 0:
        return ""
    block = tail[start:]
    end = block.find('"')
    if end >= 0:
        block = block[:end]
    else:
        block = block.split("Stand:")[0]
    return " ".join(block.split())


def describe_file(path: str | Path, *, table_code: str = "", stand=None) -> dict:
    """Title, attribution line and Stand of one export file, read from its head and footer.

    Parameters
    ----------
    path : str or Path
        The file.
    table_code : str
        Its table code (from :attr:`bimokit.data.Dataset.files`), if known.
    stand : date, optional
        The ``Stand`` the reader found; else it is looked up in the footer.

    Returns
    -------
    dict
        ``file`` (name), ``table_code``, ``title`` (German, '' if none), ``attribution`` (the
        copyright line of a classic GENESIS table, '' if none), ``stand`` (``dd.mm.yyyy`` or
        '').
    """
    p = Path(path)
    title, attribution, stand_text = "", "", ""
    if isinstance(stand, date):
        stand_text = stand.strftime("%d.%m.%Y")
    try:
        head = _text(p, head=True)
        tail = _text(p, head=False)
    except OSError:
        head = tail = ""
    if head.startswith("GENESIS-Tabelle"):
        title = _classic_title(head)
        attribution = _attribution(tail)
        if not stand_text:
            m = _STAND.search(tail)
            stand_text = m.group(1) if m else ""
    elif head.startswith("statistics_code"):
        rows = head.splitlines()
        if len(rows) > 1:
            fields = rows[1].split(";")
            title = fields[1].strip() if len(fields) > 1 else ""
    return {"file": p.name, "table_code": table_code or p.stem, "title": title,
            "attribution": attribution, "stand": stand_text}
