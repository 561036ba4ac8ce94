"""AUT102 permission-failure-401: Permission failure of a known caller answered with 401."""

from __future__ import annotations

from collections.abc import Iterator

from authlint.analysis.facts import FailureKind, ModuleFacts
from authlint.rules.base import Rule, Violation


class PermissionFailure401(Rule):
    """
    ## What it does
    TODO
    """

    code = "AUT102"
    name = "permission-failure-401"
    summary = "Permission failure of a known caller answered with 401"

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for denial in facts.denials:
            evidence = denial.evidence
            if evidence is None or evidence.kind is not FailureKind.PERMISSION:
                continue
            if denial.status != 401:
                continue
            yield Violation(
                denial.node,
                f"Permission failure answered with 401: {evidence.reason} "
                "refuses a caller who is already known; answer 403 so the "
                "client stops instead of retrying with new credentials",
            )
