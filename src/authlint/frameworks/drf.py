"""Django REST Framework: responses, exceptions, authenticators, permissions."""

from __future__ import annotations

from authlint.frameworks.spec import BodySpec, ResponseSpec, Slot, argument, body, fixed

_EXCEPTIONS = "rest_framework.exceptions"

RESPONSES: dict[str, ResponseSpec] = {
    "rest_framework.response.Response": argument(1, "status", 200),
    f"{_EXCEPTIONS}.PermissionDenied": fixed(403),
    f"{_EXCEPTIONS}.NotAuthenticated": fixed(401),
    f"{_EXCEPTIONS}.AuthenticationFailed": fixed(401),
    f"{_EXCEPTIONS}.NotFound": fixed(404),
    f"{_EXCEPTIONS}.ValidationError": fixed(400),
    f"{_EXCEPTIONS}.ParseError": fixed(400),
    f"{_EXCEPTIONS}.APIException": fixed(500),
}

STATUS_MODULES = ("rest_framework.status",)

# DRF adds ``WWW-Authenticate`` to its authentication exceptions from the
# first authenticator's ``authenticate_header``, and answers 403 instead when
# there is none: as 401 they always carry the challenge.
BODIES: dict[str, BodySpec] = {
    "rest_framework.response.Response": body(0, "data", headers=Slot(3, "headers")),
    f"{_EXCEPTIONS}.AuthenticationFailed": body(
        0,
        "detail",
        default_message="Incorrect authentication credentials.",
        challenged=True,
    ),
    f"{_EXCEPTIONS}.NotAuthenticated": body(
        0,
        "detail",
        default_message="Authentication credentials were not provided.",
        challenged=True,
    ),
    f"{_EXCEPTIONS}.PermissionDenied": body(
        0,
        "detail",
        default_message="You do not have permission to perform this action.",
    ),
}

CREDENTIAL_EXCEPTIONS = (
    f"{_EXCEPTIONS}.AuthenticationFailed",
    f"{_EXCEPTIONS}.NotAuthenticated",
)

# Authenticators known to send a ``WWW-Authenticate`` challenge (so DRF
# answers 401), and those that do not (so DRF answers 403).
AUTHENTICATORS_WITH_HEADER = (
    "rest_framework.authentication.BasicAuthentication",
    "rest_framework.authentication.TokenAuthentication",
    "rest_framework_simplejwt.authentication.JWTAuthentication",
    "rest_framework_simplejwt.authentication.JWTStatelessUserAuthentication",
    "knox.auth.TokenAuthentication",
    "oauth2_provider.contrib.rest_framework.OAuth2Authentication",
    "rest_framework_jwt.authentication.JSONWebTokenAuthentication",
)
AUTHENTICATORS_WITHOUT_HEADER = (
    "rest_framework.authentication.BaseAuthentication",
    "rest_framework.authentication.SessionAuthentication",
    "rest_framework.authentication.RemoteUserAuthentication",
)

# Permission classes that refuse anonymous callers.
AUTHENTICATED_PERMISSIONS = (
    "rest_framework.permissions.IsAuthenticated",
    "rest_framework.permissions.IsAdminUser",
    "rest_framework.permissions.DjangoModelPermissions",
    "rest_framework.permissions.DjangoObjectPermissions",
)
# DRF answers a refusal of a permission class with its ``message`` attribute
# as the 403 body.
PERMISSION_BASES = (
    "rest_framework.permissions.BasePermission",
    *AUTHENTICATED_PERMISSIONS,
)
PERMISSION_METHODS = ("has_permission", "has_object_permission")

PERMISSION_CLASSES_DECORATOR = ("rest_framework.decorators.permission_classes",)
AUTHENTICATION_CLASSES_DECORATOR = ("rest_framework.decorators.authentication_classes",)
