"""The layers import only downward, and no module reaches into another's private names.

io → regions → catalogue/compute → methods → plots/text → chapters → report → batch → cli
(docs/design.md, "The flow"), below them all the foundation (errors, formats, paths).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bimokit as bk

PACKAGE = Path(bk.__file__).parent

#: Layer of every top-level module or package of bimokit, lowest first.
LAYERS = {
    "_paths": 0, "_atomic": 0, "_schema": 0, "_params": 0, "errors": 0, "fmt": 0,
    "_frames": 0, "_spreadsheet": 0,
    "io": 1,
    "regions": 2,
    "catalogue": 3, "status": 3, "harmonization": 3, "computation": 3, "data": 3,
    "disclosure": 3, "sources": 3,
    "comparison": 4, "trends": 4, "normalization": 4, "composite": 4, "allocation": 4,
    "targets": 4, "offers": 4, "own_templates": 4,
    "plots": 5, "text": 5, "publish": 5,
    "chapters": 6,
    "report": 7,
    "batch": 8,
    "cli": 9, "_cli": 9,
    "__init__": 10,
}


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "data_samples" not in p.parts)


def _top(path: Path) -> str:
    rel = path.relative_to(PACKAGE).parts
    return rel[0].removesuffix(".py")


def _imports(path: Path):
    """(line, imported module parts below bimokit, imported names) of every import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = path.relative_to(PACKAGE).parent.parts
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(pkg[: len(pkg) - node.level + 1])
                parts = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "bimokit":
                parts = node.module.split(".")[1:]
            else:
                continue
            names = [a.name for a in node.names]
            if not parts:  # from . import x / from bimokit import x
                for n in names:
                    yield node.lineno, [n], []
            else:
                yield node.lineno, parts, names
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "bimokit":
                    yield node.lineno, a.name.split(".")[1:], []


def test_every_module_has_a_layer():
    missing = sorted({_top(p) for p in _modules()} - set(LAYERS))
    assert not missing, f"add these modules to LAYERS: {missing}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_only_downward_and_not_into_private_names(path):
    own_top = _top(path)
    own_package = path.relative_to(PACKAGE).parts[0]
    problems = []
    for line, parts, names in _imports(path):
        if not parts:
            continue
        target = parts[0]
        if target not in LAYERS:
            continue
        if own_top != "__init__" and LAYERS[target] > LAYERS[own_top]:
            problems.append(f"line {line}: {own_top} (layer {LAYERS[own_top]}) imports "
                            f"{'.'.join(parts)} (layer {LAYERS[target]})")
        if target == own_package:
            continue  # a package's own private modules and names are its business
        private_module = [p for p in parts[1:] if p.startswith("_")]
        if private_module:
            problems.append(f"line {line}: imports the private module {'.'.join(parts)}")
        private = [n for n in names if n.startswith("_")]
        if private:
            problems.append(f"line {line}: imports private name(s) {', '.join(private)} from "
                            f"{'.'.join(parts)}")
    assert not problems, "\n".join(problems)


def test_the_flat_namespace_holds_no_modules_and_no_shadowed_names():
    import types

    assert not [n for n in dir(bk) if isinstance(getattr(bk, n), types.ModuleType)]
    assert len(bk.__all__) == len(set(bk.__all__))
    for name in ("compare", "trend", "normalize", "allocate", "compute", "harmonize"):
        assert isinstance(getattr(bk, name), types.FunctionType), name
    # the modules are nouns and import as themselves
    import bimokit.comparison
    import bimokit.trends

    assert isinstance(bimokit.comparison, types.ModuleType)
    assert isinstance(bimokit.trends, types.ModuleType)
