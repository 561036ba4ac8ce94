"""Every rule's metadata and documentation: shape, names, and true examples."""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst
import pytest

from authlint.checker import check_source
from authlint.cli import main
from authlint.config import AnalysisOptions
from authlint.rules import RULES, RULES_BY_CODE, Rule

SECTIONS = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "References",
    "Known problems",
)
# A file that cannot be parsed has no analysis to fall short.
OPTIONAL_SECTIONS = {"AUT001": {"Known problems"}}

_CODE = re.compile(r"AUT\d{3}")
_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_HEADING = re.compile(r"^## (.+)$", re.MULTILINE)
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _sections(rule: Rule) -> dict[str, str]:
    """The documentation's sections by heading, in the order written."""
    text = rule.documentation()
    headings = list(_HEADING.finditer(text))
    return {
        match.group(1).strip(): text[
            match.end() : headings[i + 1].start() if i + 1 < len(headings) else None
        ]
        for i, match in enumerate(headings)
    }


def _python_blocks(text: str) -> list[str]:
    return _PYTHON_BLOCK.findall(text)


def _findings(rule: Rule, source: str) -> list[int]:
    findings = check_source(
        source.encode(),
        "example.py",
        enabled={rule.code},
        options=AnalysisOptions(),
        index=None,
    )
    return [f.line for f in findings if f.code == rule.code]


by_code = pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)


@by_code
def test_documentation_has_the_sections_in_order(rule: Rule) -> None:
    optional = OPTIONAL_SECTIONS.get(rule.code, set())
    expected = [s for s in SECTIONS if s not in optional or s in _sections(rule)]
    assert rule.documentation().startswith("## What it does")
    assert list(_sections(rule)) == expected


@by_code
def test_every_section_has_text(rule: Rule) -> None:
    for heading, body in _sections(rule).items():
        assert body.strip(), f"{rule.code}: section {heading!r} is empty"


@by_code
def test_example_and_fix_show_python(rule: Rule) -> None:
    sections = _sections(rule)
    assert _python_blocks(sections["Example"]), f"{rule.code}: no example code"
    assert _python_blocks(sections["Use instead"]), f"{rule.code}: no fixed code"


@by_code
def test_code_blocks_parse(rule: Rule) -> None:
    for heading, body in _sections(rule).items():
        if rule.code == "AUT001" and heading == "Example":
            continue  # its example is a file that does not parse
        for block in _python_blocks(body):
            cst.parse_module(block)


@by_code
def test_example_is_flagged_and_fix_is_not(rule: Rule) -> None:
    sections = _sections(rule)
    for block in _python_blocks(sections["Example"]):
        assert _findings(rule, block), f"{rule.code}: the example is not flagged"
    for block in _python_blocks(sections["Use instead"]):
        assert _findings(rule, block) == [], f"{rule.code}: the fix is flagged"


@by_code
def test_summary_is_one_line_without_period(rule: Rule) -> None:
    assert rule.summary.strip() == rule.summary
    assert rule.summary
    assert "\n" not in rule.summary
    assert not rule.summary.endswith(".")
    assert rule.summary[0].isupper()


@by_code
def test_code_and_name_are_well_formed(rule: Rule) -> None:
    assert _CODE.fullmatch(rule.code)
    assert _KEBAB.fullmatch(rule.name)
    module = type(rule).__module__.rsplit(".", 1)[-1]
    expected = rule.name.replace("-", "_")
    if expected.isidentifier():
        assert module == expected
    else:
        # ``401-without-challenge`` cannot be a module name: the status is
        # spelled as a word and the rest of the name is kept.
        assert module.endswith(expected.lstrip("0123456789"))


@by_code
def test_cwe_ids_are_positive_integers(rule: Rule) -> None:
    assert isinstance(rule.cwe, tuple)
    assert all(isinstance(cwe, int) and cwe > 0 for cwe in rule.cwe)
    assert list(rule.cwe) == sorted(set(rule.cwe))


def test_codes_and_names_are_unique() -> None:
    codes = [rule.code for rule in RULES]
    names = [rule.name for rule in RULES]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))


def test_rules_are_in_code_order() -> None:
    codes = [rule.code for rule in RULES]
    assert codes == sorted(codes)


DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_the_docs_page_is_the_rules_own_documentation(rule: Rule) -> None:
    # Regenerate with: for c in $(authlint rules | awk 'NR>1 {print $1}');
    # do authlint rule $c > docs/rules/$c.md; done
    page = DOCS / f"{rule.code}.md"
    assert page.read_text(encoding="utf-8") == rule.page()


def test_every_docs_page_belongs_to_a_rule() -> None:
    assert sorted(p.stem for p in DOCS.glob("*.md")) == sorted(r.code for r in RULES)


def test_the_rule_command_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "aut203"]) == 0
    assert capsys.readouterr().out == RULES_BY_CODE["AUT203"].page()
