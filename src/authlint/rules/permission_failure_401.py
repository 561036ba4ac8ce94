"""AUT102 permission-failure-401: Permission failure of a known caller answered with 401."""

from __future__ import annotations

from collections.abc import Iterator

from authlint.analysis.facts import ModuleFacts
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
        return iter(())
