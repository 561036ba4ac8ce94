"""Broken, odd and hostile files: each has one exact outcome, never a traceback."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from authlint import engine
from authlint.cli import main
from authlint.config import Settings
from authlint.engine import CheckPlan
from authlint.files import discover, exclusion_patterns

NASTY = Path(__file__).parent / "nasty"

FLAGGED = "Credential failure answered with 403"
REST_OF_AUT101 = (
    ': the condition `"Authorization" not in request.headers` means the caller '
    "is not authenticated; answer 401 with a `WWW-Authenticate` challenge"
)
NOT_CHECKED = "File not checked: "
SYNTAX = NOT_CHECKED + "syntax error: "
NOT_UTF8 = (
    NOT_CHECKED + "cannot decode as utf-8: byte 0x{} is not valid there "
    "(declare the file's encoding with a PEP 263 coding comment)"
)
BINARY = NOT_CHECKED + "not Python source: contains NUL bytes (a binary file?)"

# file -> (line, column, code, the message or how it starts); None when the
# file is checked and clean.
EXPECTED: dict[str, tuple[int, int, str, str] | None] = {
    # Decoded and checked like any other module: the same finding as the
    # plain UTF-8 handler, on the same line.
    "latin1_with_cookie.py": (11, 15, "AUT101", FLAGGED),
    "utf8_bom.py": (9, 15, "AUT101", FLAGGED),
    "crlf_endings.py": (9, 15, "AUT101", FLAGGED),
    "cr_endings.py": (9, 15, "AUT101", FLAGGED),
    "form_feeds_and_tabs.py": (10, 9, "AUT101", FLAGGED),
    "empty.py": None,
    # Syntax newer than the interpreter running the tests.
    "pep695_type_params.py": (12, 15, "AUT101", FLAGGED),
    "pep701_fstrings.py": (9, 15, "AUT101", FLAGGED),
    "pep750_template_strings.py": (9, 15, "AUT101", FLAGGED),
    "pep758_except_without_parentheses.py": (9, 15, "AUT101", FLAGGED),
    # libcst 1.9 fails on implicitly concatenated template strings; Python
    # before 3.14 places the error, 3.14 itself parses the file.
    "pep750_concatenated_template_strings.py": (
        *((11, 10) if sys.version_info < (3, 14) else (1, 1)),
        "AUT001",
        NOT_CHECKED + "libcst's parser failed on this file (Logic error!)",
    ),
    # Not text, or not in the encoding it claims.
    "latin1_without_cookie.py": (1, 6, "AUT001", NOT_UTF8.format("e8")),
    "unknown_coding.py": (1, 1, "AUT001", NOT_CHECKED + "unknown encoding: klingon"),
    "nul_byte.py": (3, 22, "AUT001", BINARY),
    "binary_data.py": (1, 1, "AUT001", BINARY),
    # Syntax errors, placed where Python itself places them when it can.
    "py2_print.py": (12, 1, "AUT001", SYNTAX),
    "py2_backticks.py": (12, 5, "AUT001", SYNTAX + "tokenizer error: '`'"),
    "py2_octal.py": (12, 8, "AUT001", SYNTAX + "tokenizer error: leading zeros"),
    "py2_not_equal.py": (12, 6, "AUT001", SYNTAX),
    "unclosed_bracket.py": (12, 9, "AUT001", SYNTAX),
    "unterminated_string.py": (12, 8, "AUT001", SYNTAX + "tokenizer error: unt"),
    "unterminated_docstring.py": (12, 1, "AUT001", SYNTAX + "tokenizer error: unt"),
    "missing_colon.py": (7, 14, "AUT001", SYNTAX),
    "unexpected_indent.py": (3, 4, "AUT001", SYNTAX),
    "bad_dedent.py": (10, 25, "AUT001", SYNTAX + "tokenizer error: no matching"),
    "stray_token.py": (12, 9, "AUT001", SYNTAX + "tokenizer error: '$'"),
    "keyword_as_name.py": (12, 7, "AUT001", SYNTAX),
    "half_written.py": (13, 10, "AUT001", SYNTAX),
}

# Python 3.9's parser and tokenizer place these errors in other columns of
# the same line; AUT001 follows whatever the running Python says.
if sys.version_info < (3, 10):
    for _name, _column in {
        "half_written.py": 11,
        "py2_octal.py": 11,
        "py2_print.py": 7,
        "unclosed_bracket.py": 15,
        "unterminated_docstring.py": 16,
        "unterminated_string.py": 16,
    }.items():
        _line, _, _code, _message = EXPECTED[_name] or (0, 0, "", "")
        EXPECTED[_name] = (_line, _column, _code, _message)


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the corpus as the working directory, read with no config."""
    shutil.copytree(NASTY, tmp_path / "nasty")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "nasty"


def test_the_corpus_is_listed_in_full() -> None:
    on_disk = {path.name for path in NASTY.glob("*.py")}

    assert on_disk == set(EXPECTED)


def outcomes(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, list[str]]:
    """Run ``authlint check`` and group the report's lines by file name."""
    code = main(["check", "--no-config", "--format", "text", *args])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert "Traceback" not in out + err
    grouped: dict[str, list[str]] = {}
    for line in out.splitlines():
        path, rest = line.split(":", 1)
        grouped.setdefault(os.path.basename(path), []).append(rest)
    return grouped


