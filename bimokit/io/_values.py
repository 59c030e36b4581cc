"""Shared pieces of the readers: decoding, years, region keys, column names, CSV rows.

Everything here works on whole columns at once (vectorised); the readers only loop over
header rows and columns, never over the cells of a body.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = [
    "AGS_PATTERN",
    "decode_file",
    "parse_years",
    "map_unique",
    "text_codes",
    "factorize_objects",
    "first_row",
    "duplicate_rows",
    "read_raw",
    "scan_text_file",
    "TextFile",
    "check_control",
    "decode_bytes",
    "strip",
    "str_column",
    "parse_year",
    "check_ags",
    "region_levels",
    "snake",
    "unique_name",
    "region_code_of_name",
    "read_csv_rows",
    "read_csv_table",
    "CsvRows",
    "parser_error_line",
    "record_line",
    "is_historical_unit",
]

#: Region keys as published: Deutschland, Land, Regierungsbezirk, Kreis, Gemeinde (AGS, ARS),
#: Gemeindeverband (9 digits, Regionalstatistik ``-5`` tables).
AGS_PATTERN = r"DG|[0-9]{2}|[0-9]{3}|[0-9]{5}|[0-9]{8}|[0-9]{9}|[0-9]{12}"
#: Own small areas (tidy files only): ``<5-digit Kreis>-<code>``.
SOZIALRAUM_PATTERN = r"[0-9]{5}-[0-9A-Za-z_]+"

_AGS_RE = re.compile(rf"(?:{AGS_PATTERN})")

_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Every byte except the C0 controls other than tab, LF, CR (and DEL): deleted before the
#: (slower) search for a control character, so that clean files skip it.
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 9 or b in (11, 12) or 14 <= b < 32
                                                   or b == 127))


def read_raw(path: str | Path) -> bytes:
    """The bytes of a text export, refusing folders, missing, empty, UTF-16 and ZIP files.

    Raises
    ------
    InputError
        If the file is missing, empty, a folder, UTF-16 or a ZIP archive / XLSX workbook.
    """
    p = Path(path)
    if p.is_dir():
        raise InputError(
            "is a folder; expected one export file (folders are read by the loader)", path=p
        )
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=p) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=p) from None
    # isspace stops at the first other byte; strip() would copy the whole file
    _check_head(p, raw[:400], raw.isspace())
    return raw


def _check_head(p: Path, head: bytes, whole_blank: bool) -> None:
    """The checks of :func:`read_raw` that look at the start of a file."""
    if not head or whole_blank:
        raise InputError("the file is empty; expected a statistics export", path=p)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:400].count(b"\x00") > 20:
        raise InputError(
            "the file is UTF-16 encoded; expected UTF-8 or ISO-8859-1 text "
            "(save it again as 'CSV (UTF-8)' or download it as CSV from GENESIS)",
            path=p,
        )
    if head[:4] == b"PK\x03\x04":
        raise InputError(
            "the file is a ZIP archive or an XLSX workbook; expected a CSV text file "
            "(unpack the archive; read own XLSX tables with read_tidy)",
            path=p,
        )


@dataclass(frozen=True)
class TextFile:
    """What :func:`scan_text_file` found: encoding, first line, quotes, blank lines."""

    encoding: str  # "utf-8-sig", "cp1252" or "latin-1"
    first_line: str
    has_quote: bool
    has_blank_line: bool


_BLOCK = 1 << 24
_BLANK_LINE = re.compile(rb"\n[ \t\r]*\n")


def scan_text_file(path: str | Path) -> TextFile:
    """Check a text file as :func:`read_raw` and :func:`check_control` do, block by block.

    Never holds more than one block (16 MB) of the file: for large files that are then read
    by ``read_csv`` from disk.

    Raises
    ------
    InputError
        As :func:`read_raw` and :func:`check_control`.
    """
    p = Path(path)
    if p.is_dir():
        raise InputError(
            "is a folder; expected one export file (folders are read by the loader)", path=p
        )
    decoders = {name: codecs.getincrementaldecoder(name)() for name in ("utf-8", "cp1252")}
    has_quote = has_blank = False
    blank = True
    lines = 0  # line breaks before the current block
    first = b""
    tail = b""
    try:
        with open(p, "rb") as fh:
            head = fh.read(_BLOCK)
            _check_head(p, head, False)
            block = head
            while block:
                if block.translate(None, _NOT_CONTROL):
                    bad = _CONTROL_BYTES.search(block)
                    raise InputError(
                        f"the file contains the control byte {chr(bad.group()[0])!r}: it is "
                        "binary or in an unsupported encoding; expected UTF-8 or ISO-8859-1 "
                        "text", path=p, line=lines + block.count(b"\n", 0, bad.start()) + 1)
                blank = blank and block.isspace()
                has_quote = has_quote or b'"' in block
                has_blank = has_blank or bool(_BLANK_LINE.search(tail + block))
                for name, dec in list(decoders.items()):
                    try:
                        dec.decode(block)
                    except UnicodeDecodeError:
                        del decoders[name]
                if not first:
                    nl = block.find(b"\n")
                    first = block if nl < 0 else block[:nl]
                lines += block.count(b"\n")
                tail = block[-2:]
                block = fh.read(_BLOCK)
            for name, dec in list(decoders.items()):
                try:
                    dec.decode(b"", final=True)
                except UnicodeDecodeError:
                    del decoders[name]
    except FileNotFoundError:
        raise InputError("file not found", path=p) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=p) from None
    _check_head(p, head, blank)
    encoding = ("utf-8-sig" if "utf-8" in decoders else
                "cp1252" if "cp1252" in decoders else "latin-1")
    return TextFile(encoding, first.decode(encoding, "replace").lstrip("\ufeff").rstrip("\r"),
                    has_quote, has_blank)


def check_control(raw: bytes, path: str | Path) -> None:
    """Refuse a file with a C0 control byte other than tab, LF, CR (or DEL).

    The bytes are checked, not the text: the control bytes are the same characters in
    UTF-8, Windows-1252 and ISO-8859-1.
    """
    if not raw.translate(None, _NOT_CONTROL):
        return
    bad = _CONTROL_BYTES.search(raw)
    line = raw.count(b"\n", 0, bad.start()) + 1
    raise InputError(
        f"the file contains the control byte {chr(bad.group()[0])!r}: it is binary or in an "
        "unsupported encoding; expected UTF-8 or ISO-8859-1 text",
        path=Path(path),
        line=line,
    )


def decode_bytes(raw: bytes) -> str:
    """Text of a file's bytes: UTF-8 (with or without BOM), else Windows-1252 / ISO-8859-1."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def decode_file(path: str | Path) -> str:
    """Read a text export and return its text, detecting the encoding.

    UTF-8 (with or without BOM) is tried strictly first; otherwise the file is read as
    Windows-1252 (a superset of ISO-8859-1 for printable text), or ISO-8859-1 where a byte
    is undefined in Windows-1252.

    Raises
    ------
    InputError
        If the file is missing, empty, a folder, UTF-16 or binary.
    """
    raw = read_raw(path)
    check_control(raw, path)
    return decode_bytes(raw)


