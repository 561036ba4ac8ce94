"""AUT106 undeclared-404-for-denial: Authorization failure hidden behind 404 without a marker."""

from __future__ import annotations

from collections.abc import Iterator

from authlint.analysis.facts import ModuleFacts
from authlint.rules.base import Rule, Violation


class Undeclared404ForDenial(Rule):
    """
    ## What it does
    TODO
    """

    code = "AUT106"
    name = "undeclared-404-for-denial"
    summary = "Authorization failure hidden behind 404 without a marker"

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        return iter(())
