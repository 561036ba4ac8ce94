"""The byte-level pre-filter never skips a file that a rule would flag."""

from __future__ import annotations

from pathlib import Path

import pytest

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
