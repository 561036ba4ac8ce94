"""Flask, Werkzeug, Quart and the Flask extensions."""

from __future__ import annotations

from authlint.frameworks.spec import ResponseSpec, argument, fixed

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
