"""The fixture corpus: authlint reports exactly what the fixtures' markers say.

A marker is a trailing comment on a code line of a file under ``fixtures/``:
``# expect: AUT101`` (these codes, and only these, are reported on the line),
``# ok`` or ``# ok: why`` (a look-alike: nothing is reported on the line) and
``# todo-expect: AUT101`` (a known miss: the code must still be missing, so that
a fix shows up as a failure and the marker gets promoted). Every line without a
marker must stay quiet too. See ``fixtures/README.md``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from authlint.checker import check_source
from authlint.config import AnalysisOptions
from authlint.findings import Finding
from authlint.project import ProjectIndex

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURE_FILES = sorted(FIXTURES.rglob("*.py"))

# The rules this corpus specifies; AUT106 is opt-in, so it is selected here.
# AUT204 (also opt-in) would flag nearly every denial, so it runs only on the
# fixtures that ask for it with an ``OPT_IN`` comment.
ENABLED = frozenset(
    {
        "AUT101",
        "AUT102",
        "AUT103",
        "AUT104",
        "AUT105",
        "AUT106",
        "AUT201",
        "AUT202",
        "AUT203",
        "AUT301",
        "AUT302",
        "AUT303",
        "AUT304",
    }
)
OPT_IN_RULES = frozenset({"AUT204"})
OPT_IN = re.compile(rb"^# fixture-select: (?P<codes>AUT\d{3}(?:, AUT\d{3})*)$", re.M)
CHECKED_PREFIXES = ("AUT1", "AUT2", "AUT3")

_CODES = r"AUT\d{3}(?:\s*,\s*AUT\d{3})*"
EXPECT_MARKER = re.compile(rf"#\s*(?P<kind>expect|todo-expect):\s*(?P<codes>{_CODES})")
OK_MARKER = re.compile(r"#\s*ok(?::\s*\S.*)?")
# Anything that starts like a marker must parse as one: a typo must not turn a
# marker into a plain comment that checks nothing.
MARKER_LIKE = re.compile(r"#\s*(?:todo[-_ ]?)?(?:expect|ok)\b", re.IGNORECASE)
NOQA = re.compile(r"\bnoqa\b", re.IGNORECASE)

# Tokens that say nothing about whether a line holds code.
_LAYOUT_TOKENS = frozenset(
    {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENCODING,
        tokenize.ENDMARKER,
    }
)


@dataclass
class Markers:
    """The markers of one fixture file, keyed by 1-based line."""

    expected: set[tuple[int, str]] = field(default_factory=set)
    todo: set[tuple[int, str]] = field(default_factory=set)
    ok: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> set[int]:
        return {line for line, _ in self.expected | self.todo} | self.ok


@dataclass(frozen=True)
class Comment:
    line: int
    text: str
    trails_code: bool


def read_comments(source: bytes) -> list[Comment]:
    """The comments of ``source``, each knowing whether code precedes it."""
    comments = []
    code_lines: set[int] = set()
    for token in tokenize.tokenize(io.BytesIO(source).readline):
        if token.type == tokenize.COMMENT:
            line = token.start[0]
            comments.append(Comment(line, token.string, line in code_lines))
        elif token.type not in _LAYOUT_TOKENS:
            code_lines.update((token.start[0], token.end[0]))
    return comments


def read_markers(source: bytes) -> Markers:
    markers = Markers()
    for comment in read_comments(source):
        text = comment.text.strip()
        if not MARKER_LIKE.match(text):
            continue
        if not comment.trails_code:
            markers.problems.append(
                f"{comment.line}: marker on a line without code: {text}"
            )
            continue

        expect = EXPECT_MARKER.fullmatch(text)
        if expect is not None:
            codes = [code.strip() for code in expect["codes"].split(",")]
            _add_codes(markers, comment.line, expect["kind"], codes)
        elif OK_MARKER.fullmatch(text):
            markers.ok.add(comment.line)
        else:
            markers.problems.append(f"{comment.line}: malformed marker: {text}")
    return markers


def _add_codes(markers: Markers, line: int, kind: str, codes: list[str]) -> None:
    if len(set(codes)) != len(codes):
        markers.problems.append(f"{line}: a code is listed twice: {codes}")
    for code in codes:
        if not code.startswith(CHECKED_PREFIXES):
            continue  # Checked by the tests of its own rule family.
        if code not in ENABLED | OPT_IN_RULES:
            markers.problems.append(f"{line}: {code} is not a rule of this corpus")
            continue
        target = markers.expected if kind == "expect" else markers.todo
        target.add((line, code))


def opted_in(source: bytes) -> frozenset[str]:
    """The opt-in rules a fixture selects with ``# fixture-select: AUT204``."""
    match = OPT_IN.search(source)
    if match is None:
        return frozenset()
    codes = {code.strip() for code in match["codes"].decode().split(",")}
    return frozenset(codes & OPT_IN_RULES)


