"""The facts of one module that rules read."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from authlint.config import AnalysisOptions

if TYPE_CHECKING:
    from authlint.analysis.retries import ClientFacts
    from authlint.analysis.symbols import ModuleSymbols


class FailureKind(enum.Enum):
    """Why a request is refused, as far as the code's evidence tells."""

    CREDENTIAL = "credential"
    PERMISSION = "permission"
    MIXED = "mixed"


@dataclass(frozen=True)
class Evidence:
    """What decided a denial's failure kind, worded for a message."""

    kind: FailureKind
    reason: str
    # The condition that mixes both kinds, for a MIXED verdict.
    condition: cst.CSTNode | None = None


@dataclass(frozen=True)
class Denial:
    """A response or exception that answers 401, 403 or 404 at a known place."""

    node: cst.CSTNode
    status: int
    evidence: Evidence | None
    # The innermost ``except`` clause the denial is answered from, when that
    # clause catches everything or only errors that have nothing to do with
    # authentication; with the clause's wording for a message.
    broad_except: cst.ExceptHandler | None = None
    broad_except_text: str = ""
    # The returned, raised or called expression that makes the denial, the
    # statement it is in, and the function around it.
    value: cst.BaseExpression | None = None
    statement: cst.BaseSmallStatement | None = None
    function: cst.FunctionDef | None = None


@dataclass(frozen=True)
class FrameworkIssue:
    """Framework configuration that turns credential failures into 403."""

    node: cst.CSTNode
    message: str


@dataclass
class ModuleFacts:
    path: str
    module: cst.Module
    denials: list[Denial] = field(default_factory=list)
    framework_issues: list[FrameworkIssue] = field(default_factory=list)
    symbols: ModuleSymbols | None = field(default=None, repr=False)
    options: AnalysisOptions = field(default_factory=AnalysisOptions)
    # Facts only some rules read, computed on first use by the analysis
    # module that owns them (``bodies``, ``challenges``).
    lazy: dict[str, object] = field(default_factory=dict)
    _client: ClientFacts | None = field(default=None, init=False, repr=False)

    @property
    def client(self) -> ClientFacts:
        """Client-side retries, read only when a client rule asks for them."""
        if self._client is None:
            from authlint.analysis.retries import client_facts
            from authlint.analysis.symbols import ModuleSymbols

            symbols = self.symbols or ModuleSymbols(self.module, path=self.path)
            self._client = client_facts(symbols)
        return self._client

    def code(self, node: cst.CSTNode) -> str:
        return source_text(self.module, node)


def source_text(module: cst.Module, node: cst.CSTNode, limit: int = 60) -> str:
    """Source of a node on one line, shortened for a message."""
    text = " ".join(module.code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
