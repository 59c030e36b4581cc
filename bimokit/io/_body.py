"""The body of a classic GENESIS table: label columns as text, value cells as numbers or texts.

:func:`read_body` reads the rows between the header and the footer. The label columns (year,
key, name, row labels) come from one ``read_csv``. The value cells take one of two paths:

* the general path (a body with a quote): ``read_csv`` reads every cell as text, and each
  distinct text is parsed once by :func:`bimokit.io._numbers.parse_distinct`;
* the fast path (the usual export, no quote anywhere in the body): the cells are cut at the
  ``;`` positions of the bytes; cells of 1 to 15 ASCII digits (the bulk of a count table) are
  converted on the bytes, eight digits at a time, and only the other cells (symbols,
  decimals, flags) become texts for the general parser.

The fast path earns its place: on ``benchmarks/bench_read.py`` (200,000 rows x 10 value
columns) the classic reader takes about 1.3x a bare ``read_csv`` with it and about 2.5x
without it. ``tests/test_io_paths.py`` checks that both paths give the same facts.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from ..errors import InputError
from ._values import parser_error_line

__all__ = ["Body", "read_body", "split_fields", "plain_numbers", "cell_texts", "byte_words"]


def split_fields(line: str) -> list[str]:
    """The ``;``-separated fields of one line (quotes as in CSV)."""
    try:
        return next(csv.reader([line], delimiter=";", quotechar='"'), [])
    except csv.Error:
        # a line break inside an unquoted cell (a stray quote mid-cell joined two lines):
        # the break is read as a space, as a spreadsheet would show it
        flat = line.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        return next(csv.reader([flat], delimiter=";", quotechar='"'), [])


class Body:
    """The body rows: label columns as text, value columns as numbers or distinct texts.

    Attributes
    ----------
    labels : DataFrame
        Body columns ``0 … n_label-1`` as text.
    num, tok : ndarray, shape (value columns, rows)
        ``num[j]`` is the number of a cell of the ``j``-th column after the labels where
        ``tok[j]`` is -1 (a plain number, converted on the bytes); elsewhere ``tok[j]`` is
        the code of the cell's text in ``tokens``.
    tokens : ndarray of object
        The distinct texts of the other value cells; ends with ``""``, so that -1 indexes it.
    line_of : ndarray of int
        File line of every body row.
    """

    def __init__(self, labels, n_label, num, tok, tokens, data, starts, ends, line_of):
        self.labels = labels
        self.n_label = n_label
        self.num = num
        self.tok = tok
        self.tokens = tokens
        self._data, self._starts, self._ends = data, starts, ends
        self.line_of = line_of
        self._blank = None

    def __len__(self) -> int:
        return len(self.line_of)

    def label(self, j: int) -> np.ndarray:
        """Label column ``j`` as an object array."""
        return self.labels[j].to_numpy(dtype=object)

    def empty(self, j: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Whether the cells of column ``j`` (in ``rows``) are empty or blank."""
        if j in self.labels.columns:
            cells = self.label(j)
            cells = cells if rows is None else cells[rows]
            return np.asarray([str(x).strip() == "" for x in cells], dtype=bool)
        if self._blank is None:
            self._blank = np.fromiter((not str(t).strip() for t in self.tokens), dtype=bool,
                                      count=len(self.tokens))
        tok = self.tok[j - self.n_label]
        tok = tok if rows is None else tok[rows]
        return (tok >= 0) & self._blank[tok]

    def line_text(self, i: int) -> str:
        """The text of body row ``i``."""
        return self._data[self._starts[i]:self._ends[i]].decode("utf-8")


def read_body(body_text: str, body_line: int, ncols: int, n_label: int, path: str, *,
              fast: bool = True) -> Body:
    """Read the body; check that every line has ``ncols`` fields.

    Parameters
    ----------
    body_text : str
        The rows, from the first data row to the footer.
    body_line : int
        File line of the first row.
    ncols, n_label : int
        Fields per row, and how many of them are labels.
    path : str
        For messages.
    fast : bool
        Take the fast path where the body has no quote (``False``: always the general one).
    """
    data = body_text.encode("utf-8")
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == ord("\n"))
    if not data.endswith(b"\n"):
        ends = np.append(ends, len(data))
    starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
    semis = np.flatnonzero(buf == ord(";"))
    counts = np.diff(np.searchsorted(semis, ends), prepend=0)
    _check_field_counts(data, starts, ends, counts, ncols, body_line, path)
    quoted = b'"' in data or not fast
    df = _read_labels(data, ncols, n_label, body_line, path, every_column=quoted)
    n_lines = len(ends)
    if len(df) != n_lines:
        raise InputError(
            f"the body has {n_lines} lines but {len(df)} rows were read: a quoted "
            "value spans lines; expected one row per line",
            path=path, line=body_line,
        )
    line_of = body_line + np.arange(n_lines)
    labels = df[list(range(n_label))]
    if quoted:
        num, tok, tokens = _value_texts(df, ncols, n_label)
    else:
        num, tok, tokens = _value_cells(data, buf, semis, ends, counts, ncols, n_label)
    return Body(labels, n_label, num, tok, tokens, data, starts, ends, line_of)


