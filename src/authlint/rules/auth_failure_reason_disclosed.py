"""AUT201: a 401/403 body that tells the caller why it failed."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from authlint.analysis.bodies import (
    answered_denials,
    disclosed_reason,
    permission_messages,
    report_node,
)
from authlint.analysis.facts import ModuleFacts
from authlint.analysis.responses import DENIAL_TRIGGERS
from authlint.findings import Severity
from authlint.rules.base import Invalid, Rule, Violation


class AuthFailureReasonDisclosed(Rule):
    """
    ## What it does
    Flags a 401 or 403 whose message tells the caller the specific reason it
    was refused: an expired, revoked or malformed token or key, a bad
    signature, an unknown user or key, a wrong password, a disabled, inactive
    or locked account, or the name of the scope, role or permission that was
    missing.

    The message is read where the client gets it: `detail=` of FastAPI's and
    Starlette's `HTTPException`, Flask's `abort(401, "...")` and
    `description=`, the first element of a returned tuple, `jsonify(...)`,
    dicts and lists, `JSONResponse`/`JsonResponse`/`HttpResponse` content,
    DRF's `AuthenticationFailed("...")` and `PermissionDenied(detail=...)`,
    the `message` of a DRF permission class (DRF's 403 body when it says
    no), and the messages of the project's own helpers and exception classes
    (followed into the helper or class, with the call's arguments).
    Literals, f-strings, `%`, `.format`, concatenation and names bound once
    are understood. Generic messages ("Not authenticated", "Invalid
    credentials", "Invalid username or password", "Forbidden", "Invalid or
    expired token") are fine.

    ## Why is this bad?
    Each distinct answer is a signal an attacker can read. "Unknown user"
    versus "Wrong password" lets anyone enumerate the accounts of a service
    one request at a time; "Account locked" confirms the account exists and
    that the lockout worked; "Signature mismatch" versus "Token expired"
    tells someone forging tokens how far they got; "Missing scope
    `billing:admin`" maps the permission model for them. This is an
    observable response discrepancy (CWE-204) and an error message with
    sensitive information (CWE-209), and the OWASP Authentication Cheat Sheet
    asks for one generic answer to every failed sign-in.

    The status already tells an honest client what to do: 401 means "get
    new credentials", 403 means "ask for access". The specific reason
    belongs in the server's log, with the request id and the identity, where
    the people who operate the service can read it. RFC 6750 lets a bearer
    challenge carry an `error` code (`invalid_token`, `insufficient_scope`);
    keep any `error_description` as generic as the body.

    ## Example
    ```python
    import jwt
    from fastapi import HTTPException


    def current_user_id(token: str) -> str:
        try:
            claims = jwt.decode(token, "secret", algorithms=["HS256"])
        except jwt.ExpiredSignatureError:
            raise HTTPException(401, detail="Token has expired")
        return claims["sub"]
    ```

    ## Use instead
    ```python
    import logging

    import jwt
    from fastapi import HTTPException

    logger = logging.getLogger(__name__)


    def current_user_id(token: str) -> str:
        try:
            claims = jwt.decode(token, "secret", algorithms=["HS256"])
        except jwt.ExpiredSignatureError:
            logger.info("rejected an expired token")
            raise HTTPException(
                401,
                detail="Not authenticated",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return claims["sub"]
    ```

    Teach authlint your own words with `extra-leak-words`, and declare
    messages that are generic on purpose with `allowed-messages`, in
    `[tool.authlint]`.

    ## References
    - CWE-204, Observable Response Discrepancy:
      <https://cwe.mitre.org/data/definitions/204.html>
    - CWE-209, Generation of Error Message Containing Sensitive Information:
      <https://cwe.mitre.org/data/definitions/209.html>
    - OWASP Authentication Cheat Sheet, "Authentication and Error Messages":
      <https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html>
    - RFC 6750, §3 (the `error` and `error_description` attributes):
      <https://www.rfc-editor.org/rfc/rfc6750#section-3>
    - OWASP API Security Top 10 2023, API2 Broken Authentication:
      <https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/>

    ## Known problems
    - Messages are matched by phrases in English. Messages in other
      languages, and message catalogs looked up by key, are not read; add
      your own phrases with `extra-leak-words`.
    - A message built in another function and passed around as a value
      (`detail=describe(error)`) is not followed; nor are messages rendered
      from templates.
    - Some clients rely on "token expired" to refresh before retrying. If
      yours do, prefer the RFC 6750 challenge `error="invalid_token"` (the
      same for every token failure); otherwise list the message under
      `allowed-messages`.
    - Test files (`tests/`, `test_*.py`, `conftest.py`) are not checked.
    """

    code = "AUT201"
    name = "auth-failure-reason-disclosed"
    summary = "A 401/403 body states the specific reason of the failure"
    # A DRF permission class's module may name no status at all.
    triggers = (*DENIAL_TRIGGERS, b"has_permission", b"has_object_permission")
    severity = Severity.WARNING
    cwe = (204, 209)

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for denial, built in answered_denials(facts):
            disclosure = disclosed_reason(built, facts.options)
            if disclosure is None:
                continue
            yield Violation(
                report_node(facts, denial, built),
                f"The {denial.status} body names {disclosure.reason} "
                f'("{built.shown()}"); answer a generic message and log '
                "the reason on the server",
            )
        for built in permission_messages(facts):
            disclosure = disclosed_reason(built, facts.options)
            if disclosure is not None:
                yield Violation(
                    built.node,
                    f"The permission's 403 message names {disclosure.reason} "
                    f'("{built.shown()}"); answer a generic message and log '
                    "the reason on the server",
                )

    VALID = (
        textwrap.dedent("""\
            from fastapi import HTTPException


            def require_token(token):
                if token is None:
                    raise HTTPException(
                        status_code=401,
                        detail="Not authenticated",
                        headers={"WWW-Authenticate": "Bearer"},
                    )
            """),
        # "Invalid or expired" names neither reason.
        textwrap.dedent("""\
            from flask import Flask, jsonify

            app = Flask(__name__)
            CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


            @app.get("/me")
            def me():
                return jsonify(error="Invalid or expired token"), 401, CHALLENGE
            """),
        textwrap.dedent("""\
            from rest_framework.exceptions import AuthenticationFailed


            def check(user):
                if user is None:
                    raise AuthenticationFailed("Invalid username or password.")
            """),
        # The reason goes to the log; the body stays generic.
        textwrap.dedent("""\
            import logging

            from django.core.exceptions import PermissionDenied

            logger = logging.getLogger(__name__)


            def export(request):
                if not request.user.has_perm("reports.export"):
                    logger.warning("missing reports.export for %s", request.user.pk)
                    raise PermissionDenied("Missing permission reports.export")
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                from flask import Flask, abort, request

                from .models import User

                app = Flask(__name__)


                @app.post("/login")
                def login():
                    user = User.query.filter_by(email=request.form["email"]).first()
                    if user is None:
                        abort(401, "No such user")
                    if not user.check_password(request.form["password"]):
                        abort(401, description="Wrong password")
                    return {"ok": True}
                """),
            lines=(12, 14),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from rest_framework.exceptions import PermissionDenied

                MESSAGE = "Requires the 'billing:admin' scope"


                def require_billing_admin(request):
                    if "billing:admin" not in request.auth.scopes:
                        raise PermissionDenied(detail=MESSAGE)
                """),
            lines=(8,),
        ),
        # A project exception class with its message as a class attribute.
        Invalid(
            code=textwrap.dedent("""\
                from fastapi import HTTPException


                class TokenRevoked(HTTPException):
                    def __init__(self):
                        super().__init__(
                            status_code=401,
                            detail="This token has been revoked",
                            headers={"WWW-Authenticate": "Bearer"},
                        )


                def check(token, revoked):
                    if token in revoked:
                        raise TokenRevoked()
                """),
            lines=(15,),
        ),
    )
