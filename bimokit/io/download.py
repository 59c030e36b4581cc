"""Download the classic CSV export of Regionalstatistik tables.

The Regionalstatistik publishes each table's classic CSV (the file ``read_genesis`` reads) at
``https://www.regionalstatistik.de/genesisws/downloader/00/tables/<code>_00.csv``. Public
projects fetch it there without an account (e.g. buddemax/schulabschluss-data-story records
the address). :func:`download_tables` fetches the tables into a folder:

- every response is checked before anything is written: an HTML page (a login or error page)
  instead of a CSV, a transfer cut short (fewer bytes than ``Content-Length``, or a file
  without the GENESIS footer ``__________`` … ``Stand: dd.mm.yyyy``) and a file of another
  table are refused with one German line, and nothing is written;
- a file is written atomically (temporary file beside it, then ``os.replace``);
- where the folder already has the table with the same ``Stand``, it is kept as it is;
- no network (connection refused, unknown host, time-out) stops the run with one
  :class:`~bimokit.errors.DownloadError`; the files fetched before stay, complete.

Only the standard library is used (``urllib``), so the download needs no extra package.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .._atomic import atomic_write_bytes
from ..errors import DownloadError, ParameterError

__all__ = ["DEFAULT_BASE_URL", "download_url", "download_tables"]

#: Where the classic CSV exports lie; ``<base>/<code>_00.csv``.
DEFAULT_BASE_URL = "https://www.regionalstatistik.de/genesisws/downloader/00/tables"
#: Environment variable that replaces :data:`DEFAULT_BASE_URL`.
BASE_URL_ENV = "BIMOKIT_DOWNLOAD_URL"

#: Table codes of the Regionalstatistik: ``21111-01-03-4``, ``21111-01-03-4-B``, ``12211-Z-08``.
TABLE_CODE = re.compile(r"^\d{5}-(?:\d{2}-\d{2}-\d|Z-\d{2})(?:-B)?$")

_HEAD = re.compile(r"^\ufeff?\"?(?:GENESIS-)?Tabelle:\s*([^;\"\s]+)")
_STAND = re.compile(r"(?m)^\"?Stand:\s*(\d{1,2})\.(\d{1,2})\.(\d{4})")
_RULE = re.compile(r"(?m)^\"?_{5,}")
_LOGIN = re.compile(r"login|anmeld|passwor|kennung|sign.?in", re.IGNORECASE)
_COLUMNS = ["code", "url", "file", "status", "stand", "old_stand", "bytes", "message"]
#: ``status`` values of :func:`download_tables`.
STATUSES = ("new", "updated", "unchanged", "failed")


class _Refused(Exception):
    """A response that is not the table's CSV export (message in German)."""


def download_url(code: str, *, base_url: str | None = None) -> str:
    """The download address of a table's classic CSV export.

    Parameters
    ----------
    code : str
        Table code, e.g. ``"21111-01-03-4"``.
    base_url : str, optional
        Default: ``$BIMOKIT_DOWNLOAD_URL`` or :data:`DEFAULT_BASE_URL`.

    Returns
    -------
    str
        ``<base_url>/<code>_00.csv``.

    Examples
    --------
    >>> download_url("21111-01-03-4", base_url="https://www.regionalstatistik.de/genesisws/"
    ...              "downloader/00/tables")
    'https://www.regionalstatistik.de/genesisws/downloader/00/tables/21111-01-03-4_00.csv'
    >>> download_url("12411-01-01-4", base_url="http://127.0.0.1:8000/")
    'http://127.0.0.1:8000/12411-01-01-4_00.csv'
    """
    base = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    return f"{base.rstrip('/')}/{urllib.parse.quote(code)}_00.csv"


def _stand(text: str) -> str:
    """``dd.mm.yyyy`` of the last ``Stand:`` line, ``""`` if there is none."""
    found = _STAND.findall(text)
    if not found:
        return ""
    d, m, y = found[-1]
    return f"{int(d):02d}.{int(m):02d}.{y}"