def test_every_nasty_file_has_its_exact_outcome(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reported = outcomes(capsys, "nasty")

    for name, expected in EXPECTED.items():
        lines = reported.pop(name, [])
        if expected is None:
            assert lines == [], name
            continue
        line, column, code, message = expected
        assert len(lines) == 1, (name, lines)
        assert lines[0].startswith(f"{line}:{column}: {code} {message}"), (name, lines)
    assert reported == {}


def test_the_run_counts_what_became_of_each_file(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "--no-config", "nasty"])
    _, err = capsys.readouterr()

    unparsable = sum(1 for e in EXPECTED.values() if e is not None and e[2] == "AUT001")
    flagged = sum(1 for e in EXPECTED.values() if e is not None and e[2] != "AUT001")
    assert err.startswith(
        f"authlint: {flagged} files checked, 1 skipped (nothing to check), "
        f"{unparsable} unparsable, {flagged + unparsable} findings in "
    )


def test_a_directory_named_like_a_module_is_walked_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "views.py").mkdir()
    shutil.copy(NASTY / "utf8_bom.py", tmp_path / "views.py" / "reports.py")

    assert outcomes(capsys, "views.py") == {
        "reports.py": [f"9:15: AUT101 {FLAGGED}{REST_OF_AUT101}"]
    }


def test_a_symlink_loop_is_one_unreadable_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    os.symlink("b.py", "a.py")
    os.symlink("a.py", "b.py")

    reported = outcomes(capsys, ".")

    assert sorted(reported) == ["a.py", "b.py"]
    for lines in reported.values():
        assert lines == [
            "1:1: AUT001 File not checked: cannot read: "
            "Too many levels of symbolic links"
        ]


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0,
    reason="permissions do not stop this user from reading",
)
def test_an_unreadable_file_is_reported_and_the_rest_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(NASTY / "utf8_bom.py", "readable.py")
    shutil.copy(NASTY / "utf8_bom.py", "secret.py")
    os.chmod("secret.py", 0)

    assert outcomes(capsys, ".") == {
        "readable.py": [f"9:15: AUT101 {FLAGGED}{REST_OF_AUT101}"],
        "secret.py": ["1:1: AUT001 File not checked: cannot read: Permission denied"],
    }


def test_a_file_deleted_during_the_run_is_reported_as_not_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(NASTY / "utf8_bom.py", "kept.py")
    shutil.copy(NASTY / "utf8_bom.py", "gone.py")
    root = Path.cwd()
    discovery = discover(["."], exclusion_patterns(None, (), root))
    os.remove("gone.py")

    result = engine.run(discovery, CheckPlan.from_settings(Settings(root=root)))

    assert [(f.path, f.line, f.code, f.message) for f in result.findings] == [
        (
            "gone.py",
            1,
            "AUT001",
            "File not checked: cannot read: No such file or directory",
        ),
        ("kept.py", 9, "AUT101", FLAGGED + REST_OF_AUT101),
    ]
    assert (result.files_checked, result.files_unparsable) == (1, 1)


def generated_module(lines: int, trailer: str) -> str:
    """An ordinary machine-written module of about ``lines`` lines.

    Functions are named with letters only: a number such as 401 in a name
    would be a word the pre-filter looks for.
    """
    body = "".join(
        f"def handler_{_letters(n)}(value, step):\n"
        "    if value > step:\n"
        "        return value - step\n"
        "    return None\n\n\n"
        for n in range(lines // 6)
    )
    return body + trailer


def _letters(number: int) -> str:
    return "".join(chr(ord("a") + int(digit)) for digit in str(number))


def test_a_200_000_line_module_is_bounded_by_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # libcst needs about 15 s for this one here; the limit stops it, and the
    # same module without a word any rule needs is never parsed at all.
    monkeypatch.chdir(tmp_path)
    Path("generated.py").write_text(generated_module(200_000, "DENIED = 403\n"))
    Path("plain.py").write_text(generated_module(200_000, ""))
    shutil.copy(NASTY / "utf8_bom.py", "views.py")

    reported = outcomes(capsys, "--no-cache", "--file-timeout", "1.5", ".")

    assert reported == {
        "generated.py": [
            "1:1: AUT001 File not checked: checking took longer than 1.5 s"
        ],
        "views.py": [f"9:15: AUT101 {FLAGGED}{REST_OF_AUT101}"],
    }


def test_a_50_mb_module_is_reported_without_being_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    line = b"DENIED = 403  # a status the pre-filter would send to the parser\n"
    with open("dump.py", "wb") as dump:
        dump.write(line * (50_000_000 // len(line) + 1))
    shutil.copy(NASTY / "utf8_bom.py", "views.py")

    reported = outcomes(capsys, "--no-cache", ".")

    assert reported == {
        "dump.py": [
            "1:1: AUT001 File not checked: too large (50.0 MB > 10.0 MB limit)"
        ],
        "views.py": [f"9:15: AUT101 {FLAGGED}{REST_OF_AUT101}"],
    }
