"""AUT105 framework-turns-401-into-403: Framework configuration makes credential failures come out as 403."""

from __future__ import annotations

from collections.abc import Iterator

from authlint.analysis.facts import ModuleFacts
from authlint.rules.base import Rule, Violation


class FrameworkTurns401Into403(Rule):
    """
    ## What it does
    TODO
    """

    code = "AUT105"
    name = "framework-turns-401-into-403"
    summary = "Framework configuration makes credential failures come out as 403"

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for issue in facts.framework_issues:
            yield Violation(issue.node, issue.message)
