"""The byte-level pre-filter never skips a file that a rule would flag."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from authlint.analysis import retries
from authlint.checker import check_source, may_need_check
from authlint.config import AnalysisOptions
from authlint.project import ProjectIndex
from authlint.rules import RULES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALL_CODES = frozenset(rule.code for rule in RULES if rule.code != "AUT001")
OPTIONS = AnalysisOptions()


@pytest.mark.parametrize(
    "path",
    sorted(FIXTURES.rglob("*.py")),
    ids=lambda p: str(p.relative_to(FIXTURES)),
)
def test_no_fixture_with_findings_is_filtered_out(path: Path) -> None:
    source = path.read_bytes()
    findings = check_source(
        source, str(path), enabled=ALL_CODES, options=OPTIONS, index=ProjectIndex()
    )
    for finding in findings:
        assert may_need_check(source, {finding.code}), finding


@pytest.mark.parametrize(
    ("code", "source"),
    [
        (rule.code, case.code)
        for rule in RULES
        if rule.code != "AUT001"
        for case in rule.INVALID
    ],
)
def test_no_invalid_rule_case_is_filtered_out(code: str, source: str) -> None:
    assert may_need_check(source.encode(), {code})


def test_a_file_without_any_trigger_is_skipped() -> None:
    source = b"def add(a, b):\n    return a + b\n"
    assert not may_need_check(source, ALL_CODES)


def test_selecting_only_unparsable_file_parses_everything() -> None:
    assert may_need_check(b"x = 1\n", {"AUT001"})


def test_disabling_every_rule_filters_every_file() -> None:
    assert not may_need_check(b"abort(403)\n", set())


# Generated variants: fixtures with unrelated lines added, lines removed and
# names changed. Whatever a variant still gets flagged for, the pre-filter
# must pass it on to be parsed.

FLAGGED = [
    path for path in sorted(FIXTURES.rglob("*.py")) if b"# expect:" in path.read_bytes()
]
UNRELATED_LINES = [
    "total = sum(range(10))",
    "# a comment about nothing in particular",
    "",
    "import os",
    "value = {'key': [1, 2, 3]}",
    "pass",
    "logger.info('done %s', 42)",
    "items = [item for item in range(3) if item]",
]
_NAME = re.compile(r"\b[a-z_][a-z0-9_]*\b")


@st.composite
def variants(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(FLAGGED))
    lines = path.read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        where = draw(st.integers(min_value=0, max_value=len(lines)))
        change = draw(st.sampled_from(["add", "remove", "rename"]))
        if change == "add":
            # Indented like the line it goes before, so it mostly still parses.
            after = lines[where] if where < len(lines) else ""
            indent = after[: len(after) - len(after.lstrip())]
            lines.insert(where, indent + draw(st.sampled_from(UNRELATED_LINES)))
        elif change == "remove" and where < len(lines):
            del lines[where]
        elif change == "rename":
            names = sorted(set(_NAME.findall("\n".join(lines))))
            if names:
                old = draw(st.sampled_from(names))
                new = draw(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True))
                pattern = re.compile(rf"\b{re.escape(old)}\b")
                lines = [pattern.sub(new, line) for line in lines]
    return str(path), ("\n".join(lines) + "\n").encode()


@settings(max_examples=40, deadline=None)
@given(variants())
def test_no_generated_variant_with_findings_is_filtered_out(
    variant: tuple[str, bytes],
) -> None:
    path, source = variant
    findings = check_source(
        source, path, enabled=ALL_CODES, options=OPTIONS, index=ProjectIndex()
    )
    for finding in findings:
        assert may_need_check(source, {finding.code}), finding


def test_a_rule_runs_only_where_its_own_words_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # ``404`` lets this view past the pre-filter for the denial rules; the
    # client rules need a 401 or 403, so their analysis must not even start.
    def client_facts(symbols: object) -> None:
        raise AssertionError("the client analysis ran")

    monkeypatch.setattr(retries, "client_facts", client_facts)
    source = (
        b"from django.shortcuts import get_object_or_404\n\n\n"
        b"def detail(request, pk):\n"
        b"    return get_object_or_404(Item, pk=pk)\n"
    )

    assert may_need_check(source, ALL_CODES)
    assert check_source(source, "views.py", enabled=ALL_CODES, options=OPTIONS) == []
