"""The ``authlint`` command line: output, exit codes and error messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from authlint import __version__, cli
from authlint.cli import main, summary
from authlint.engine import RunResult
from authlint.findings import Finding, Severity
from authlint.rules import RULES, RULES_BY_CODE
from samples import (
    BROKEN,
    CLEAN,
    REPORTS,
    counts,
    crash_while_checking,
    syntax_error,
    write,
)


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def line_of(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}:{finding.column}: {finding.code} "


# Checking


def test_a_clean_tree_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    write("app.py", CLEAN)

    assert main(["check"]) == 0

    out, err = capsys.readouterr()
    assert out == ""
    assert counts(err) == "0 files checked, 1 skipped (nothing to check), no findings"


def test_findings_are_printed_one_per_line_and_exit_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("pkg/b.py", BROKEN)
    write("a.py", BROKEN)
    write("ok.py", CLEAN)

    assert main(["check", "."]) == 1

    out, err = capsys.readouterr()
    a, b = syntax_error("a.py"), syntax_error("pkg/b.py")
    assert out == (
        f"a.py:{a.line}:{a.column}: AUT001 {a.message}\n"
        f"pkg/b.py:{b.line}:{b.column}: AUT001 {b.message}\n"
    )
    assert (
        counts(err)
        == "0 files checked, 1 skipped (nothing to check), 2 unparsable, 2 findings"
    )


def test_paths_are_reported_as_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write("src/bad.py", BROKEN)

    main(["check", "src"])
    assert capsys.readouterr().out.startswith("src/bad.py:")
    main(["check", "./src/"])
    assert capsys.readouterr().out.startswith("src/bad.py:")
    main(["check", str(tmp_path / "src")])
    assert capsys.readouterr().out.startswith(f"{tmp_path / 'src' / 'bad.py'}:")


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    write("bad.py", BROKEN)

    assert main(["check", "--format", "json"]) == 1

    out, _ = capsys.readouterr()
    finding = syntax_error("bad.py")
    assert json.loads(out) == [
        {
            "code": "AUT001",
            "name": "unparsable-file",
            "message": finding.message,
            "path": "bad.py",
            "line": finding.line,
            "column": finding.column,
            "end_line": finding.end_line,
            "end_column": finding.end_column,
            "severity": "error",
            "fix": None,
        }
    ]
    assert list(json.loads(out)[0]) == [
        "code",
        "name",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "fix",
    ]
    assert out == json.dumps([finding.as_dict()], indent=2) + "\n"


def test_json_output_without_findings_is_an_empty_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("app.py", CLEAN)

    assert main(["check", "--format=json"]) == 0
    assert capsys.readouterr().out == "[]\n"


def test_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    write("bad.py", BROKEN)

    assert main(["check", "-o", "report.json", "--format", "json"]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert counts(err) == "0 files checked, 1 unparsable, 1 finding"
    report = json.loads(Path("report.json").read_text(encoding="utf-8"))
    assert [item["code"] for item in report] == ["AUT001"]


def test_an_output_file_that_cannot_be_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("bad.py", BROKEN)

    assert main(["check", "--output-file", "missing/report.txt"]) == 2
    assert capsys.readouterr().err == (
        "authlint: error: cannot write missing/report.txt: No such file or directory\n"
    )


def test_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    write("bad.py", BROKEN)

    assert main(["check", "--exit-zero"]) == 0
    assert capsys.readouterr().out.startswith(line_of(syntax_error("bad.py")))


def test_quiet_leaves_out_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    write("bad.py", BROKEN)

    assert main(["check", "-q"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(line_of(syntax_error("bad.py")))
    assert err == ""


def test_verbose_logs_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    write("app.py", CLEAN)

    assert main(["check", "-v", "--no-config"]) == 0
    err = capsys.readouterr().err
    assert "authlint: DEBUG: enabled rules: AUT001, AUT101" in err
    # Logging is back to quiet for the next run.
    assert main(["check"]) == 0
    assert "DEBUG" not in capsys.readouterr().err


def test_files_named_explicitly_are_checked_even_if_excluded(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("build/bad.py", BROKEN)
    write("scripts/deploy", BROKEN)

    assert main(["check"]) == 0
    assert main(["check", "build/bad.py", "scripts/deploy"]) == 1
    out = capsys.readouterr().out
    assert [line.split(" ")[0] for line in out.splitlines()] == [
        line_of(syntax_error("build/bad.py")).split(" ")[0],
        line_of(syntax_error("scripts/deploy")).split(" ")[0],
    ]


def test_no_python_files(capsys: pytest.CaptureFixture[str]) -> None:
    Path("empty").mkdir()

    assert main(["check", "empty"]) == 0
    assert capsys.readouterr() == (
        "",
        "authlint: warning: no Python files found in the given paths\n",
    )


def test_a_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "nope.py"]) == 2
    assert capsys.readouterr() == (
        "",
        "authlint: error: no such file or directory: nope.py\n",
    )


# Rule selection


def test_select_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    write("bad.py", BROKEN)

    assert main(["check", "--select", "AUT1"]) == 0
    assert main(["check", "--select", "AUT1,AUT001"]) == 1
    assert main(["check", "--select", "AUT1", "--select", "AUT0"]) == 1
    assert main(["check", "--ignore", "AUT0"]) == 0
    assert main(["check", "--select", "AUT", "--ignore", "AUT001"]) == 0


def test_the_command_line_overrides_the_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("bad.py", BROKEN)
    write("pyproject.toml", '[tool.authlint]\nignore = ["AUT001"]\n')

    assert main(["check"]) == 0
    assert main(["check", "--extend-select", "AUT001"]) == 1
    assert main(["check", "--select", "AUT001"]) == 1
    assert main(["check", "--no-config"]) == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--select", "AUT999"], "--select: unknown rule code 'AUT999'"),
        (["--ignore", "AUT1,XYZ"], "--ignore: unknown rule code or prefix 'XYZ'"),
        (
            ["--extend-select", ","],
            "--extend-select: expected rule codes, like AUT101 or AUT1",
        ),
    ],
)
def test_bad_codes_on_the_command_line(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write("app.py", CLEAN)

    assert main(["check", *arguments]) == 2
    assert capsys.readouterr() == ("", f"authlint: error: {message}\n")


# Configuration


def test_a_config_error_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("app.py", CLEAN)
    write("pyproject.toml", '[tool.authlint]\nselect = ["AUT999"]\n')

    assert main(["check"]) == 2
    assert capsys.readouterr() == (
        "",
        "authlint: error: pyproject.toml: [tool.authlint] select: "
        "unknown rule code 'AUT999'\n",
    )


def test_invalid_toml_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("app.py", CLEAN)
    write("pyproject.toml", "[tool.authlint]\nselect = [\n")

    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("authlint: error: pyproject.toml: invalid TOML: ")
    assert err.count("\n") == 1


def test_config_file_option(capsys: pytest.CaptureFixture[str]) -> None:
    write("bad.py", BROKEN)
    write("ci/authlint.toml", '[tool.authlint]\nselect = ["AUT1"]\n')

    assert main(["check", "-q", "--config", "ci/authlint.toml"]) == 0
    assert main(["check", "--config", "ci/missing.toml"]) == 2
    assert capsys.readouterr() == (
        "",
        "authlint: error: ci/missing.toml: cannot read: No such file or directory\n",
    )


def test_config_and_no_config_exclude_each_other(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--config", "pyproject.toml", "--no-config"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_excludes_and_per_file_ignores_from_the_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("src/bad.py", BROKEN)
    write("src/generated/bad.py", BROKEN)
    write("tests/bad.py", BROKEN)
    write(
        "pyproject.toml",
        "[tool.authlint]\n"
        'extend-exclude = ["generated"]\n'
        "[tool.authlint.per-file-ignores]\n"
        '"tests/" = ["AUT001"]\n',
    )

    assert main(["check", "-q"]) == 1
    assert capsys.readouterr().out.startswith(line_of(syntax_error("src/bad.py")))
    # Relative to the config file, wherever authlint runs from.
    os.chdir("src")
    assert main(["check", "-q", ".."]) == 1
    assert [line.split(":")[0] for line in capsys.readouterr().out.splitlines()] == [
        "../src/bad.py"
    ]


def test_a_per_file_ignores_pattern_that_matches_nothing_is_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("src/app.py", REPORTS)
    write(
        "pyproject.toml",
        '[tool.authlint.per-file-ignores]\n"tset/*" = ["AUT101"]\n',
    )

    assert main(["check"]) == 2
    assert capsys.readouterr() == (
        "",
        'authlint: error: pyproject.toml: [tool.authlint] per-file-ignores."tset/*": '
        f"matches no file below {Path.cwd()}\n",
    )


def test_a_pattern_for_files_outside_this_run_is_not_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # pre-commit passes only the changed files; the pattern is for others.
    write("src/app.py", REPORTS)
    write("tests/test_app.py", REPORTS)
    write(
        "pyproject.toml",
        '[tool.authlint.per-file-ignores]\n"tests/*" = ["AUT101"]\n',
    )

    assert main(["check", "-q", "src/app.py"]) == 1
    assert capsys.readouterr().out.startswith("src/app.py:8:15: AUT101 ")


# Failures


def test_an_internal_error_in_a_file_is_exit_2_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write("bad.py", BROKEN)
    write("crash.py", "DENIED = 403\n")
    crash_while_checking(monkeypatch, "crash.py")

    # In this process, where the patched checker is.
    assert main(["check", "--jobs", "0"]) == 2
    out, err = capsys.readouterr()
    assert out.startswith(line_of(syntax_error("bad.py")))
    first, second = err.splitlines()
    assert first == (
        "authlint: error: internal error while checking crash.py: "
        "ValueError: unexpected node (run with -v for the traceback)"
    )
    assert counts(second + "\n") == "0 files checked, 1 unparsable, 1 failed, 1 finding"

    assert main(["check", "--jobs", "0", "-v"]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "(run with -v" not in err


def test_an_unexpected_error_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write("app.py", CLEAN)

    def broken_run(*args: object, **kwargs: object) -> RunResult:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cli, "run", broken_run)

    assert main(["check"]) == 2
    assert capsys.readouterr() == (
        "",
        "authlint: error: internal error: RuntimeError: disk on fire "
        "(run with -v for the traceback)\n",
    )


# Usage


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"authlint {__version__}\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--jobs", "-2"], "argument -j/--jobs: expected a whole number, got '-2'"),
        (["--jobs", "many"], "argument -j/--jobs: expected a whole number, got 'many'"),
        (
            ["--file-timeout", "0"],
            "argument --file-timeout: expected a number of seconds above 0, got 0.0",
        ),
        (
            ["--max-file-size", "big"],
            "argument --max-file-size: expected a size above 0 in bytes or like "
            "\"10MB\", got 'big'",
        ),
    ],
)
def test_bad_performance_options_are_usage_errors(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", *arguments]) == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(message)


def test_performance_options_come_from_the_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("pyproject.toml", '[tool.authlint]\nmax-file-size = "100B"\njobs = 1\n')
    write("app.py", REPORTS)

    assert main(["check", "--no-cache"]) == 1
    assert capsys.readouterr().out == (
        "app.py:1:1: AUT001 File not checked: too large (193 bytes > 100 bytes limit)\n"
    )
    assert main(["check", "--no-cache", "--max-file-size", "1MB"]) == 1
    assert "AUT101" in capsys.readouterr().out


def test_no_command_prints_help_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("usage: authlint [-h] [--version]")


@pytest.mark.parametrize(
    "arguments",
    [["check", "--bogus"], ["check", "--format", "xml"], ["frobnicate"], ["rule"]],
)
def test_usage_errors_exit_2(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(arguments) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: authlint")
    assert "error: " in err
    assert "Traceback" not in err


def test_rules_lists_every_rule_in_aligned_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules"]) == 0

    lines = capsys.readouterr().out.splitlines()
    width = max(len(rule.name) for rule in RULES)
    assert lines[0] == f"CODE    {'NAME'.ljust(width)}  DEFAULT  SUMMARY"
    assert lines[1:] == [
        f"{rule.code}  {rule.name.ljust(width)}  "
        f"{'on' if rule.default_enabled else 'off':7}  {rule.summary}"
        for rule in RULES
    ]
    assert any(line.startswith("AUT106 ") and " off " in line for line in lines)


def test_rule_prints_the_documentation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "aut101"]) == 0

    rule = RULES_BY_CODE["AUT101"]
    assert capsys.readouterr().out == (
        "# AUT101 credential-failure-not-401 (on by default)\n\n"
        f"{rule.documentation()}\n"
    )
    assert main(["rule", "AUT106"]) == 0
    assert capsys.readouterr().out.startswith(
        "# AUT106 undeclared-404-for-denial (off by default)\n\n## What it does\n"
    )


def test_an_unknown_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "AUT999"]) == 2
    assert capsys.readouterr() == (
        "",
        "authlint: error: unknown rule code 'AUT999'; "
        "'authlint rules' lists them all\n",
    )


# The summary line


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (RunResult(findings=(), files_checked=1), "1 file checked, no findings"),
        (
            RunResult(findings=(), files_checked=12, files_skipped=40),
            "12 files checked, 40 skipped (nothing to check), no findings",
        ),
        (
            RunResult(
                findings=(
                    Finding("a.py", 1, 1, "AUT001", "m", 1, 1, "n", Severity.ERROR),
                )
                * 3,
                files_checked=2,
                files_unparsable=1,
                failures=(("b.py", "ValueError: x"),),
            ),
            "2 files checked, 1 unparsable, 1 failed, 3 findings",
        ),
    ],
)
def test_summary(result: RunResult, expected: str) -> None:
    assert summary(result) == f"{expected} in 0.00s"


# As a program


def run_authlint(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "authlint", *arguments],
        capture_output=True,
        text=True,
        check=False,
    )


def test_python_dash_m(capsys: pytest.CaptureFixture[str]) -> None:
    write("bad.py", BROKEN)

    done = run_authlint("check", "bad.py")

    assert done.returncode == 1
    assert done.stdout.startswith(line_of(syntax_error("bad.py")))
    assert counts(done.stderr) == "0 files checked, 1 unparsable, 1 finding"


# Rule findings


def test_a_rule_finding_in_text(capsys: pytest.CaptureFixture[str]) -> None:
    write("app.py", REPORTS)

    assert main(["check", "app.py"]) == 1

    out, err = capsys.readouterr()
    assert out.startswith("app.py:8:15: AUT101 ")
    assert out.count("\n") == 1
    assert counts(err) == "1 file checked, 1 finding"


def test_a_rule_finding_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    write("app.py", REPORTS)

    assert main(["check", "--format", "json", "app.py"]) == 1

    [finding] = json.loads(capsys.readouterr().out)
    message = finding.pop("message")
    assert message
    assert finding == {
        "code": "AUT101",
        "name": "credential-failure-not-401",
        "path": "app.py",
        "line": 8,
        "column": 15,
        "end_line": 8,
        "end_column": 18,
        "severity": "error",
        "fix": None,
    }


def test_a_rule_finding_is_silenced_by_noqa(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("app.py", REPORTS.replace("abort(403)", "abort(403)  # noqa: AUT101"))
    write("views.py", REPORTS)

    assert main(["check", "-q"]) == 1
    assert capsys.readouterr().out.startswith("views.py:8:15: AUT101 ")
    assert main(["check", "-q", "--ignore", "AUT101"]) == 0
