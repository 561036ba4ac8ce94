"""AUT103 mixed-authn-authz-check: One condition mixes a credential test and a permission test."""

from __future__ import annotations

from collections.abc import Iterator

from authlint.analysis.facts import ModuleFacts
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
        return iter(())
