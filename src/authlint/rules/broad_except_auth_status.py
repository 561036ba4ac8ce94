"""AUT104: a broad or unrelated exception handler answers 401 or 403."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from authlint.analysis.facts import ModuleFacts
from authlint.analysis.responses import DENIAL_TRIGGERS
from authlint.rules.base import Invalid, Rule, Violation


class BroadExceptAuthStatus(Rule):
    """
    ## What it does
    Flags an `except` clause that answers 401 or 403 while it catches every
    error (`except:`, `except Exception`, `except BaseException`) or only
    errors that have nothing to do with the caller's credentials: database,
    network, timeout and operating-system errors (`DatabaseError`,
    `OperationalError`, `ConnectionError`, `Timeout`, `RedisError`, `OSError`
    and the like). The finding is on the `except` line.

    A handler that first narrows the error down with `isinstance(exc, ...)`
    before answering is not flagged.

    ## Why is this bad?
    The handler turns failures of the server into verdicts about the caller.
    When the database is down, the identity provider times out, or the token
    code has a bug (`KeyError`, `TypeError`), every request is answered as if
    its credentials were bad (401) or its access revoked (403).

    Clients then do exactly the wrong thing. On 401 they drop the session and
    refresh tokens, so during an outage every client hammers the identity
    provider at once and users are logged out for nothing; on 403 they give
    up and show "access denied", and support hears about a permissions
    problem that does not exist. Operators are misled as well: the outage
    never reaches the 5xx alerts, and the auth dashboards show a wave of
    failed logins that looks like an attack. Catching everything also hides
    programming errors that would otherwise surface in tests and logs.

    ## Example
    ```python
    import jwt
    from fastapi import Header, HTTPException

    from .settings import JWT_SECRET


    def current_claims(authorization: str = Header()) -> dict:
        try:
            return jwt.decode(authorization, JWT_SECRET, algorithms=["HS256"])
        except Exception:
            raise HTTPException(status_code=401, detail="Not authenticated")
    ```

    ## Use instead
    ```python
    import jwt
    from fastapi import Header, HTTPException

    from .settings import JWT_SECRET


    def current_claims(authorization: str = Header()) -> dict:
        try:
            return jwt.decode(authorization, JWT_SECRET, algorithms=["HS256"])
        except jwt.InvalidTokenError:
            raise HTTPException(
                status_code=401,
                detail="Not authenticated",
                headers={"WWW-Authenticate": "Bearer"},
            )
    ```

    Any other error then propagates and becomes a 500, or is answered 503
    where the cause is a dependency that is down.

    ## References
    - RFC 9110, §15.5.2 (401 Unauthorized), §15.5.4 (403 Forbidden), §15.6.1
      (500 Internal Server Error) and §15.6.4 (503 Service Unavailable):
      <https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2>
    - OWASP API Security Top 10 2023, API2 Broken Authentication:
      <https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/>
    - CWE-396, Declaration of Catch for Generic Exception:
      <https://cwe.mitre.org/data/definitions/396.html>
    - CWE-755, Improper Handling of Exceptional Conditions:
      <https://cwe.mitre.org/data/definitions/755.html>

    ## Known problems
    - Exception classes are judged by their names. The list of errors
      unrelated to authentication is fixed; a project's own wrapper
      (`except StorageUnavailable:`) is not recognised, and neither are
      `ValueError` or `KeyError`, which may well be a decoder's answer to a
      malformed token.
    - Only the innermost `except` clause around the denial counts, and any
      `isinstance` call in the conditions between the clause and the denial
      counts as narrowing, whatever class it tests.
    - Error handlers registered with the framework
      (`@app.errorhandler(Exception)`,
      `app.add_exception_handler(Exception, ...)`) are not examined.
    - Helpers, exception classes and status constants reached through a star
      import (`from .errors import *`) are not resolved, so their denials are
      not seen.
    - A status computed at runtime is never flagged, by design.
    """

    code = "AUT104"
    name = "broad-except-auth-status"
    summary = "Broad or unrelated exception handler answers 401 or 403"
    triggers = DENIAL_TRIGGERS
    cwe = (396, 755)

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        seen: set[int] = set()
        for denial in facts.denials:
            handler = denial.broad_except
            if handler is None or denial.status not in (401, 403):
                continue
            if id(handler) in seen:
                continue
            seen.add(id(handler))
            yield Violation(
                handler.type or handler,
                f"{denial.broad_except_text} answers {denial.status}: errors "
                "that have nothing to do with the caller's credentials (a "
                "database or network failure, a bug) turn into auth denials; "
                "catch the token library's own exceptions instead",
            )

    VALID = (
        # The token library's own exception: the right thing to catch.
        textwrap.dedent("""\
            import jwt
            from fastapi import Header, HTTPException

            SECRET = "change-me"


            def current_claims(authorization: str = Header()):
                try:
                    return jwt.decode(authorization, SECRET, ["HS256"])
                except jwt.InvalidTokenError:
                    raise HTTPException(
                        status_code=401,
                        detail="Not authenticated",
                        headers={"WWW-Authenticate": "Bearer"},
                    )
            """),
        # A database error answered as an outage.
        textwrap.dedent("""\
            import logging

            from django.db import DatabaseError
            from django.http import JsonResponse

            from .models import Invoice

            log = logging.getLogger(__name__)


            def refund(request, pk):
                invoices = Invoice.objects.filter(pk=pk, owner=request.user)
                try:
                    invoices.update(voided=True)
                except DatabaseError:
                    log.exception("refund of invoice %s failed", pk)
                    return JsonResponse({"error": "Try again later."}, status=503)
                return JsonResponse({"refunded": True})
            """),
        # Narrowed down before answering.
        textwrap.dedent("""\
            import jwt
            from flask import Flask, abort, request

            app = Flask(__name__)


            @app.get("/me")
            def me():
                token = request.headers.get("Authorization", "")
                try:
                    claims = jwt.decode(token, "k", algorithms=["HS256"])
                except Exception as exc:
                    if isinstance(exc, jwt.PyJWTError):
                        abort(401)
                    raise
                return {"sub": claims["sub"]}
            """),
        # Decoding errors of a malformed Basic header are not unrelated.
        textwrap.dedent("""\
            import binascii
            from base64 import b64decode

            from django.http import HttpResponse


            def basic_credentials(request):
                header = request.headers.get("Authorization", "")
                try:
                    username, _, password = (
                        b64decode(header[6:]).decode().partition(":")
                    )
                except (binascii.Error, UnicodeDecodeError):
                    response = HttpResponse("Authentication required.", status=401)
                    response["WWW-Authenticate"] = 'Basic realm="api"'
                    return response
                return username, password
            """),
        # The denial is in the `try` body, not in the broad handler.
        textwrap.dedent("""\
            import logging

            from flask import Flask, abort, request

            from .auth import load_user_from_token

            app = Flask(__name__)
            log = logging.getLogger(__name__)


            @app.get("/orders")
            def orders():
                try:
                    token = request.headers.get("Authorization")
                    user = load_user_from_token(token)
                    if user is None:
                        abort(401)
                except Exception:
                    log.exception("order listing failed")
                    return {"error": "internal error"}, 500
                return {"orders": user.orders}
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                import jwt
                from fastapi import Header, HTTPException

                SECRET = "change-me"


                def current_claims(authorization: str = Header()):
                    try:
                        return jwt.decode(authorization, SECRET, ["HS256"])
                    except Exception:
                        raise HTTPException(status_code=401)
                """),
            lines=(10,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from flask import Flask, abort, request

                from .auth import verify_api_key

                app = Flask(__name__)


                @app.get("/reports")
                def reports():
                    try:
                        verify_api_key(request.headers["X-Api-Key"])
                    except:
                        abort(403)
                    return {"reports": []}
                """),
            lines=(12,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                import logging

                from django.db import DatabaseError
                from django.http import JsonResponse

                from .models import Invoice

                log = logging.getLogger(__name__)


                def refund(request, pk):
                    invoices = Invoice.objects.filter(pk=pk, owner=request.user)
                    try:
                        invoices.update(voided=True)
                    except DatabaseError:
                        log.exception("refund of invoice %s failed", pk)
                        body = {"error": "Refund failed."}
                        return JsonResponse(body, status=403)
                    return JsonResponse({"refunded": True})
                """),
            lines=(15,),
        ),
        # The identity provider being unreachable is not the caller's fault.
        Invalid(
            code=textwrap.dedent("""\
                import requests
                from rest_framework import status
                from rest_framework.response import Response
                from rest_framework.views import APIView

                USERINFO = "https://idp.example.com/userinfo"


                class ProfileView(APIView):
                    def get(self, request):
                        try:
                            resp = requests.get(USERINFO, timeout=3)
                        except (requests.ConnectionError, requests.Timeout):
                            return Response(status=status.HTTP_401_UNAUTHORIZED)
                        return Response(resp.json())
                """),
            lines=(13,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from starlette.responses import JSONResponse

                from .sessions import session_store


                async def whoami(request):
                    try:
                        sid = request.cookies["sid"]
                        session = await session_store.load(sid)
                    except BaseException:
                        body = {"detail": "Unauthorized"}
                        return JSONResponse(body, status_code=401)
                    return JSONResponse({"user": session.user_id})
                """),
            lines=(10,),
        ),
    )
