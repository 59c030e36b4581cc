"""Execute one chapter notebook and write it as HTML without code.

Two ways to run a notebook, one result:

* the single run (``bimokit report``) uses papermill with a fresh kernel per chapter;
* a batch passes ``km=`` a started kernel manager and the notebook runs in that warm kernel
  through nbclient (the batch resets the kernel between Kommunen).

The kernel's working folder is set through nbclient's ``resources["metadata"]["path"]``, not
papermill's ``cwd``, because papermill changes the working folder of the whole Python process
(nteract/papermill#473), which is not safe when chapters run in threads.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import datetime as _dt
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .._atomic import atomic_write_text
from ._interrupt import keep_signal_handlers

__all__ = [
    "start_kernel",
    "ChapterFailure",
    "ChapterRun",
    "execute_chapter",
    "notebook_to_html",
    "check_html",
    "NBCONVERT_DEFAULT_ALT",
]

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

#: The alt text nbconvert puts on an image that has none; the runner treats it as missing.
NBCONVERT_DEFAULT_ALT = "No description has been provided for this image"


async def _quiet_interrupt(manager, original) -> None:
    """Interrupt a kernel, but not while it is being shut down.

    jupyter_client (≥ 7) sends SIGINT before every shutdown request; an idle ipykernel then
    logs ``[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.`` to the terminal of
    ``bimokit report``. At shutdown the notebook has finished (or failed) already, the
    shutdown request goes over the control channel, and a kernel that does not exit in time
    is killed by jupyter_client anyway: the interrupt adds nothing but the message.
    """
    if getattr(manager, "shutting_down", False):
        return
    await original(manager)


def _kernel_manager_class():
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec

    class _CurrentPython(AsyncKernelManager):
        """A kernel manager that runs ``ipykernel`` in the interpreter running bimokit.

        It needs no installed kernelspec, so ``bimokit report`` works in a fresh venv and the
        notebooks always see the same bimokit as the runner. Where the platform has Unix
        sockets it talks to the kernel over IPC instead of TCP: no port race between kernels
        started at the same time, and nothing listens on the network.
        """

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if os.name == "posix" and "ip" not in kwargs and "transport" not in kwargs:
                self.transport = "ipc"
                self.ip = os.path.join(_ipc_dir(), f"k{uuid.uuid4().hex[:12]}")
            self._kernel_spec = KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name=f"Python {sys.version_info[0]}.{sys.version_info[1]} (bimokit)",
                language="python",
                metadata={},
                env={},
            )

        async def _async_interrupt_kernel(self) -> None:
            await _quiet_interrupt(self, AsyncKernelManager._async_interrupt_kernel)

        interrupt_kernel = _async_interrupt_kernel

    return _CurrentPython


def _warm_manager_class():
    from jupyter_client import KernelManager
    from jupyter_client.utils import run_sync

    class _WarmKernel(KernelManager):
        """A synchronous KernelManager that shuts down without the SIGINT noise."""

        async def _async_interrupt_kernel(self) -> None:
            await _quiet_interrupt(self, KernelManager._async_interrupt_kernel)

        interrupt_kernel = run_sync(_async_interrupt_kernel)

    return _WarmKernel


_IPC_DIR: list[str] = []


def _ipc_dir() -> str:
    """A short private folder for the kernels' IPC sockets, removed at exit."""
    if not _IPC_DIR:
        folder = tempfile.mkdtemp(prefix="bimokit-ipc-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _IPC_DIR.append(folder)
    return _IPC_DIR[0]


def start_kernel(*, cwd: str | os.PathLike | None = None, startup_timeout: int = 60):
    """Start a warm kernel (ipykernel in this interpreter, IPC where possible) for ``km=``.

    Returns a started synchronous :class:`jupyter_client.KernelManager`; the caller shuts it
    down (``km.shutdown_kernel(now=True)``).
    """
    from jupyter_client.kernelspec import KernelSpec

    km = _warm_manager_class()(kernel_name="python3")
    km._kernel_spec = KernelSpec(
        argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name="Python (bimokit)", language="python", metadata={}, env={},
    )
    if os.name == "posix":
        km.transport = "ipc"
        km.ip = os.path.join(_ipc_dir(), f"k{uuid.uuid4().hex[:12]}")
    km.start_kernel(cwd=None if cwd is None else os.fspath(cwd))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=startup_timeout)
    except RuntimeError:
        km.shutdown_kernel(now=True)
        raise
    finally:
        kc.stop_channels()
    return km


@dataclass(frozen=True)
class ChapterFailure:
    """Why a chapter failed.

    Attributes
    ----------
    cell_index : int or None
        0-based index of the failing cell in the chapter notebook as stored (the cell papermill
        injects is not counted); None when no cell is to blame (kernel died, HTML check).
    execution_count : int or None
        The ``In [n]`` number of the failing cell.
    source : str
        The first lines of the failing cell.
    ename, evalue : str
        Error name and message.
    traceback : str
        The traceback as plain text (no colour codes).
    """

    cell_index: int | None
    execution_count: int | None
    source: str
    ename: str
    evalue: str
    traceback: str = ""

    def summary(self) -> str:
        """One line, e.g. ``"cell 4 (x = 1 / 0): ZeroDivisionError: division by zero"``."""
        where = "" if self.cell_index is None else f"cell {self.cell_index}"
        first = next((ln.strip() for ln in self.source.splitlines() if ln.strip()), "")
        if first:
            first = first if len(first) <= 60 else first[:57] + "..."
            where = f"{where} ({first})" if where else f"({first})"
        evalue = " ".join(self.evalue.split())
        evalue = evalue if len(evalue) <= 200 else evalue[:197] + "..."
        return f"{where + ': ' if where else ''}{self.ename}: {evalue}"


@dataclass
class ChapterRun:
    """The outcome of :func:`execute_chapter`.

    Attributes
    ----------
    ok : bool
        True when the notebook ran, its HTML passed the checks and was written.
    html_path : pathlib.Path
        Where the chapter HTML is (ok) or would have been.
    seconds : float
        Duration of execution and conversion.
    failure : ChapterFailure or None
    warnings : list of str
        Text the notebook wrote to stderr (dropped from the HTML).
    """

    ok: bool
    html_path: Path
    seconds: float
    failure: ChapterFailure | None = None
    warnings: list[str] = field(default_factory=list)


def _strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def _original_index(nb, index: int) -> int:
    """Index of cell ``index`` in the notebook before papermill injected its parameters cell."""
    injected = sum(
        1
        for c in nb.cells[:index]
        if "injected-parameters" in c.get("metadata", {}).get("tags", [])
    )
    return index - injected


def _failure_from_notebook(nb) -> ChapterFailure | None:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                if output.get("ename") == "SystemExit" and output.get("evalue") in ("", "0"):
                    continue
                return ChapterFailure(
                    cell_index=_original_index(nb, index),
                    execution_count=cell.get("execution_count"),
                    source="\n".join(cell.source.splitlines()[:5]),
                    ename=output.get("ename", ""),
                    evalue=_strip_ansi(output.get("evalue", "")),
                    traceback=_strip_ansi("\n".join(output.get("traceback", []))),
                )
    return None


def _failure_from_exception(exc: BaseException, nb=None) -> ChapterFailure:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        index = exc.cell_index if nb is None else _original_index(nb, exc.cell_index)
        return ChapterFailure(
            cell_index=index,
            execution_count=exc.exec_count,
            source="\n".join(str(exc.source).splitlines()[:5]),
            ename=exc.ename,
            evalue=_strip_ansi(str(exc.evalue)),
            traceback=_strip_ansi("\n".join(exc.traceback or [])),
        )
    if nb is not None and (found := _failure_from_notebook(nb)) is not None:
        return found
    return ChapterFailure(
        cell_index=None,
        execution_count=None,
        source="",
        ename=type(exc).__name__,
        evalue=_strip_ansi(str(exc)) or repr(exc),
    )


def _clean_for_html(nb):
    """Copy of ``nb`` without stderr streams, papermill markers and empty code cells.

    Returns the copy and the stderr texts.
    """
    nb = copy.deepcopy(nb)
    warnings: list[str] = []
    cells = []
    for cell in nb.cells:
        if "papermill-error-cell-tag" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "code":
            kept = []
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    warnings.append(_strip_ansi(output.get("text", "")).strip())
                    continue
                kept.append(output)
            cell.outputs = kept
            if not kept:
                continue
        cells.append(cell)
    nb.cells = cells
    return nb, [w for w in warnings if w]


def _css() -> str:
    return (_TEMPLATES / "report.css").read_text(encoding="utf-8")


_EXPORTERS = threading.local()


def _html_exporter():
    """This thread's HTMLExporter for chapter pages, created once.

    An exporter compiles its Jinja templates on first use and keeps them; a new exporter per
    chapter would compile the ten templates of a page again every time (about 0.14 s of CPU
    per chapter on a batch's hot path). nbconvert exporters are not meant to be shared
    between threads, hence one per thread.
    """
    exporter = getattr(_EXPORTERS, "html", None)
    if exporter is None:
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(
            template_name="bimokit_chapter",
            extra_template_basedirs=[str(_TEMPLATES)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            exclude_anchor_links=True,
            embed_images=True,
            language_code="de",
        )
        _EXPORTERS.html = exporter
        _EXPORTERS.css = _css()
    return exporter


def notebook_to_html(nb, *, title: str, context: dict | None = None) -> str:
    """Convert an executed notebook to a German HTML page without code.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    title : str
        The page title (``<title>``), e.g. ``"C Frühkindliche Bildung – Musterstadt"``.
    context : dict, optional
        Values for the page header and footer: ``kommune``, ``ags``, ``chapter``,
        ``chapter_title``, ``index_href``, ``data_label``, ``date``.

    Returns
    -------
    str
        The HTML page, ``<html lang="de">``, inputs and prompts excluded, images embedded.
    """
    nb, _ = _clean_for_html(nb)
    nb.metadata["title"] = title
    exporter = _html_exporter()
    ctx = {
        "kommune": "",
        "ags": "",
        "chapter": "",
        "chapter_title": "",
        "index_href": "index.html",
        "data_label": "",
        "date": _dt.date.today().strftime("%d.%m.%Y"),
    }
    ctx.update(context or {})
    ctx["css"] = _EXPORTERS.css
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": title}, "bimokit": ctx}
    )
    return body


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images: list[dict] = []
        self.classes: set[str] = set()
        self.stderr_blocks = 0
        self.code_cells_with_input = 0
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "img":
            self.images.append(a)
        classes = (a.get("class") or "").split()
        self.classes.update(classes)
        if "jp-CodeCell" in classes and "jp-mod-noInput" not in classes:
            self.code_cells_with_input += 1
        if a.get("data-mime-type") in (
            "application/vnd.jupyter.stderr",
            "application/vnd.jupyter.error",
        ):
            self.stderr_blocks += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


_RAW_MISSING = re.compile(r"(?<![\w.])(nan|NaN|NAN|<NA>|NaT)(?![\w])")


def check_html(markup: str) -> list[str]:
    """Problems a reader must not see in a chapter page; an empty list when there are none.

    Checked: every ``<img>`` has a non-empty alt text (nbconvert's placeholder does not
    count); no code input (a code cell without ``jp-mod-noInput``, an editor or an input
    prompt); no error output or Python traceback; no raw
    ``nan``, ``<NA>`` or ``NaT`` in the visible text.

    Examples
    --------
    >>> check_html('<html lang="de"><body><img src="x.png"><p>Quote: nan</p></body></html>')
    ['image 1 has no alt text', "raw missing value 'nan' in the text: 'Quote: nan'"]
    >>> check_html('<html lang="de"><body><img alt="Balken" src="x.png"></body></html>')
    []
    """
    audit = _Audit()
    audit.feed(markup)
    audit.close()
    problems = []
    for i, img in enumerate(audit.images, 1):
        alt = (img.get("alt") or "").strip()
        if not alt or alt == NBCONVERT_DEFAULT_ALT:
            problems.append(f"image {i} has no alt text")
    # Markdown cells sit in a jp-InputArea too; code input shows as an editor or prompt.
    if audit.code_cells_with_input or {
        "jp-InputArea-editor", "jp-InputPrompt", "jp-CodeMirrorEditor", "cm-editor"
    } & audit.classes:
        problems.append("code input is visible")
    if audit.stderr_blocks or "jp-OutputArea-error" in audit.classes:
        problems.append("an error or stderr output is visible")
    text = "".join(audit.text)
    if "Traceback (most recent call last)" in text:
        problems.append("a Python traceback is visible")
    for m in _RAW_MISSING.finditer(text):
        lo, hi = max(0, m.start() - 30), min(len(text), m.end() + 30)
        excerpt = " ".join(text[lo:hi].split())
        problems.append(f"raw missing value {m.group(1)!r} in the text: {excerpt!r}")
        break
    return problems


def execute_chapter(
    notebook: str | os.PathLike,
    parameters: dict,
    out_html: str | os.PathLike,
    *,
    title: str,
    context: dict | None = None,
    kernel_name: str | None = None,
    km=None,
    kc=None,
    cwd: str | os.PathLike | None = None,
    timeout: int | None = None,
    start_timeout: int = 60,
    check: bool = True,
) -> ChapterRun:
    """Run a chapter notebook with parameters and write its HTML atomically.

    Parameters
    ----------
    notebook : str or PathLike
        The chapter notebook (stored without outputs).
    parameters : dict
        Values for the ``parameters`` cell (see :data:`bimokit.report.PARAMETERS`).
    out_html : str or PathLike
        The chapter page to write. On failure nothing is written and an existing page of an
        earlier run is removed, so that no outdated chapter remains.
    title : str
        Page title.
    context : dict, optional
        Header and footer values, see :func:`notebook_to_html`.
    kernel_name : str, optional
        A Jupyter kernelspec name; default: ipykernel in the running interpreter (no
        kernelspec needed).
    km : jupyter_client.KernelManager, optional
        A started (warm) kernel manager; the notebook then runs in it through nbclient and
        the kernel is left running. The caller resets it between runs.
    kc : jupyter_client.KernelClient, optional
        A connected client of ``km`` (channels started) to run the notebook through and
        leave connected; default: a new client per run (connecting one waits at least 0.2 s).
    cwd : str or PathLike, optional
        Working folder of the kernel (a fresh kernel only).
    timeout : int, optional
        Seconds a cell may run; default no limit.
    start_timeout : int
        Seconds to wait for a kernel to start.
    check : bool
        Reject pages that fail :func:`check_html`.

    Returns
    -------
    ChapterRun

    Raises
    ------
    OSError
        When the page cannot be written (the notebook ran; the output folder is at fault).
    """
    import nbformat

    out_html = Path(out_html)
    t0 = time.perf_counter()
    nb_in = nbformat.read(os.fspath(notebook), as_version=4)
    resources = {"metadata": {"path": os.fspath(cwd)}} if cwd is not None else {}
    executed = None
    failure = None
    try:
        with keep_signal_handlers():
            executed = _run_notebook(nb_in, parameters, kernel_name=kernel_name, km=km, kc=kc,
                                     timeout=timeout, start_timeout=start_timeout,
                                     resources=resources)
        if km is not None:
            failure = _failure_from_notebook(executed)
    except Exception as exc:  # a failing notebook must not stop the other chapters
        failure = _failure_from_exception(exc, nb=executed if executed is not None else None)
        if failure.cell_index is not None and getattr(exc, "cell_index", None) is not None:
            failure = _with_original_index(failure, nb_in, parameters)

    warnings: list[str] = []
    if failure is None:
        try:
            _, warnings = _clean_for_html(executed)
            markup = notebook_to_html(executed, title=title, context=context)
            problems = check_html(markup) if check else []
            if problems:
                failure = ChapterFailure(None, None, "", "HtmlCheckError", "; ".join(problems))
        except Exception as exc:  # conversion errors are reported like cell errors
            failure = ChapterFailure(None, None, "", type(exc).__name__, str(exc))
    if failure is None:
        # not the notebook's fault when this fails (OSError: a read-only or full output
        # folder): the caller reports it as such
        atomic_write_text(out_html, markup)
    else:
        with contextlib.suppress(OSError):
            out_html.unlink(missing_ok=True)
    return ChapterRun(
        ok=failure is None,
        html_path=out_html,
        seconds=time.perf_counter() - t0,
        failure=failure,
        warnings=warnings,
    )


def _run_notebook(nb_in, parameters, *, kernel_name, km, kc, timeout, start_timeout,
                  resources):
    """Execute ``nb_in``: papermill with a fresh kernel, or nbclient in the warm ``km``."""
    if km is not None:
        return _execute_warm(nb_in, parameters, km=km, kc=kc, timeout=timeout,
                             kernel_name=kernel_name or "python3")
    import papermill

    extra = {}
    if kernel_name is None:
        extra["kernel_manager_class"] = _kernel_manager_class()
    return papermill.execute_notebook(
        nb_in,
        None,
        parameters=parameters,
        kernel_name=kernel_name or "python3",
        language="python",
        progress_bar=False,
        log_output=False,
        request_save_on_cell_execute=False,
        start_timeout=start_timeout,
        execution_timeout=timeout,
        resources=resources,
        **extra,
    )


def _parameterize(nb_in, parameters, *, kernel_name: str = "python3"):
    """A copy of ``nb_in`` with papermill's injected-parameters cell."""
    from papermill.parameterize import parameterize_notebook

    nb = copy.deepcopy(nb_in)
    nb.metadata.setdefault("papermill", {})  # as papermill's own notebook loader does
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
        cell.metadata.setdefault("papermill", {})
    return parameterize_notebook(nb, parameters, kernel_name=kernel_name, language="python")


def _with_original_index(failure: ChapterFailure, nb_in, parameters) -> ChapterFailure:
    """papermill counts its injected cell; map the index back to the stored notebook."""
    injected = _parameterize(nb_in, parameters)
    index = _original_index(injected, failure.cell_index)
    return ChapterFailure(index, failure.execution_count, failure.source, failure.ename,
                          failure.evalue, failure.traceback)


def _execute_warm(nb_in, parameters, *, km, kc=None, timeout, kernel_name):
    """Run a parameterised copy of ``nb_in`` in the kernel of ``km``; returns the notebook.

    With ``kc`` (a connected client of ``km``) the notebook runs through it and the client
    stays connected for the next run; otherwise nbclient connects a client and this function
    disconnects it afterwards.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = _parameterize(nb_in, parameters, kernel_name=kernel_name)
    client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=False,
                            kernel_name=kernel_name)
    client.kc = kc  # None: nbclient connects its own
    try:
        client.execute()  # the kernel is not ours: nbclient leaves it running
    except CellExecutionError:
        pass  # the error output is in the notebook; _failure_from_notebook finds it
    finally:
        if kc is None and client.kc is not None:
            client.kc.stop_channels()
    return nb
