"""AUT101 credential-failure-not-401: Credential failure answered with a status other than 401."""

from __future__ import annotations

from collections.abc import Iterator

from authlint.analysis.facts import ModuleFacts
from authlint.rules.base import Rule, Violation


class CredentialFailureNot401(Rule):
    """
    ## What it does
    TODO
    """

    code = "AUT101"
    name = "credential-failure-not-401"
    summary = "Credential failure answered with a status other than 401"

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        return iter(())