@dataclass
class CsvRows:
    """The rows of a small CSV table, as :func:`read_csv_table` finds them.

    Attributes
    ----------
    header : list of str
        Header cells as in the file, stripped (not lower-cased).
    rows : list of list of str
        Data rows, padded with ``""`` or cut to the header's length.
    lines : list of int
        The file line of every data row (1-based; a quoted cell may span lines: the line the
        row ends on).
    header_line : int
        The file line of the header (0 if there is none).
    sep : str
        The separator found: ``";"`` or ``","``.
    widths : list of int
        Number of fields of every data row as in the file, trailing empty fields not counted.
    counts : list of int
        Number of fields of every data row as in the file.
    """

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    header_line: int
    sep: str
    widths: list[int]
    counts: list[int]


def read_csv_table(path: str | Path, *, empty: str = "no header line with the column names"
                   ) -> CsvRows:
    """Rows of a small CSV table a Kommune keeps itself (Angebote, Zielwerte, Standards …).

    Decoded as the exports (:func:`decode_file`); ``;`` or ``,`` as separator, whichever the
    header line has more of (``;`` on a tie); quoted cells may hold the separator; empty lines
    and lines starting with ``#`` are skipped. Rows are not checked against the header: the
    caller decides (see ``widths``).

    Raises
    ------
    InputError
        If the file cannot be decoded, has no header, or a quote is not closed (naming the
        line).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("# Kommentar\\nA;B\\n1;\\"x;y\\"\\n\\n2\\n", encoding="utf-8")
    >>> t = read_csv_table(p)
    >>> t.header, t.rows, t.lines, t.header_line, t.sep, t.widths
    (['A', 'B'], [['1', 'x;y'], ['2', '']], [3, 5], 2, ';', [2, 1])
    """
    text = decode_file(path)
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), None)
    if first is None:
        raise InputError(empty, path=path)
    sep = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    header_line = 0
    rows: list[list[str]] = []
    lines_no: list[int] = []
    widths: list[int] = []
    counts: list[int] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"not a readable CSV line ({exc})", path=path,
                             line=reader.line_num) from None
        ln = reader.line_num
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header, header_line = [h.strip() for h in row], ln
            continue
        width = len(row)
        while width and not row[width - 1].strip():
            width -= 1
        rows.append((row + [""] * len(header))[: len(header)])
        lines_no.append(ln)
        widths.append(width)
        counts.append(len(row))
    return CsvRows(header or [], rows, lines_no, header_line, sep, widths, counts)


