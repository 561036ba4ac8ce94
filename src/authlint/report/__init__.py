"""Output formats: each turns the sorted findings of a run into one text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from authlint.findings import Finding, Severity
from authlint.rules import Rule


@dataclass(frozen=True)
class ReportContext:
    """What a format may need beyond the findings themselves."""

    # The rules that ran, in registry order (SARIF describes each one).
    rules: tuple[Rule, ...] = ()
    # Paths in SARIF and GitHub annotations are relative to this directory:
    # the repository's top, where code scanning resolves them.
    root: Path = field(default_factory=Path.cwd)
    # Each rule's level after the configuration's overrides.
    severities: Mapping[str, Severity] = field(default_factory=dict)
    # Identities that survive edits elsewhere in the file, per finding.
    fingerprints: Mapping[Finding, str] = field(default_factory=dict)

    def severity_of(self, rule: Rule) -> Severity:
        return self.severities.get(rule.code, rule.severity)


# Every format has the same shape: the findings in report order and the run's
# context, in; the whole report, out.
Renderer = Callable[[Sequence[Finding], ReportContext], str]


def _formats() -> dict[str, Renderer]:
    # Imported here: the format modules import ReportContext from this one.
    from authlint.report import github, json, sarif, text

    return {
        "text": text.render,
        "json": json.render,
        "sarif": sarif.render,
        "github": github.render,
    }


FORMATS: dict[str, Renderer] = _formats()

__all__ = ["FORMATS", "Renderer", "ReportContext"]
