"""Records of a batch: one per chapter, the summary, and the batch report (JSON and HTML)."""

from __future__ import annotations

import datetime as _dt
import html
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .._atomic import atomic_write_text, os_error_text
from ..fmt import fmt_cell

__all__ = ["ChapterRecord", "BatchResult", "STATUS_LABELS"]

#: German labels of the record states.
STATUS_LABELS = {"ok": "erstellt", "failed": "Fehler", "skipped": "übersprungen (aktuell)"}


@dataclass
class ChapterRecord:
    """What happened to one chapter of one Kommune in a batch.

    Attributes
    ----------
    ags, name : str
        The Kommune.
    chapter : str
        Chapter letter.
    status : {"ok", "failed", "skipped"}
        ``skipped``: the page was complete and built from the same inputs by an earlier run.
    seconds : float
        Duration of the run (0 when skipped).
    cell : int or None
        0-based index of the failing cell in the stored notebook.
    source : str or None
        First line of the failing cell.
    error : str or None
        ``"ValueError: message"``.
    html : str or None
        The page relative to the output folder, e.g. ``"09162/C.html"``.
    run : str
        Id of the batch run that built the page (for a skipped chapter: the earlier run).
    worker : str
        ``host:pid`` of the worker process.
    kernel_restarted : bool
        The worker's kernel had died and was started again before this chapter.
    warnings : list of str
        What the notebook wrote to stderr (first five, shortened).
    """

    ags: str
    name: str
    chapter: str
    status: str
    seconds: float = 0.0
    cell: int | None = None
    source: str | None = None
    error: str | None = None
    html: str | None = None
    run: str = ""
    worker: str = ""
    kernel_restarted: bool = False
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ChapterRecord:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})

    def failure_text(self) -> str:
        where = f"Zelle {self.cell}" if self.cell is not None else ""
        err = self.error or "Fehler"
        return f"{self.chapter}: {where + ', ' if where else ''}{err}"


def _de(x: float, digits: int = 1) -> str:
    return fmt_cell(x, "", digits)


