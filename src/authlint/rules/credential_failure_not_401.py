"""AUT101 credential-failure-not-401: Credential failure answered with a status other than 401."""

from __future__ import annotations

from collections.abc import Iterator

from authlint.analysis.facts import FailureKind, ModuleFacts
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
        for denial in facts.denials:
            evidence = denial.evidence
            if evidence is None or evidence.kind is not FailureKind.CREDENTIAL:
                continue
            if denial.status in (400, 401):
                continue
            yield Violation(
                denial.node,
                f"Credential failure answered with {denial.status}: "
                f"{evidence.reason} means the caller is not authenticated; "
                "answer 401 with a `WWW-Authenticate` challenge",
            )