def fixture_id(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def is_docstring_only(source: bytes) -> bool:
    """True for a package ``__init__.py`` that holds no code, only a docstring."""
    body = ast.parse(source).body
    return all(
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        for node in body
    )


@pytest.fixture(scope="module")
def project_index() -> ProjectIndex:
    # One index for the whole tree, so helpers imported from a sibling module
    # (``from .errors import forbidden``) resolve as they would in a project.
    return ProjectIndex()


def test_corpus_is_not_empty() -> None:
    assert FIXTURE_FILES, f"no fixtures found under {FIXTURES}"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=fixture_id)
def test_findings_match_markers(path: Path, project_index: ProjectIndex) -> None:
    source = path.read_bytes()
    markers = read_markers(source)
    findings = check_source(
        source,
        str(path),
        enabled=ENABLED | opted_in(source),
        options=AnalysisOptions(),
        index=project_index,
    )
    reported = {
        (finding.line, finding.code): finding
        for finding in findings
        if finding.code.startswith(CHECKED_PREFIXES)
    }

    missing = markers.expected - reported.keys()
    promoted = markers.todo & reported.keys()
    unexpected = reported.keys() - markers.expected - promoted
    if missing or unexpected or promoted:
        pytest.fail(
            describe_mismatch(path, source, missing, unexpected, promoted, reported),
            pytrace=False,
        )


def describe_mismatch(
    path: Path,
    source: bytes,
    missing: set[tuple[int, str]],
    unexpected: set[tuple[int, str]],
    promoted: set[tuple[int, str]],
    reported: dict[tuple[int, str], Finding],
) -> str:
    lines = source.decode("utf-8").splitlines()

    def show(keys: Iterable[tuple[int, str]], with_message: bool) -> list[str]:
        shown = []
        for line, code in sorted(keys):
            text = lines[line - 1].strip() if 0 < line <= len(lines) else "<no line>"
            shown.append(f"    {line:>4} {code} | {text}")
            if with_message:
                shown.append(f"{'':>16}-> {reported[line, code].message}")
        return shown

    report = [f"{fixture_id(path)}: findings differ from the markers"]
    if missing:
        report.append("  missing (marked `expect`, not reported):")
        report.extend(show(missing, with_message=False))
    if unexpected:
        report.append("  unexpected (reported, not marked `expect`):")
        report.extend(show(unexpected, with_message=True))
    if promoted:
        report.append("  now reported (promote `todo-expect` to `expect`):")
        report.extend(show(promoted, with_message=True))
    return "\n".join(report)


def test_markers_are_well_formed() -> None:
    problems = [
        f"{fixture_id(path)}:{problem}"
        for path in FIXTURE_FILES
        for problem in read_markers(path.read_bytes()).problems
    ]
    assert not problems, "bad markers:\n" + "\n".join(problems)


def test_every_fixture_has_a_marker() -> None:
    unmarked = []
    for path in FIXTURE_FILES:
        source = path.read_bytes()
        if path.name == "__init__.py" and is_docstring_only(source):
            continue
        if not read_markers(source).lines():
            unmarked.append(fixture_id(path))
    assert not unmarked, "fixtures without any marker: " + ", ".join(unmarked)


def test_fixtures_do_not_suppress_findings() -> None:
    suppressed = [
        f"{fixture_id(path)}:{comment.line}: {comment.text}"
        for path in FIXTURE_FILES
        for comment in read_comments(path.read_bytes())
        if NOQA.search(comment.text)
    ]
    assert not suppressed, "fixtures must show raw findings:\n" + "\n".join(suppressed)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=fixture_id)
def test_fixture_parses_as_python_3_9(path: Path) -> None:
    # check_source stays silent on a file it cannot parse when AUT001 is not
    # selected, which would make every marker in it pass for the wrong reason.
    ast.parse(path.read_bytes(), filename=str(path), feature_version=(3, 9))


def test_marker_reader_ignores_strings_and_checks_placement() -> None:
    source = (
        b'message = "# expect: AUT101"\n'
        b"abort(403)  # expect: AUT101, AUT106\n"
        b"# expect: AUT102\n"
        b"abort(401)  # todo-expect: AUT102\n"
        b"abort(403)  # ok: an IP allowlist\n"
        b"abort(403)  # expect AUT101\n"
        b"abort(403)  # expect: AUT901\n"
    )
    markers = read_markers(source)

    assert markers.expected == {(2, "AUT101"), (2, "AUT106")}
    assert markers.todo == {(4, "AUT102")}
    assert markers.ok == {5}
    assert [problem.split(":")[0] for problem in markers.problems] == ["3", "6"]
