"""AUT001 unparsable-file: a file that could not be checked at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from authlint.analysis.facts import ModuleFacts
from authlint.findings import Severity
from authlint.rules.base import Rule, Violation


class UnparsableFile(Rule):
    """
    ## What it does
    Reports a file that authlint could not read, decode or parse, so none of
    its other rules looked at it.

    ## Why is this bad?
    A file that is not checked can hide every mistake the other rules look
    for. A clean run should mean "checked and clean", not "skipped".

    ## Example
    A file with a syntax error, bytes that are not valid in its declared
    encoding (UTF-8 unless a PEP 263 coding comment says otherwise), or
    binary data with a `.py` name.

    ## Use instead
    Fix the syntax or the encoding, or exclude the file (`exclude` or
    `extend-exclude` in `[tool.authlint]`) if it is not Python source.

    ## References
    - PEP 263, Defining Python Source Code Encodings
    """

    code = "AUT001"
    name = "unparsable-file"
    summary = "File could not be read, decoded or parsed, so it was not checked"
    severity: ClassVar[Severity] = Severity.ERROR

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        # Reported by the checker itself, before there are any facts.
        return iter(())