def read_csv_rows(path: str | Path, *, exact: bool = False,
                  empty: str = "no header line with the column names"
                  ) -> tuple[list[str], list[list[str]], list[int], int]:
    """Rows of a small CSV table a Kommune keeps itself (Angebote, Zielwerte).

    As :func:`read_csv_table`, with the header lower-cased and the field counts checked.

    Parameters
    ----------
    path : str or Path
        The file.
    exact : bool
        Every row must have as many fields as the header; otherwise short rows are padded
        with ``""`` and only extra non-empty fields are an error.
    empty : str
        The message when there is no header line.

    Returns
    -------
    (list of str, list of list of str, list of int, int)
        Header (stripped, lower case), data rows (as in the file), their line numbers and the
        header's line number.

    Raises
    ------
    InputError
        Naming the file and line.
    """
    t = read_csv_table(path, empty=empty)
    n = len(t.header)
    if exact:
        for ln, count in zip(t.lines, t.counts, strict=True):
            if count != n:
                raise InputError(f"expected {n} fields, found {count}", path=path, line=ln)
    for ln, width in zip(t.lines, t.widths, strict=True):
        if width > n:
            raise InputError(f"{width} fields, but the header has {n} (separator {t.sep!r})",
                             path=path, line=ln)
    return [h.lower() for h in t.header], t.rows, t.lines, t.header_line


#: Where the C parser of ``read_csv`` says a problem is: "… in line 6, saw 3" (1-based) or
#: "… EOF inside string starting at row 5" (0-based), counting logical lines (a line break
#: inside quotes does not count, a blank line does).
_PARSER_WHERE = re.compile(r"\b(line|row) ([0-9]+)")


def parser_error_line(message: str, open_text, *, sep: str, first_line: int = 1) -> int | None:
    """File line of the problem a ``read_csv`` error message names, or None.

    Parameters
    ----------
    message : str
        The text of the :class:`pandas.errors.ParserError`.
    open_text : callable
        Opens the text that was parsed (a text stream, ``newline=""``).
    sep : str
        The separator.
    first_line : int
        File line of the first line of the parsed text.

    Examples
    --------
    >>> text = 'a;b\\n1;"x\\ny"\\n\\n3;"open\\n4;5\\n'
    >>> parser_error_line("EOF inside string starting at row 3", lambda: io.StringIO(text),
    ...                   sep=";")
    5
    """
    m = _PARSER_WHERE.search(message)
    if m is None:
        return None
    index = int(m.group(2)) - (1 if m.group(1) == "line" else 0)
    line = record_line(open_text, index, sep=sep, blank=True)
    return None if line is None else first_line - 1 + line


def record_line(open_text, index: int, *, sep: str, blank: bool) -> int | None:
    """File line (1-based) where CSV record ``index`` (0-based, the header is 0) starts.

    The text is read with the :mod:`csv` module, so that line breaks inside quotes count as
    the file lines they are. ``blank``: whether blank lines count as records (they do in
    the line numbers of pandas' parser messages; ``read_csv`` skips them as rows).

    Examples
    --------
    >>> text = 'a,b\\n1,"x\\ny"\\n\\n3,4\\n'
    >>> [record_line(lambda: io.StringIO(text), k, sep=",", blank=False) for k in (1, 2)]
    [2, 5]
    """
    with open_text() as fh:
        reader = csv.reader(fh, delimiter=sep)
        k = 0
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return None
            except csv.Error:
                return start if k == index else None
            if not blank and (not row or (len(row) == 1 and not row[0].strip())):
                continue
            if k == index:
                return start
            k += 1


