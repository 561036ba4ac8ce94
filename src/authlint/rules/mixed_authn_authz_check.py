"""AUT103 mixed-authn-authz-check: One condition mixes a credential test and a permission test."""

from __future__ import annotations

from collections.abc import Iterator

from authlint.analysis.facts import FailureKind, ModuleFacts
from authlint.rules.base import Rule, Violation


class MixedAuthnAuthzCheck(Rule):
    """
    ## What it does
    TODO
    """

    code = "AUT103"
    name = "mixed-authn-authz-check"
    summary = "One condition mixes a credential test and a permission test"

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        seen: set[int] = set()
        for denial in facts.denials:
            evidence = denial.evidence
            if evidence is None or evidence.kind is not FailureKind.MIXED:
                continue
            condition = evidence.condition
            if condition is None or id(condition) in seen:
                continue
            seen.add(id(condition))
            opening = getattr(condition, "lpar", ())
            yield Violation(
                condition,
                f"`{facts.code(condition)}` mixes a credential test with a "
                f"permission test and answers both with {denial.status}; split "
                "it: 401 when the caller is not authenticated, 403 when a "
                "known caller lacks the permission",
                start=opening[0] if opening else None,
            )
