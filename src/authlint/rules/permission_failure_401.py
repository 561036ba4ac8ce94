"""AUT102: a known caller's permission failure answered with 401."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from authlint.analysis.facts import FailureKind, ModuleFacts
from authlint.analysis.responses import DENIAL_TRIGGERS
from authlint.rules.base import Invalid, Rule, Violation


class PermissionFailure401(Rule):
    """
    ## What it does
    Flags a 401 answered to a caller whose identity is already established,
    because they lack a role, scope, permission, tenant membership or
    ownership of the object.

    A denial is about permissions when, strongest evidence first:

    - the function is the framework's handler for 403 (`@app.errorhandler(403)`);
    - it answers a permission exception (`PermissionDenied`, `Forbidden`);
    - it sits under a condition that tests a permission of a known caller:
      `has_perm(...)`, `is_staff`, `is_superuser`, `is_admin`, a `role`, a scope
      in `scopes`, a tenant in `tenants`, `post.author != current_user`,
      `can_edit(...)`, `allowed`, or `token_has_scope(token, "x")` (a
      permission test, although it names a token);
    - its body says so: "forbidden", "insufficient permissions", "admins only".

    ## Why is this bad?
    A client reads 401 as "your credentials did not work" and does what it
    should for that: a single-page app drops its session and sends the user
    to the login page, an OAuth client refreshes its access token and sends
    the request again. None of that can turn a missing role into a granted
    one. The user signs in again, lands on the same refusal and is sent to
    log in once more; automated clients spend a token refresh at the identity
    provider on every refusal and retry into the same wall, a retry storm
    that grows with traffic.

    A 403 tells the client to stop and to ask for access instead. RFC 6750
    makes the same split for bearer tokens: `insufficient_scope` is a 403.
    Operators lose as well: a rise in 401s looks like an outage of sign-in or
    an attack with stolen passwords and pages the on-call engineer, while
    the real event, callers refused by policy, never shows on the 403 chart.

    ## Example
    ```python
    from fastapi import Depends, HTTPException, status

    from .security import User, get_current_user


    async def require_admin(user: User = Depends(get_current_user)) -> User:
        if user.role != "admin":
            raise HTTPException(status.HTTP_401_UNAUTHORIZED)
        return user
    ```

    ## Use instead
    ```python
    from fastapi import Depends, HTTPException, status

    from .security import User, get_current_user


    async def require_admin(user: User = Depends(get_current_user)) -> User:
        if user.role != "admin":
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Forbidden")
        return user
    ```

    In Django raise `PermissionDenied`; in Django REST Framework raise
    `PermissionDenied` rather than `NotAuthenticated`.

    ## References
    - RFC 9110, §15.5.4 (403 Forbidden) and §15.5.2 (401 Unauthorized):
      <https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4>
    - RFC 6750, §3.1: `insufficient_scope` is answered 403:
      <https://www.rfc-editor.org/rfc/rfc6750#section-3.1>
    - OWASP API Security Top 10 2023, API5 Broken Function Level
      Authorization:
      <https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/>
    - NIST Cybersecurity Framework 2.0, PR.AA (identity management,
      authentication and access control): <https://doi.org/10.6028/NIST.CSWP.29>
    - CWE-285, Improper Authorization:
      <https://cwe.mitre.org/data/definitions/285.html>

    ## Known problems
    - Conditions are read by the words of the names they test. A policy
      check of the project's own with a neutral name
      (`if not opa.evaluate(request):`) is no evidence until it is listed
      under `permission-checks` in `[tool.authlint]`.
    - A condition computed in another function is seen only through its
      name: `if not ok:` after `ok = check(user, post)` says nothing, and the
      body of `check` is not read.
    - Being behind `@login_required` or an authenticating dependency is not,
      on its own, taken as proof that a 401 refuses a permission: the view
      may check a second credential (a re-entered password, a signed link).
    - Helpers, exception classes and status constants reached through a star
      import (`from .errors import *`) are not resolved, so their denials are
      not seen.
    - A status computed at runtime (`abort(status)` with `status` from a
      lookup table or an upstream response) is never flagged, by design.
    """

    code = "AUT102"
    name = "permission-failure-401"
    summary = "Permission failure of a known caller answered with 401"
    triggers = DENIAL_TRIGGERS
    cwe = (285,)

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for denial in facts.denials:
            evidence = denial.evidence
            if evidence is None or evidence.kind is not FailureKind.PERMISSION:
                continue
            if denial.status != 401:
                continue
            yield Violation(
                denial.node,
                f"Permission failure answered with 401: {evidence.reason} "
                "refuses a caller who is already known; answer 403 so the "
                "client stops instead of retrying with new credentials",
            )

    VALID = (
        textwrap.dedent("""\
            from fastapi import Depends, FastAPI, HTTPException

            from .security import User, get_current_user

            app = FastAPI()


            @app.delete("/projects/{project_id}")
            async def delete_project(
                project_id: int, user: User = Depends(get_current_user)
            ):
                if user.role != "admin":
                    raise HTTPException(status_code=403, detail="Forbidden")
                return {"deleted": project_id}
            """),
        # An expired token is a credential failure: 401 is right.
        textwrap.dedent("""\
            import time

            from flask import Flask, jsonify, request

            from .tokens import decode

            app = Flask(__name__)


            @app.get("/profile")
            def profile():
                claims = decode(request.headers.get("Authorization", ""))
                if claims["exp"] < time.time():
                    challenge = 'Bearer error="invalid_token"'
                    headers = {"WWW-Authenticate": challenge}
                    return jsonify(error="invalid_token"), 401, headers
                return jsonify(sub=claims["sub"])
            """),
        # `not user.is_active` is no evidence of a permission failure.
        textwrap.dedent("""\
            from django.contrib.auth import authenticate
            from django.http import HttpResponse


            def api_login(request):
                user = authenticate(
                    request,
                    username=request.POST.get("username"),
                    password=request.POST.get("password"),
                )
                if user is None or not user.is_active:
                    response = HttpResponse("Authentication required.", status=401)
                    response["WWW-Authenticate"] = 'Basic realm="api"'
                    return response
                return HttpResponse("ok")
            """),
        textwrap.dedent("""\
            from flask import Flask, jsonify

            app = Flask(__name__)
            CHALLENGE = {"WWW-Authenticate": 'Bearer realm="app"'}


            @app.errorhandler(401)
            def unauthorized(error):
                return jsonify(error="Sign in to continue."), 401, CHALLENGE


            @app.errorhandler(403)
            def forbidden(error):
                return jsonify(error="Forbidden."), 403
            """),
        textwrap.dedent("""\
            from rest_framework.exceptions import NotAuthenticated
            from rest_framework.permissions import BasePermission


            class CanViewReports(BasePermission):
                def has_permission(self, request, view):
                    if request.user.is_anonymous:
                        raise NotAuthenticated()
                    return request.user.has_perm("reports.view_report")
            """),
        # Missing key: 401; a key without the scope: 403.
        textwrap.dedent("""\
            from flask import Flask, abort, jsonify, request

            from .models import ApiKey

            app = Flask(__name__)


            @app.post("/invoices")
            def create_invoice():
                raw = request.headers.get("X-API-Key", "")
                api_key = ApiKey.query.filter_by(key=raw).first()
                if api_key is None:
                    challenge = {"WWW-Authenticate": 'ApiKey realm="billing"'}
                    return jsonify(error="unauthorized"), 401, challenge
                if "invoices:write" not in api_key.scopes:
                    abort(403)
                return jsonify(created=True), 201
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                from fastapi import Depends, HTTPException, status

                from .security import User, get_current_user


                def require_role(*allowed: str):
                    async def dependency(
                        user: User = Depends(get_current_user),
                    ) -> User:
                        if user.role not in allowed:
                            raise HTTPException(
                                status_code=status.HTTP_401_UNAUTHORIZED,
                                detail="Insufficient role",
                            )
                        return user

                    return dependency
                """),
            lines=(12,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from django.contrib.auth.decorators import login_required
                from django.http import JsonResponse

                from .models import Invoice


                @login_required
                def revenue(request):
                    if not request.user.is_staff:
                        body = {"error": "Staff only."}
                        return JsonResponse(body, status=401)
                    total = sum(i.total_cents for i in Invoice.objects.all())
                    return JsonResponse({"total_cents": total})
                """),
            lines=(11,),
        ),
        # Ownership of the object.
        Invalid(
            code=textwrap.dedent("""\
                from flask import Blueprint, abort
                from flask_login import current_user, login_required

                from .models import Post

                bp = Blueprint("posts", __name__)


                @bp.post("/posts/<int:post_id>/delete")
                @login_required
                def delete_post(post_id):
                    post = Post.query.get_or_404(post_id)
                    if post.author != current_user:
                        abort(401)
                    post.delete()
                    return {"deleted": post_id}
                """),
            lines=(14,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from rest_framework.exceptions import NotAuthenticated
                from rest_framework.permissions import BasePermission


                class CanExportReports(BasePermission):
                    def has_permission(self, request, view):
                        if not request.user.has_perm("reports.export"):
                            raise NotAuthenticated()
                        return True
                """),
            lines=(8,),
        ),
        # A scope test is a permission test, though it names a token.
        Invalid(
            code=textwrap.dedent("""\
                from fastapi import HTTPException, Security
                from fastapi.security import HTTPAuthorizationCredentials
                from fastapi.security import HTTPBearer

                from .tokens import token_has_scope

                bearer = HTTPBearer()


                async def require_write(
                    credentials: HTTPAuthorizationCredentials = Security(
                        bearer
                    ),
                ) -> str:
                    token = credentials.credentials
                    if not token_has_scope(token, "items:write"):
                        raise HTTPException(401, detail="insufficient_scope")
                    return token
                """),
            lines=(17,),
        ),
        # The message is the only evidence here.
        Invalid(
            code=textwrap.dedent("""\
                from flask import Blueprint, jsonify
                from flask_login import current_user

                from .models import Report

                bp = Blueprint("reports", __name__)


                @bp.get("/reports/<int:report_id>")
                def report(report_id):
                    report = Report.query.get_or_404(report_id)
                    if not report.visible_to(current_user):
                        body = jsonify(error="Insufficient permissions")
                        return body, 401
                    return jsonify(title=report.title)
                """),
            lines=(14,),
        ),
    )