def map_unique(values, func) -> np.ndarray:
    """Apply ``func`` (Series of str → Series) to the distinct values only, then spread back.

    Exports repeat the same texts (codes, names, labels, years) many times; hashing them
    once with :func:`pandas.factorize` and transforming the few distinct values is much
    faster than a string method over every cell.
    """
    arr = np.asarray(values, dtype=object)
    codes, uniq = pd.factorize(arr, use_na_sentinel=False)
    out = np.asarray(func(pd.Series(np.asarray(uniq, dtype=object), dtype=object)),
                     dtype=object)
    return out[codes]


class _Addresses:
    """The object pointers of an object array, as an array of unsigned integers.

    Exposed through the array interface; the instance holds the object array, so that the
    pointers stay valid while the integer view (whose base it is) lives.
    """

    def __init__(self, arr: np.ndarray):
        self._arr = arr
        self.__array_interface__ = {
            "data": (arr.__array_interface__["data"][0], True),
            "shape": arr.shape,
            "typestr": np.dtype(np.uintp).str,
            "version": 3,
        }


def factorize_objects(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pandas.factorize`` of an object array, hashing each distinct *object* once.

    ``read_csv`` boxes the equal texts of a column as one ``str`` object (per chunk), so
    that a column of 330,000 cells may hold a handful of objects. Their addresses are
    hashed as integers first (identical objects are equal values); the distinct objects
    are then hashed by value. The result is that of ``pd.factorize(arr,
    use_na_sentinel=False)``: codes, and the distinct values in order of first appearance.

    Examples
    --------
    >>> a, b = "x" * 3, "".join(["x", "xx"])  # equal texts, two objects
    >>> codes, uniq = factorize_objects(np.array([a, "y", b, a], dtype=object))
    >>> codes.tolist(), uniq.tolist()
    ([0, 1, 0, 0], ['xxx', 'y'])
    """
    arr = np.ascontiguousarray(arr, dtype=object)
    if len(arr) < 1000:
        return pd.factorize(arr, use_na_sentinel=False)
    id_codes, id_uniq = pd.factorize(np.asarray(_Addresses(arr)))
    if len(id_uniq) > len(arr) // 2:  # few repeated objects: hash the values directly
        return pd.factorize(arr, use_na_sentinel=False)
    # one position of each distinct object (which one does not matter)
    pos = np.empty(len(id_uniq), dtype=np.intp)
    pos[id_codes] = np.arange(len(arr))
    codes, uniq = pd.factorize(arr[pos], use_na_sentinel=False)
    return codes[id_codes], uniq


def text_codes(values, *, strip: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and distinct texts of a text column: ``uniq[codes]`` is the column.

    The column is hashed once (:func:`pandas.factorize`); only the distinct texts are
    stripped, and texts that become equal by stripping share one code. ``uniq`` is in the
    order of first appearance.

    Examples
    --------
    >>> codes, uniq = text_codes(["a ", "b", " a", "b"])
    >>> codes.tolist(), uniq.tolist()
    ([0, 1, 0, 1], ['a', 'b'])
    """
    arr = values if isinstance(values, np.ndarray) and values.dtype == object else (
        np.asarray(values, dtype=object))
    codes, uniq = factorize_objects(arr)
    uniq = np.asarray(uniq, dtype=object)
    if not strip:
        return codes, uniq
    stripped = np.empty(len(uniq), dtype=object)
    stripped[:] = [u.strip() if isinstance(u, str) else str(u).strip() for u in uniq]
    merged, canon = pd.factorize(stripped, use_na_sentinel=False)
    if len(canon) < len(stripped):
        return merged[codes], np.asarray(canon, dtype=object)
    return codes, stripped


def first_row(mask: np.ndarray, codes: np.ndarray) -> int | None:
    """Position of the first row whose code is flagged in ``mask`` (one flag a distinct value)."""
    if not mask.any():
        return None
    hit = np.flatnonzero(mask[codes])
    return int(hit[0]) if len(hit) else None


def duplicate_rows(*keys: tuple[np.ndarray, int]) -> np.ndarray:
    """Positions of rows whose key occurred in an earlier row.

    Each part of the key is given as integer codes (``0 <= code < n_distinct``) with its
    number of distinct values; the parts are combined into one integer per row (mixed
    radix, in place), and a stable sort of those integers puts repeats side by side.

    Examples
    --------
    >>> duplicate_rows((np.array([0, 1, 0, 0]), 2), (np.array([0, 0, 1, 0]), 2)).tolist()
    [3]
    """
    combined = np.zeros(len(keys[0][0]), dtype=np.int64)
    size = 1
    for codes, n_distinct in keys:
        n_distinct = max(int(n_distinct), 1)
        if size > (2**62) // n_distinct:
            combined, uniq = pd.factorize(combined)
            combined = combined.astype(np.int64)
            size = max(len(uniq), 1)
        combined *= n_distinct
        combined += codes
        size *= n_distinct
    order = np.argsort(combined, kind="stable")
    ordered = combined[order]
    del combined
    repeat = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
    return np.sort(order[repeat])


_PANDAS3 = int(pd.__version__.split(".")[0]) >= 3


def str_column(values, index: np.ndarray | None = None):
    """A text column for a facts table: ``str`` dtype on pandas 3, object before.

    With ``index``, the column is ``values[index]`` built by a take on the few distinct
    ``values`` (no per-cell validation of a long array).
    """
    small = np.asarray(values, dtype=object)
    if index is None:
        codes, uniq = pd.factorize(small, use_na_sentinel=False)
        small, index = np.asarray(uniq, dtype=object), codes
    if _PANDAS3:
        return pd.array(small, dtype="str").take(index)
    return small[index]


def strip(values) -> np.ndarray:
    """Stripped texts (object array), computed on the distinct values."""
    return map_unique(values, lambda u: u.str.strip())


_YEAR_RE = re.compile(
    r"^(?:(?:WS|SS|WiSe|SoSe|Wintersemester|Sommersemester|Schuljahr|Jahr)\s*)?"
    r"(?:[0-9]{1,2}\.[0-9]{1,2}\.)?(?P<year>(?:19|20)[0-9]{2})(?:\s*/\s*(?:[0-9]{2}|[0-9]{4}))?$"
)


def parse_year(text: str) -> int | None:
    """Return the year a time label stands for, or None.

    ``2015``, ``31.12.2018``, ``2015/16``, ``WS 2015/16`` → the (starting) year.

    Examples
    --------
    >>> [parse_year(t) for t in ["2015", "31.12.2018", "2015/16", "WS 2015/16", "Stichtag"]]
    [2015, 2018, 2015, 2015, None]
    """
    m = _YEAR_RE.match(text.strip())
    return int(m.group("year")) if m else None


def parse_years(texts) -> np.ndarray:
    """Vectorised :func:`parse_year`: float array with NaN where a text is not a time label."""

    def one(u: pd.Series):
        m = u.str.strip().str.extract(_YEAR_RE)
        return pd.to_numeric(m["year"], errors="coerce").astype("float64")

    return map_unique(texts, one).astype("float64")


def check_ags(codes, *, allow_sozialraum: bool = False) -> np.ndarray:
    """Return positions of region keys that have no known shape."""
    pattern = AGS_PATTERN + (f"|{SOZIALRAUM_PATTERN}" if allow_sozialraum else "")
    ok = map_unique(codes, lambda u: u.astype(str).str.fullmatch(pattern).astype(bool))
    return np.flatnonzero(~ok.astype(bool))


def region_levels(codes: pd.Series) -> pd.Series:
    """Level of every (already validated) key: bund, land, regbez, kreis, gemeindeverband,
    gemeinde, sozialraum (``<Kreis>-<code>``), by the key's form as in
    :func:`bimokit.regions.ags_levels`.

    Examples
    --------
    >>> region_levels(pd.Series(["DG", "09", "091", "09162", "091620000", "09162000",
    ...                          "99101-07", "99101-7"])).tolist()
    ['bund', 'land', 'regbez', 'kreis', 'gemeindeverband', 'gemeinde', 'sozialraum', \
'sozialraum']
    """
    text = codes.astype(object)
    n = text.str.len()
    conditions = [
        (text == "DG").to_numpy(dtype=bool),
        text.str.contains("-", regex=False).fillna(False).to_numpy(dtype=bool),
        (n == 2).to_numpy(dtype=bool),
        (n == 3).to_numpy(dtype=bool),
        (n == 5).to_numpy(dtype=bool),
        (n == 9).to_numpy(dtype=bool),
        ((n == 8) | (n == 12)).to_numpy(dtype=bool),
    ]
    names = ["bund", "sozialraum", "land", "regbez", "kreis", "gemeindeverband", "gemeinde"]
    levels = np.select(conditions, names, default="")
    return pd.Series(levels, index=codes.index, name="level").astype(object)


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe",
                          "Ü": "ue"})


