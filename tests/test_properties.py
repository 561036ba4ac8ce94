"""Generated inputs: every file is checked or reported, the same way every time.

Three sources of input: valid programs generated from Python's grammar
(hypothesmith), real handler modules from the fixtures damaged in random ways
(lines dropped, duplicated, swapped, cut short, statuses swapped, junk
inserted), and sets of such files checked in random orders.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import hypothesmith
from hypothesis import given
from hypothesis import strategies as st

from authlint import engine
from authlint.checker import check_source
from authlint.config import AnalysisOptions
from authlint.engine import CheckPlan
from authlint.files import Discovery
from authlint.findings import Finding
from authlint.rules import RULES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLES = sorted(FIXTURES.rglob("*.py"))
EVERY_CODE = frozenset(rule.code for rule in RULES)
PLAN = CheckPlan(enabled=EVERY_CODE)


def check(source: bytes, path: str = "generated.py") -> list[Finding]:
    return check_source(
        source, path, enabled=EVERY_CODE, options=AnalysisOptions(), index=None
    )


def assert_well_formed(findings: list[Finding], lines: int) -> None:
    codes = {finding.code for finding in findings}
    assert codes <= EVERY_CODE
    if "AUT001" in codes:
        # A file that was not checked has nothing else to say.
        assert len(findings) == 1
    for finding in findings:
        assert 1 <= finding.line <= max(lines, 1) + 1
        assert (finding.end_line, finding.end_column) >= (finding.line, finding.column)


@given(hypothesmith.from_grammar())
def test_generated_programs_are_checked_the_same_way_twice(source: str) -> None:
    raw = source.encode("utf-8", "surrogatepass")

    findings = check(raw)

    assert_well_formed(findings, raw.count(b"\n"))
    assert check(raw) == findings


@st.composite
def damaged_modules(draw: st.DrawFn) -> bytes:
    """A fixture module with a few random kinds of damage."""
    lines = draw(st.sampled_from(SAMPLES)).read_bytes().splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        where = draw(st.integers(0, len(lines) - 1))
        damage = draw(
            st.sampled_from(["drop", "repeat", "swap", "cut", "status", "junk"])
        )
        if damage == "drop":
            del lines[where]
        elif damage == "repeat":
            lines.insert(where, lines[where])
        elif damage == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[where], lines[other] = lines[other], lines[where]
        elif damage == "cut":
            lines[where] = lines[where][: draw(st.integers(0, len(lines[where])))]
            del lines[where + 1 :]
        elif damage == "status":
            old, new = draw(st.permutations([b"401", b"403"]))
            lines[where] = lines[where].replace(old, new)
        else:
            junk = draw(st.binary(max_size=12) | st.sampled_from(JUNK))
            lines.insert(where, junk)
    return b"".join(lines)


# Fragments that break the structure in ways random bytes rarely do.
JUNK = [b"(\n", b"]\n", b"    return\n", b"\tif x:\n", b'"""\n', b"else:\n", b"\\\n"]


@given(damaged_modules())
def test_damaged_modules_are_checked_or_reported_never_crash(source: bytes) -> None:
    findings = check(source)

    assert_well_formed(findings, source.count(b"\n"))
    assert check(source) == findings


@given(
    st.lists(st.sampled_from(SAMPLES), min_size=2, max_size=8, unique=True),
    st.data(),
)
def test_findings_do_not_depend_on_file_order(
    samples: list[Path], data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        paths = []
        for sample in samples:
            # Keep the fixtures' layout: some import each other.
            path = Path(directory, sample.relative_to(FIXTURES))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(sample.read_bytes())
            paths.append(str(path))
        shuffled = data.draw(st.permutations(paths))

        in_order = engine.run(Discovery(tuple(sorted(paths))), PLAN)
        shuffled_run = engine.run(Discovery(tuple(shuffled)), PLAN)

    assert shuffled_run.findings == in_order.findings
    assert shuffled_run.files_checked == in_order.files_checked
    assert shuffled_run.failures == in_order.failures == ()
