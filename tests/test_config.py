"""Reading and validating ``[tool.authlint]``."""

from __future__ import annotations

from pathlib import Path

import pytest

from authlint.config import (
    AnalysisOptions,
    ConfigError,
    Settings,
    find_config,
    load_settings,
    parse_rule_codes,
    parse_size,
    resolve_settings,
)
from authlint.findings import Severity

FULL_EXAMPLE = """\
[project]
name = "shop"

[tool.authlint]
select = ["AUT1"]
extend-select = ["AUT106"]
ignore = ["AUT104"]
exclude = ["legacy"]
extend-exclude = ["migrations/", "scripts/*.py"]
authenticated-decorators = ["shop.auth.staff_only"]
authenticated-dependencies = ["current_member"]
credential-checks = ["verify_api_key"]
permission-checks = ["can_edit", "is_owner"]
extra-leak-words = ["quota exhausted"]
allowed-messages = ["Session expired, please sign in again."]

[tool.authlint.per-file-ignores]
"tests/*" = ["AUT1"]
"__init__.py" = ["AUT101", "AUT102"]

[tool.authlint.severity]
AUT104 = "warning"
aut103 = "info"
"""


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Error messages name the file relative to the working directory.
    monkeypatch.chdir(tmp_path)


def write_config(directory: Path, body: str) -> Path:
    path = directory / "pyproject.toml"
    path.write_text(body, encoding="utf-8")
    return path


def config_error(body: str) -> str:
    path = write_config(Path.cwd(), body)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return str(caught.value)


def test_every_key_is_read(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, FULL_EXAMPLE))

    assert settings == Settings(
        select=("AUT1",),
        extend_select=("AUT106",),
        ignore=("AUT104",),
        per_file_ignores=(
            ("tests/*", ("AUT1",)),
            ("__init__.py", ("AUT101", "AUT102")),
        ),
        exclude=("legacy",),
        extend_exclude=("migrations/", "scripts/*.py"),
        analysis=AnalysisOptions(
            authenticated_decorators=("shop.auth.staff_only",),
            authenticated_dependencies=("current_member",),
            credential_checks=("verify_api_key",),
            permission_checks=("can_edit", "is_owner"),
            extra_leak_words=("quota exhausted",),
            allowed_messages=("Session expired, please sign in again.",),
        ),
        severity=(("AUT103", Severity.INFO), ("AUT104", Severity.WARNING)),
        root=tmp_path.resolve(),
        source=tmp_path / "pyproject.toml",
    )


def test_limits_and_jobs_are_read(tmp_path: Path) -> None:
    body = '[tool.authlint]\njobs = 3\nfile-timeout = 2.5\nmax-file-size = "2MiB"\n'
    settings = load_settings(write_config(tmp_path, body))

    assert (settings.jobs, settings.file_timeout, settings.max_file_size) == (
        3,
        2.5,
        2 * 1024 * 1024,
    )


@pytest.mark.parametrize(
    ("value", "size"),
    [
        (12345, 12345),
        ("12345", 12345),
        ("10MB", 10_000_000),
        ("10 mb", 10_000_000),
        ("1.5 KB", 1500),
        ("1KiB", 1024),
        ("1GB", 1_000_000_000),
        ("7 B", 7),
    ],
)
def test_sizes(value: object, size: int) -> None:
    assert parse_size(value) == size


def test_an_empty_table_means_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, "[tool.authlint]\n"))

    assert settings.select is None
    assert settings.exclude is None
    assert settings.extend_select == settings.ignore == ()
    assert settings.analysis == AnalysisOptions()
    assert settings.root == tmp_path.resolve()
    assert (settings.jobs, settings.file_timeout, settings.max_file_size) == (
        None,
        5.0,
        10_000_000,
    )


def test_an_empty_select_is_kept_apart_from_no_select(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, "[tool.authlint]\nselect = []\n"))

    assert settings.select == ()


def test_codes_are_upper_cased(tmp_path: Path) -> None:
    body = '[tool.authlint]\nselect = ["aut101", " AUT1 "]\n'
    settings = load_settings(write_config(tmp_path, body))

    assert settings.select == ("AUT101", "AUT1")


def test_the_nearest_file_with_the_table_is_found(tmp_path: Path) -> None:
    write_config(tmp_path, '[tool.authlint]\nignore = ["AUT104"]\n')
    package = tmp_path / "packages" / "shop"
    package.mkdir(parents=True)
    # A sub-project's metadata without our table does not hide the top one.
    write_config(package, '[project]\nname = "shop"\n')
    # Nor does a broken TOML file that is not ours.
    write_config(tmp_path / "packages", "[broken\n")

    assert find_config(package) == tmp_path / "pyproject.toml"
    settings = resolve_settings(start=package)
    assert settings.ignore == ("AUT104",)
    assert settings.root == tmp_path.resolve()


