"""Flask, Werkzeug, Quart and the Flask extensions."""

from __future__ import annotations

from authlint.frameworks.spec import BodySpec, ResponseSpec, Slot, argument, body, fixed

# Modules whose presence means ``return body, 403`` is a Flask-style response.
TUPLE_RESPONSE_PACKAGES = (
    "flask",
    "quart",
    "werkzeug",
    "flask_restful",
    "flask_restx",
    "flask_smorest",
    "flask_login",
    "flask_httpauth",
    "flask_jwt_extended",
    "apiflask",
    "connexion",
)

_WERKZEUG_EXCEPTIONS = {
    "BadRequest": 400,
    "Unauthorized": 401,
    "Forbidden": 403,
    "NotFound": 404,
    "PreconditionFailed": 412,
    "UnprocessableEntity": 422,
}

RESPONSES: dict[str, ResponseSpec] = {
    "flask.abort": argument(0, "code"),
    "quart.abort": argument(0, "code"),
    "werkzeug.exceptions.abort": argument(0, "status"),
    "flask_restful.abort": argument(0, "http_status_code"),
    "flask_restx.abort": argument(0, "code"),
    "flask_smorest.abort": argument(0, "http_status_code"),
    "apiflask.abort": argument(0, "status_code"),
    "flask.make_response": argument(1, None),
    "quart.make_response": argument(1, None),
    "flask.Response": argument(1, "status", 200),
    "flask.wrappers.Response": argument(1, "status", 200),
    "werkzeug.Response": argument(1, "status", 200),
    "werkzeug.wrappers.Response": argument(1, "status", 200),
    "quart.Response": argument(1, "status", 200),
    **{
        f"werkzeug.exceptions.{name}": fixed(code)
        for name, code in _WERKZEUG_EXCEPTIONS.items()
    },
}

# Werkzeug's exceptions take ``description`` first; ``Unauthorized`` also
# takes ``www_authenticate`` and sends the header only when it is given.
# ``abort(code, *args, **kwargs)`` passes everything after the code on.
_CHALLENGE = Slot(None, "www_authenticate")
_ABORT = body(1, "description", challenge=_CHALLENGE)
BODIES: dict[str, BodySpec] = {
    "flask.abort": _ABORT,
    "quart.abort": _ABORT,
    "werkzeug.exceptions.abort": _ABORT,
    "werkzeug.exceptions.Unauthorized": body(
        0, "description", challenge=Slot(2, "www_authenticate")
    ),
    **{
        f"werkzeug.exceptions.{name}": body(0, "description")
        for name in _WERKZEUG_EXCEPTIONS
        if name != "Unauthorized"
    },
    # flask-restful and flask-smorest put keyword arguments in the JSON body.
    "flask_restful.abort": body(None, "message"),
    "flask_smorest.abort": body(None, "message"),
    "flask_restx.abort": body(1, "message"),
    "apiflask.abort": body(1, "message", headers=Slot(3, "headers")),
    "flask.make_response": body(0, None, headers=Slot(2, None)),
    "quart.make_response": body(0, None, headers=Slot(2, None)),
    **{
        name: body(0, "response", headers=Slot(2, "headers"))
        for name in (
            "flask.Response",
            "flask.wrappers.Response",
            "werkzeug.Response",
            "werkzeug.wrappers.Response",
            "quart.Response",
        )
    },
}

# Calls that turn their arguments into a JSON body.
JSON_BODY_CALLS = ("flask.jsonify", "flask.json.jsonify", "quart.jsonify")

# Decorators (by last name) that mark a view as reachable only when signed in.
AUTHENTICATED_DECORATORS = (
    "login_required",
    "jwt_required",
    "fresh_jwt_required",
    "jwt_refresh_token_required",
    "auth_required",
    "token_required",
    "requires_auth",
    "require_auth",
    "roles_required",
    "roles_accepted",
    "permissions_required",
)

# Decorator attribute names that register a function as the answer to a
# credential failure (Flask-Login, flask-jwt-extended).
CREDENTIAL_HANDLER_DECORATORS = (
    "unauthorized_handler",
    "unauthorized_loader",
    "expired_token_loader",
    "invalid_token_loader",
    "revoked_token_loader",
    "needs_fresh_token_loader",
    "user_lookup_error_loader",
)

# Flask-HTTPAuth's ``@auth.error_handler``: the same role, registered on an
# HTTPBasicAuth/HTTPTokenAuth/HTTPDigestAuth/MultiAuth object.
HTTPAUTH_CLASSES = (
    "flask_httpauth.HTTPBasicAuth",
    "flask_httpauth.HTTPTokenAuth",
    "flask_httpauth.HTTPDigestAuth",
    "flask_httpauth.MultiAuth",
)
