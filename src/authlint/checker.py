"""Checks one file's source: parse, extract facts, run rules, place findings."""

from __future__ import annotations

import ast
import logging
from collections.abc import Collection

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from authlint.analysis.extract import extract_facts
from authlint.config import AnalysisOptions
from authlint.findings import Finding
from authlint.project import ProjectIndex
from authlint.rules import RULES, UNPARSABLE_FILE, Rule

logger = logging.getLogger(__name__)


def check_source(
    source: bytes,
    path: str,
    *,
    enabled: Collection[str],
    options: AnalysisOptions,
    index: ProjectIndex | None = None,
) -> list[Finding]:
    """Return the findings of the ``enabled`` rules for one file's bytes.

    ``path`` is only used to label the findings and to resolve the file's
    relative imports through ``index``. Suppression comments are not applied
    here: that is the caller's job, so that flake8 can apply its own.
    """
    try:
        module = cst.parse_module(source)
    except Exception as error:
        if UNPARSABLE_FILE.code not in enabled:
            return []
        return [unparsable(path, error, *_syntax_error_position(source))]

    active = [rule for rule in RULES if rule.code in enabled and rule.code != "AUT001"]
    if not active:
        return []
    facts = extract_facts(module, path, options, index)
    reports = [(rule, v) for rule in active for v in rule.check(facts)]
    if not reports:
        return []

    # Positions cost a full walk of the tree, so only files with findings pay.
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    findings = set()
    for rule, violation in reports:
        where: CodeRange = positions[violation.node]
        if violation.start is not None:
            where = CodeRange(positions[violation.start].start, where.end)
        findings.add(_finding(rule, path, where, violation.message))
    return sorted(findings)


def _finding(rule: Rule, path: str, where: CodeRange, message: str) -> Finding:
    return Finding(
        path=path,
        line=where.start.line,
        column=where.start.column + 1,
        code=rule.code,
        message=message,
        end_line=where.end.line,
        end_column=where.end.column + 1,
        name=rule.name,
        severity=rule.severity,
    )


def _syntax_error_position(source: bytes) -> tuple[int, int]:
    """Where Python itself places a syntax error; libcst's own position is
    often a line late (it reports where it gave up, not what was wrong)."""
    try:
        ast.parse(source)
    except SyntaxError as error:
        return error.lineno or 1, error.offset or 1
    except Exception:  # a file ast cannot read either: no better position
        return 0, 0
    return 0, 0


def unparsable(
    path: str, error: BaseException, line: int = 0, column: int = 0
) -> Finding:
    """The AUT001 finding for a file that could not be read, decoded or parsed.

    ``line`` and ``column`` (1-based) place it when known; 0 means unknown.
    """
    if isinstance(error, cst.ParserSyntaxError):
        if line == 0:
            line, column = error.raw_line, error.raw_column + 1
        reason = f"syntax error: {error.message}"
    elif isinstance(error, UnicodeError):
        reason = f"cannot decode: {error}"
    elif isinstance(error, RecursionError):
        reason = "nested too deeply to parse"
    else:
        reason = str(error) or type(error).__name__
    reason = " ".join(reason.split())
    return Finding(
        path=path,
        line=max(line, 1),
        column=max(column, 1),
        code=UNPARSABLE_FILE.code,
        message=f"File not checked: {reason}",
        end_line=max(line, 1),
        end_column=max(column, 1),
        name=UNPARSABLE_FILE.name,
        severity=UNPARSABLE_FILE.severity,
    )


def may_need_check(source: bytes, enabled: Collection[str]) -> bool:
    """Whether a file can hold anything the ``enabled`` rules flag.

    A byte-level test run before parsing: most files of a real project
    contain none of the words any rule needs, and parsing is what costs.
    Names taught in ``[tool.authlint]`` need no entry: a denial still has
    to name its status. Selecting AUT001 alone asks for every file to be
    parsed.
    """
    if set(enabled) == {UNPARSABLE_FILE.code}:
        return True
    return any(
        word in source
        for rule in RULES
        if rule.code in enabled
        for word in rule.triggers
    )