def snake(label: str) -> str:
    """Column name for a published label: snake_case ASCII.

    Examples
    --------
    >>> snake("Nationalität"), snake("Klassenstufe / Jahrgangsstufe"), snake("Geschlecht")
    ('nationalitaet', 'klassenstufe_jahrgangsstufe', 'geschlecht')
    """
    text = label.strip().translate(_UMLAUTS).lower()
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if not text:
        text = "merkmal"
    if text[0].isdigit():
        text = "m_" + text
    return text


#: Names a dimension column must not take.
RESERVED = frozenset({"ags", "year", "variable", "value", "status", "source", "name", "level"})


def unique_name(name: str, taken) -> str:
    """``name``, or ``name_2``, ``name_3`` … if taken or reserved."""
    if name not in taken and name not in RESERVED:
        return name
    k = 2
    while f"{name}_{k}" in taken:
        k += 1
    return f"{name}_{k}"


_LAND_PREFIX = re.compile(
    r"^(?:land|freistaat|freie und hansestadt|freie hansestadt)\s+", re.IGNORECASE)
_LAND_SUFFIX = re.compile(
    r"(?:,\s*|\s+\()(?:land|freistaat|freie und hansestadt|freie hansestadt|stadtstaat)\)?$",
    re.IGNORECASE)