@dataclass
class BatchResult:
    """The outcome of :func:`run_batch`.

    Attributes
    ----------
    records : list of ChapterRecord
        One per Kommune and chapter, in Kommune list and chapter order.
    kommunen : list of (str, str)
        (AGS, name) of every Kommune in the batch.
    out : pathlib.Path
        The output folder.
    run_id : str
    seconds : float
        Wall time of the batch.
    finish_errors : dict
        AGS → error while writing index, Steckbrief or XLSX.
    json_path, html_path : pathlib.Path
        ``<out>/batch_report.json`` and ``<out>/batch_report.html``.
    meta : dict
        Settings of the run (data, chapters, workers, scheduler, values).
    write_errors : list of str
        Files of the batch report that could not be written (``"cannot write <path>: …"``).
    """

    records: list[ChapterRecord]
    kommunen: list[tuple[str, str]]
    out: Path
    run_id: str
    seconds: float
    finish_errors: dict = field(default_factory=dict)
    json_path: Path | None = None
    html_path: Path | None = None
    meta: dict = field(default_factory=dict)
    write_errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[ChapterRecord]:
        """The failed chapters."""
        return [r for r in self.records if r.status == "failed"]

    @property
    def failed_kommunen(self) -> list[str]:
        """AGS of the Kommunen with at least one failed chapter (or a failed index)."""
        bad = {r.ags for r in self.failed} | set(self.finish_errors)
        return [a for a, _ in self.kommunen if a in bad]

    @property
    def ok(self) -> bool:
        """True when no chapter and no index failed and the batch report was written."""
        return not self.failed_kommunen and not self.write_errors

    def counts(self) -> dict:
        """Chapters per status: ``{"ok": n, "failed": n, "skipped": n}``."""
        out = {"ok": 0, "failed": 0, "skipped": 0}
        for r in self.records:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def summary(self) -> str:
        """One German line, e.g. ``"3 von 402 Kommunen mit Fehlern: 09162 München (C: …)"``."""
        n = len(self.kommunen)
        c = self.counts()
        chapters = (f"{c['ok']} Kapitel erstellt, {c['skipped']} übersprungen (aktuell), "
                    f"{c['failed']} fehlgeschlagen")
        bad = self.failed_kommunen
        if not bad:
            who = f"Alle {n} Kommunen" if n > 1 else "Die Kommune ist"
            return f"{who} fertig ({chapters}); Bericht: {self.html_path}"
        names = dict(self.kommunen)
        parts = []
        for ags in bad[:10]:
            fails = [r.failure_text() for r in self.failed if r.ags == ags]
            if ags in self.finish_errors:
                fails.append(f"Index: {self.finish_errors[ags]}")
            text = "; ".join(fails)
            text = text if len(text) <= 160 else text[:157] + "..."
            parts.append(f"{ags} {names.get(ags, '')} ({text})")
        more = f"; und {len(bad) - 10} weitere" if len(bad) > 10 else ""
        return (f"{len(bad)} von {n} Kommunen mit Fehlern: " + ", ".join(parts) + more
                + f". {chapters}; Bericht: {self.html_path}")

    def as_dict(self) -> dict:
        return {
            "run": self.run_id,
            "seconds": round(self.seconds, 3),
            "out": str(self.out),
            **self.meta,
            "kommunen": len(self.kommunen),
            "failed_kommunen": self.failed_kommunen,
            "counts": self.counts(),
            "finish_errors": self.finish_errors,
            "summary": self.summary(),
            "records": [r.as_dict() for r in self.records],
        }

    def write(self) -> None:
        """Write ``batch_report.json`` and ``batch_report.html`` atomically into ``out``.

        A file that cannot be written (a folder turned read-only, a full disk) does not stop
        the other; the problem is kept in :attr:`write_errors`.
        """
        self.json_path = self.out / "batch_report.json"
        self.html_path = self.out / "batch_report.html"
        for path, make in ((self.json_path, lambda: json.dumps(
                self.as_dict(), ensure_ascii=False, indent=1)),
                           (self.html_path, lambda: _report_html(self))):
            try:
                atomic_write_text(path, make())
            except OSError as exc:
                self.write_errors.append(os_error_text(exc))


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#222;
max-width:72rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1b7837}.failed{color:#b2182b;font-weight:600}.skipped{color:#666}
code{font-size:.85rem;white-space:pre-wrap}
"""


def _report_html(result: BatchResult) -> str:
    e = html.escape
    c = result.counts()
    n = len(result.kommunen)
    bad = result.failed_kommunen
    names = dict(result.kommunen)
    when = _dt.datetime.now().strftime("%d.%m.%Y, %H:%M Uhr")
    out = [
        "<!DOCTYPE html>",
        '<html lang="de"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Batch-Bericht bimokit</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Batch-Bericht</h1>",
        f"<p>{e(when)} · Lauf <code>{e(result.run_id)}</code> · Dauer "
        f"{e(_de(result.seconds))} s</p>",
        "<ul>",
        f"<li>{n} Kommunen, davon {len(bad)} mit Fehlern</li>",
        f"<li>Kapitel: {c['ok']} erstellt, {c['skipped']} übersprungen (aktuell), "
        f"{c['failed']} fehlgeschlagen</li>",
    ]
    meta = result.meta
    if meta.get("data") is not None:
        out.append(f"<li>Daten: {e(str(meta['data']) or 'eingebettete Beispieldaten')}</li>")
    if meta.get("scheduler"):
        out.append(f"<li>Dask-Scheduler: {e(str(meta['scheduler']))}</li>")
    elif meta.get("workers"):
        out.append(f"<li>Worker: {e(str(meta['workers']))}</li>")
    out.append("</ul>")
    if bad:
        out.append("<h2>Fehler</h2><table><thead><tr><th>AGS</th><th>Kommune</th>"
                   "<th>Kapitel</th><th>Zelle</th><th>Fehler</th></tr></thead><tbody>")
        for r in result.failed:
            cell = "" if r.cell is None else str(r.cell)
            src = f"<br><code>{e(r.source)}</code>" if r.source else ""
            out.append(f"<tr><td>{e(r.ags)}</td><td>{e(r.name)}</td><td>{e(r.chapter)}</td>"
                       f"<td class='num'>{e(cell)}</td><td>{e(r.error or '')}{src}</td></tr>")
        for ags, err in result.finish_errors.items():
            out.append(f"<tr><td>{e(ags)}</td><td>{e(names.get(ags, ''))}</td>"
                       f"<td>Index</td><td></td><td>{e(err)}</td></tr>")
        out.append("</tbody></table>")
    out.append("<h2>Alle Kapitel</h2><table><thead><tr><th>AGS</th><th>Kommune</th>"
               "<th>Kapitel</th><th>Status</th><th>Dauer (s)</th><th>Seite</th></tr></thead>"
               "<tbody>")
    for r in result.records:
        link = (f"<a href=\"{e(r.html, quote=True)}\">{e(r.html)}</a>" if r.html else "")
        secs = _de(r.seconds) if r.status != "skipped" else ""
        out.append(
            f"<tr><td>{e(r.ags)}</td><td>{e(r.name)}</td><td>{e(r.chapter)}</td>"
            f"<td class='{e(r.status)}'>{e(STATUS_LABELS.get(r.status, r.status))}</td>"
            f"<td class='num'>{e(secs)}</td><td>{link}</td></tr>"
        )
    out.append("</tbody></table></body></html>")
    return "\n".join(out) + "\n"
