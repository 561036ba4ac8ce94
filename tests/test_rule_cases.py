"""Every rule's own VALID and INVALID cases, checked exactly: code and lines."""

from __future__ import annotations

import pytest

from authlint.checker import check_source
from authlint.config import AnalysisOptions
from authlint.rules import RULES, Invalid, Rule

# AUT001 is reported by the checker before any rule runs; its cases are a
# courtesy, not a requirement.
_CASES_REQUIRED = [rule for rule in RULES if rule.code != "AUT001"]
_MIN_VALID = 3
_MIN_INVALID = 3


def _valid_cases() -> list[pytest.ParameterSet]:
    return [
        pytest.param(rule, source, id=f"{rule.code}-valid-{number}")
        for rule in RULES
        for number, source in enumerate(rule.VALID, start=1)
    ]


def _invalid_cases() -> list[pytest.ParameterSet]:
    return [
        pytest.param(rule, case, id=f"{rule.code}-invalid-{number}")
        for rule in RULES
        for number, case in enumerate(rule.INVALID, start=1)
    ]


def _lines_reported(rule: Rule, source: str) -> list[int]:
    findings = check_source(
        source.encode(),
        "case.py",
        enabled={rule.code},
        options=AnalysisOptions(),
        index=None,
    )
    return sorted(f.line for f in findings if f.code == rule.code)


@pytest.mark.parametrize(("rule", "source"), _valid_cases())
def test_valid_case_is_not_reported(rule: Rule, source: str) -> None:
    assert _lines_reported(rule, source) == []


@pytest.mark.parametrize(("rule", "case"), _invalid_cases())
def test_invalid_case_is_reported_on_exactly_its_lines(
    rule: Rule, case: Invalid
) -> None:
    assert case.lines, "an invalid case must name the lines it expects"
    assert _lines_reported(rule, case.code) == sorted(case.lines)


@pytest.mark.parametrize("rule", _CASES_REQUIRED, ids=lambda rule: rule.code)
def test_rule_has_enough_cases(rule: Rule) -> None:
    assert len(rule.VALID) >= _MIN_VALID, f"{rule.code}: too few VALID cases"
    assert len(rule.INVALID) >= _MIN_INVALID, f"{rule.code}: too few INVALID cases"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_cases_are_distinct_and_well_formed(rule: Rule) -> None:
    sources = [*rule.VALID, *(case.code for case in rule.INVALID)]
    assert len(sources) == len(set(sources)), f"{rule.code}: a case is repeated"
    for case in rule.INVALID:
        assert isinstance(case, Invalid)
        # Line numbers count from the first line of code, so no case may
        # start with a blank line.
        assert not case.code.startswith("\n")
        assert all(1 <= line <= len(case.code.splitlines()) for line in case.lines)
    assert not any(source.startswith("\n") for source in rule.VALID)
