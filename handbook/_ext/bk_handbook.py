"""Sphinx extension of the bimokit handbook: a site that works offline and without errors.

- Formulas: Sphinx loads MathJax from a CDN by default, so the formulas of a built handbook
  would need the network when a participant opens it. ``mathjax_path`` points at a local copy
  of MathJax 3 (``tex-svg.js``: SVG output, no web fonts, so it also works when the site is
  opened from disk) from the ``sphinx-mathjax-offline`` package, copied into
  ``_static/mathjax`` of the HTML output.
- Scripts: Jupyter Book 1 always loads sphinx-thebe, whose configuration script lands twice in
  every page (``const THEBE_JS_URL`` declared twice: a SyntaxError in the browser console) and
  points at a CDN. The handbook has no live-code buttons, so the thebe scripts are left out
  and any script included twice is included once.

The build itself downloads nothing.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

#: Where MathJax lands in the HTML output (relative to ``_static``).
MATHJAX_DIR = "mathjax"
#: The one MathJax 3 component the handbook needs: TeX input (with AMS) and SVG output, with
#: the glyphs inside the script. No web fonts: browsers refuse to load fonts from file://
#: pages, so CHTML output (MathJax 2 or 3) breaks when the site is opened from disk.
MATHJAX_FILE = "tex-svg.js"
#: The PyPI package that ships MathJax 3.2.2 (Apache 2.0); only its files are used, it is not
#: loaded as a Sphinx extension (it would switch to CHTML output).
MATHJAX_PACKAGE = "sphinx-mathjax-offline"


def mathjax_source() -> Path:
    """``tex-svg.js`` of the installed ``sphinx-mathjax-offline`` package."""
    spec = importlib.util.find_spec(MATHJAX_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        candidate = Path(folder) / "static" / "mathjax" / MATHJAX_FILE
        if candidate.is_file():
            return candidate
    raise RuntimeError(
        f"The handbook needs the package '{MATHJAX_PACKAGE}' for formulas without a CDN: "
        "pip install -e '.[handbook]'"
    )


def _configure(app, config) -> None:
    config.mathjax_path = f"{MATHJAX_DIR}/{MATHJAX_FILE}"


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / MATHJAX_DIR
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(mathjax_source(), target / MATHJAX_FILE)


def _clean_scripts(app, pagename, templatename, context, doctree) -> None:
    seen, kept = set(), []
    for js in context.get("script_files", []):
        body = str(getattr(js, "attributes", {}).get("body", ""))
        filename = str(getattr(js, "filename", "") or "")
        if "THEBE_JS_URL" in body or filename.endswith("sphinx-thebe.js") or "thebe@" in filename:
            continue
        key = (filename, body)
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    context["script_files"] = kept


def setup(app):
    mathjax_source()  # fail early, with the install hint
    app.connect("config-inited", _configure, priority=900)
    app.connect("build-finished", _copy_mathjax)
    app.connect("html-page-context", _clean_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
