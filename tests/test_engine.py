"""Running files: rule selection, suppression, ordering and counts."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

import pytest

from authlint import engine
from authlint.config import Settings
from authlint.engine import (
    CheckPlan,
    FileStatus,
    PerFileIgnores,
    RuleSelection,
    check_file,
    enabled_codes,
    is_suppressed,
    run,
)
from authlint.files import Discovery
from authlint.findings import Finding, Severity
from authlint.rules import DEFAULT_ENABLED, RULES
from samples import (
    BROKEN,
    CLEAN,
    REPORTS,
    crash_while_checking,
    syntax_error,
    write,
)

# A made-up registry for the selection logic: two rules off by default.
CODES = ("AUT001", "AUT101", "AUT102", "AUT106", "AUT201", "AUT204")
DEFAULT = frozenset(CODES) - {"AUT106", "AUT204"}


def enabled(*layers: RuleSelection) -> list[str]:
    return sorted(enabled_codes(layers, codes=CODES, default=DEFAULT))


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def plan(
    codes: Collection[str] = DEFAULT_ENABLED,
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> CheckPlan:
    settings = Settings(per_file_ignores=per_file_ignores, root=Path.cwd())
    return CheckPlan(
        enabled=frozenset(codes),
        per_file_ignores=PerFileIgnores.from_settings(settings),
    )


# Selection


def test_the_defaults_are_the_rules_on_by_default() -> None:
    assert enabled() == ["AUT001", "AUT101", "AUT102", "AUT201"]
    assert enabled_codes([]) == DEFAULT_ENABLED
    assert {rule.code for rule in RULES if rule.default_enabled} == DEFAULT_ENABLED


def test_select_replaces_the_defaults() -> None:
    assert enabled(RuleSelection(select=("AUT1",))) == ["AUT101", "AUT102", "AUT106"]
    assert enabled(RuleSelection(select=("AUT102",))) == ["AUT102"]
    assert enabled(RuleSelection(select=())) == []


def test_extend_select_adds_to_the_defaults() -> None:
    assert enabled(RuleSelection(extend_select=("AUT204",))) == [
        "AUT001",
        "AUT101",
        "AUT102",
        "AUT201",
        "AUT204",
    ]


def test_a_selected_prefix_takes_in_rules_off_by_default() -> None:
    assert enabled(RuleSelection(extend_select=("AUT2",))) == [
        "AUT001",
        "AUT101",
        "AUT102",
        "AUT201",
        "AUT204",
    ]
    assert enabled(RuleSelection(select=("AUT",))) == list(CODES)


def test_ignore_removes_by_prefix() -> None:
    assert enabled(RuleSelection(ignore=("AUT1",))) == ["AUT001", "AUT201"]
    assert enabled(RuleSelection(ignore=("AUT",))) == []


def test_the_longest_matching_entry_wins() -> None:
    # A specific select beats a broad ignore...
    layer = RuleSelection(select=("AUT101",), ignore=("AUT1",))
    assert enabled(layer) == ["AUT101"]
    # ...and a specific ignore beats a broad select.
    layer = RuleSelection(select=("AUT1",), ignore=("AUT101",))
    assert enabled(layer) == ["AUT102", "AUT106"]
    layer = RuleSelection(extend_select=("AUT10",), ignore=("AUT1",))
    assert enabled(layer) == ["AUT001", "AUT101", "AUT102", "AUT106", "AUT201"]


def test_an_ignore_wins_a_tie() -> None:
    layer = RuleSelection(select=("AUT1",), ignore=("AUT1",))
    assert enabled(layer) == []


def test_the_command_line_layer_overrides_the_config_layer() -> None:
    config = RuleSelection(select=("AUT1",), ignore=("AUT102",))

    # The command line's select starts over.
    assert enabled(config, RuleSelection(select=("AUT201",))) == ["AUT201"]
    # Its extend-select brings back what the config ignored.
    assert enabled(config, RuleSelection(extend_select=("AUT102",))) == [
        "AUT101",
        "AUT102",
        "AUT106",
    ]
    # Its ignore removes from what the config selected.
    assert enabled(config, RuleSelection(ignore=("AUT106",))) == ["AUT101"]
    # An empty layer changes nothing.
    assert enabled(config, RuleSelection()) == enabled(config)


def test_the_plan_combines_config_and_command_line() -> None:
    settings = Settings(select=("AUT1",), ignore=("AUT101",))

    built = CheckPlan.from_settings(
        settings, [RuleSelection(extend_select=("AUT001",))]
    )

    assert built.enabled == frozenset(
        {"AUT001"}
        | {rule.code for rule in RULES if rule.code.startswith("AUT1")} - {"AUT101"}
    )


# Suppression comments


@pytest.mark.parametrize(
    ("line", "code", "suppressed"),
    [
        (b"abort(403)  # noqa", "AUT101", True),
        (b"abort(403)  # NOQA", "AUT101", True),
        (b"abort(403)  #noqa", "AUT101", True),
        (b"abort(403)  # noqa: AUT101", "AUT101", True),
        (b"abort(403)  # noqa:AUT101", "AUT101", True),
        (b"abort(403)  # noqa: aut101", "AUT101", True),
        (b"abort(403)  # noqa:AUT203,AUT101", "AUT101", True),
        (b"abort(403)  # noqa: AUT203, AUT101 deliberate", "AUT101", True),
        (b"abort(403)  # noqa: AUT203 AUT101", "AUT101", True),
        (b"abort(403)  # noqa: AUT1", "AUT101", True),
        (b"abort(403)  # noqa: AUT102", "AUT101", False),
        (b"abort(403)  # noqa: AUT203,E501", "AUT101", False),
        (b"abort(403)  # noqa: E501 -- line too long", "AUT101", False),
        # Not a list of codes after the colon: silences the whole line, as
        # in flake8.
        (b"abort(403)  # noqa: see the docs", "AUT101", True),
        (b"abort(403)  # type: ignore", "AUT101", False),
        (b"abort(403)", "AUT101", False),
    ],
)
def test_noqa_comments(line: bytes, code: str, suppressed: bool) -> None:
    assert is_suppressed(code, line) is suppressed


def test_noqa_on_the_reported_line_silences_a_finding() -> None:
    line = syntax_error("bad.py").line
    lines = BROKEN.splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].rstrip("\n") + "  # noqa: AUT001\n"
    write("bad.py", "".join(lines))

    outcome = check_file("bad.py", plan(), None)

    assert outcome == engine.FileOutcome("bad.py", FileStatus.UNPARSABLE, ())


def test_noqa_for_another_code_keeps_a_finding() -> None:
    line = syntax_error("bad.py").line
    lines = BROKEN.splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].rstrip("\n") + "  # noqa: AUT101\n"
    source = "".join(lines)
    write("bad.py", source)

    outcome = check_file("bad.py", plan(), None)

    assert outcome.findings == (syntax_error("bad.py", source),)


def test_noqa_silences_a_rule_finding() -> None:
    write("app.py", REPORTS)
    assert [
        (f.line, f.column, f.code) for f in check_file("app.py", plan(), None).findings
    ] == [(8, 15, "AUT101")]

    write("app.py", REPORTS.replace("abort(403)", "abort(403)  # noqa: AUT101"))
    assert check_file("app.py", plan(), None).findings == ()
    write("app.py", REPORTS.replace("abort(403)", "abort(403)  # noqa: AUT102"))
    assert len(check_file("app.py", plan(), None).findings) == 1


def test_a_finding_spanning_lines_is_silenced_on_its_first_line() -> None:
    finding = Finding(
        path="app.py",
        line=2,
        column=5,
        code="AUT101",
        message="m",
        end_line=4,
        end_column=2,
        name="credential-failure-not-401",
        severity=Severity.ERROR,
    )
    source = b"x = (\n    403,  # noqa: AUT101\n    1,\n)\n"
    moved = source.replace(b"  # noqa: AUT101", b"").replace(b"1,", b"1,  # noqa")

    assert engine._without_noqa([finding], source) == []
    assert engine._without_noqa([finding], moved) == [finding]


# Per-file ignores


def test_per_file_ignores_drop_codes_for_matching_files() -> None:
    write("generated/bad.py", BROKEN)
    write("app/bad.py", BROKEN)

    result = run(
        Discovery(files=("app/bad.py", "generated/bad.py")),
        plan(per_file_ignores=(("generated/*", ("AUT0",)),)),
    )

    assert result.findings == (syntax_error("app/bad.py"),)
    assert result.files_unparsable == 2


def test_a_file_with_every_rule_ignored_is_skipped() -> None:
    write("tests/test_bad.py", BROKEN)

    result = run(
        Discovery(files=("tests/test_bad.py",)),
        plan(codes={"AUT001"}, per_file_ignores=(("tests/*", ("AUT0",)),)),
    )

    assert result.findings == ()
    assert result.files_skipped == 1


def test_per_file_ignores_are_relative_to_the_config_root(tmp_path: Path) -> None:
    write("project/tests/test_bad.py", BROKEN)
    settings = Settings(
        per_file_ignores=(("tests/", ("AUT001",)),), root=tmp_path / "project"
    )
    ignores = PerFileIgnores.from_settings(settings)

    assert ignores.codes_for("project/tests/test_bad.py") == ("AUT001",)
    os.chdir("project")
    assert ignores.codes_for("tests/test_bad.py") == ("AUT001",)
    assert ignores.codes_for("test_bad.py") == ()


def test_per_file_ignores_drop_rule_findings() -> None:
    write("app.py", REPORTS)
    write("views/app.py", REPORTS)

    result = run(
        Discovery(files=("app.py", "views/app.py")),
        plan(per_file_ignores=(("views/", ("AUT101",)),)),
    )

    assert [(f.path, f.line, f.column, f.code) for f in result.findings] == [
        ("app.py", 8, 15, "AUT101")
    ]


# Running


def test_findings_are_sorted_and_files_counted() -> None:
    write("b.py", BROKEN)
    write("a.py", BROKEN)
    write("ok.py", CLEAN)

    result = run(Discovery(files=("b.py", "ok.py", "a.py")), plan())

    assert result.findings == (syntax_error("a.py"), syntax_error("b.py"))
    # ``ok.py`` names no status, so the pre-filter skips it unparsed.
    assert (result.files_checked, result.files_skipped, result.files_unparsable) == (
        0,
        1,
        2,
    )
    assert result.files_total == 3
    assert result.failures == ()
    assert result.elapsed >= 0


def test_an_unreadable_file_is_reported_as_aut001() -> None:
    os.symlink("gone.py", "broken.py")

    result = run(Discovery(files=("broken.py",)), plan())

    assert [(f.path, f.line, f.column, f.code, f.message) for f in result.findings] == [
        (
            "broken.py",
            1,
            1,
            "AUT001",
            "File not checked: cannot read: No such file or directory",
        )
    ]
    assert result.files_unparsable == 1


def test_a_directory_that_cannot_be_listed_is_reported_as_aut001() -> None:
    error = PermissionError(13, "Permission denied")
    discovery = Discovery(files=(), unreadable_directories=(("secret", error),))

    result = run(discovery, plan())

    assert [(f.path, f.code, f.message) for f in result.findings] == [
        ("secret", "AUT001", "File not checked: cannot read: Permission denied")
    ]


def test_an_unparsable_file_is_counted_even_when_aut001_is_not_selected() -> None:
    write("bad.py", BROKEN)

    result = run(Discovery(files=("bad.py",)), plan(codes={"AUT101"}))

    assert result.findings == ()
    assert result.files_unparsable == 1


def test_files_the_pre_filter_rejects_are_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write("bad.py", BROKEN)
    write("ok.py", CLEAN)
    seen = []

    def nothing_to_check(source: bytes, enabled: Collection[str]) -> bool:
        seen.append((source, frozenset(enabled)))
        return source != CLEAN.encode()

    monkeypatch.setattr(engine, "may_need_check", nothing_to_check)
    result = run(Discovery(files=("bad.py", "ok.py")), plan(codes={"AUT001"}))

    assert seen == [
        (BROKEN.encode(), frozenset({"AUT001"})),
        (CLEAN.encode(), frozenset({"AUT001"})),
    ]
    assert (result.files_checked, result.files_skipped, result.files_unparsable) == (
        0,
        1,
        1,
    )


def test_an_internal_error_in_one_file_does_not_stop_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write("a.py", BROKEN)
    write("crash.py", "DENIED = 403\n")
    crash_while_checking(monkeypatch, "crash.py")
    result = run(Discovery(files=("a.py", "crash.py")), plan())

    assert result.findings == (syntax_error("a.py"),)
    assert result.failures == (("crash.py", "ValueError: unexpected node"),)
    assert result.files_total == 2


def test_the_plan_can_travel_to_a_worker_process() -> None:
    import pickle

    built = plan(per_file_ignores=(("tests/*", ("AUT1",)),))
    copy = pickle.loads(pickle.dumps(built))

    assert copy.enabled == built.enabled
    assert copy.per_file_ignores.codes_for("tests/test_x.py") == ("AUT1",)


def test_test_code_is_not_read() -> None:
    # A fake server in a test answers 403 for a missing token on purpose;
    # not even a syntax error in test code is reported.
    write("tests/fakes.py", REPORTS)
    write("app/test_views.py", BROKEN)
    write("app/views.py", REPORTS)

    result = run(
        Discovery(files=("app/test_views.py", "app/views.py", "tests/fakes.py")),
        plan(),
    )

    assert [(f.path, f.code) for f in result.findings] == [("app/views.py", "AUT101")]
    assert (result.files_checked, result.files_skipped) == (1, 2)


# Framework source in the run

VENDORED_DRF = {
    "rest_framework/__init__.py": "",
    "rest_framework/exceptions.py": (
        "class APIException(Exception):\n"
        "    status_code = 500\n\n\n"
        "class AuthenticationFailed(APIException):\n"
        "    status_code = 401\n"
    ),
    # As in DRF itself: the base class has the method, and it returns None.
    "rest_framework/authentication.py": (
        "class BaseAuthentication:\n"
        "    def authenticate(self, request):\n"
        "        raise NotImplementedError\n\n"
        "    def authenticate_header(self, request):\n"
        "        pass\n\n\n"
        "class SessionAuthentication(BaseAuthentication):\n"
        "    pass\n"
    ),
}

APP_AUTHENTICATOR = """\
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication


class KeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        key = request.headers.get("X-Api-Key")
        if key is None:
            return None
        raise exceptions.AuthenticationFailed("Invalid API key.")
"""

APP_SETTINGS = """\
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "api.auth.KeyAuthentication",
    ],
}
"""


def test_framework_source_in_the_run_is_not_read_in_its_place() -> None:
    # A checkout of DRF beside the app must not make the app's authenticator
    # look as if it had a challenge, nor the settings blame their order.
    for path, text in VENDORED_DRF.items():
        write(path, text)
    write("api/__init__.py", "")
    write("api/auth.py", APP_AUTHENTICATOR)
    write("settings.py", APP_SETTINGS)

    result = run(
        Discovery(
            files=(*VENDORED_DRF, "api/__init__.py", "api/auth.py", "settings.py")
        ),
        plan(),
    )

    assert [(f.path, f.line, f.code) for f in result.findings] == [
        ("api/auth.py", 5, "AUT105")
    ]


def test_the_order_message_names_classes_given_as_strings() -> None:
    write(
        "settings.py",
        "REST_FRAMEWORK = {\n"
        '    "DEFAULT_AUTHENTICATION_CLASSES": (\n'
        '        "rest_framework.authentication.SessionAuthentication",\n'
        '        "rest_framework.authentication.TokenAuthentication",\n'
        "    ),\n"
        "}\n",
    )

    result = run(Discovery(files=("settings.py",)), plan())

    assert [(f.line, f.code, f.message) for f in result.findings] == [
        (
            2,
            "AUT105",
            "DRF takes the `WWW-Authenticate` challenge from the first "
            "authentication class only; `SessionAuthentication` has none, so "
            "unauthenticated requests get 403 even though `TokenAuthentication` "
            "would answer 401: put `TokenAuthentication` first",
        )
    ]