def _text(body: bytes) -> str:
    # GENESIS exports are ISO-8859-1 (newer ones UTF-8); latin-1 decodes any byte, which is
    # enough to find the ASCII markers checked here
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="replace")
    return body.decode("latin-1")


def check_export(body: bytes, code: str, *, content_type: str = "") -> str:
    """Check that ``body`` is the complete classic CSV export of table ``code``.

    Returns its ``Stand`` (``dd.mm.yyyy``); raises ``_Refused`` with a German reason.
    """
    text = _text(body)
    head = text[:4000]
    stripped = head.lstrip()
    if ("html" in content_type.lower() or stripped.startswith("<")
            or re.search(r"<html|<!doctype", head, re.IGNORECASE)):
        if _LOGIN.search(text[:20000]):
            raise _Refused("eine Anmeldeseite statt der CSV-Tabelle: die Adresse verlangt "
                           "eine Anmeldung")
        raise _Refused("eine HTML-Seite statt der CSV-Tabelle")
    if not stripped:
        raise _Refused("eine leere Antwort statt der CSV-Tabelle")
    first = stripped.splitlines()[0]
    m = _HEAD.match(first)
    if not m:
        raise _Refused(f"keine GENESIS-Tabelle (erste Zeile: {first[:60]!r})")
    if m.group(1) != code:
        raise _Refused(f"die Antwort ist Tabelle {m.group(1)}, nicht {code}")
    tail = text[-20000:]
    stand = _stand(tail)
    if not (_RULE.search(tail) and stand):
        raise _Refused("unvollständig: der Fuß der Tabelle ('__________' … 'Stand: …') "
                       "fehlt, die Übertragung wurde wohl abgebrochen")
    return stand


def _file_stand(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 20000))
            return _stand(_text(fh.read()))
    except OSError:
        return ""


def _network_error(url: str, reason) -> DownloadError:
    host = urllib.parse.urlsplit(url).netloc or url
    if isinstance(reason, socket.gaierror):
        what = f"der Rechnername {host.split(':')[0]!r} ist unbekannt (kein Netz oder kein DNS)"
    elif isinstance(reason, ConnectionRefusedError):
        what = f"{host} nimmt keine Verbindung an (Verbindung abgelehnt)"
    elif isinstance(reason, TimeoutError):
        what = f"{host} antwortet nicht (Zeitüberschreitung)"
    else:
        what = f"{host} ist nicht erreichbar ({reason})"
    return DownloadError(
        f"keine Verbindung: {what}. Netzwerk prüfen oder eine andere Adresse mit --base-url "
        f"bzw. ${BASE_URL_ENV} angeben.")


