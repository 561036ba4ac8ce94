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
        seen: set[int] = set()
        for denial in facts.denials:
            handler = denial.broad_except
            if handler is None or denial.status not in (401, 403):
                continue
            if id(handler) in seen:
                continue
            seen.add(id(handler))
            yield Violation(
                handler.type or handler,
                f"{denial.broad_except_text} answers {denial.status}: errors "
                "that have nothing to do with the caller's credentials (a "
                "database or network failure, a bug) turn into auth denials; "
                "catch the token library's own exceptions instead",
            )
