"""AUT106: an authorization failure hidden behind 404 without a marker."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from authlint.analysis.facts import FailureKind, ModuleFacts
from authlint.analysis.responses import DENIAL_TRIGGERS
from authlint.findings import Severity
from authlint.rules.base import Invalid, Rule, Violation


class Undeclared404ForDenial(Rule):
    """
    ## What it does
    Flags a 404 answered because a known caller may not see or change a
    resource: the denial sits under a test of ownership, a permission, a role
    or a tenant (`invoice.owner_id != request.user.pk`,
    `not request.user.has_perm(...)`, `tenant_id not in request.user.tenants`)
    and answers with `Http404`, `abort(404)`, DRF's `NotFound` or
    `status_code=404`.

    The rule is off by default. Teams that want every deliberate hiding
    place marked select it (`extend-select = ["AUT106"]` in
    `[tool.authlint]`) and put `# noqa: AUT106` with the reason on each
    404 they mean.

    ## Why is this bad?
    Hiding a resource is a legitimate choice: RFC 9110 lets a server answer
    404 instead of 403 when it does not want to admit that the resource
    exists, which keeps callers from learning which ids of other tenants are
    real. The trouble is the 404 nobody chose on purpose.

    The client is told the thing does not exist, so a colleague who should
    ask for access reports a broken link instead, and integrations delete
    records they believe are gone. Dashboards count the refusal as a missing
    page, so someone walking through other users' ids shows up as noise
    rather than as a run of denials. And hiding done by habit is rarely done
    everywhere: when one route answers 403 and another 404 for the same
    object, the difference itself tells a caller which ids exist. A marker
    on every deliberate 404 makes the choice visible in review and easy to
    keep consistent.

    ## Example
    ```python
    from django.contrib.auth.decorators import login_required
    from django.http import Http404
    from django.shortcuts import get_object_or_404, render

    from .models import Invoice


    @login_required
    def invoice_detail(request, pk):
        invoice = get_object_or_404(Invoice, pk=pk)
        if invoice.customer.user_id != request.user.pk:
            raise Http404
        return render(request, "billing/invoice.html", {"invoice": invoice})
    ```

    ## Use instead
    Refuse openly:

    ```python
    from django.core.exceptions import PermissionDenied

    if invoice.customer.user_id != request.user.pk:
        raise PermissionDenied
    ```

    or hide on purpose, and say so where it happens:

    ```python
    if invoice.customer.user_id != request.user.pk:
        raise Http404  # noqa: AUT106 - invoice ids must not be enumerable
    ```

    A query filtered by owner
    (`get_object_or_404(Invoice, pk=pk, customer__user=request.user)`)
    hides the same way without a separate denial, and is not flagged.

    ## References
    - RFC 9110, §15.5.4 (403 Forbidden, which allows 404 to hide a forbidden
      resource) and §15.5.5 (404 Not Found):
      <https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4>
    - OWASP API Security Top 10 2023, API1 Broken Object Level Authorization
      and API5 Broken Function Level Authorization:
      <https://owasp.org/API-Security/editions/2023/en/0x11-t10/>
    - CWE-204, Observable Response Discrepancy:
      <https://cwe.mitre.org/data/definitions/204.html>
    - CWE-285, Improper Authorization:
      <https://cwe.mitre.org/data/definitions/285.html>

    ## Known problems
    - Only a 404 under a recognisable permission test is flagged. Conditions
      are read by the words of the names they test; a policy check of the
      project's own with a neutral name (`if not report.visible_to(user):`)
      needs `permission-checks` in `[tool.authlint]` before it is seen.
    - A condition computed in another function is seen only through its
      name, and the body of that function is not read.
    - The `# noqa` marker must be on the reported line: the `404` argument
      when it is written out, otherwise the `raise` or call. On a 404 written
      across several lines, a marker on the first line of the statement is
      not enough when the status is on a later one.
    - Helpers, exception classes and status constants reached through a star
      import (`from .errors import *`) are not resolved, so their denials are
      not seen.
    - A status computed at runtime is never flagged, by design.
    """

    code = "AUT106"
    name = "undeclared-404-for-denial"
    summary = "Authorization failure hidden behind 404 without a marker"
    triggers = DENIAL_TRIGGERS
    default_enabled = False
    severity = Severity.WARNING
    cwe = (204, 285)

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for denial in facts.denials:
            evidence = denial.evidence
            if evidence is None or evidence.kind is not FailureKind.PERMISSION:
                continue
            if denial.status != 404:
                continue
            yield Violation(
                denial.node,
                f"Authorization failure answered with 404: {evidence.reason} "
                "refuses a known caller; if hiding the resource is deliberate, "
                "say so with `# noqa: AUT106`, otherwise answer 403",
            )

    VALID = (
        # The item does not exist: a plain 404.
        textwrap.dedent("""\
            from fastapi import FastAPI, HTTPException

            from .db import items

            app = FastAPI()


            @app.get("/items/{item_id}")
            async def read_item(item_id: int):
                item = await items.get(item_id)
                if item is None:
                    raise HTTPException(status_code=404, detail="Not found")
                return item
            """),
        # Filtered by owner: no separate denial.
        textwrap.dedent("""\
            from django.contrib.auth.decorators import login_required
            from django.shortcuts import get_object_or_404, render

            from .models import Invoice


            @login_required
            def invoice_detail(request, pk):
                invoice = get_object_or_404(
                    Invoice, pk=pk, customer__user=request.user
                )
                return render(request, "invoice.html", {"invoice": invoice})
            """),
        # A feature switch, not a permission.
        textwrap.dedent("""\
            from django.conf import settings
            from django.http import Http404
            from django.shortcuts import render


            def beta_dashboard(request):
                if not settings.FEATURE_BETA_DASHBOARD:
                    raise Http404
                return render(request, "beta.html")
            """),
        # The refusal is open.
        textwrap.dedent("""\
            from flask import Blueprint, abort
            from flask_login import current_user, login_required

            from .models import Post

            bp = Blueprint("posts", __name__)


            @bp.get("/posts/<int:post_id>/edit")
            @login_required
            def edit_post(post_id):
                post = Post.query.get_or_404(post_id)
                if post.author != current_user:
                    abort(403)
                return {"post": post.id}
            """),
        # `is_active` is no permission test.
        textwrap.dedent("""\
            from django.http import Http404
            from django.shortcuts import render

            from .models import Profile


            def public_profile(request, username):
                profile = Profile.objects.filter(username=username).first()
                if profile is None or not profile.is_active:
                    raise Http404
                return render(request, "profile.html", {"profile": profile})
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                from django.contrib.auth.decorators import login_required
                from django.http import Http404
                from django.shortcuts import get_object_or_404, render

                from .models import Invoice


                @login_required
                def invoice_detail(request, pk):
                    invoice = get_object_or_404(Invoice, pk=pk)
                    if invoice.customer.user_id != request.user.pk:
                        raise Http404("No invoice matches the given query.")
                    context = {"invoice": invoice}
                    return render(request, "invoice.html", context)
                """),
            lines=(12,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from flask import Blueprint, abort
                from flask_login import current_user, login_required

                from .models import Post

                bp = Blueprint("posts", __name__)


                @bp.get("/posts/<int:post_id>/edit")
                @login_required
                def edit_post(post_id):
                    post = Post.query.get_or_404(post_id)
                    if post.author_id != current_user.id:
                        abort(404)
                    return {"post": post.id}
                """),
            lines=(14,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from fastapi import Depends, FastAPI, HTTPException

                from .db import items
                from .security import User, get_current_user

                app = FastAPI()


                @app.get("/items/{item_id}")
                async def read_item(
                    item_id: int, user: User = Depends(get_current_user)
                ):
                    item = await items.get(item_id)
                    if item.owner_id != user.id:
                        raise HTTPException(
                            status_code=404,
                            detail="Not found",
                        )
                    return item
                """),
            lines=(16,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from rest_framework.exceptions import NotFound
                from rest_framework.response import Response
                from rest_framework.views import APIView

                from .models import Report


                class ReportView(APIView):
                    def get(self, request, pk):
                        report = Report.objects.get(pk=pk)
                        user = request.user
                        if not user.has_perm("reports.view_report", report):
                            raise NotFound()
                        return Response({"title": report.title})
                """),
            lines=(13,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from starlette.responses import JSONResponse

                from .db import tenants


                async def tenant_settings(request):
                    tenant_id = request.path_params["tenant_id"]
                    if tenant_id not in request.user.tenants:
                        body = {"detail": "Not found"}
                        return JSONResponse(body, status_code=404)
                    return JSONResponse(await tenants.settings(tenant_id))
                """),
            lines=(10,),
        ),
    )