def _fetch(url: str, timeout: float) -> tuple[bytes, str]:
    """The body and Content-Type of ``url``; ``_Refused`` for an HTTP error or a cut transfer."""
    request = urllib.request.Request(url, headers={"User-Agent": "bimokit"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            expected = resp.headers.get("Content-Length")
            try:
                body = resp.read()
            except http.client.IncompleteRead as exc:
                got = len(exc.partial)
                raise _Refused(
                    f"Übertragung abgebrochen: {got} von {expected or '?'} Bytes empfangen"
                ) from None
            if expected is not None and expected.isdigit() and int(expected) != len(body):
                raise _Refused(f"Übertragung abgebrochen: {len(body)} von {expected} Bytes "
                               "empfangen")
            return body, resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        raise _Refused(f"HTTP-Fehler {exc.code} ({exc.reason})") from None
    except urllib.error.URLError as exc:
        raise _network_error(url, exc.reason) from None
    except (TimeoutError, ConnectionError) as exc:
        # a time-out or reset while reading the body
        if isinstance(exc, ConnectionResetError):
            raise _Refused("Übertragung abgebrochen: die Verbindung wurde getrennt") from None
        raise _network_error(url, exc) from None
    except http.client.HTTPException as exc:
        raise _Refused(f"fehlerhafte HTTP-Antwort ({type(exc).__name__})") from None


def download_tables(
    codes: str | Iterable[str],
    to: str | os.PathLike,
    *,
    base_url: str | None = None,
    timeout: float = 60,
    progress: bool = False,
) -> pd.DataFrame:
    """Fetch the classic CSV export of each table into a folder.

    Parameters
    ----------
    codes : str or list of str
        Table codes, e.g. ``["12411-02-03-4", "21111-01-03-4"]``; repeated codes are
        fetched once.
    to : str or PathLike
        The folder; created where missing. Each table is written as ``<code>.csv``.
    base_url : str, optional, keyword-only
        Default: ``$BIMOKIT_DOWNLOAD_URL`` or :data:`DEFAULT_BASE_URL`
        (see :func:`download_url`).
    timeout : float, keyword-only
        Seconds to wait for the server.
    progress : bool, keyword-only
        Show a progress bar over the tables (on stderr, where it is a terminal).

    Returns
    -------
    DataFrame
        One row per table, in the order given: ``code``; ``url``; ``file`` (the file in
        ``to``, ``""`` where none was written or kept); ``status`` (``new``, ``updated``,
        ``unchanged`` where the folder's file has the same ``Stand`` and was kept, ``failed``);
        ``stand`` (``dd.mm.yyyy`` of the download); ``old_stand`` (of the file replaced or
        kept, ``""`` if none); ``bytes`` (int, size of the download, 0 where it failed);
        ``message`` (German: why a table failed, ``""`` otherwise).

    Raises
    ------
    ParameterError
        A code that is not a Regionalstatistik table code (before anything is fetched).
    DownloadError
        No connection (refused, unknown host, time-out). Tables fetched before stay.

    Notes
    -----
    A response is written only when it is the complete export of the table asked for: not an
    HTML page (error or login page), as many bytes as ``Content-Length`` announced, a first
    line ``GENESIS-Tabelle: <code>`` (or ``Tabelle: <code>``) and the footer with
    ``__________`` and ``Stand:``. A refused or failed table leaves the folder as it was.
    """
    codes = [codes] if isinstance(codes, str) else list(codes)
    bad = [c for c in codes if not isinstance(c, str) or not TABLE_CODE.match(c)]
    if bad:
        raise ParameterError(
            f"not a Regionalstatistik table code: {', '.join(map(repr, bad))}; codes look like "
            "'21111-01-03-4' (or '21111-01-03-4-B')")
    if not codes:
        raise ParameterError("no table codes given")
    folder = Path(to)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"--to {folder}: is a file, not a folder")
    from tqdm.auto import tqdm

    unique = list(dict.fromkeys(codes))
    rows = []
    # only on a terminal (disable=None), and gone when the run ends (leave=False), so that an
    # error stays one line
    bar = tqdm(total=len(unique), desc="Download", unit="Tabelle",
               disable=None if progress else True, file=sys.stderr, leave=False)
    try:
        for code in unique:
            bar.set_postfix_str(code)
            rows.append(_download_one(code, folder, base_url=base_url, timeout=timeout))
            bar.update(1)
    finally:
        bar.close()
    return pd.DataFrame(rows, columns=_COLUMNS).astype({"bytes": "int64"})


def _download_one(code: str, folder: Path, *, base_url: str | None, timeout: float) -> dict:
    url = download_url(code, base_url=base_url)
    target = folder / f"{code}.csv"
    row = {"code": code, "url": url, "file": "", "status": "failed", "stand": "",
           "old_stand": "", "bytes": 0, "message": ""}
    try:
        body, content_type = _fetch(url, timeout)
        stand = check_export(body, code, content_type=content_type)
    except _Refused as exc:
        row["message"] = f"{exc} ({url})"
        return row
    row.update(stand=stand, bytes=len(body))
    existed = target.is_file()
    old = _file_stand(target) if existed else ""
    row["old_stand"] = old
    if old and old == stand:
        row.update(file=str(target), status="unchanged")
        return row
    atomic_write_bytes(target, body)
    row.update(file=str(target), status="updated" if existed else "new")
    return row
