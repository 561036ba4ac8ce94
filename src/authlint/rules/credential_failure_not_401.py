"""AUT101: a credential failure answered with a status other than 401."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from authlint.analysis.facts import FailureKind, ModuleFacts
from authlint.analysis.responses import DENIAL_TRIGGERS
from authlint.rules.base import Invalid, Rule, Violation


class CredentialFailureNot401(Rule):
    """
    ## What it does
    Flags a denial that refuses a caller because their credentials are
    missing or bad, and answers with a status other than 401: 403 most often,
    also 404, 412 or 422.

    A denial is about credentials when, strongest evidence first:

    - the function answers credential failures for the framework: Flask-Login's
      `@login_manager.unauthorized_handler`, flask-jwt-extended's
      `@jwt.expired_token_loader` and the other token loaders, Flask-HTTPAuth's
      `@auth.error_handler`, FastAPI's `make_not_authenticated_error`;
    - it answers a token library's exception: `jwt.ExpiredSignatureError`,
      itsdangerous' `BadSignature`, `Token.DoesNotExist`;
    - it sits under a condition that tests a credential: `token is None`,
      `not api_key`, `"Authorization" not in request.headers`,
      `not request.user.is_authenticated`, `user is None` right after
      `authenticate(...)`, `not hmac.compare_digest(...)`, an `exp` claim in
      the past;
    - its body says so: "not authenticated", "login required", "token expired".

    A 400 is accepted: it is the right answer to a malformed request, such as
    an `Authorization` header in the wrong format (RFC 6750 `invalid_request`)
    or a bad password sent to an OAuth token endpoint (`invalid_grant`).

    ## Why is this bad?
    The two statuses ask the client for different things. A 401 says "I don't
    know who you are": a web app sends the user to the login page, an API
    client refreshes its access token once and repeats the request, and the
    `WWW-Authenticate` header tells it which scheme to use. A 403 says "I know
    who you are, and the answer is no": the client stops and shows an
    access-denied page, because new credentials cannot change a policy.

    Answer an expired token with 403 and well-behaved clients never refresh:
    the user whose session just ran out stares at "access denied" until they
    sign out by hand. Client authors then learn to refresh on every 403, and
    every real permission failure starts a token refresh at the identity
    provider (token churn) followed by a retry that fails again. Dashboards
    suffer too: the 403 count should show policy decisions and probing, and
    the 401 count is the early warning for a broken login or credential
    stuffing; mixing them blinds both.

    ## Example
    ```python
    from flask import Flask, abort, request

    app = Flask(__name__)


    @app.get("/invoices")
    def invoices():
        token = request.headers.get("Authorization")
        if token is None:
            abort(403)  # nobody signed in: this is not a refusal
        ...
    ```

    ## Use instead
    ```python
    from flask import Flask, jsonify, request

    app = Flask(__name__)
    CHALLENGE = {"WWW-Authenticate": 'Bearer realm="invoices"'}


    @app.get("/invoices")
    def invoices():
        token = request.headers.get("Authorization")
        if token is None:
            return jsonify(error="unauthorized"), 401, CHALLENGE
        ...
    ```

    In FastAPI raise `HTTPException(status.HTTP_401_UNAUTHORIZED,
    headers={"WWW-Authenticate": "Bearer"})`; in Django REST Framework raise
    `NotAuthenticated` or `AuthenticationFailed` from an authentication class
    that defines `authenticate_header` (see AUT105).

    ## References
    - RFC 9110, §15.5.2 (401 Unauthorized, with its `WWW-Authenticate`
      challenge) and §15.5.4 (403 Forbidden):
      <https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2>
    - RFC 6750, §3 and §3.1: a bearer token that is missing, expired or
      revoked is answered 401 (`invalid_token`), a malformed request 400:
      <https://www.rfc-editor.org/rfc/rfc6750#section-3.1>
    - OWASP API Security Top 10 2023, API2 Broken Authentication:
      <https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/>
    - OWASP Authentication Cheat Sheet:
      <https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html>
    - NIST Cybersecurity Framework 2.0, PR.AA (identity management,
      authentication and access control): <https://doi.org/10.6028/NIST.CSWP.29>
    - CWE-287, Improper Authentication:
      <https://cwe.mitre.org/data/definitions/287.html>

    ## Known problems
    - Conditions are read by the words of the names they test. A check of the
      project's own with a neutral name (`if not gate.ok(request):`) is no
      evidence until it is listed under `credential-checks` in
      `[tool.authlint]`; your own `@login_required`-style decorators and
      FastAPI dependencies go under `authenticated-decorators` and
      `authenticated-dependencies`.
    - A condition computed in another function is seen only through its
      name: `if not valid:` after `valid = check(request)` says nothing, and
      the body of `check` is not read. Likewise a local name that does not
      say what it holds (`header = request.headers.get("Authorization")`,
      then `if not header:`) is not traced back to the header.
    - Helpers, exception classes and status constants reached through a star
      import (`from .errors import *`) are not resolved, so their denials are
      not seen.
    - A status computed at runtime (`abort(current_app.config["DENY"])`, an
      upstream response's status) is never flagged, by design.
    - `not user.is_active` is deliberately no evidence either way: 401, 400
      and 403 are all used for disabled accounts.
    """

    code = "AUT101"
    name = "credential-failure-not-401"
    summary = "Credential failure answered with a status other than 401"
    triggers = DENIAL_TRIGGERS
    cwe = (287,)

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

    VALID = (
        # Missing credentials get 401 with a challenge; a malformed header 400.
        textwrap.dedent("""\
            from flask import Flask, jsonify, request

            app = Flask(__name__)
            CHALLENGE = {"WWW-Authenticate": 'Bearer realm="reports"'}


            @app.get("/reports")
            def reports():
                header = request.headers.get("Authorization")
                if header is None:
                    return jsonify(error="unauthorized"), 401, CHALLENGE
                scheme, _, token = header.partition(" ")
                if scheme.lower() != "bearer" or not token:
                    return jsonify(error="invalid_request"), 400
                return jsonify(reports=[])
            """),
        # Polarity: a signed-in user may not sign up again.
        textwrap.dedent("""\
            from django.conf import settings
            from django.http import HttpResponseForbidden
            from django.shortcuts import render


            def signup(request):
                if request.user.is_authenticated:
                    return HttpResponseForbidden("You already have an account.")
                if not settings.SIGNUPS_OPEN:
                    return HttpResponseForbidden("Sign-ups are closed.")
                return render(request, "signup.html")
            """),
        # `not user.is_active` is no evidence either way.
        textwrap.dedent("""\
            from django.contrib.auth import authenticate
            from django.http import HttpResponse, JsonResponse


            def export_csv(request):
                user = authenticate(
                    request,
                    username=request.POST.get("username", ""),
                    password=request.POST.get("password", ""),
                )
                if user is None:
                    response = HttpResponse("Authentication required.", status=401)
                    response["WWW-Authenticate"] = 'Basic realm="export"'
                    return response
                if not user.is_active:
                    return JsonResponse({"error": "Account unavailable."}, status=403)
                return JsonResponse({"rows": []})
            """),
        # Network policy and feature switches are refusals, not sign-in problems.
        textwrap.dedent("""\
            from ipaddress import ip_address, ip_network

            from flask import Blueprint, abort, current_app, request

            bp = Blueprint("ops", __name__)
            OFFICE = ip_network("10.0.0.0/8")


            @bp.before_request
            def office_only():
                if ip_address(request.remote_addr) not in OFFICE:
                    abort(403)


            @bp.post("/exports")
            def start_export():
                if not current_app.config["FEATURE_BULK_EXPORT"]:
                    abort(403)
                return {"started": True}
            """),
        # A status chosen at runtime is not known statically.
        textwrap.dedent("""\
            from flask import Flask, abort, request

            app = Flask(__name__)


            @app.get("/feed")
            def feed():
                token = request.headers.get("Authorization")
                if token is None:
                    abort(app.config["AUTH_FAILURE_STATUS"])
                return {"items": []}
            """),
        # An OAuth token endpoint answers a bad password with 400 invalid_grant.
        textwrap.dedent("""\
            from typing import Annotated

            from fastapi import APIRouter, Depends, HTTPException
            from fastapi.security import OAuth2PasswordRequestForm

            from .security import authenticate_user, create_access_token

            router = APIRouter()


            @router.post("/token")
            async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
                user = await authenticate_user(form.username, form.password)
                if user is None:
                    raise HTTPException(status_code=400, detail="invalid_grant")
                return {"access_token": create_access_token(user.username)}
            """),
        # `token_has_scope` tests a permission, although it names a token.
        textwrap.dedent("""\
            from typing import Annotated

            from fastapi import Depends, HTTPException, status
            from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

            from .tokens import token_has_scope

            bearer = HTTPBearer()


            async def require_reports_scope(
                credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
            ) -> str:
                if not token_has_scope(credentials.credentials, "reports:read"):
                    raise HTTPException(status.HTTP_403_FORBIDDEN)
                return credentials.credentials
            """),
        # A WebSocket closed with 1008 is not an HTTP response.
        textwrap.dedent("""\
            from fastapi import FastAPI, WebSocket, status

            app = FastAPI()


            @app.websocket("/events")
            async def events(websocket: WebSocket):
                if websocket.cookies.get("session_token") is None:
                    await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
                    return
                await websocket.accept()
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                from functools import wraps

                from flask import jsonify, request


                def token_required(view):
                    @wraps(view)
                    def wrapper(*args, **kwargs):
                        token = request.headers.get("Authorization")
                        if not token:
                            return jsonify(message="Denied."), 403
                        return view(*args, **kwargs)

                    return wrapper
                """),
            lines=(11,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                import jwt
                from fastapi import Header, HTTPException

                SECRET = "change-me"


                def current_claims(authorization: str = Header()):
                    try:
                        return jwt.decode(authorization, SECRET, ["HS256"])
                    except jwt.ExpiredSignatureError:
                        raise HTTPException(
                            status_code=403,
                            detail="Not authenticated",
                        )
                """),
            lines=(12,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from django.http import HttpResponse, HttpResponseForbidden

                from .pdf import render_invoice


                def invoice_pdf(request, pk):
                    if not request.user.is_authenticated:
                        return HttpResponseForbidden()
                    pdf = render_invoice(pk)
                    return HttpResponse(pdf, content_type="application/pdf")
                """),
            lines=(8,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from rest_framework import status
                from rest_framework.response import Response
                from rest_framework.views import APIView


                class UsageView(APIView):
                    def get(self, request):
                        if request.auth is None:
                            return Response(status=status.HTTP_403_FORBIDDEN)
                        return Response({"calls": request.auth.calls_today})
                """),
            lines=(9,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from django.http import JsonResponse

                from .models import ApiKey


                def usage(request):
                    raw = request.headers.get("X-Api-Key", "")
                    key = ApiKey.objects.filter(key=raw, revoked=False).first()
                    if key is None:
                        return JsonResponse({"error": "Not found."}, status=404)
                    return JsonResponse({"calls": key.calls_today})
                """),
            lines=(10,),
        ),
        # An optional-auth dependency is no authenticated context.
        Invalid(
            code=textwrap.dedent("""\
                from typing import Annotated, Optional

                from fastapi import Depends, HTTPException

                from .security import User, get_current_user_optional


                async def list_drafts(
                    user: Annotated[
                        Optional[User], Depends(get_current_user_optional)
                    ],
                ) -> list[str]:
                    if user is None:
                        raise HTTPException(status_code=403)
                    return user.drafts
                """),
            lines=(14,),
        ),
    )
