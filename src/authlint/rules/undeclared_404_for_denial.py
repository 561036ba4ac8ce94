"""AUT106 undeclared-404-for-denial: Authorization failure hidden behind 404 without a marker."""

from __future__ import annotations

from collections.abc import Iterator

from authlint.analysis.facts import FailureKind, ModuleFacts
from authlint.rules.base import Rule, Violation


class Undeclared404ForDenial(Rule):
    """
    ## What it does
    TODO
    """

    code = "AUT106"
    name = "undeclared-404-for-denial"
    summary = "Authorization failure hidden behind 404 without a marker"
    default_enabled = False

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for denial in facts.denials:
            evidence = denial.evidence
            if evidence is None or evidence.kind is not FailureKind.PERMISSION:
                continue
            if denial.status != 404:
                continue
            yield Violation(
                denial.node,
                f"Authorization failure answered with 404: {evidence.reason} "
                "refuses a known caller; if hiding the resource is deliberate, "
                "say so with `# noqa: AUT106`, otherwise answer 403",
            )