_DG_NAMES = {"deutschland", "bundesrepublik deutschland", "deutschland insgesamt",
             "deutschland (insgesamt)"}
_NAME_TO_CODE: dict[str, str] = {}


#: Territorial units of the time before 1990 and aggregates of Länder that some
#: GENESIS-Online tables list beside the Länder; they have no key of their own.
_HISTORICAL_UNIT = re.compile(
    r"^(?:früheres bundesgebiet|frueheres bundesgebiet|neue länder|neue bundesländer|"
    r"alte länder|alte bundesländer|berlin[- ]?(?:west|ost)|berlin \((?:west|ost)\))\b",
    re.IGNORECASE)


def is_historical_unit(name: str) -> bool:
    """True for 'Früheres Bundesgebiet', 'Neue Länder', 'Berlin-West' … (with any suffix).

    Examples
    --------
    >>> [is_historical_unit(n) for n in ["Früheres Bundesgebiet (ohne Berlin)",
    ...                                  "Neue Länder einschl. Berlin", " Berlin-West",
    ...                                  "Berlin", "Bayern"]]
    [True, True, True, False, False]
    """
    return bool(_HISTORICAL_UNIT.match(" ".join(str(name).split())))


def region_code_of_name(name: str) -> str | None:
    """Region key of a Land or Deutschland given by its published name.

    Tables of GENESIS-Online (``12411-0010``, ``21111-0004`` …) name the Länder without a
    key. Variants such as ``Baden-Württemberg, Land`` or ``Freistaat Bayern`` are accepted.
    ``Insgesamt`` (the total row of a Länder table) gives ``"*"``: Deutschland where the
    other rows are Länder. Anything else gives None.

    Examples
    --------
    >>> [region_code_of_name(n) for n in ["Baden-Württemberg, Land", "  Bayern",
    ...                                    "Deutschland", "Insgesamt", "Musterstadt"]]
    ['08', '09', 'DG', '*', None]
    """
    if not _NAME_TO_CODE:
        from .._schema import LAENDER

        _NAME_TO_CODE.update({v.lower(): k for k, v in LAENDER.items()})
        _NAME_TO_CODE.update({n: "DG" for n in _DG_NAMES})
    text = " ".join(str(name).split()).lower()
    if text == "insgesamt":
        return "*"
    text = _LAND_SUFFIX.sub("", _LAND_PREFIX.sub("", text))
    return _NAME_TO_CODE.get(text)
