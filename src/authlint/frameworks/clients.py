"""HTTP client and retry library vocabulary: what their names mean for retries.

Names are qualified through the checking module's imports, so
``from requests.adapters import Retry`` and ``import urllib3`` both reach the
same entry. Behaviour noted here was read from the libraries' own sources.
"""

from __future__ import annotations

# Top-level packages whose import makes a module client code.
CLIENT_PACKAGES = (
    "requests",
    "httpx",
    "aiohttp",
    "urllib3",
    "urllib",
    "http",
    "google",
    "tenacity",
    "backoff",
    "stamina",
    "aiohttp_retry",
    "httpx_retries",
)

# Request functions of the client libraries, called as module functions.
REQUEST_FUNCTIONS = frozenset(
    f"{package}.{verb}"
    for package in ("requests", "httpx", "requests.api")
    for verb in ("get", "post", "put", "patch", "delete", "head", "options", "request")
) | {"urllib.request.urlopen", "urllib3.request"}

# Method names that send a request on a session, client or pool object.
REQUEST_METHODS = frozenset(
    {
        "request",
        "send",
        "urlopen",
        "fetch",
        "_request",
        "_make_request",
        "make_request",
        "_send_request",
        "send_request",
        "_do_request",
        "do_request",
    }
)
# HTTP verbs are methods of a session or client object, and of dictionaries
# too (``params.get``): they count only on a receiver named like a client.
HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
CLIENT_RECEIVER_WORDS = ("session", "client", "http", "requests", "conn", "api")

# Constructors of session, client and pool objects, whose methods send.
CLIENT_CONSTRUCTORS = frozenset(
    {
        "requests.Session",
        "requests.session",
        "requests.sessions.Session",
        "httpx.Client",
        "httpx.AsyncClient",
        "aiohttp.ClientSession",
        "urllib3.PoolManager",
        "urllib3.ProxyManager",
        "aiohttp_retry.RetryClient",
        "google.auth.transport.requests.AuthorizedSession",
    }
)

# urllib3's ``Retry`` (also re-exported by requests) and httpx-retries' own
# ``Retry``. Both retry a listed status only for their allowed methods, but
# an empty ``allowed_methods`` means "every method" in urllib3 and "the
# defaults" in httpx-retries; the defaults include GET, PUT and DELETE. So
# the method list never makes a listed 401/403 harmless, and is not read.
URLLIB3_RETRY = frozenset(
    {
        "urllib3.Retry",
        "urllib3.util.Retry",
        "urllib3.util.retry.Retry",
        "requests.adapters.Retry",
        "requests.packages.urllib3.util.retry.Retry",
        "requests.packages.urllib3.util.Retry",
        "requests.packages.urllib3.Retry",
        "httpx_retries.Retry",
        "httpx_retries.retry.Retry",
    }
)
# Keyword arguments that turn a Retry's status retries off when 0/False.
RETRY_COUNT_ARGUMENTS = ("total", "status")

# Statuses of class attributes of the retry libraries.
LIBRARY_STATUS_SETS: dict[str, frozenset[int]] = {
    "RETRY_AFTER_STATUS_CODES": frozenset({413, 429, 503}),
    "RETRYABLE_STATUS_CODES": frozenset({429, 502, 503, 504}),
}

# aiohttp-retry options: every 5xx (``retry_all_server_errors``) plus
# ``statuses``.
AIOHTTP_RETRY_OPTIONS = frozenset(
    f"aiohttp_retry.{module}{name}"
    for module in ("", "retry_options.")
    for name in (
        "ExponentialRetry",
        "RandomRetry",
        "ListRetry",
        "FibonacciRetry",
        "JitterRetry",
    )
)

# google-auth sessions that refresh their credentials on
# ``refresh_status_codes`` (default ``(401,)``) and then send once more.
REFRESHING_SESSIONS = frozenset(
    {
        "google.auth.transport.requests.AuthorizedSession",
        "google.auth.transport.urllib3.AuthorizedHttp",
    }
)

# google-api-core retry objects and the predicate factory they take.
GOOGLE_RETRY = frozenset(
    {
        "google.api_core.retry.Retry",
        "google.api_core.retry.AsyncRetry",
        "google.api_core.retry_async.AsyncRetry",
        "google.api_core.retry.retry_unary.Retry",
    }
)
GOOGLE_IF_EXCEPTION_TYPE = frozenset(
    {
        "google.api_core.retry.if_exception_type",
        "google.api_core.retry_async.if_exception_type",
    }
)

# tenacity: ``@retry`` without ``retry=`` retries every exception.
TENACITY_RETRY = frozenset(
    {
        "tenacity.retry",
        "tenacity.Retrying",
        "tenacity.AsyncRetrying",
        "tenacity.asyncio.AsyncRetrying",
    }
)
TENACITY_ANY = frozenset({"tenacity.retry_any"})
TENACITY_ALL = frozenset({"tenacity.retry_all"})
TENACITY_IF_RESULT = frozenset({"tenacity.retry_if_result"})
TENACITY_IF_EXCEPTION = frozenset({"tenacity.retry_if_exception"})
TENACITY_IF_EXCEPTION_TYPE = frozenset({"tenacity.retry_if_exception_type"})
TENACITY_IF_NOT_EXCEPTION_TYPE = frozenset({"tenacity.retry_if_not_exception_type"})

