"""Sphinx extension of the bimokit handbook: a site that works offline and without errors.

- Formulas: Sphinx loads MathJax from a CDN by default, so the formulas of a built handbook
  would need the network when a participant opens it. ``mathjax_path`` points at a local copy
  of MathJax 2 (SVG output, no web fonts) from the ``jupyter-server-mathjax`` package, copied
  into ``_static/mathjax`` of the HTML output.
- Scripts: Jupyter Book 1 always loads sphinx-thebe, whose configuration script lands twice in
  every page (``const THEBE_JS_URL`` declared twice: a SyntaxError in the browser console) and
  points at a CDN. The handbook has no live-code buttons, so the thebe scripts are left out
  and any script included twice is included once.

The build itself downloads nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

#: Where MathJax lands in the HTML output (relative to ``_static``).
MATHJAX_DIR = "mathjax"

#: MathJax 2 configuration: TeX in, SVG out (glyphs are in the JS files, no font loading),
#: only the ``\(…\)`` and ``\[…\]`` that Sphinx writes, no menu and no status messages.
MATHJAX2_CONFIG = {
    "jax": ["input/TeX", "output/SVG"],
    "extensions": ["tex2jax.js"],
    "TeX": {"extensions": ["AMSmath.js", "AMSsymbols.js"]},
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processEscapes": True,
        "processEnvironments": False,
        "processRefs": False,
    },
    "SVG": {"font": "TeX", "linebreaks": {"automatic": True}},
    "showMathMenu": False,
    "messageStyle": "none",
}


def mathjax_source() -> Path:
    """The MathJax 2 tree of the installed ``jupyter-server-mathjax`` package."""
    try:
        import jupyter_server_mathjax
    except ImportError as exc:  # pragma: no cover - the handbook extra installs it
        raise RuntimeError(
            "The handbook needs the package 'jupyter-server-mathjax' for offline formulas: "
            "pip install -e '.[handbook]'"
        ) from exc
    return Path(jupyter_server_mathjax.__file__).resolve().parent / "static"


def _configure(app, config) -> None:
    config.mathjax_path = f"{MATHJAX_DIR}/MathJax.js"
    config.mathjax2_config = MATHJAX2_CONFIG
    config.mathjax3_config = None
    # myst-parser would otherwise add a MathJax 3 configuration of its own.
    config.myst_update_mathjax = False


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / MATHJAX_DIR
    shutil.copytree(mathjax_source(), target, dirs_exist_ok=True)


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
