"""AUT104 broad-except-auth-status: Broad or unrelated exception handler answers 401 or 403."""

from __future__ import annotations

from collections.abc import Iterator

from authlint.analysis.facts import ModuleFacts
from authlint.rules.base import Rule, Violation


class BroadExceptAuthStatus(Rule):
    """
    ## What it does
    TODO
    """

    code = "AUT104"
    name = "broad-except-auth-status"
    summary = "Broad or unrelated exception handler answers 401 or 403"

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        return iter(())
