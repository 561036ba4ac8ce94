"""AUT204: a 401/403 answered with no log record of why (opt-in)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import libcst as cst

from authlint.analysis.bodies import construction_of
from authlint.analysis.facts import Denial, ModuleFacts
from authlint.analysis.guards import split_words
from authlint.analysis.imports import dotted_name, terminal_name
from authlint.analysis.responses import DENIAL_TRIGGERS
from authlint.analysis.symbols import blocks, suite_statements
from authlint.findings import Severity
from authlint.frameworks import vocabulary
from authlint.rules.base import Invalid, Rule, Violation


class DenialNotLogged(Rule):
    """
    ## What it does
    Flags a 401 or 403 answered on a path with no logging call before it in
    the same block: no `logger.warning(...)`, `logging.info(...)`,
    `log.error(...)`, `current_app.logger.info(...)`, structlog call, or
    `log_*`/`audit*` function of the project. A logging call inside the
    project helper or exception class the denial goes through counts too.

    This rule is off by default: select it (`extend-select = ["AUT204"]`)
    when every denial must leave a trace.

    ## Why is this bad?
    A generic body (see AUT201, AUT202) is only half of the practice: the
    specific reason (which credential failed and how, which permission was
    missing, for which identity and request) has to be recorded on the
    server, or nobody can tell a misconfigured client from a credential
    stuffing attack, answer a user's "why was I refused?", or notice a spike
    of expired tokens after a key rotation. NIST CSF 2.0 (DE.CM, PR.AA) and
    the OWASP Logging Cheat Sheet list authentication and authorization
    failures among the events to record.

    ## Example
    ```python
    from fastapi import HTTPException


    def require_admin(user):
        if not user.is_admin:
            raise HTTPException(403, detail="Forbidden")
    ```

    ## Use instead
    ```python
    import logging

    from fastapi import HTTPException

    logger = logging.getLogger(__name__)


    def require_admin(user):
        if not user.is_admin:
            logger.warning("user %s lacks the admin role", user.id)
            raise HTTPException(403, detail="Forbidden")
    ```

    ## References
    - OWASP Logging Cheat Sheet, "Which events to log":
      <https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html>
    - OWASP Top 10 2021, A09 Security Logging and Monitoring Failures:
      <https://owasp.org/Top10/A09_2021-Security_Logging_and_Monitoring_Failures/>
    - NIST Cybersecurity Framework 2.0, PR.AA and DE.CM:
      <https://doi.org/10.6028/NIST.CSWP.29>
    - CWE-778, Insufficient Logging:
      <https://cwe.mitre.org/data/definitions/778.html>

    ## Known problems
    - Only the block the denial is in is searched: a log call in an
      enclosing block, a decorator, a middleware or the framework's own
      request log (Django logs every 4xx, without the reason) is not seen.
    - Whether the call records the reason is not judged; any logging call
      counts.
    - Test files (`tests/`, `test_*.py`, `conftest.py`) are not checked.
    """

    code = "AUT204"
    name = "denial-not-logged"
    summary = "A 401/403 is answered without logging the reason"
    triggers = DENIAL_TRIGGERS
    default_enabled = False
    severity = Severity.INFO
    cwe = (778,)

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        loggers = _logger_names(facts)
        for denial in facts.denials:
            if denial.status not in (401, 403) or denial.function is None:
                continue
            if _logged_before(denial, loggers):
                continue
            built = construction_of(facts, denial)
            if built is not None and any(
                _logs(node, loggers) for node in built.through
            ):
                continue
            yield Violation(
                denial.node,
                f"{denial.status} answered without logging why; record the "
                "reason, the identity and the request on the server",
            )

    VALID = (
        textwrap.dedent("""\
            import logging

            from flask import abort

            log = logging.getLogger(__name__)


            def require_admin(user):
                if not user.is_admin:
                    log.warning("user %s is not an admin", user.id)
                    abort(403)
            """),
        textwrap.dedent("""\
            import structlog
            from fastapi import HTTPException

            logger = structlog.get_logger()


            def claims(token, decode):
                try:
                    return decode(token)
                except ValueError as exc:
                    logger.info("token_rejected", error=str(exc))
                    raise HTTPException(
                        401, "Not authenticated", {"WWW-Authenticate": "Bearer"}
                    )
            """),
        # The helper the denial goes through logs.
        textwrap.dedent("""\
            from flask import current_app, jsonify


            def forbidden(reason):
                current_app.logger.warning("forbidden: %s", reason)
                return jsonify(error="Forbidden"), 403


            def delete(post, user):
                if post.author_id != user.id:
                    return forbidden("not the author")
                return jsonify(deleted=True)
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                from django.core.exceptions import PermissionDenied


                def export(request):
                    if not request.user.has_perm("reports.export"):
                        raise PermissionDenied
                    return None
                """),
            lines=(6,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                import logging

                from flask import Flask, jsonify, request

                app = Flask(__name__)
                logger = logging.getLogger(__name__)


                @app.get("/reports")
                def reports():
                    if request.headers.get("X-Api-Key") is None:
                        return jsonify(error="Not authenticated"), 401
                    logger.info("reports listed")
                    return jsonify([])
                """),
            lines=(12,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from fastapi import HTTPException


                def require_admin(user):
                    if not user.is_admin:
                        raise HTTPException(status_code=403, detail="Forbidden")
                """),
            lines=(6,),
        ),
    )


def _logger_names(facts: ModuleFacts) -> frozenset[str]:
    """Module names bound to a logger: ``events = structlog.get_logger()``."""
    if facts.symbols is None:
        return frozenset()
    return frozenset(
        name
        for name, values in facts.symbols.assignments.items()
        if any(
            isinstance(value, cst.Call)
            and terminal_name(value.func) in vocabulary.LOGGER_FACTORIES
            for value in values
        )
    )


def _logged_before(denial: Denial, loggers: frozenset[str]) -> bool:
    """Whether a logging call precedes the denial in its innermost block."""
    assert denial.function is not None
    found = _block_of(suite_statements(denial.function.body), denial)
    if found is None:
        return False
    body, index = found
    return any(_logs(statement, loggers) for statement in body[: index + 1])


def _block_of(
    body: list[cst.BaseStatement], denial: Denial
) -> tuple[list[cst.BaseStatement], int] | None:
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine):
            if any(small is denial.statement for small in statement.body):
                return body, index
        elif not isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            for block in blocks(statement):
                found = _block_of(block, denial)
                if found is not None:
                    return found
    return None


def _logs(node: cst.CSTNode, loggers: frozenset[str]) -> bool:
    """Whether a statement or definition makes a logging call (not looking
    into nested blocks of a statement, but into a whole helper)."""
    if isinstance(node, cst.BaseCompoundStatement) and not isinstance(
        node, (cst.FunctionDef, cst.ClassDef)
    ):
        return False
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call) and _is_log_call(current, loggers):
            return True
        stack.extend(current.children)
    return False


def _is_log_call(call: cst.Call, loggers: frozenset[str]) -> bool:
    name = dotted_name(call.func)
    if name is None:
        return False
    parts = name.split(".")
    last = parts[-1]
    if len(parts) == 1:
        words = split_words(last)
        return bool(words) and (words[0] in ("log", "audit") or "audit" in words)
    if last not in vocabulary.LOG_METHODS:
        return False
    receiver = parts[-2].lower()
    return (
        parts[-2] in loggers
        or receiver in vocabulary.LOGGER_WORDS
        or receiver.endswith(("logger", "log"))
        or "audit" in receiver
    )
