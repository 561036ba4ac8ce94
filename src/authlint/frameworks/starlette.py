"""Starlette and FastAPI, which builds on it."""

from __future__ import annotations

from authlint.frameworks.spec import BodySpec, ResponseSpec, Slot, argument, body

_RESPONSE_CLASSES = (
    "Response",
    "JSONResponse",
    "PlainTextResponse",
    "HTMLResponse",
    "ORJSONResponse",
    "UJSONResponse",
)
_RESPONSE_MODULES = (
    "starlette.responses",
    "fastapi.responses",
    "fastapi",
)
_HTTP_EXCEPTIONS = (
    "starlette.exceptions.HTTPException",
    "fastapi.HTTPException",
    "fastapi.exceptions.HTTPException",
)

RESPONSES: dict[str, ResponseSpec] = {
    **{name: argument(0, "status_code") for name in _HTTP_EXCEPTIONS},
    **{
        f"{module}.{cls}": argument(1, "status_code", 200)
        for module in _RESPONSE_MODULES
        for cls in _RESPONSE_CLASSES
    },
}

BODIES: dict[str, BodySpec] = {
    **{
        name: body(1, "detail", headers=Slot(2, "headers")) for name in _HTTP_EXCEPTIONS
    },
    **{
        f"{module}.{cls}": body(0, "content", headers=Slot(2, "headers"))
        for module in _RESPONSE_MODULES
        for cls in _RESPONSE_CLASSES
    },
}

# Modules with ``HTTP_403_FORBIDDEN``-style constants.
STATUS_MODULES = ("starlette.status", "fastapi.status")

# FastAPI's hook that builds the error for missing credentials.
CREDENTIAL_HANDLER_METHODS = ("make_not_authenticated_error",)

# FastAPI's dependency markers, by name: ``Depends(get_current_user)``.
DEPENDENCY_CALLS = ("Depends", "Security")

# Starlette's ``@requires`` decorator and authentication middleware.
REQUIRES_DECORATORS = ("starlette.authentication.requires",)
AUTHENTICATION_MIDDLEWARE = (
    "starlette.middleware.authentication.AuthenticationMiddleware",
)
MIDDLEWARE_WRAPPERS = (
    "starlette.middleware.Middleware",
    "fastapi.middleware.Middleware",
)
