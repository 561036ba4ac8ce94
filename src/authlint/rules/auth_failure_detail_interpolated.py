"""AUT202: a 401/403 body built from runtime data the caller must not see."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from authlint.analysis.bodies import (
    answered_denials,
    interpolated_detail,
    report_node,
)
from authlint.analysis.facts import ModuleFacts
from authlint.analysis.responses import DENIAL_TRIGGERS
from authlint.findings import Severity
from authlint.rules.base import Invalid, Rule, Violation


class AuthFailureDetailInterpolated(Rule):
    """
    ## What it does
    Flags a 401 or 403 whose message is built from runtime data:

    - the text of a caught exception: `str(exc)`, `repr(exc)`, `exc.args`,
      `exc.detail`, `f"... {exc}"`, `traceback.format_exc()`;
    - the caller's identity: a username, email or user id;
    - the credential itself: the presented token, API key, secret or password,
      the `Authorization` header, or a computed expected signature;
    - the reason argument of a flask-jwt-extended loader
      (`@jwt.invalid_token_loader`, `@jwt.unauthorized_loader`), which is the
      library's own explanation of what was wrong with the token.

    The message is followed as for AUT201: into `detail=`, `description=`,
    tuples, `jsonify(...)`, dicts, f-strings, `%`, `.format`, concatenation,
    names bound once, and the project's helpers and exception classes.

    ## Why is this bad?
    An exception's text is written for the developer: a JWT library says
    "Signature has expired" or "Invalid audience", a database driver names
    tables, a crypto library the algorithm it expected. Passed through, it
    discloses why verification failed (CWE-209) and gives an attacker a
    detailed oracle (CWE-204). Echoing the username or email confirms the
    account exists and which one the server matched; echoing the token,
    key or expected signature puts a secret into responses, proxies' logs
    and browser histories, and an expected HMAC in a body lets anyone forge
    the next request.

    Keep the body generic and put the detail in the server's log, where it
    helps the people who run the service.

    ## Example
    ```python
    import jwt
    from flask import Flask, jsonify, request

    app = Flask(__name__)


    @app.get("/me")
    def me():
        try:
            claims = jwt.decode(request.headers["X-Token"], "k", algorithms=["HS256"])
        except jwt.InvalidTokenError as exc:
            return jsonify(error=f"token rejected: {exc}"), 401
        return jsonify(sub=claims["sub"])
    ```

    ## Use instead
    ```python
    import logging

    import jwt
    from flask import Flask, jsonify, request

    app = Flask(__name__)
    logger = logging.getLogger(__name__)


    @app.get("/me")
    def me():
        try:
            claims = jwt.decode(request.headers["X-Token"], "k", algorithms=["HS256"])
        except jwt.InvalidTokenError as exc:
            logger.info("token rejected: %s", exc)
            challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            return jsonify(error="Not authenticated"), 401, challenge
        return jsonify(sub=claims["sub"])
    ```

    ## References
    - CWE-209, Generation of Error Message Containing Sensitive Information:
      <https://cwe.mitre.org/data/definitions/209.html>
    - CWE-204, Observable Response Discrepancy:
      <https://cwe.mitre.org/data/definitions/204.html>
    - OWASP Authentication Cheat Sheet, "Authentication and Error Messages":
      <https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html>
    - RFC 6750, §3 (`error_description` is for developers, not attackers):
      <https://www.rfc-editor.org/rfc/rfc6750#section-3>

    ## Known problems
    - Runtime values are recognised by their names (`username`, `email`,
      `user_id`, `token`, `api_key`, `signature`) and by `except ... as
      name`; a value with a neutral name (`f"{value}"`) is not reported.
    - A value made by another function (`detail=describe(exc)`) is not
      followed.
    - In an `@app.errorhandler(401)` function, the handled error's
      `description` is the application's own message and is not reported.
    - Test files (`tests/`, `test_*.py`, `conftest.py`) are not checked.
    """

    code = "AUT202"
    name = "auth-failure-detail-interpolated"
    summary = "A 401/403 body is built from exception text, identity or credentials"
    triggers = DENIAL_TRIGGERS
    severity = Severity.WARNING
    cwe = (204, 209)

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for denial, built in answered_denials(facts):
            part = interpolated_detail(built)
            if part is None:
                continue
            yield Violation(
                report_node(facts, denial, built),
                f"The {denial.status} body includes {part.kind.value} "
                f"(`{part.text}`); answer a generic message and log the detail "
                "on the server",
            )

    VALID = (
        textwrap.dedent("""\
            import logging

            import jwt
            from fastapi import HTTPException

            logger = logging.getLogger(__name__)


            def claims(token):
                try:
                    return jwt.decode(token, "k", algorithms=["HS256"])
                except jwt.InvalidTokenError as exc:
                    logger.info("bad token: %s", exc)
                    raise HTTPException(
                        401,
                        detail="Not authenticated",
                        headers={"WWW-Authenticate": "Bearer"},
                    )
            """),
        # A resource id is not the caller's identity.
        textwrap.dedent("""\
            from fastapi import HTTPException


            def check(project_id, allowed):
                if project_id not in allowed:
                    detail = f"No access to project {project_id}"
                    raise HTTPException(403, detail=detail)
            """),
        # The errorhandler's `error` is the HTTP error, not a caught failure.
        textwrap.dedent("""\
            from flask import Flask, jsonify

            app = Flask(__name__)
            CHALLENGE = {"WWW-Authenticate": 'Bearer realm="app"'}


            @app.errorhandler(401)
            def unauthorized(error):
                return jsonify(error=error.description), 401, CHALLENGE
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                import jwt
                from fastapi import HTTPException


                def claims(token):
                    try:
                        return jwt.decode(token, "k", algorithms=["HS256"])
                    except jwt.InvalidTokenError as exc:
                        raise HTTPException(status_code=401, detail=str(exc))
                """),
            lines=(9,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from flask import Flask, jsonify
                from flask_jwt_extended import JWTManager

                app = Flask(__name__)
                jwt = JWTManager(app)


                @jwt.invalid_token_loader
                def invalid_token(reason):
                    return jsonify(msg=reason), 401
                """),
            lines=(10,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from django.http import JsonResponse


                def deny(request, username):
                    return JsonResponse(
                        {"error": "User %s may not export" % username}, status=403
                    )
                """),
            lines=(6,),
        ),
    )
