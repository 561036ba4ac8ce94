"""What a denial tells the client: messages, runtime parts, challenges."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from authlint.analysis.bodies import PartKind, denial_constructions
from authlint.analysis.extract import extract_facts
from authlint.checker import check_source
from authlint.config import AnalysisOptions
from authlint.project import ProjectIndex

BODY_RULES = frozenset({"AUT201", "AUT202", "AUT203"})


def constructions(source: str) -> list[tuple[str, list[PartKind]]]:
    """Each denial's message text and the kinds of its runtime parts."""
    module = cst.parse_module(textwrap.dedent(source))
    facts = extract_facts(module, "", AnalysisOptions(), None)
    found = denial_constructions(facts)
    result = []
    for denial in facts.denials:
        built = found[id(denial.node)]
        kinds = [p.kind for p in built.parts if p.kind is not PartKind.TEXT]
        result.append((built.text(), kinds))
    return result


def findings(
    source: str, options: AnalysisOptions | None = None, path: str = "views.py"
) -> list[tuple[int, str]]:
    found = check_source(
        textwrap.dedent(source).encode(),
        path,
        enabled=BODY_RULES,
        options=options or AnalysisOptions(),
    )
    return [(f.line, f.code) for f in found]


@pytest.mark.parametrize(
    ("expression", "text", "kinds"),
    [
        ('"Token " + token + " expired"', "Token  …  expired", [PartKind.CREDENTIAL]),
        ('"Hello %s!" % user.email', "Hello  … !", [PartKind.IDENTITY]),
        (
            '"No access for {}".format(username)',
            "No access for  …",
            [PartKind.IDENTITY],
        ),
        (
            "f\"Bad key {request.headers.get('X-API-Key')}\"",
            "Bad key  …",
            [PartKind.CREDENTIAL],
        ),
        ('_("Sign in first")', "Sign in first", []),
        ('{"error": "denied", "scope": required_scope}', "denied …", [PartKind.SCOPE]),
        ("MESSAGE", "Module constant", []),
    ],
)
def test_message_parts_are_read_through_strings_and_names(
    expression: str, text: str, kinds: list[PartKind]
) -> None:
    source = f"""\
        from fastapi import HTTPException

        MESSAGE = "Module constant"


        def check(token, user, username, request, required_scope):
            raise HTTPException(403, detail={expression})
        """

    assert constructions(source) == [(text, kinds)]


def test_a_caught_exception_and_a_loader_reason_are_runtime_detail() -> None:
    source = """\
        import jwt
        from flask import jsonify
        from flask_jwt_extended import JWTManager

        jwt_manager = JWTManager()


        def claims(token):
            try:
                return jwt.decode(token, "k")
            except jwt.InvalidTokenError as exc:
                return jsonify(error=repr(exc)), 401


        @jwt_manager.invalid_token_loader
        def invalid(reason):
            return jsonify(msg=reason), 401
        """

    assert constructions(source) == [
        ("…", [PartKind.EXCEPTION]),
        ("…", [PartKind.REASON]),
    ]


def test_a_project_exception_class_message_and_default() -> None:
    source = """\
        from rest_framework.exceptions import AuthenticationFailed


        class KeyDisabled(AuthenticationFailed):
            default_detail = "This key is disabled"


        def check(key):
            if key is None:
                raise AuthenticationFailed()
            if not key.enabled:
                raise KeyDisabled()
        """

    assert constructions(source) == [
        ("Incorrect authentication credentials.", []),
        ("This key is disabled", []),
    ]


def test_configured_words_and_allowed_messages() -> None:
    source = """\
        from fastapi import HTTPException

        CHALLENGE = {"WWW-Authenticate": "Bearer"}


        def check(token):
            if token.quota_left == 0:
                raise HTTPException(403, "Quota exhausted for this plan")
            if token.expired:
                raise HTTPException(401, "Session expired, sign in again", CHALLENGE)
        """

    assert findings(source) == [(10, "AUT201")]
    options = AnalysisOptions(
        extra_leak_words=("quota exhausted",),
        allowed_messages=("Session expired, sign in again",),
    )
    assert findings(source, options) == [(8, "AUT201")]


def test_test_files_are_not_checked() -> None:
    source = """\
        from fastapi import HTTPException


        def fake(token):
            raise HTTPException(401, detail="Token expired")
        """

    assert findings(source, path="views.py") == [(5, "AUT201"), (5, "AUT203")]
    assert findings(source, path="tests/test_views.py") == []
    assert findings(source, path="conftest.py") == []


def _project(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


VIEWS = """\
    from flask import abort, jsonify, request

    from . import bp


    @bp.get("/raised")
    def raised():
        if "Authorization" not in request.headers:
            abort(401)
        return jsonify(ok=True)


    @bp.get("/returned")
    def returned():
        if "Authorization" not in request.headers:
            return jsonify(error="Not authenticated"), 401
        return jsonify(ok=True)
    """


@pytest.mark.parametrize(
    ("hook", "expected"),
    [
        ("", [(9, "AUT203"), (16, "AUT203")]),
        # An error handler sees raised errors only.
        (
            """\
            @app.errorhandler(401)
            def on_401(error):
                return "Sign in", 401, {"WWW-Authenticate": 'Bearer realm="x"'}
            """,
            [(16, "AUT203")],
        ),
        # An after_request hook sees every response.
        (
            """\
            @app.after_request
            def challenge(response):
                if response.status_code == 401:
                    response.headers["WWW-Authenticate"] = 'Bearer realm="x"'
                return response
            """,
            [],
        ),
    ],
)
def test_challenge_hooks_in_another_module_are_found(
    tmp_path: Path, hook: str, expected: list[tuple[int, str]]
) -> None:
    _project(
        tmp_path,
        {
            "app/__init__.py": "from flask import Blueprint\nbp = Blueprint('b', '')\n",
            "app/views.py": VIEWS,
            "app/hooks.py": "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
            + textwrap.dedent(hook),
        },
    )
    views = tmp_path / "app" / "views.py"
    index = ProjectIndex()

    found = check_source(
        views.read_bytes(),
        str(views),
        enabled=BODY_RULES,
        options=AnalysisOptions(),
        index=index,
    )

    assert [(f.line, f.code) for f in found] == expected
    # The files the answer depends on are knowable: every file of the project.
    root = index.project_root(str(views))
    assert root == tmp_path.resolve()
    assert sorted(p.name for p in index.project_files(root)) == [
        "__init__.py",
        "hooks.py",
        "views.py",
    ]


def test_a_middleware_that_makes_its_own_401_is_no_hook(tmp_path: Path) -> None:
    _project(
        tmp_path,
        {
            "site/__init__.py": "",
            "site/middleware.py": """\
                from django.http import JsonResponse


                class KeyMiddleware:
                    def __init__(self, get_response):
                        self.get_response = get_response

                    def __call__(self, request):
                        if request.headers.get("X-Key") is None:
                            response = JsonResponse({"error": "key"}, status=401)
                            response["WWW-Authenticate"] = "Key"
                            return response
                        return self.get_response(request)
                """,
            "site/views.py": """\
                from django.http import JsonResponse


                def view(request):
                    if not request.user.is_authenticated:
                        return JsonResponse({"error": "Sign in"}, status=401)
                    return JsonResponse({})
                """,
        },
    )
    views = tmp_path / "site" / "views.py"

    found = check_source(
        views.read_bytes(),
        str(views),
        enabled=BODY_RULES,
        options=AnalysisOptions(),
        index=ProjectIndex(),
    )

    assert [(f.line, f.code) for f in found] == [(6, "AUT203")]
