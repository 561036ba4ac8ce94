"""Command-line options for review tools: levels, statistics, standard input."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import pytest

from authlint import cli
from authlint.checker import check_source
from authlint.cli import main
from authlint.config import AnalysisOptions
from authlint.fingerprints import fingerprint_findings
from authlint.rules import DEFAULT_ENABLED
from samples import ADMIN, BROKEN, REPORTS, counts, syntax_error, write


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    class Input:
        buffer = io.BytesIO(text.encode())

    monkeypatch.setattr(sys, "stdin", Input())


# Levels and --fail-on


def test_fail_on_decides_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    write("pyproject.toml", '[tool.authlint.severity]\nAUT101 = "warning"\n')
    write("reports.py", REPORTS)

    assert main(["check"]) == 1
    assert main(["check", "--fail-on", "warning"]) == 1
    assert main(["check", "--fail-on", "error"]) == 0
    # The finding is still reported; it just does not fail the run.
    out = capsys.readouterr().out
    assert out.count("reports.py:8:15: AUT101 ") == 3

    write("admin.py", ADMIN)
    assert main(["check", "--fail-on", "error"]) == 1
    assert main(["check", "--fail-on", "error", "--exit-zero"]) == 0


def test_levels_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    write("pyproject.toml", '[tool.authlint.severity]\nAUT101 = "info"\n')
    write("reports.py", REPORTS)
    write("admin.py", ADMIN)

    main(["check", "--format", "json"])

    report = json.loads(capsys.readouterr().out)
    assert [(item["code"], item["severity"]) for item in report] == [
        ("AUT102", "error"),
        ("AUT101", "info"),
    ]


def test_a_bad_level_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--fail-on", "fatal"]) == 2
    assert "invalid choice: 'fatal'" in capsys.readouterr().err


def test_a_bad_severity_table_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("pyproject.toml", '[tool.authlint.severity]\nAUT104 = "high"\n')
    write("reports.py", REPORTS)

    assert main(["check"]) == 2
    assert capsys.readouterr().err == (
        "authlint: error: pyproject.toml: [tool.authlint] severity.AUT104: "
        "expected one of 'error', 'warning', 'info', got 'high'\n"
    )


# --statistics


def test_statistics_follow_the_text_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("a.py", REPORTS)
    write("b.py", REPORTS)
    write("admin.py", ADMIN)
    write("broken.py", BROKEN)

    assert main(["check", "--statistics"]) == 1

    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 7
    assert lines[4:] == [
        "1  AUT001  unparsable-file",
        "2  AUT101  credential-failure-not-401",
        "1  AUT102  permission-failure-401",
    ]


def test_statistics_stay_out_of_machine_readable_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("a.py", REPORTS)

    main(["check", "--statistics", "--format", "json"])
    out, err = capsys.readouterr()
    assert [item["code"] for item in json.loads(out)] == ["AUT101"]
    assert err.startswith("1  AUT101  credential-failure-not-401\nauthlint: ")

    # With the report in a file, standard output is free for them.
    main(["check", "--statistics", "--format", "json", "-o", "report.json"])
    out, err = capsys.readouterr()
    assert out == "1  AUT101  credential-failure-not-401\n"
    assert counts(err) == "1 file checked, 1 finding"


def test_statistics_of_a_clean_run_are_empty(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("app.py", ADMIN.replace("401", "403"))

    assert main(["check", "--statistics"]) == 0
    assert capsys.readouterr().out == ""


# --stdin-filename


def test_standard_input_is_reported_under_the_given_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The file on disk is clean; what the editor holds is not.
    write("app/reports.py", "")
    stdin(monkeypatch, REPORTS)

    assert main(["check", "--stdin-filename", "app/reports.py", "-"]) == 1

    out, err = capsys.readouterr()
    assert out.startswith("app/reports.py:8:15: AUT101 Credential failure")
    assert counts(err) == "1 file checked, 1 finding"


def test_standard_input_without_paths(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, BROKEN)

    assert main(["check", "--stdin-filename", "new.py"]) == 1

    finding = syntax_error("new.py")
    assert capsys.readouterr().out == (
        f"new.py:{finding.line}:{finding.column}: AUT001 {finding.message}\n"
    )


def test_per_file_ignores_and_excludes_apply_to_the_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        "pyproject.toml",
        '[tool.authlint]\nextend-exclude = ["generated"]\n'
        '[tool.authlint.per-file-ignores]\n"legacy/*" = ["AUT1"]\n',
    )

    stdin(monkeypatch, REPORTS)
    assert main(["check", "--stdin-filename", "legacy/reports.py"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert counts(err) == "1 file checked, no findings"
    stdin(monkeypatch, REPORTS)
    assert main(["check", "-q", "--stdin-filename", "generated/reports.py"]) == 0
    assert capsys.readouterr() == ("", "")
    stdin(monkeypatch, REPORTS)
    assert main(["check", "-q", "--stdin-filename", "app/reports.py"]) == 1
    assert capsys.readouterr().out.startswith("app/reports.py:8:15: AUT101 ")


def test_standard_input_with_other_paths_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write("app.py", REPORTS)
    stdin(monkeypatch, REPORTS)

    assert main(["check", "--stdin-filename", "x.py", "app.py"]) == 2
    assert capsys.readouterr().err == (
        "authlint: error: --stdin-filename reads standard input: give no paths, or -\n"
    )
    assert main(["check", "-"]) == 2
    assert capsys.readouterr().err == (
        "authlint: error: reading standard input needs --stdin-filename NAME\n"
    )


def test_every_option_of_check_is_in_the_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("Options of `authlint check`")
    table = readme[start : readme.index("\n## ", start)]
    commands = next(
        action
        for action in cli._parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    options = [
        option
        for action in commands.choices["check"]._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    ]

    missing = [option for option in options if f"`{option}" not in table]
    assert "--diff-base" in options
    assert missing == []


def test_standard_input_is_fingerprinted_from_what_was_read(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # On disk the file is older and has other code on the flagged line.
    write("app/reports.py", REPORTS.replace("abort(403)", "pass"))
    stdin(monkeypatch, REPORTS)

    main(["check", "-q", "--format", "sarif", "--stdin-filename", "app/reports.py"])

    (result,) = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app/reports.py"
    assert location["region"]["startLine"] == 8
    finding = check_source(
        REPORTS.encode(),
        "app/reports.py",
        enabled=DEFAULT_ENABLED,
        options=AnalysisOptions(),
    )[0]
    expected = fingerprint_findings([finding], Path.cwd(), lambda _: REPORTS.encode())
    assert result["partialFingerprints"] == {"authlint/v1": expected[finding]}
