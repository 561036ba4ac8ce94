"""AUT103: one condition mixes a credential and a permission test."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from authlint.analysis.facts import FailureKind, ModuleFacts
from authlint.analysis.responses import DENIAL_TRIGGERS
from authlint.rules.base import Invalid, Rule, Violation


class MixedAuthnAuthzCheck(Rule):
    """
    ## What it does
    Flags an `if` or `elif` whose condition can fail either because the
    caller is not authenticated or because a known caller lacks a permission,
    and whose branch answers both cases with one status.

    `not user.is_authenticated or not user.is_admin` is such a condition, and
    so is `not (request.auth and "admin" in request.auth.scopes)`. The finding
    is on the first line of the condition.

    Conditions that only look mixed are left alone:
    `principal is not None and tenant_id not in principal.tenants` refuses a
    known principal, so it is a permission check, and
    `request.user.is_authenticated and not request.user.is_staff` refuses
    signed-in users only.

    ## Why is this bad?
    Whichever status the branch answers, one group of callers gets the wrong
    one. With 403, an anonymous caller is told that policy forbids the
    request: the client never offers a login and never refreshes an expired
    token, so the user is stuck. With 401, a signed-in user without the role
    is sent back to the login page, signs in again, is refused again, and
    automated clients refresh their tokens and retry in a loop that cannot
    succeed.

    The server loses the distinction too: its logs and dashboards count
    expired sessions and refused privilege escalations under one status, so
    neither an outage of sign-in nor a caller probing admin endpoints stands
    out.

    ## Example
    ```python
    from flask import Flask, abort
    from flask_login import current_user

    app = Flask(__name__)


    @app.get("/admin")
    def admin():
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        ...
    ```

    ## Use instead
    ```python
    from flask import Flask, abort
    from flask_login import current_user

    app = Flask(__name__)


    @app.get("/admin")
    def admin():
        if not current_user.is_authenticated:
            abort(401)  # with a WWW-Authenticate challenge
        if not current_user.is_admin:
            abort(403)
        ...
    ```

    With Flask-Login, `@login_required` in front of the view does the first
    half and sends anonymous users to sign in.

    ## References
    - RFC 9110, §15.5.2 (401 Unauthorized) and §15.5.4 (403 Forbidden):
      <https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2>
    - RFC 6750, §3.1: `invalid_token` is answered 401, `insufficient_scope`
      403: <https://www.rfc-editor.org/rfc/rfc6750#section-3.1>
    - OWASP API Security Top 10 2023, API2 Broken Authentication and API5
      Broken Function Level Authorization:
      <https://owasp.org/API-Security/editions/2023/en/0x11-t10/>
    - NIST Cybersecurity Framework 2.0, PR.AA (identity management,
      authentication and access control): <https://doi.org/10.6028/NIST.CSWP.29>
    - CWE-287, Improper Authentication, and CWE-285, Improper Authorization:
      <https://cwe.mitre.org/data/definitions/287.html>

    ## Known problems
    - Only a condition written out in the `if` is split into its parts.
      `if denied:` after `denied = not user or not user.is_admin`, or
      `if not allowed(user):` where `allowed` mixes both tests in its body,
      is read by the name alone (`allowed` reads as a permission test).
    - Conditions are read by the words of the names they test. Checks of the
      project's own with neutral names need `credential-checks` and
      `permission-checks` in `[tool.authlint]` before either half is seen.
    - Helpers, exception classes and status constants reached through a star
      import (`from .errors import *`) are not resolved, so their denials are
      not seen.
    - A status computed at runtime is never flagged, by design.
    """

    code = "AUT103"
    name = "mixed-authn-authz-check"
    summary = "One condition mixes a credential test and a permission test"
    triggers = DENIAL_TRIGGERS
    cwe = (285, 287)

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        seen: set[int] = set()
        for denial in facts.denials:
            evidence = denial.evidence
            if evidence is None or evidence.kind is not FailureKind.MIXED:
                continue
            condition = evidence.condition
            if condition is None or id(condition) in seen:
                continue
            seen.add(id(condition))
            opening = getattr(condition, "lpar", ())
            yield Violation(
                condition,
                f"`{facts.code(condition)}` mixes a credential test with a "
                f"permission test and answers both with {denial.status}; split "
                "it: 401 when the caller is not authenticated, 403 when a "
                "known caller lacks the permission",
                start=opening[0] if opening else None,
            )

    VALID = (
        # A permission of a known principal; anonymous callers may read.
        textwrap.dedent("""\
            from typing import Annotated, Optional

            from fastapi import Depends, HTTPException

            from .security import User, get_current_user_optional


            async def get_tenant(
                tenant_id: str,
                principal: Annotated[
                    Optional[User], Depends(get_current_user_optional)
                ],
            ) -> str:
                if principal is not None and tenant_id not in principal.tenants:
                    raise HTTPException(status_code=403, detail="Forbidden")
                return tenant_id
            """),
        textwrap.dedent("""\
            from flask import Flask, abort
            from flask_login import current_user

            app = Flask(__name__)


            @app.get("/admin")
            def admin():
                if not current_user.is_authenticated:
                    abort(401)
                if not current_user.is_admin:
                    abort(403)
                return "admin"
            """),
        # Polarity: only signed-in users reach this branch.
        textwrap.dedent("""\
            from django.http import HttpResponseForbidden
            from django.shortcuts import render


            def staff_signup(request):
                user = request.user
                if user.is_authenticated and not user.is_staff:
                    return HttpResponseForbidden()
                return render(request, "staff_signup.html")
            """),
        # `is_active` is no credential test.
        textwrap.dedent("""\
            from django.contrib.auth.decorators import login_required
            from django.core.exceptions import PermissionDenied


            @login_required
            def approve(request, pk):
                user = request.user
                if not user.is_active or not user.has_perm("orders.approve"):
                    raise PermissionDenied
                return None
            """),
        # A feature switch next to a permission is still one kind of refusal.
        textwrap.dedent("""\
            from flask import Flask, abort, current_app
            from flask_login import current_user, login_required

            app = Flask(__name__)


            @app.post("/exports")
            @login_required
            def export():
                enabled = current_app.config["FEATURE_EXPORT"]
                if not enabled or not current_user.can_export:
                    abort(403)
                return "started"
            """),
        textwrap.dedent("""\
            from typing import Annotated

            from fastapi import Depends, HTTPException, status
            from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

            from .tokens import token_has_scope

            bearer = HTTPBearer()


            async def require_admin_scope(
                credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
            ) -> str:
                if not token_has_scope(credentials.credentials, "admin"):
                    raise HTTPException(status.HTTP_403_FORBIDDEN)
                return credentials.credentials
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                from flask import Flask, abort
                from flask_login import current_user

                app = Flask(__name__)


                @app.get("/admin")
                def admin():
                    user = current_user
                    if not user.is_authenticated or not user.is_admin:
                        abort(403)
                    return "admin"
                """),
            lines=(10,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from django.http import HttpResponseForbidden


                def edit_article(request, pk):
                    user = request.user
                    if user.is_anonymous or not user.has_perm("news.change"):
                        return HttpResponseForbidden()
                    return None
                """),
            lines=(6,),
        ),
        # Reported where the condition starts: its opening parenthesis.
        Invalid(
            code=textwrap.dedent("""\
                from fastapi import Header, HTTPException

                from .tokens import decode


                async def admin_claims(
                    authorization: str | None = Header(default=None),
                ):
                    claims = decode(authorization) if authorization else {}
                    if (
                        authorization is None
                        or "admin" not in claims.get("roles", [])
                    ):
                        raise HTTPException(status_code=401)
                    return claims
                """),
            lines=(10,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from rest_framework import status
                from rest_framework.response import Response
                from rest_framework.views import APIView


                class PayoutView(APIView):
                    def post(self, request):
                        if not (request.auth and "payouts" in request.auth.scopes):
                            return Response(status=status.HTTP_403_FORBIDDEN)
                        return Response({"queued": True})
                """),
            lines=(8,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from django.http import HttpResponseForbidden
                from django.shortcuts import render


                def reports(request):
                    user = request.user
                    if not (user.is_authenticated and user.is_staff):
                        return HttpResponseForbidden()
                    return render(request, "reports.html")
                """),
            lines=(7,),
        ),
        # An optional bearer scheme: a missing token and a missing scope.
        Invalid(
            code=textwrap.dedent("""\
                from typing import Optional

                from fastapi import Depends, HTTPException
                from fastapi.security import HTTPAuthorizationCredentials
                from fastapi.security import HTTPBearer

                from .tokens import token_has_scope

                optional_bearer = HTTPBearer(auto_error=False)


                async def require_admin(
                    credentials: Optional[HTTPAuthorizationCredentials] = (
                        Depends(optional_bearer)
                    ),
                ):
                    if credentials is None or not token_has_scope(
                        credentials.credentials, "admin"
                    ):
                        raise HTTPException(status_code=403)
                    return credentials
                """),
            lines=(17,),
        ),
    )