# backoff: ``on_exception(wait_gen, exception, ..., giveup=...)`` and
# ``on_predicate(wait_gen, predicate=operator.not_, ...)``.
BACKOFF_ON_EXCEPTION = frozenset({"backoff.on_exception"})
BACKOFF_ON_PREDICATE = frozenset({"backoff.on_predicate"})

# stamina: ``retry(on=...)``/``retry_context(on=...)``; ``on`` is exception
# types or a predicate taking the exception.
STAMINA_RETRY = frozenset(
    {"stamina.retry", "stamina.retry_context", "stamina.RetryingCaller"}
)

# Exceptions a client raises for every 4xx (and 5xx) status, by package:
# catching or retrying them retries 401 and 403 too.
HTTP_ERROR_TYPES = frozenset(
    {
        "requests.HTTPError",
        "requests.exceptions.HTTPError",
        "requests.RequestException",
        "requests.exceptions.RequestException",
        "httpx.HTTPStatusError",
        "httpx.HTTPError",
        "aiohttp.ClientResponseError",
        "aiohttp.ClientError",
        "aiohttp.client_exceptions.ClientResponseError",
        "aiohttp.client_exceptions.ClientError",
        "urllib.error.HTTPError",
        "urllib.error.URLError",
        "google.api_core.exceptions.ClientError",
        "google.api_core.exceptions.GoogleAPICallError",
        "google.api_core.exceptions.GoogleAPIError",
        "googleapiclient.errors.HttpError",
    }
)
# Exception classes that stand for one status.
STATUS_EXCEPTIONS: dict[str, int] = {
    "google.api_core.exceptions.Unauthorized": 401,
    "google.api_core.exceptions.Unauthenticated": 401,
    "google.api_core.exceptions.Forbidden": 403,
    "google.api_core.exceptions.PermissionDenied": 403,
}
# Names that catch everything when used as a retry's exception type.
CATCH_ALL = frozenset({"Exception", "BaseException"})

# Where a status lives on a response or an HTTP error.
STATUS_ATTRIBUTES = frozenset({"status_code", "status", "http_status"})
# ``exc.code`` is urllib's ``HTTPError.code``: a status only on an error.
ERROR_STATUS_ATTRIBUTES = frozenset({"code"})
# Plain names that hold a status, as predicate parameters often do.
STATUS_NAMES = frozenset(
    {"status", "status_code", "http_status", "response_code", "rcode", "http_code"}
)
# Boolean response attributes and the statuses they are true for.
RESPONSE_FLAGS: dict[str, tuple[int, int]] = {
    "ok": (0, 400),
    "is_success": (200, 300),
    "is_error": (400, 600),
    "is_client_error": (400, 500),
    "is_server_error": (500, 600),
}
# Status constant holders of the clients: ``requests.codes.forbidden``,
# ``httpx.codes.FORBIDDEN`` (httpx accepts either case).
CLIENT_STATUS_CODES = ("requests.codes", "requests.status_codes.codes", "httpx.codes")

# Calls that obtain new credentials.
REFRESH_CALL_PREFIXES = (
    "refresh",
    "_refresh",
    "reauth",
    "_reauth",
    "re_auth",
    "relogin",
    "re_login",
    "renew",
    "_renew",
    "invalidate_token",
    "clear_token",
)
REFRESH_CALL_NAMES = frozenset(
    {
        "login",
        "_login",
        "log_in",
        "authenticate",
        "_authenticate",
        "get_token",
        "_get_token",
        "fetch_token",
        "_fetch_token",
        "get_access_token",
        "_get_access_token",
        "fetch_access_token",
        "new_token",
        "obtain_token",
        "request_token",
        "issue_token",
        "update_token",
        "rotate_token",
        "sign_in",
    }
)
REFRESH_CALL_PREFIXES_EXTRA = ("acquire_token", "_acquire_token")
# Words in an assigned name that hold credentials (``self._token = None``,
# ``headers["Authorization"] = ...``).
CREDENTIAL_WORDS = (
    "token",
    "authorization",
    "credential",
    "bearer",
    "jwt",
    "auth",
    "password",
    "passwd",
    "api_key",
    "apikey",
    "secret",
)

# Evidence that a 403 (or 401) is the service's way of saying "slow down":
# GitHub and Google APIs answer rate limits with 403.
RATE_LIMIT_WORDS = (
    "retry-after",
    "retry_after",
    "retryafter",
    "ratelimit",
    "rate-limit",
    "rate_limit",
    "rate limit",
    "ratelimitexceeded",
    "throttl",
    "quota",
    "slowdown",
    "slow down",
    "too many",
)
# Evidence that a 403 means an expired signature (S3/Azure presigned URLs),
# so new credentials can help.
EXPIRY_WORDS = (
    "expired",
    "expiredtoken",
    "tokenexpired",
    "invalid_token",
    "invalidtoken",
    "signaturedoesnotmatch",
)

# Status names ``requests.codes`` and ``httpx.codes`` add to the standard
# library's list (compared upper-cased).
EXTRA_STATUS_NAMES: dict[str, int] = {
    "REQUEST_TIMEOUT": 408,
    "REQUEST_ENTITY_TOO_LARGE": 413,
    "BAD_GATEWAY": 502,
    "GATEWAY_TIMEOUT": 504,
    "FORBIDDEN": 403,
    "UNAUTHORIZED": 401,
    "UNAUTHORISED": 401,
}
