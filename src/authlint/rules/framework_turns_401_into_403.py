"""AUT105: framework settings that turn credential failures into 403."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from authlint.analysis.configuration import CONFIGURATION_TRIGGERS
from authlint.analysis.facts import ModuleFacts
from authlint.rules.base import Invalid, Rule, Violation


class FrameworkTurns401Into403(Rule):
    """
    ## What it does
    Flags framework settings under which a caller without valid credentials
    is answered 403 (or, for Starlette's middleware, 400), although the
    project's code never writes that status:

    - Django: `raise_exception = True` on `LoginRequiredMixin` or another
      `AccessMixin` subclass, unless the class overrides
      `handle_no_permission`; `@permission_required(..., raise_exception=True)`
      without `@login_required` in front of it.
    - Django REST Framework: an authentication class that raises
      `AuthenticationFailed` or `NotAuthenticated` but has no
      `authenticate_header`, of its own or inherited (`TokenAuthentication`
      and `BasicAuthentication` have one, `BaseAuthentication` does not);
      an `authentication_classes` list, `@authentication_classes` decorator or
      `DEFAULT_AUTHENTICATION_CLASSES` setting whose first entry has no
      challenge while a later one has.
    - Starlette: `@requires("authenticated")` with its default
      `status_code=403` and no `redirect`; `AuthenticationMiddleware`
      without `on_error`, which answers a failed authentication with 400 and
      the exception's text.

    A security scheme or dependency of the project's own that answers
    missing credentials with 403 is reported by AUT101 instead.

    ## Why is this bad?
    These settings make the server say "forbidden" to someone it has not
    identified. A client can only react to the status it gets: on 403 it
    stops, so a user whose session expired is shown "access denied" instead
    of a login page, and an API client never refreshes its token. DRF shows
    the trap plainly: it answers 401 only when the first authentication
    class can name a `WWW-Authenticate` challenge, and quietly uses 403
    otherwise. Starlette's middleware default is worse still: 400 tells the
    client its request is malformed, and the body repeats whatever the
    backend's exception said.

    The mistake is easy to miss in review because no `403` appears in the
    code, and it skews monitoring the same way a hand-written 403 does:
    credential failures are counted as policy refusals.

    ## Example
    ```python
    from rest_framework.authentication import BaseAuthentication
    from rest_framework.exceptions import AuthenticationFailed

    from .models import ApiKey


    class ApiKeyAuthentication(BaseAuthentication):
        def authenticate(self, request):
            raw = request.headers.get("X-Api-Key")
            if raw is None:
                return None
            key = ApiKey.objects.filter(key=raw).first()
            if key is None:
                raise AuthenticationFailed("Invalid API key.")
            return (key.owner, key)
    ```

    ## Use instead
    ```python
    class ApiKeyAuthentication(BaseAuthentication):
        def authenticate(self, request):
            ...

        def authenticate_header(self, request):
            return 'ApiKey realm="api"'
    ```

    Likewise: leave `raise_exception` unset (or override
    `handle_no_permission` to raise only for signed-in users), put
    `@login_required` above `@permission_required`, list
    `TokenAuthentication` before `SessionAuthentication`, pass
    `status_code=401` or `redirect=` to `@requires`, and give
    `AuthenticationMiddleware` an `on_error` that answers 401 with a challenge.

    ## References
    - RFC 9110, §15.5.2 (401 Unauthorized, with its `WWW-Authenticate`
      challenge) and §15.5.4 (403 Forbidden):
      <https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2>
    - RFC 6750, §3 and §3.1: a request without a valid bearer token gets 401
      and a challenge: <https://www.rfc-editor.org/rfc/rfc6750#section-3>
    - OWASP API Security Top 10 2023, API2 Broken Authentication:
      <https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/>
    - NIST Cybersecurity Framework 2.0, PR.AA (identity management,
      authentication and access control): <https://doi.org/10.6028/NIST.CSWP.29>
    - CWE-287, Improper Authentication:
      <https://cwe.mitre.org/data/definitions/287.html>

    ## Known problems
    - `raise_exception = True` is seen only on a class that names one of
      Django's access mixins among its own bases; a subclass of the
      project's own mixin (`class ReportView(MemberView)`) is not followed.
      `permission_required` applied to a class-based view through
      `@method_decorator(...)` is not recognised either.
    - An authentication class whose base comes from a package authlint does
      not know is given the benefit of the doubt. A dotted path in
      `DEFAULT_AUTHENTICATION_CLASSES` that names the project's own class is
      followed only when that module is part of the checked project.
    - `REST_FRAMEWORK` is read only when it is a dictionary assigned once at
      module level; settings assembled with `update()` or imported from
      another settings module are not seen.
    - A list that holds only classes without a challenge (such as
      `SessionAuthentication` alone) is not flagged, although DRF then
      answers every credential failure with 403: that is DRF's documented
      behaviour for session-based browser clients.
    """

    code = "AUT105"
    name = "framework-turns-401-into-403"
    summary = "Framework configuration makes credential failures come out as 403"
    triggers = CONFIGURATION_TRIGGERS
    cwe = (287,)

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for issue in facts.framework_issues:
            yield Violation(issue.node, issue.message)

    VALID = (
        # Anonymous users are sent to the login page.
        textwrap.dedent("""\
            from django.contrib.auth.mixins import LoginRequiredMixin
            from django.views.generic import ListView

            from .models import Invoice


            class InvoiceList(LoginRequiredMixin, ListView):
                model = Invoice
                login_url = "/accounts/login/"
            """),
        textwrap.dedent("""\
            from django.contrib.auth.mixins import LoginRequiredMixin
            from django.core.exceptions import PermissionDenied
            from django.shortcuts import redirect
            from django.views.generic import DetailView

            from .models import Report


            class ReportDetail(LoginRequiredMixin, DetailView):
                model = Report
                raise_exception = True

                def handle_no_permission(self):
                    if self.request.user.is_authenticated:
                        raise PermissionDenied
                    return redirect("login")
            """),
        textwrap.dedent("""\
            from rest_framework.authentication import BaseAuthentication
            from rest_framework.exceptions import AuthenticationFailed

            from .models import ApiKey


            class ApiKeyAuthentication(BaseAuthentication):
                def authenticate(self, request):
                    raw = request.headers.get("X-Api-Key")
                    if raw is None:
                        return None
                    key = ApiKey.objects.filter(key=raw).first()
                    if key is None:
                        raise AuthenticationFailed("Invalid API key.")
                    return (key.owner, key)

                def authenticate_header(self, request):
                    return 'ApiKey realm="api"'
            """),
        # The challenge is inherited from TokenAuthentication.
        textwrap.dedent("""\
            from rest_framework.authentication import TokenAuthentication
            from rest_framework.exceptions import AuthenticationFailed


            class ExpiringTokenAuthentication(TokenAuthentication):
                def authenticate_credentials(self, key):
                    user, token = super().authenticate_credentials(key)
                    if token.is_expired():
                        raise AuthenticationFailed("Invalid token.")
                    return user, token
            """),
        textwrap.dedent("""\
            from django.contrib.auth.decorators import (
                login_required,
                permission_required,
            )
            from django.shortcuts import render


            @login_required
            @permission_required("billing.view_invoice", raise_exception=True)
            def invoices(request):
                return render(request, "billing/invoices.html")
            """),
        textwrap.dedent("""\
            from starlette.authentication import requires
            from starlette.responses import JSONResponse
            from starlette.status import HTTP_401_UNAUTHORIZED


            @requires("authenticated", status_code=HTTP_401_UNAUTHORIZED)
            async def profile(request):
                return JSONResponse({"user": request.user.display_name})


            @requires(["authenticated", "admin"], redirect="login")
            async def admin(request):
                return JSONResponse({"admin": True})
            """),
        textwrap.dedent("""\
            from starlette.applications import Starlette
            from starlette.middleware import Middleware
            from starlette.middleware.authentication import (
                AuthenticationMiddleware,
            )
            from starlette.responses import JSONResponse

            from .auth import TokenBackend


            def on_auth_error(request, exc):
                headers = {"WWW-Authenticate": 'Bearer realm="api"'}
                return JSONResponse({"detail": "Unauthorized"}, 401, headers)


            backend = TokenBackend()
            app = Starlette(
                middleware=[
                    Middleware(
                        AuthenticationMiddleware,
                        backend=backend,
                        on_error=on_auth_error,
                    ),
                ],
            )
            """),
        # The first class sends a challenge, so DRF answers 401.
        textwrap.dedent("""\
            from rest_framework.authentication import (
                SessionAuthentication,
                TokenAuthentication,
            )
            from rest_framework.response import Response
            from rest_framework.views import APIView


            class UsageView(APIView):
                authentication_classes = [
                    TokenAuthentication,
                    SessionAuthentication,
                ]

                def get(self, request):
                    return Response({"calls": 0})
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                from django.contrib.auth.mixins import LoginRequiredMixin
                from django.views.generic import ListView

                from .models import Invoice


                class InvoiceList(LoginRequiredMixin, ListView):
                    model = Invoice
                    raise_exception = True
                """),
            lines=(9,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from rest_framework.authentication import BaseAuthentication
                from rest_framework.exceptions import AuthenticationFailed

                from .models import ApiKey


                class ApiKeyAuthentication(BaseAuthentication):
                    def authenticate(self, request):
                        raw = request.headers.get("X-Api-Key")
                        if raw is None:
                            return None
                        key = ApiKey.objects.filter(key=raw).first()
                        if key is None:
                            raise AuthenticationFailed("Invalid API key.")
                        return (key.owner, key)
                """),
            lines=(7,),
        ),
        # DRF asks only the first class for a challenge.
        Invalid(
            code=textwrap.dedent("""\
                REST_FRAMEWORK = {
                    "DEFAULT_AUTHENTICATION_CLASSES": [
                        "rest_framework.authentication.SessionAuthentication",
                        "rest_framework.authentication.TokenAuthentication",
                    ],
                    "DEFAULT_PERMISSION_CLASSES": [
                        "rest_framework.permissions.IsAuthenticated",
                    ],
                }
                """),
            lines=(2,),
        ),
        # The permission check runs first, so anonymous callers get 403.
        Invalid(
            code=textwrap.dedent("""\
                from django.contrib.auth.decorators import (
                    login_required,
                    permission_required,
                )
                from django.shortcuts import render


                @permission_required("billing.view_invoice", raise_exception=True)
                @login_required
                def invoices(request):
                    return render(request, "billing/invoices.html")
                """),
            lines=(8,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from starlette.authentication import requires
                from starlette.responses import JSONResponse


                @requires("authenticated")
                async def profile(request):
                    name = request.user.display_name
                    return JSONResponse({"user": name})
                """),
            lines=(5,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from fastapi import FastAPI
                from starlette.middleware.authentication import (
                    AuthenticationMiddleware,
                )

                from .auth import TokenBackend

                app = FastAPI()
                app.add_middleware(AuthenticationMiddleware, backend=TokenBackend())
                """),
            lines=(9,),
        ),
    )
