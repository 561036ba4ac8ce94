"""The standard library's names for HTTP statuses."""

from __future__ import annotations

# ``http.HTTPStatus`` members and ``http.client`` constants, for the statuses
# the rules care about. Other members resolve to "unknown", which is safe.
HTTP_STATUS_NAMES: dict[str, int] = {
    "OK": 200,
    "BAD_REQUEST": 400,
    "UNAUTHORIZED": 401,
    "PAYMENT_REQUIRED": 402,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "CONFLICT": 409,
    "GONE": 410,
    "PRECONDITION_FAILED": 412,
    "UNPROCESSABLE_ENTITY": 422,
    "UNPROCESSABLE_CONTENT": 422,
    "PRECONDITION_REQUIRED": 428,
    "TOO_MANY_REQUESTS": 429,
    "INTERNAL_SERVER_ERROR": 500,
    "SERVICE_UNAVAILABLE": 503,
}

STATUS_ENUMS = ("http.HTTPStatus", "http.client")
