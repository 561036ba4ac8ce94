"""The flake8 plugin, through the real flake8 and on its own."""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest

import samples
from authlint import __version__, flake8_plugin
from authlint.config import AnalysisOptions
from authlint.findings import Finding, Severity
from authlint.flake8_plugin import AuthlintChecker
from authlint.project import ProjectIndex
from samples import write

# The import at the end gives pyflakes and pycodestyle something to say too.
REPORTS = samples.REPORTS + "import os\n"

OTHER_PLUGINS = [
    "app.py:5:1: E302 expected 2 blank lines, found 1",
    "app.py:10:1: E305 expected 2 blank lines after class or function definition, "
    "found 0",
    "app.py:10:1: E402 module level import not at top of file",
    "app.py:10:1: F401 'os' imported but unused",
]


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # The plugin caches settings per directory, and every test has its own.
    flake8_plugin._settings_near.cache_clear()
    monkeypatch.setattr(AuthlintChecker, "flake8_selected", frozenset())


def flake8(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *arguments],
        capture_output=True,
        text=True,
        check=False,
    )


def lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return sorted(done.stdout.splitlines())


def aut_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The plugin's lines, up to the code: the message is the rule's to word."""
    return [
        line.split(" ", 2)[0] + " " + line.split(" ", 2)[1]
        for line in lines(done)
        if " AUT" in line
    ]


# Through flake8


def test_flake8_loads_the_plugin() -> None:
    done = flake8("--version")

    assert done.returncode == 0
    assert f"authlint: {__version__}" in done.stdout


def test_other_plugins_still_report() -> None:
    write("app.py", REPORTS)

    done = flake8("--extend-ignore", "AUT", "app.py")

    assert lines(done) == sorted(OTHER_PLUGINS)
    assert done.returncode == 1
    assert done.stderr == ""


def test_a_config_error_stops_flake8_with_the_message() -> None:
    write("app.py", REPORTS)
    write("pyproject.toml", '[tool.authlint]\nselect = ["AUT999"]\n')

    done = flake8("app.py")

    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        'app.py: "authlint[AUT]" failed during execution due to ConfigError('
        "\"pyproject.toml: [tool.authlint] select: unknown rule code 'AUT999'\")",
        "Run flake8 with greater verbosity to see more details",
    ]


def test_a_syntax_error_is_flake8s_to_report() -> None:
    # flake8 does not run tree plugins on a file Python cannot parse.
    write("bad.py", "from flask import abort\n\ndeny = = abort(403)\n")

    done = flake8("bad.py")

    assert [line.split(" ")[1] for line in lines(done)] == ["E999"]


def test_findings_appear_next_to_other_plugins() -> None:
    write("app.py", REPORTS)

    done = flake8("app.py")

    assert aut_lines(done) == ["app.py:8:15: AUT101"]
    assert [line for line in lines(done) if " AUT" not in line] == sorted(OTHER_PLUGINS)


def test_noqa_extend_ignore_and_select_work() -> None:
    write("app.py", REPORTS)
    assert aut_lines(flake8("app.py")) == ["app.py:8:15: AUT101"]

    write("app.py", REPORTS.replace("abort(403)", "abort(403)  # noqa: AUT101"))
    assert aut_lines(flake8("app.py")) == []
    write("app.py", REPORTS.replace("abort(403)", "abort(403)  # noqa: E501"))
    assert aut_lines(flake8("app.py")) == ["app.py:8:15: AUT101"]

    assert aut_lines(flake8("--extend-ignore", "AUT101", "app.py")) == []
    assert aut_lines(flake8("--extend-ignore", "AUT1", "app.py")) == []
    assert aut_lines(flake8("--select", "E,F", "app.py")) == []
    only_ours = flake8("--select", "AUT", "app.py")
    assert [line.split(" ")[0] for line in lines(only_ours)] == ["app.py:8:15:"]
    per_file = flake8("--per-file-ignores", "app.py:AUT101", "app.py")
    assert aut_lines(per_file) == []


def test_the_same_findings_as_the_command_line() -> None:
    write("app.py", REPORTS)
    write("pyproject.toml", '[tool.authlint.per-file-ignores]\n"legacy/" = ["AUT1"]\n')
    write("legacy/app.py", REPORTS)

    from_flake8 = flake8("--select", "AUT", ".")
    from_cli = subprocess.run(
        [sys.executable, "-m", "authlint", "check", "-q", "."],
        capture_output=True,
        text=True,
        check=False,
    )

    # Both apply [tool.authlint]; flake8 prefixes "./" to what it walks.
    assert [line.removeprefix("./") for line in lines(from_flake8)] == lines(from_cli)
    assert lines(from_cli) != []


# The plugin object


def checker(
    source: str, filename: str = "app.py", tree: ast.AST | None = None
) -> AuthlintChecker:
    return AuthlintChecker(
        tree or ast.parse(source), filename, source.splitlines(keepends=True)
    )


# What the plugin passed to check_source: source, path, enabled, options.
Call = dict[str, Any]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """Records what the plugin asks of the checker, and reports one finding."""
    seen: list[Call] = []

    def fake_check_source(
        source: bytes,
        path: str,
        *,
        enabled: Collection[str],
        options: AnalysisOptions,
        index: ProjectIndex | None = None,
    ) -> list[Finding]:
        seen.append(
            {"source": source, "path": path, "enabled": enabled, "options": options}
        )
        return [
            Finding(path, 8, 15, "AUT101", "msg", 8, 18, "x", Severity.ERROR),
        ]

    monkeypatch.setattr(flake8_plugin, "check_source", fake_check_source)
    return seen


def test_results_use_flake8s_zero_based_columns(
    calls: list[Call],
) -> None:
    results = list(checker(REPORTS).run())

    assert results == [(8, 14, "AUT101 msg", AuthlintChecker)]
    assert calls[0]["source"] == REPORTS.encode()
    assert calls[0]["path"] == "app.py"


def test_rules_off_by_default_need_selecting(calls: list[Call]) -> None:
    checker(REPORTS)
    assert "AUT106" not in calls[-1]["enabled"]
    assert "AUT101" in calls[-1]["enabled"]

    for select, extend_select, expected in [
        (None, None, False),
        (["E", "F", "AUT"], None, False),  # names the plugin, not the rule
        (["A"], None, False),
        (["AUT1"], None, True),
        (None, ["AUT106"], True),
        (["E"], ["AUT10"], True),
    ]:
        options = argparse.Namespace(select=select, extend_select=extend_select)
        AuthlintChecker.parse_options(options)
        checker(REPORTS)
        assert ("AUT106" in calls[-1]["enabled"]) is expected, (select, extend_select)


def test_settings_come_from_the_nearest_config(
    tmp_path: Path, calls: list[Call]
) -> None:
    write(
        "pyproject.toml",
        "[tool.authlint]\n"
        'extend-select = ["AUT106"]\n'
        'ignore = ["AUT102"]\n'
        'credential-checks = ["verify_api_key"]\n'
        "[tool.authlint.per-file-ignores]\n"
        '"legacy/" = ["AUT"]\n',
    )
    write("app.py", REPORTS)
    write("legacy/app.py", REPORTS)
    write("other/pyproject.toml", "[tool.authlint]\n")
    write("other/app.py", REPORTS)

    checker(REPORTS, "app.py")
    assert {"AUT101", "AUT106"} <= calls[-1]["enabled"]
    assert "AUT102" not in calls[-1]["enabled"]
    assert calls[-1]["options"] == AnalysisOptions(
        credential_checks=("verify_api_key",)
    )

    # Every rule is ignored below legacy/: nothing is left to run.
    assert list(checker(REPORTS, "legacy/app.py").run()) == []
    assert len(calls) == 1

    # Another project's config, found from the file rather than the cwd.
    checker(REPORTS, str(tmp_path / "other" / "app.py"))
    assert "AUT102" in calls[-1]["enabled"]
    assert calls[-1]["options"] == AnalysisOptions()


def test_standard_input_uses_the_working_directory_config(
    calls: list[Call],
) -> None:
    write("pyproject.toml", '[tool.authlint]\nselect = ["AUT106"]\n')

    checker(REPORTS, "stdin")

    assert calls[-1]["enabled"] == {"AUT106"}


def test_the_source_is_encoded_as_declared(calls: list[Call]) -> None:
    # Each names a status, so the pre-filter hands it to the checker.
    latin = "# -*- coding: latin-1 -*-\nname = 'café'\nDENIED = 403\n"
    checker(latin)
    assert calls[-1]["source"] == latin.encode("latin-1")

    unknown = "# coding: no-such-codec\nname = 'café'\nDENIED = 403\n"
    checker(unknown, tree=ast.parse("name = 1"))
    assert calls[-1]["source"] == unknown.encode("utf-8")

    checker("name = 'café'\nDENIED = 403\n")
    assert calls[-1]["source"] == "name = 'café'\nDENIED = 403\n".encode()


def test_a_file_naming_no_status_is_not_parsed(calls: list[Call]) -> None:
    assert list(checker("def add(a, b):\n    return a + b\n").run()) == []
    assert calls == []


def test_a_file_over_the_size_limit_is_not_parsed(calls: list[Call]) -> None:
    write("pyproject.toml", '[tool.authlint]\nmax-file-size = "100B"\n')

    assert list(checker(REPORTS).run()) == [
        (
            1,
            0,
            f"AUT001 File not checked: too large ({len(REPORTS)} bytes > 100 bytes "
            "limit)",
            AuthlintChecker,
        )
    ]
    assert calls == []


def test_test_code_is_not_parsed(calls: list[Call]) -> None:
    assert list(checker(REPORTS, "tests/fakes.py").run()) == []
    assert list(checker(REPORTS, "app/test_views.py").run()) == []
    assert calls == []
    assert [code[2][:6] for code in checker(REPORTS, "app/views.py").run()] == [
        "AUT101"
    ]
