import pytest

from bimokit import cli


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    assert "COMMAND" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["no-such-command"])
    assert exc.value.code == 2


def test_import_leaves_the_heavy_statistics_and_style_modules_for_later():
    # Every CLI call imports bimokit; scipy.stats (~0.6 s) and seaborn with pyplot (~0.2 s)
    # are imported by the functions that need them, not at `import bimokit`.
    import subprocess
    import sys

    code = ("import sys, bimokit; print(sorted(m for m in ('scipy.stats', 'seaborn', "
            "'matplotlib.pyplot', 'statsmodels') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
