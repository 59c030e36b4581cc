"""Ctrl-C and kills during ``bimokit report`` and ``bimokit batch`` (issue 14.5).

Each test runs the command line in a subprocess with the test chapter B of
``tests/data/batch_notebooks``, whose last cell sleeps ``BIMOKIT_TEST_SLEEP`` seconds. The
signal is sent once the chapter's work folder exists (the chapter is running), to the process
alone or, as a terminal's Ctrl-C does, to its whole process group. A Ctrl-C must stop the run
with exit code 130 and one line on stderr, keep every page of earlier runs and leave no work
folder; a killed run's leftovers are removed by the next run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bimokit.report._cache import folder_lock, remove_leftovers

NOTEBOOKS = Path(__file__).parent / "data" / "batch_notebooks"
ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals and process groups")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    (folder / "regions.csv").write_text(
        "ags,name,level,parent\n99,Musterland,land,\n99101,Musterstadt,kreis,99\n"
        "99102,Beispielhafen,kreis,99\n", encoding="utf-8")
    (folder / "facts.csv").write_text(
        "ags,year,variable,value,status,source\n99101,2020,bevoelkerung,100,,t\n",
        encoding="utf-8")
    return folder


def _argv(command: str, data_dir: Path, out: Path, *extra: str) -> list[str]:
    which = ["--ags", "99101"] if command == "report" else ["--all", "--workers", "2"]
    return [command, *which, "--data", str(data_dir), "--out", str(out), "--notebooks",
            str(NOTEBOOKS), "--chapters", "B", *extra]


def _env(sleep: int) -> dict:
    env = dict(os.environ, BIMOKIT_TEST_SLEEP=str(sleep))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _start(argv: list[str], sleep: int) -> subprocess.Popen:
    # a session of its own, as a shell gives a job: the test can signal the whole group
    return subprocess.Popen([sys.executable, "-m", "bimokit.cli", *argv], env=_env(sleep),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def _build(argv: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "bimokit.cli", *argv, "--no-progress"],
                          env=_env(0), capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()


def _work_folders(out: Path) -> list[Path]:
    return sorted(out.glob("*/.bimokit/.work-*"))


def _wait_for_work(proc: subprocess.Popen, out: Path, n: int = 1) -> None:
    """Until ``n`` chapters run (their work folders exist); a guard, not a timing assert."""
    for _ in range(1200):
        if len(_work_folders(out)) >= n:
            time.sleep(1.0)  # well inside the chapter's sleeping cell
            return
        if proc.poll() is not None:
            pytest.fail(f"the run ended early: {proc.communicate()[1].decode()}")
        time.sleep(0.25)
    pytest.fail("the chapter never started")


def _snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes()
            for p in sorted(out.glob("*/*.html")) + sorted(out.glob("*/.bimokit/[A-S].json"))}


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "State:\tZ" in status


def _assert_clean_stop(proc: subprocess.Popen, command: str, out: Path, before: dict) -> None:
    _, err = proc.communicate(timeout=120)  # a hang guard, not a timing assertion
    assert proc.returncode == 130, err.decode()
    assert err.count(b"\n") == 1, err.decode()  # one line (a progress bar only uses \r)
    assert err.rstrip(b"\n").rsplit(b"\r", 1)[-1].decode().startswith(
        f"bimokit {command}: interrupted")
    assert b"Traceback" not in err
    assert _snapshot(out) == before  # every page and its data as the earlier run left them
    assert _work_folders(out) == []
    assert not list(out.glob("*/.*.pending")) and not list(out.rglob(".*.tmp"))


@pytest.mark.parametrize("group, progress", [(False, False), (True, True)])
def test_ctrl_c_stops_a_report_and_keeps_earlier_pages(data_dir, tmp_path, group, progress):
    out = tmp_path / "reports"
    argv = _argv("report", data_dir, out)
    _build(argv)
    before = _snapshot(out)
    assert "99101/B.html" in before
    proc = _start(argv + ([] if progress else ["--no-progress"]), sleep=120)
    _wait_for_work(proc, out)
    if group:  # what a terminal's Ctrl-C does
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    _assert_clean_stop(proc, "report", out, before)


@pytest.mark.slow  # two batches with two workers each: about a minute
def test_ctrl_c_stops_a_batch_and_its_workers(data_dir, tmp_path):
    out = tmp_path / "reports"
    argv = _argv("batch", data_dir, out)
    _build(argv)
    before = _snapshot(out)
    assert {"99101/B.html", "99102/B.html"} <= set(before)
    proc = _start(argv + ["--force"], sleep=120)
    _wait_for_work(proc, out, n=2)
    workers = _children(proc.pid)
    assert workers  # the worker processes
    os.killpg(proc.pid, signal.SIGINT)
    _assert_clean_stop(proc, "batch", out, before)
    assert all(_gone(pid) for pid in workers)


@pytest.mark.slow  # a killed report and a full one
def test_leftovers_of_a_killed_report_go_with_the_next_run(data_dir, tmp_path):
    out = tmp_path / "reports"
    argv = _argv("report", data_dir, out, "--no-progress")
    proc = _start(argv, sleep=120)
    _wait_for_work(proc, out)
    os.killpg(proc.pid, signal.SIGKILL)  # no clean-up at all
    proc.communicate(timeout=60)
    assert _work_folders(out)  # what the kill left
    _build(_argv("report", data_dir, out))
    assert _work_folders(out) == []
    assert (out / "99101" / "B.html").is_file()


@pytest.mark.slow  # a whole batch
def test_a_batch_removes_work_folders_of_a_killed_run(data_dir, tmp_path):
    out = tmp_path / "reports"
    argv = _argv("batch", data_dir, out)
    stale = out / "99102" / ".bimokit" / ".work-B-killed"
    stale.mkdir(parents=True)
    (stale / "table_001.json").write_text("{}", encoding="utf-8")
    (out / "99102" / ".B.html.pending").write_text("halb", encoding="utf-8")
    _build(argv)
    assert _work_folders(out) == [] and not list(out.glob("*/.*.pending"))


def test_the_batch_plan_removes_what_a_kill_left(tmp_path):
    from bimokit.batch._plan import remove_leftovers as plan_removes

    folder = tmp_path / "99102"
    (folder / ".bimokit" / ".work-B-killed").mkdir(parents=True)
    (folder / ".bimokit" / ".work-C-killed").mkdir(parents=True)
    (folder / ".C.html.pending").write_text("halb", encoding="utf-8")
    (folder / "C.html").write_text("fertig", encoding="utf-8")
    assert plan_removes(folder) == 3
    assert sorted(p.name for p in folder.iterdir()) == [".bimokit", "C.html"]
    assert sorted(p.name for p in (folder / ".bimokit").iterdir()) == ["lock"]


def test_work_of_a_running_process_is_not_removed(tmp_path):
    folder = tmp_path / "99101"
    work = folder / ".bimokit" / ".work-A-running"
    work.mkdir(parents=True)
    with folder_lock(folder / ".bimokit") as alone:  # another run writes here now
        assert alone
        with folder_lock(folder / ".bimokit") as second:
            assert not second  # the second run must leave the first one's work alone
        assert work.is_dir()
    with folder_lock(folder / ".bimokit") as alone:
        assert alone and remove_leftovers(folder) == 1
    assert not work.exists()
