"""AUT001 unparsable-file: a file that could not be checked at all."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import ClassVar

from authlint.analysis.facts import ModuleFacts
from authlint.findings import Severity
from authlint.rules.base import Invalid, Rule, Violation


class UnparsableFile(Rule):
    """
    ## What it does
    Reports a file that authlint could not read, decode or parse, so none of
    its other rules looked at it.

    ## Why is this bad?
    A file that is not checked can hide every mistake the other rules look
    for. A clean run should mean "checked and clean", not "skipped".

    ## Example
    A syntax error, here a Python 2 `print` statement left in a module:

    ```python
    from flask import abort


    def deny():
        print "denied"
        abort(401)
    ```

    Bytes that are not valid in the file's declared encoding (UTF-8 unless a
    PEP 263 coding comment says otherwise), or binary data with a `.py` name,
    are reported the same way.

    ## Use instead
    ```python
    from flask import abort


    def deny():
        print("denied")
        abort(401)
    ```

    Fix the syntax or the encoding, or exclude the file (`exclude` or
    `extend-exclude` in `[tool.authlint]`) if it is not Python source.

    ## References
    - PEP 263, Defining Python Source Code Encodings:
      <https://peps.python.org/pep-0263/>

    ## Known problems
    - The line reported is where libcst's parser gave up, which can be a line
      or more after the actual mistake (an unclosed bracket is reported where
      the parser ran out of input). The message keeps the parser's own text.
    - A few forms that Python rejects are accepted by libcst's grammar
      (`except ValueError, exc:`), so such a file is checked, not reported.
    """

    code = "AUT001"
    name = "unparsable-file"
    summary = "File could not be read, decoded or parsed, so it was not checked"
    severity: ClassVar[Severity] = Severity.ERROR

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        # Reported by the checker itself, before there are any facts.
        return iter(())

    VALID = (
        # Syntax newer than the oldest supported Python still parses.
        textwrap.dedent("""\
            def status_for(failure):
                match failure:
                    case {"kind": "credential"}:
                        return 401
                    case {"kind": "permission"}:
                        return 403
                    case _:
                        return 400
            """),
        textwrap.dedent("""\
            def describe(headers):
                return f"scheme: {headers["Authorization"].split()[0]}"
            """),
        textwrap.dedent("""\
            from .tokens import decode


            def claims(raw):
                try:
                    return decode(raw)
                except* ValueError:
                    return None
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                from flask import abort


                def deny():
                    abort(401)
                        return None
                """),
            lines=(6,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                import os
                print "token file:", os.environ["TOKEN_FILE"]
                """),
            lines=(2,),
        ),
    )
