"""The shape every rule shares: metadata, documentation, cases and a check."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import libcst as cst

from authlint.findings import Severity

if TYPE_CHECKING:
    from authlint.analysis.facts import ModuleFacts


@dataclass(frozen=True)
class Violation:
    """A rule's verdict on one node, before it has a file position."""

    node: cst.CSTNode
    message: str
    # Where the reported range starts when not at ``node``: the opening
    # parenthesis of a condition written across lines.
    start: cst.CSTNode | None = None


@dataclass(frozen=True)
class Invalid:
    """A code sample the rule must flag, on exactly these 1-based lines."""

    code: str
    lines: tuple[int, ...]


class Rule:
    """Base class of all rules.

    The class docstring is the rule's documentation, in the sections ``What it
    does``, ``Why is this bad?``, ``Example``, ``Use instead``, ``References``
    and ``Known problems``. ``authlint rule CODE``, SARIF and the docs all read
    it from there. ``VALID`` and ``INVALID`` are run by the test suite.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    default_enabled: ClassVar[bool] = True
    severity: ClassVar[Severity] = Severity.ERROR
    cwe: ClassVar[tuple[int, ...]] = ()
    # Bytes a file must contain for this rule to have anything to say; files
    # with none of the enabled rules' triggers are never parsed.
    triggers: ClassVar[tuple[bytes, ...]] = ()
    VALID: ClassVar[tuple[str, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def default_state(cls) -> str:
        """``on`` or ``off``: whether the rule runs unless selected."""
        return "on" if cls.default_enabled else "off"

    @classmethod
    def page(cls) -> str:
        """The rule's documentation page: what ``authlint rule CODE`` prints
        and ``docs/rules/CODE.md`` holds."""
        heading = f"# {cls.code} {cls.name} ({cls.default_state()} by default)"
        return f"{heading}\n\n{cls.documentation()}\n"

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        raise NotImplementedError