def test_without_a_config_file_the_root_is_the_start(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None
    assert resolve_settings(start=tmp_path) == Settings(root=tmp_path.resolve())


def test_no_config_reads_nothing(tmp_path: Path) -> None:
    write_config(tmp_path, "[tool.authlint]\nselect = [\n")  # broken

    assert resolve_settings(no_config=True, start=tmp_path) == Settings(
        root=tmp_path.resolve()
    )


def test_an_explicit_config_file_is_used(tmp_path: Path) -> None:
    elsewhere = tmp_path / "ci"
    elsewhere.mkdir()
    path = write_config(elsewhere, '[tool.authlint]\nselect = ["AUT101"]\n')
    write_config(tmp_path, '[tool.authlint]\nselect = ["AUT102"]\n')

    settings = resolve_settings(config=path, start=tmp_path)

    assert settings.select == ("AUT101",)
    assert settings.root == elsewhere.resolve()


def test_an_explicit_config_file_must_have_the_table(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[tool.ruff]\nline-length = 88\n")

    with pytest.raises(ConfigError) as caught:
        resolve_settings(config=path)
    assert str(caught.value) == "pyproject.toml: no [tool.authlint] table"


def test_a_missing_explicit_config_file() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_settings(config=Path("missing.toml"))
    assert str(caught.value) == "missing.toml: cannot read: No such file or directory"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[tool.authlint]\nselect = ["AUT999"]\n',
            "pyproject.toml: [tool.authlint] select: unknown rule code 'AUT999'",
        ),
        (
            '[tool.authlint]\nignore = ["AUT9"]\n',
            "pyproject.toml: [tool.authlint] ignore: "
            "unknown rule code or prefix 'AUT9'",
        ),
        (
            '[tool.authlint]\nextend-select = ["E501"]\n',
            "pyproject.toml: [tool.authlint] extend-select: unknown rule code 'E501'",
        ),
        (
            '[tool.authlint]\nselect = ["credential-failure-not-401"]\n',
            "pyproject.toml: [tool.authlint] select: unknown rule code or prefix "
            "'credential-failure-not-401' (did you mean 'AUT101'?)",
        ),
        (
            '[tool.authlint]\nselect = [""]\n',
            "pyproject.toml: [tool.authlint] select: empty rule code",
        ),
        (
            '[tool.authlint]\nselct = ["AUT1"]\n',
            "pyproject.toml: [tool.authlint] selct: unknown key "
            "(did you mean 'select'?)",
        ),
        (
            '[tool.authlint]\nextend_select = ["AUT1"]\n',
            "pyproject.toml: [tool.authlint] extend_select: unknown key "
            "(did you mean 'extend-select'?)",
        ),
        (
            "[tool.authlint]\ncolour = true\n",
            "pyproject.toml: [tool.authlint] colour: unknown key",
        ),
        (
            '[tool.authlint]\nselect = "AUT101"\n',
            "pyproject.toml: [tool.authlint] select: "
            'expected a list of strings, got a string (write ["AUT101"])',
        ),
        (
            "[tool.authlint]\nexclude = [1, 2]\n",
            "pyproject.toml: [tool.authlint] exclude: "
            "expected a list of strings, got other items",
        ),
        (
            "[tool.authlint]\ncredential-checks = true\n",
            "pyproject.toml: [tool.authlint] credential-checks: "
            "expected a list of strings, got a boolean",
        ),
        (
            '[tool.authlint]\nextend-exclude = [" "]\n',
            "pyproject.toml: [tool.authlint] extend-exclude: empty pattern",
        ),
        (
            '[tool.authlint]\nallowed-messages = ["Forbidden", ""]\n',
            "pyproject.toml: [tool.authlint] allowed-messages: empty phrase",
        ),
        (
            '[tool.authlint]\nextra-leak-words = "expired"\n',
            "pyproject.toml: [tool.authlint] extra-leak-words: "
            'expected a list of strings, got a string (write ["expired"])',
        ),
        (
            '[tool.authlint]\nper-file-ignores = ["tests/*"]\n',
            "pyproject.toml: [tool.authlint] per-file-ignores: "
            'expected a table of "glob" = ["CODE", ...], got a list',
        ),
        (
            '[tool.authlint.per-file-ignores]\n"tests/*" = "AUT101"\n',
            '[tool.authlint] per-file-ignores."tests/*": expected a list of '
            'strings, got a string (write ["AUT101"])',
        ),
        (
            '[tool.authlint.per-file-ignores]\nconftest = ["AUT7"]\n',
            "pyproject.toml: [tool.authlint] per-file-ignores.conftest: "
            "unknown rule code or prefix 'AUT7'",
        ),
        (
            '[tool.authlint.severity]\nAUT999 = "warning"\n',
            "pyproject.toml: [tool.authlint] severity.AUT999: "
            "unknown rule code 'AUT999'",
        ),
        (
            '[tool.authlint.severity]\nAUT104 = "critical"\n',
            "pyproject.toml: [tool.authlint] severity.AUT104: "
            "expected one of 'error', 'warning', 'info', got 'critical'",
        ),
        (
            '[tool.authlint]\nseverity = "warning"\n',
            "pyproject.toml: [tool.authlint] severity: expected a table of "
            'CODE = "error" | "warning" | "info", got a string',
        ),
        (
            "[tool.authlint]\njobs = -1\n",
            "pyproject.toml: [tool.authlint] jobs: expected a whole number of "
            "processes (0 checks in the authlint process itself), got -1",
        ),
        (
            '[tool.authlint]\njobs = "4"\n',
            "pyproject.toml: [tool.authlint] jobs: expected a whole number of "
            "processes (0 checks in the authlint process itself), got '4'",
        ),
        (
            "[tool.authlint]\nfile-timeout = 0\n",
            "pyproject.toml: [tool.authlint] file-timeout: "
            "expected a number of seconds above 0, got 0",
        ),
        (
            "[tool.authlint]\nfile-timeout = nan\n",
            "pyproject.toml: [tool.authlint] file-timeout: "
            "expected a number of seconds above 0, got nan",
        ),
        (
            "[tool.authlint]\nfile-timeout = true\n",
            "pyproject.toml: [tool.authlint] file-timeout: "
            "expected a number of seconds above 0, got True",
        ),
        (
            '[tool.authlint]\nmax-file-size = "10 parsecs"\n',
            "pyproject.toml: [tool.authlint] max-file-size: "
            "expected a size above 0 in bytes or like \"10MB\", got '10 parsecs'",
        ),
        (
            "[tool.authlint]\nmax-file-size = [1]\n",
            "pyproject.toml: [tool.authlint] max-file-size: "
            'expected a size above 0 in bytes or like "10MB", got a list',
        ),
        (
            '[tool]\nauthlint = "on"\n',
            "pyproject.toml: [tool.authlint] must be a table, got a string",
        ),
    ],
)
def test_bad_settings_are_named_in_one_line(body: str, message: str) -> None:
    error = config_error(body)

    assert error.endswith(message)
    assert error.startswith("pyproject.toml: ")
    assert "\n" not in error


