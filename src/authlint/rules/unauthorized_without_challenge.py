"""AUT203: a 401 built without a ``WWW-Authenticate`` header."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from authlint.analysis.bodies import report_node
from authlint.analysis.challenges import missing_challenge
from authlint.analysis.facts import ModuleFacts
from authlint.analysis.responses import DENIAL_TRIGGERS
from authlint.findings import Severity
from authlint.rules.base import Invalid, Rule, Violation


class UnauthorizedWithoutChallenge(Rule):
    """
    ## What it does
    Flags a 401 response or exception that goes out without a
    `WWW-Authenticate` header, at the place the 401 is built.

    The header counts when it is:

    - passed at construction: `headers={"WWW-Authenticate": ...}` (FastAPI,
      Starlette, Django, DRF `Response`), the third element of a Flask
      tuple, `abort(401, www_authenticate=...)` or
      `Unauthorized(www_authenticate=...)` (Werkzeug);
    - set on the response in the same function before it is returned:
      `response.headers["WWW-Authenticate"] = ...`, Django's
      `response["WWW-Authenticate"] = ...`;
    - added by the project helper or exception class the 401 goes through;
    - added by the framework: DRF's `AuthenticationFailed` and
      `NotAuthenticated` (DRF takes the header from the authenticator's
      `authenticate_header`), a function decorated with Flask-HTTPAuth's
      `@auth.error_handler`;
    - added by a hook anywhere in the project whose code sets it: a Flask
      `@app.errorhandler(401)`, `register_error_handler`, a FastAPI or
      Starlette exception handler (for raised errors and `abort`), or an
      `after_request` hook or middleware (for every response).

    flask-jwt-extended's loaders, `HTTPException(401)` without `headers=`,
    `abort(401)`, `JsonResponse(..., status=401)` and
    `HttpResponse(status=401)` send no challenge of their own.

    ## Why is this bad?
    RFC 9110 §15.5.2 requires every 401 to carry at least one
    `WWW-Authenticate` challenge: it is what tells the client which scheme
    to use (`Basic`, `Bearer`, an API key scheme) and, for bearer tokens, the
    `error` code of RFC 6750 §3 (`invalid_token`). Without it, HTTP clients
    and libraries cannot react generically: browsers do not prompt, OAuth
    client libraries do not know that a refresh is the answer, proxies and
    API gateways may treat the response as malformed, and people reading the
    response have to guess whether the server wants a cookie, a token or a
    key. If no scheme fits, the status is likely not 401 at all.

    ## Example
    ```python
    from fastapi import HTTPException


    def require_token(token):
        if not token:
            raise HTTPException(status_code=401, detail="Not authenticated")
    ```

    ## Use instead
    ```python
    from fastapi import HTTPException


    def require_token(token):
        if not token:
            raise HTTPException(
                status_code=401,
                detail="Not authenticated",
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            )
    ```

    In Flask, return the headers as the third element
    (`return jsonify(error="Not authenticated"), 401, {"WWW-Authenticate":
    'Bearer realm="api"'}`), pass `www_authenticate=` to `abort(401, ...)`
    on Werkzeug 2.3+, or set the header once for every 401 in an
    `@app.errorhandler(401)`. In Django set `response["WWW-Authenticate"]`
    before returning. In DRF raise `NotAuthenticated` or
    `AuthenticationFailed` and give your authenticator an
    `authenticate_header` method. Use the scheme your API expects:
    `Basic realm="..."`, `Bearer`, or your own (`ApiKey`).

    ## References
    - RFC 9110, §15.5.2 (401 Unauthorized) and §11.6.1 (WWW-Authenticate):
      <https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2>
    - RFC 6750, §3 (the Bearer challenge and its `error` codes):
      <https://www.rfc-editor.org/rfc/rfc6750#section-3>
    - CWE-287, Improper Authentication:
      <https://cwe.mitre.org/data/definitions/287.html>

    ## Known problems
    - Hooks in other modules are found by searching the project's files for
      `WWW-Authenticate`: the Python files of the folder that holds the
      top-level package (or the script) and of the packages below it. A
      function there that sets the header counts as a hook for the whole
      project when it is an error handler (decorated or registered as one,
      or named like one: `*handler*`, `on_error`), or an `after_request`
      hook or middleware method (`process_response`, `__call__`,
      `dispatch`) that sets it on the response it is handed, even when it
      only adds the header to some responses. In a folder holding several
      applications side by side, one application's hook quiets the others.
      In a project too large to search (more than 20,000 files), nothing is
      reported.
    - Headers passed as a variable or built by a call are taken to hold the
      challenge; so is `response.headers.update(...)` on the returned
      response.
    - A 401 made by a project helper with a fixed status is reported once,
      inside the helper, not at each call.
    - A 401 that refuses a permission (AUT102) or answers an outage from a
      broad `except` (AUT104) is left to those rules: its fix is another
      status, not a challenge.
    - A reverse proxy or API gateway that adds the header is not visible in
      the code: mark such places with `# noqa: AUT203`.
    - Test files (`tests/`, `test_*.py`, `conftest.py`) are not checked.
    """

    code = "AUT203"
    name = "401-without-challenge"
    summary = "A 401 is sent without a WWW-Authenticate challenge"
    triggers = DENIAL_TRIGGERS
    severity = Severity.WARNING
    cwe = (287,)

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for denial in facts.denials:
            built = missing_challenge(facts, denial)
            if built is None:
                continue
            yield Violation(
                report_node(facts, denial, built),
                "401 without a `WWW-Authenticate` header: add a challenge "
                "naming the scheme the client must use "
                '(`WWW-Authenticate: Bearer realm="api"`)',
            )

    VALID = (
        textwrap.dedent("""\
            from fastapi import HTTPException


            def require_token(token):
                if not token:
                    raise HTTPException(
                        401,
                        detail="Not authenticated",
                        headers={"WWW-Authenticate": "Bearer"},
                    )
            """),
        # Set on the response after it is built.
        textwrap.dedent("""\
            from django.http import JsonResponse


            def api(request):
                if not request.user.is_authenticated:
                    response = JsonResponse({"error": "Not authenticated"}, status=401)
                    response["WWW-Authenticate"] = 'Bearer realm="api"'
                    return response
                return JsonResponse({"ok": True})
            """),
        # An error handler adds it to every raised 401.
        textwrap.dedent("""\
            from flask import Flask, abort, jsonify

            app = Flask(__name__)


            @app.errorhandler(401)
            def unauthorized(error):
                response = jsonify(error="Not authenticated")
                response.status_code = 401
                response.headers["WWW-Authenticate"] = 'Bearer realm="app"'
                return response


            @app.get("/me")
            def me():
                abort(401)
            """),
        # DRF adds it from the authenticator's `authenticate_header`.
        textwrap.dedent("""\
            from rest_framework.exceptions import NotAuthenticated


            def check(request):
                if request.auth is None:
                    raise NotAuthenticated()
            """),
    )
    INVALID = (
        Invalid(
            code=textwrap.dedent("""\
                from flask import Flask, jsonify
                from flask_jwt_extended import JWTManager

                app = Flask(__name__)
                jwt = JWTManager(app)


                @jwt.expired_token_loader
                def expired(header, payload):
                    return jsonify(msg="Not authenticated"), 401
                """),
            lines=(10,),
        ),
        # Reported once, where the shared exception is built.
        Invalid(
            code=textwrap.dedent("""\
                from fastapi import HTTPException, status

                credentials_exception = HTTPException(
                    status_code=status.HTTP_401_UNAUTHORIZED,
                    detail="Could not validate credentials",
                )


                def user_from(token, users):
                    if token is None:
                        raise credentials_exception
                    if token not in users:
                        raise credentials_exception
                    return users[token]
                """),
            lines=(4,),
        ),
        Invalid(
            code=textwrap.dedent("""\
                from django.http import HttpResponse


                def feed(request):
                    if request.headers.get("Authorization") is None:
                        return HttpResponse("Authentication required", status=401)
                    return HttpResponse("ok")
                """),
            lines=(6,),
        ),
    )
