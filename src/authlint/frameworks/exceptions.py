"""Exception types that say what went wrong when they are caught."""

from __future__ import annotations

# Token and signature libraries: catching one of these means a credential
# failed verification.
CREDENTIAL_EXCEPTION_MODULES = (
    "jwt",
    "jose",
    "itsdangerous",
    "authlib.jose",
    "joserfc",
    "jwcrypto",
    "flask_jwt_extended.exceptions",
)

# Distinctive class names that mean the same wherever they come from (a
# project often re-exports them). Generic names such as ``DecodeError`` only
# count through the modules above.
CREDENTIAL_EXCEPTION_NAMES = (
    "ExpiredSignatureError",
    "ExpiredSignature",
    "InvalidSignatureError",
    "InvalidTokenError",
    "InvalidAudienceError",
    "InvalidIssuerError",
    "ImmatureSignatureError",
    "JWTError",
    "JWTClaimsError",
    "PyJWTError",
    "BadSignature",
    "BadTimeSignature",
    "SignatureExpired",
    "TokenExpired",
    "ExpiredTokenError",
    "InvalidTokenException",
    "TokenError",
    "AuthenticationFailed",
    "NotAuthenticated",
    "AuthenticationError",
    "NoAuthorizationError",
)

# ``Model.DoesNotExist`` counts as "unknown credential" when the model is one
# of these words.
CREDENTIAL_MODELS = ("token", "apikey", "api_key", "key", "session", "credential")

PERMISSION_EXCEPTION_NAMES = ("PermissionDenied", "PermissionError", "Forbidden")

# Handlers that catch everything.
BROAD_EXCEPTIONS = ("Exception", "BaseException")

# Errors that have nothing to do with who the caller is: a database, network
# or timeout failure answered as 401/403 hides an outage as a denial.
UNRELATED_EXCEPTION_NAMES = (
    "DatabaseError",
    "OperationalError",
    "InterfaceError",
    "IntegrityError",
    "ProgrammingError",
    "SQLAlchemyError",
    "DBAPIError",
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "Timeout",
    "TimeoutError",
    "TimeoutException",
    "RequestException",
    "RequestError",
    "HTTPError",
    "TransportError",
    "RedisError",
    "OSError",
    "IOError",
    "socket.timeout",
    "ClientError",
    "ServerTimeoutError",
)