def test_invalid_toml_is_a_config_error() -> None:
    error = config_error('[tool.authlint]\nselect = ["AUT101"\n')

    assert error.startswith("pyproject.toml: invalid TOML: ")
    assert "\n" not in error


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            b"[tool.authlint]\nselect = " + b"[" * 50_000 + b"]" * 50_000 + b"\n",
            "pyproject.toml: invalid TOML: nested too deeply",
        ),
        (b"\xff\xfe[tool.authlint]\n", "pyproject.toml: not valid UTF-8"),
        (
            b'[tool.authlint]\nselect = ["AUT1\x00"]\n',
            "pyproject.toml: invalid TOML: Illegal character '\\x00' "
            "(at line 2, column 16)",
        ),
        (
            b'[tool.authlint]\nselect = ["AUT1"]\nselect = ["AUT2"]\n',
            "pyproject.toml: invalid TOML: Cannot overwrite a value "
            "(at line 3, column 18)",
        ),
    ],
)
def test_hostile_files_are_one_line_errors(raw: bytes, message: str) -> None:
    path = Path("pyproject.toml")
    path.write_bytes(raw)

    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == message


def test_a_directory_given_as_the_config_file() -> None:
    Path("ci").mkdir()

    with pytest.raises(ConfigError) as caught:
        load_settings(Path("ci"))
    assert str(caught.value) == "ci: cannot read: Is a directory"


def test_a_broken_file_that_names_authlint_is_an_error_when_searching(
    tmp_path: Path,
) -> None:
    write_config(tmp_path, "[tool.authlint\n")

    with pytest.raises(ConfigError, match=r"^pyproject.toml: invalid TOML: "):
        resolve_settings(start=tmp_path)


def test_a_file_outside_the_working_directory_is_named_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path, '[tool.authlint]\nselect = ["AUT999"]\n')
    below = tmp_path / "below"
    below.mkdir()
    monkeypatch.chdir(below)

    with pytest.raises(ConfigError) as caught:
        resolve_settings()
    assert str(caught.value).startswith(f"{path.resolve()}: [tool.authlint] select: ")


def test_prefixes_must_match_a_known_rule() -> None:
    assert parse_rule_codes(["AUT", "AUT1", "aut101"], "--select") == (
        "AUT",
        "AUT1",
        "AUT101",
    )
    with pytest.raises(ConfigError) as caught:
        parse_rule_codes(["AUT101", "AUT-1"], "--select")
    assert str(caught.value) == "--select: unknown rule code or prefix 'AUT-1'"
