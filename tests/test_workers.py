"""Worker processes: crash isolation, time and size limits, stable results."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from authlint.cli import main
from authlint.engine import CheckPlan, run
from authlint.files import (
    Discovery,
    FileTooLargeError,
    PathPatterns,
    discover,
    read_source,
)
from authlint.findings import Finding
from authlint.rules import DEFAULT_ENABLED
from authlint.workers import _exit_reason, start_method
from samples import REPORTS, write

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# Inputs that crash or stall libcst 1.9's native parser. Each names a status,
# so the pre-filter passes it on to be parsed.
PARENTHESES = "# 403\n" + "(" * 2500 + ")" * 2500 + "\n"  # SIGSEGV at once
MINUS_SIGNS = "# 403\nx = " + "-" * 10000 + "1\n"  # 5 GB, then SIGSEGV
ATTRIBUTES = "# 403\na" + ".b" * 50000 + "\n"  # half a minute, then SIGSEGV
PLUS_CHAIN = "# 403\nx = " + " + ".join(["1"] * 20000) + "\n"  # minutes
# Python's own tokenizer refuses more than 100 levels: a plain syntax error.
NESTED_IFS = "# 403\n" + "".join("    " * depth + "if x:\n" for depth in range(2000))
NESTED_IFS += "    " * 2000 + "pass\n"

# Long enough for an ordinary file on a busy machine, short enough for tests.
TIMEOUT = "1.5"


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_crashing_and_stalling_files_cost_only_themselves(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("a_app.py", REPORTS)
    write("attributes.py", ATTRIBUTES)
    write("minus.py", MINUS_SIGNS)
    write("nested_ifs.py", NESTED_IFS)
    write("parentheses.py", PARENTHESES)
    write("plus.py", PLUS_CHAIN)
    write("z_app.py", REPORTS)

    code = main(["check", "--no-cache", "--jobs", "2", "--file-timeout", TIMEOUT])

    out, err = capsys.readouterr()
    not_checked = "AUT001 File not checked:"
    assert out.splitlines() == [
        "a_app.py:8:15: AUT101 " + _aut101_message(),
        f"attributes.py:1:1: {not_checked} checking took longer than 1.5 s",
        f"minus.py:1:1: {not_checked} checking took longer than 1.5 s",
        f"nested_ifs.py:102:1: {not_checked} syntax error: "
        "tokenizer error: too many indentation levels",
        f"parentheses.py:1:1: {not_checked} the parser crashed (signal SIGSEGV)",
        f"plus.py:1:1: {not_checked} checking took longer than 1.5 s",
        "z_app.py:8:15: AUT101 " + _aut101_message(),
    ]
    assert code == 1
    assert err.startswith("authlint: 2 files checked, 5 unparsable, 7 findings in ")


def _aut101_message() -> str:
    result = run(Discovery(files=("a_app.py",)), CheckPlan(DEFAULT_ENABLED))
    return result.findings[0].message


def test_one_worker_is_replaced_after_a_crash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("a.py", PARENTHESES)
    write("b.py", REPORTS)
    write("c.py", PARENTHESES)
    write("d.py", REPORTS)

    code = main(["check", "--no-cache", "--jobs", "1", "--select", "AUT001,AUT101"])

    out = capsys.readouterr().out
    assert [line.split(" ", 2)[:2] for line in out.splitlines()] == [
        ["a.py:1:1:", "AUT001"],
        ["b.py:8:15:", "AUT101"],
        ["c.py:1:1:", "AUT001"],
        ["d.py:8:15:", "AUT101"],
    ]
    assert code == 1


def test_a_crash_is_not_reported_when_aut001_is_ignored(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("a.py", PARENTHESES)

    assert main(["check", "--no-cache", "--jobs", "1", "--ignore", "AUT001"]) == 0
    assert capsys.readouterr().err.startswith(
        "authlint: 0 files checked, 1 unparsable, no findings in "
    )


def test_results_are_the_same_whatever_the_number_of_workers(
    tmp_path: Path,
) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    discovery = discover(["fixtures"], PathPatterns([], tmp_path))
    plan = CheckPlan(DEFAULT_ENABLED)

    results = [run(discovery, plan, jobs=jobs) for jobs in (0, 1, 2, 3)]

    findings: list[tuple[Finding, ...]] = [result.findings for result in results]
    assert len(findings[0]) > 40
    assert findings[1:] == [findings[0]] * 3
    counts = {(r.files_checked, r.files_skipped, r.files_unparsable) for r in results}
    assert len(counts) == 1


def test_a_file_over_the_size_limit_is_not_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("big.py", "# 403\n" + "x = 1\n" * 400)
    write("small.py", REPORTS)

    code = main(["check", "--no-cache", "--max-file-size", "1KB"])

    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "big.py:1:1: AUT001 File not checked: too large (2.4 KB > 1.0 KB limit)"
    )
    assert out.splitlines()[1].startswith("small.py:8:15: AUT101 ")
    assert code == 1


def test_reading_stops_at_the_limit(tmp_path: Path) -> None:
    huge = tmp_path / "huge.py"
    with huge.open("wb") as file:
        file.truncate(50_000_000)  # sparse: no disk, and no memory if not read

    with pytest.raises(FileTooLargeError) as caught:
        read_source(str(huge), limit=10_000_000)

    assert caught.value.size == 50_000_000


def test_a_file_at_the_limit_is_read_whole(tmp_path: Path) -> None:
    exact = tmp_path / "exact.py"
    exact.write_bytes(b"x" * 100)

    assert read_source(str(exact), limit=100) == b"x" * 100
    with pytest.raises(FileTooLargeError):
        read_source(str(exact), limit=99)


@pytest.mark.parametrize(
    ("code", "reason"),
    [(-11, "signal SIGSEGV"), (-9, "signal SIGKILL"), (1, "exit code 1")],
)
def test_exit_reasons(code: int, reason: str) -> None:
    assert _exit_reason(code) == reason


def test_workers_never_fork_the_running_program() -> None:
    assert start_method() in {"forkserver", "spawn"}
