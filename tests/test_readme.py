"""The README's set-up and test command are the ones CI runs (.ci/run)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _install_spec(text: str) -> str:
    m = re.search(r'pip install (?:--quiet )?-e "(\.\[[a-z,]+\])"', text)
    assert m, "no 'pip install -e \".[…]\"' line"
    return m.group(1)


def test_ci_installs_what_the_readme_says_and_runs_its_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _install_spec(ci) == _install_spec(readme)
    setup = readme[readme.index("## Set-up"):readme.index("## What is in it")]
    commands = re.findall(r"```bash\n(.*?)\n```", setup, re.S)
    test_command = commands[-1].strip()
    assert test_command == "pytest -n 2"
    assert ci.rstrip().splitlines()[-1].strip() == test_command
    assert "bimokit report --ags 99101" in commands