def _check_field_counts(data, starts, ends, counts, ncols, body_line, path) -> None:
    """Every non-blank line has ``ncols`` fields (``;`` counted on the bytes at once)."""
    off = np.flatnonzero(counts != ncols - 1)
    n_lines = len(ends)
    for i in off:
        ln = data[starts[i]:ends[i]].decode("utf-8")
        if not ln.strip():
            continue
        got = len(split_fields(ln)) if '"' in ln else int(counts[i]) + 1
        if got == ncols:
            continue
        if got < ncols:
            cut = " (the file may be cut off)" if i >= n_lines - 1 else ""
            msg = (f"the row has {got} fields, expected {ncols} as in the first data row"
                   f"{cut}")
        else:
            msg = (f"the row has {got} fields, expected {ncols} as in the first data row "
                   "(is ';' used inside a value?)")
        raise InputError(msg, path=path, line=body_line + int(i), field=min(got, ncols))


def _read_labels(data: bytes, ncols: int, n_label: int, body_line: int, path: str, *,
                 every_column: bool) -> pd.DataFrame:
    """``read_csv`` of the body as text: the label columns, or every column."""
    try:
        # UTF-8 bytes go to the C parser without a decoding wrapper
        return pd.read_csv(
            io.BytesIO(data), sep=";", header=None, names=list(range(ncols)),
            usecols=None if every_column else list(range(n_label)), dtype=object,
            keep_default_na=False, na_filter=False, skip_blank_lines=False, quotechar='"',
            engine="c", encoding="utf-8",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        msg = str(exc).strip()
        line = parser_error_line(msg, lambda: io.TextIOWrapper(io.BytesIO(data), "utf-8",
                                                               newline=""),
                                 sep=";", first_line=body_line)
        if "EOF inside string" in msg:
            raise InputError("a quote opened here is never closed: expected every quoted "
                             "value to end with a quote", path=path, line=line) from None
        raise InputError(
            "the body cannot be read as ';'-separated rows "
            f"({msg.removeprefix('Error tokenizing data. ')})", path=path, line=line,
        ) from None


def _value_texts(df: pd.DataFrame, ncols: int, n_label: int):
    """General path: every value cell as a code into its distinct texts."""
    n_lines = len(df)
    nv = ncols - n_label
    num = np.full((nv, n_lines), np.nan)
    codes, distinct = pd.factorize(
        np.concatenate([df[j].to_numpy(dtype=object) for j in range(n_label, ncols)]),
        use_na_sentinel=False)
    tok = codes.reshape(nv, n_lines).astype(np.intp)
    tokens = np.asarray(list(distinct) + [""], dtype=object)
    return num, tok, tokens


def _value_cells(data, buf, semis, ends, counts, ncols, n_label):
    """Fast path: value cells cut at the ``;`` of the full lines (other lines are blank)."""
    n_lines = len(ends)
    nv = ncols - n_label
    num = np.full((nv, n_lines), np.nan)
    tok = np.full((nv, n_lines), -1, dtype=np.intp)
    full = counts == ncols - 1
    grid = semis.reshape(int(full.sum()), ncols - 1)
    cell_start = np.empty((nv, len(grid)), dtype=np.int64)
    cell_end = np.empty((nv, len(grid)), dtype=np.int64)
    for p, j in enumerate(range(n_label, ncols)):
        cell_start[p] = grid[:, j - 1] + 1
        cell_end[p] = grid[:, j] if j < ncols - 1 else ends[full]
    cell_start, cell_end = cell_start.ravel(), cell_end.ravel()
    words = byte_words(buf)
    values, plain = plain_numbers(words, cell_start, cell_end)
    # the other cells: their distinct texts
    other = np.flatnonzero(~plain)
    codes, distinct = cell_texts(data, words, cell_start[other], cell_end[other])
    tokens = np.append(distinct, "").astype(object)
    cells_tok = np.full(len(cell_start), -1, dtype=np.intp)
    cells_tok[other] = codes
    num[:, full] = values.reshape(nv, len(grid))
    tok[:, full] = cells_tok.reshape(nv, len(grid))
    if not full.all():
        tok[:, ~full] = len(tokens) - 1  # blank lines: empty cells
    return num, tok, tokens


# --------------------------------------------------------------------------------------
# digits on the bytes (the fast path)

#: Plain numbers (digits only) up to this length are converted on the bytes (exact in
#: float64); longer ones, and anything else, go through the text parser.
_MAX_DIGITS = 15
_ZEROS = np.uint64(0x3030303030303030)  # eight '0'
_HIGH = np.uint64(0xF0F0F0F0F0F0F0F0)
_SIXES = np.uint64(0x0606060606060606)


def _digits8(words: np.ndarray, pos: np.ndarray, count: np.ndarray):
    """Value of the ``count`` (1 to 8) bytes at ``pos`` read as decimal digits; whether
    they are digits.

    ``words[i]`` is the big-endian 64-bit word of the bytes ``i … i+7``. The ``count``
    bytes are shifted to the end of the word and padded with ``'0'``; then all eight
    bytes are checked and converted at once (pairs, quads, the whole word).
    """
    w = words[pos].astype(np.uint64)
    count = count.astype(np.uint64)
    w >>= (np.uint64(8) - count) * np.uint64(8)
    w |= np.where(count < 8, _ZEROS << (count * np.uint64(8)), np.uint64(0)).astype(np.uint64)
    ok = ((w & _HIGH) == _ZEROS) & (((w + _SIXES) & _HIGH) == _ZEROS)
    x = w - _ZEROS
    x = ((x >> np.uint64(8)) & np.uint64(0x00FF00FF00FF00FF)) * np.uint64(10) + (
        x & np.uint64(0x00FF00FF00FF00FF))
    x = ((x >> np.uint64(16)) & np.uint64(0x0000FFFF0000FFFF)) * np.uint64(100) + (
        x & np.uint64(0x0000FFFF0000FFFF))
    x = (x >> np.uint64(32)) * np.uint64(10000) + (x & np.uint64(0xFFFFFFFF))
    return x, ok


def byte_words(buf: np.ndarray) -> np.ndarray:
    """``words[i]``: the bytes ``buf[i:i+8]`` as one big-endian integer (zeros past the end)."""
    padded = np.zeros(len(buf) + 8, dtype=np.uint8)
    padded[:len(buf)] = buf
    return np.ndarray(shape=(len(buf) + 1,), dtype=">u8", buffer=padded, strides=(1,))


def plain_numbers(words: np.ndarray, starts: np.ndarray, ends: np.ndarray):
    """Values of the cells ``starts:ends`` that are digits only; and which those are.

    Cells of 1 to 15 ASCII digits are converted on the bytes, eight digits at a time; every
    other cell (empty, signs, decimals, symbols …) gets NaN and ``False``.
    """
    length = ends - starts
    val, ok = _digits8(words, starts, np.clip(length, 1, 8))
    ok &= (length > 0) & (length <= 8)
    long = np.flatnonzero((length > 8) & (length <= _MAX_DIGITS))
    if len(long):
        hi, ok_hi = _digits8(words, starts[long], length[long] - 8)
        lo, ok_lo = _digits8(words, ends[long] - 8, np.full(len(long), 8))
        val[long] = hi * np.uint64(10**8) + lo
        ok[long] = ok_hi & ok_lo
    return np.where(ok, val.astype("float64"), np.nan), ok


def cell_texts(data: bytes, words: np.ndarray, starts: np.ndarray, ends: np.ndarray):
    """Codes of the texts of the cells ``starts:ends`` and the distinct texts.

    A cell of at most eight bytes is keyed by its bytes as one integer (no byte of a text
    is NUL, so that the key is unique); longer cells by their bytes. Only one cell of each
    distinct key is cut out and decoded.
    """
    length = ends - starts
    short = length <= 8
    codes = np.empty(len(starts), dtype=np.intp)
    texts: list[str] = []
    if short.any():
        idx = np.flatnonzero(short)
        st, ln = starts[idx], length[idx]
        shift = (np.uint64(8) - np.clip(ln, 1, 8).astype(np.uint64)) * np.uint64(8)
        key = np.where(ln > 0, words[st].astype(np.uint64) >> shift, np.uint64(0))
        key_codes, distinct = pd.factorize(key)
        one = np.empty(len(distinct), dtype=np.intp)
        one[key_codes] = np.arange(len(key_codes))
        texts = [data[a:a + n].decode("utf-8")
                 for a, n in zip(st[one].tolist(), ln[one].tolist(), strict=True)]
        codes[idx] = key_codes
    if not short.all():
        idx = np.flatnonzero(~short)
        pieces = np.empty(len(idx), dtype=object)
        pieces[:] = [data[a:b] for a, b in zip(starts[idx].tolist(), ends[idx].tolist(),
                                               strict=True)]
        long_codes, distinct = pd.factorize(pieces, use_na_sentinel=False)
        codes[idx] = long_codes + len(texts)
        texts += [t.decode("utf-8") for t in distinct]
    return codes, np.asarray(texts, dtype=object)
