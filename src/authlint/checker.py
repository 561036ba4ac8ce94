"""Checks one file's source: parse, extract facts, run rules, place findings."""

from __future__ import annotations

import ast
import contextlib
import functools
import logging
from collections.abc import Collection, Iterator, Mapping
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import cast

import libcst as cst
from libcst.metadata import CodeRange, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from authlint.analysis.extract import extract_facts
from authlint.config import AnalysisOptions
from authlint.files import is_test_code
from authlint.findings import Finding
from authlint.project import ProjectIndex
from authlint.rules import RULES, UNPARSABLE_FILE, Rule

logger = logging.getLogger(__name__)

# Python refuses source with NUL bytes, and text never holds one: a file that
# does is binary data (or corrupted) whatever its name says.
_BINARY_MARK = b"\0"


def check_source(
    source: bytes,
    path: str,
    *,
    enabled: Collection[str],
    options: AnalysisOptions,
    index: ProjectIndex | None = None,
) -> list[Finding]:
    """Return the findings of the ``enabled`` rules for one file's bytes.

    ``path`` labels the findings, resolves the file's relative imports
    through ``index`` and tells test code, which no rule applies to.
    Suppression comments are not applied here: that is the caller's job, so
    that flake8 can apply its own.
    """
    if is_test_code(path):
        return []
    if _BINARY_MARK in source:
        if UNPARSABLE_FILE.code not in enabled:
            return []
        return [_binary(path, source)]
    try:
        module = cst.parse_module(source)
    except Exception as error:
        if UNPARSABLE_FILE.code not in enabled:
            return []
        if _is_encoding_error(error):
            return [unparsable(path, _decoding_error(source, error))]
        return [unparsable(path, error, *_syntax_error_position(source))]

    # A rule runs only where its own trigger words are: the file may have
    # passed the pre-filter on another rule's words alone. Most rules share
    # one list, so each list is looked for once.
    present: dict[tuple[bytes, ...], bool] = {}
    active = []
    for rule in RULES:
        if rule.code not in enabled or rule is UNPARSABLE_FILE:
            continue
        if rule.triggers not in present:
            present[rule.triggers] = not rule.triggers or any(
                word in source for word in rule.triggers
            )
        if present[rule.triggers]:
            active.append(rule)
    if not active:
        return []
    facts = extract_facts(module, path, options, index)
    reports = [(rule, v) for rule in active for v in rule.check(facts)]
    if not reports:
        return []

    # Positions cost a full walk of the tree, so only files with findings pay.
    wanted = {v.node for _, v in reports} | {v.start for _, v in reports if v.start}
    positions = node_positions(module, wanted)
    findings = set()
    for rule, violation in reports:
        where: CodeRange = positions[violation.node]
        if violation.start is not None:
            where = CodeRange(positions[violation.start].start, where.end)
        findings.add(_finding(rule, path, where, violation.message))
    return sorted(findings)


def node_positions(
    module: cst.Module, nodes: AbstractSet[cst.CSTNode]
) -> Mapping[cst.CSTNode, CodeRange]:
    """Where ``nodes`` are, as libcst's ``PositionProvider`` places them.

    One code generation pass that records positions only inside the nodes
    asked for, and stops after the last of them: several times cheaper than
    resolving the provider, which records every node of the module and
    walks the tree twice.
    """
    provider = PositionProvider()
    state = _PositionsOf(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        provider=provider,
        wanted=nodes,
        pending=set(nodes),
    )
    with contextlib.suppress(_AllPlaced):
        module._codegen(state)
    return cast("Mapping[cst.CSTNode, CodeRange]", provider._computed)


@dataclass
class _PositionsOf(PositionProvidingCodegenState):
    """libcst's position-recording code generation, limited to the subtrees
    of the ``wanted`` nodes (a node's syntactic position can be taken from
    its children, so those are recorded too)."""

    wanted: AbstractSet[cst.CSTNode] = frozenset()
    # The wanted nodes not generated yet.
    pending: set[cst.CSTNode] = field(default_factory=set)
    # How many wanted nodes are being generated around the current one.
    _open: int = 0

    def _update_position(self, value: str) -> None:
        if "\n" in value or "\r" in value:
            super()._update_position(value)
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if node in self.wanted:
            self._open += 1
        if self._open:
            super().before_codegen(node)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if self._open:
            super().after_codegen(node)
        if node in self.wanted:
            self._open -= 1
            self.pending.discard(node)
            if not self.pending and not self._open:
                raise _AllPlaced

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        if not self._open:
            yield
            return
        with super().record_syntactic_position(
            node, start_node=start_node, end_node=end_node
        ):
            yield


class _AllPlaced(Exception):
    """Every wanted node has its position: the rest of the module can wait."""


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
    elif isinstance(error, UnicodeDecodeError):
        if line == 0:
            line, column = _offset_position(error.object, error.start)
        bad = error.object[error.start : error.start + 1].hex()
        reason = (
            f"cannot decode as {error.encoding}: byte 0x{bad} is not valid there "
            "(declare the file's encoding with a PEP 263 coding comment)"
        )
    elif isinstance(error, UnicodeError):
        reason = f"cannot decode: {error}"
    elif isinstance(error, RecursionError):
        reason = "nested too deeply to parse"
    elif isinstance(error, cst.CSTLogicError):
        # The parser's own bug, not the file's: newer syntax it mishandles,
        # like implicitly concatenated template strings in libcst 1.9.
        reason = f"libcst's parser failed on this file ({error})"
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


def _binary(path: str, source: bytes) -> Finding:
    line, column = _offset_position(source, source.index(_BINARY_MARK))
    reason = ValueError("not Python source: contains NUL bytes (a binary file?)")
    return unparsable(path, reason, line, column)


def _offset_position(source: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a byte offset."""
    line = source.count(b"\n", 0, offset) + 1
    return line, offset - (source.rfind(b"\n", 0, offset) + 1) + 1


def _is_encoding_error(error: BaseException) -> bool:
    # The standard library's encoding detection reports undecodable first
    # lines as a SyntaxError of its own, before any parsing.
    return type(error) is SyntaxError and "encoding" in str(error)


def _decoding_error(source: bytes, error: Exception) -> Exception:
    """The error that places an undecodable first line at its first bad byte."""
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as decoding:
        return decoding
    return error


def may_need_check(source: bytes, enabled: Collection[str]) -> bool:
    """Whether a file can hold anything the ``enabled`` rules flag.

    A byte-level test run before parsing: most files of a real project
    contain none of the words any rule needs, and parsing is what costs.
    Names taught in ``[tool.authlint]`` need no entry: a denial still has
    to name its status. Selecting AUT001 alone asks for every file to be
    parsed.
    """
    words = _trigger_words(frozenset(enabled))
    if words is None:
        return True
    if UNPARSABLE_FILE.code in enabled and _BINARY_MARK in source:
        # Cheap to tell, and worth telling: binary data named like a module.
        return True
    return any(word in source for word in words)


@functools.lru_cache(maxsize=64)
def _trigger_words(enabled: frozenset[str]) -> tuple[bytes, ...] | None:
    """The words to look for, each once; None when every file qualifies.

    Rules share most of their words, and a word that contains another adds
    nothing (``Http404`` is found by ``404``): each one left is a scan of
    the whole file, which is most of the pre-filter's cost.
    """
    if enabled == {UNPARSABLE_FILE.code}:
        return None
    words = {word for rule in RULES if rule.code in enabled for word in rule.triggers}
    return tuple(
        sorted(
            word
            for word in words
            if not any(other != word and other in word for other in words)
        )
    )
