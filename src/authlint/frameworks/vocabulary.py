"""The words that tell what a condition tests, in names, keys and messages.

Names are split into lower-case words (``X-API-Key`` -> ``x api key``,
``isAdmin`` -> ``is admin``) and matched word by word, so ``tokenizer`` is
not a token and ``monkey`` is not a key.
"""

from __future__ import annotations

# Any of these words makes a name neutral, whatever else it says: CSRF and
# CAPTCHA tokens, password-reset and invitation tokens, rate limits and
# feature flags are not the caller's credentials or permissions.
NEUTRAL_WORDS = frozenset(
    {
        "csrf",
        "xsrf",
        "captcha",
        "recaptcha",
        "nonce",
        "reset",
        "invite",
        "invitation",
        "confirm",
        "confirmation",
        "activation",
        "activate",
        "unsubscribe",
        "verification",
        "rate",
        "ratelimit",
        "throttle",
        "quota",
        "feature",
        "flag",
        "flags",
        "maintenance",
        "active",
        "inactive",
        "disabled",
        "enabled",
        "banned",
        "locked",
        "verified",
        "email",
        "ip",
        "addr",
        "whitelist",
        "allowlist",
        "blocklist",
        "share",
        "shared",
        "public",
        "grant",
        "state",
        "denied",
        "error",
        "errors",
        "exception",
        "exceptions",
        "forbidden",
        "version",
        "versions",
        "host",
        "hosts",
        "method",
        "methods",
        "origin",
        "origins",
        "extension",
        "extensions",
        "mime",
        "domain",
        "domains",
        "file",
        "filetype",
        "language",
        "locale",
        "authorized",
        "authorize",
        "unauthorized",
    }
)

# Words that name what a permission check tests.
PERMISSION_WORDS = frozenset(
    {
        "perm",
        "perms",
        "permission",
        "permissions",
        "role",
        "roles",
        "scope",
        "scopes",
        "admin",
        "admins",
        "staff",
        "superuser",
        "moderator",
        "owner",
        "owners",
        "owns",
        "ownership",
        "tenant",
        "tenants",
        "acl",
        "acls",
        "privilege",
        "privileges",
        "entitlement",
        "entitlements",
        "group",
        "groups",
        "member",
        "members",
        "membership",
        "access",
        "policy",
        "policies",
        "rbac",
        "abac",
        "enforce",
    }
)

# ``allowed`` asks about the caller only in names made of these words
# (``is_allowed``, ``user_allowed``), not in ``ALLOWED_IMAGE_FORMATS``.
ALLOWED_WORDS = frozenset({"allowed", "permitted"})
ALLOWED_COMPANIONS = frozenset(
    {"is", "user", "caller", "access", "action", "request", "operation", "not"}
)

# First words of predicate names that ask for a permission: ``can_edit``.
PERMISSION_PREFIXES = frozenset({"can", "may"})

# Words that name a credential or the act of checking one.
CREDENTIAL_WORDS = frozenset(
    {
        "token",
        "jwt",
        "bearer",
        "apikey",
        "password",
        "passwd",
        "passphrase",
        "credential",
        "credentials",
        "creds",
        "authorization",
        "auth",
        "authenticate",
        "authenticated",
        "authentication",
        "secret",
        "signature",
        "hmac",
        "otp",
        "totp",
        "mfa",
        "sessionid",
        "checkpw",
        "login",
    }
)

# Two-word credential names: ``api_key``, ``X-Access-Key``.
CREDENTIAL_PAIRS = frozenset(
    {
        ("api", "key"),
        ("access", "key"),
        ("secret", "key"),
        ("auth", "key"),
        ("client", "secret"),
        ("private", "key"),
        ("logged", "in"),
        ("session", "id"),
        ("session", "token"),
        ("session", "key"),
        ("session", "cookie"),
        ("session", "ok"),
        ("session", "valid"),
        ("valid", "session"),
        ("session", "expired"),
    }
)

# A password the signed-in caller types again to confirm a change is not
# the credential the request is authenticated with.
REAUTHENTICATION_WORDS = frozenset(
    {"old", "current", "new", "previous", "confirm", "confirmation", "repeat"}
)

# Names of record ids: a token looked up by ``token_id`` is a stored record
# being managed, not the credential the request came with.
ID_WORDS = frozenset({"id", "ids", "pk", "uuid", "slug"})

# The head noun of a name says what it is: ``token_user`` is a user (of a
# token) and ``token_type`` a type, neither of them a credential.
NON_CREDENTIAL_HEADS = frozenset(
    {
        "user",
        "users",
        "owner",
        "account",
        "name",
        "type",
        "types",
        "count",
        "prefix",
        "length",
        "model",
        "label",
        "description",
        "url",
        "format",
        "backend",
        "version",
        "provider",
        "field",
        "policy",
        "id",
        "ids",
        "pk",
        "uuid",
        "summary",
    }
)

# Reads of the server's own configuration: ``app.config["API_KEY"]`` is the
# expected secret, not the one the caller sent.
CONFIGURATION_OBJECTS = frozenset(
    {"config", "settings", "environ", "env", "os.environ", "conf", "getenv"}
)

# Whole names that hold the signed-in identity when they are set.
IDENTITY_EXPRESSIONS = frozenset(
    {
        "current_user",
        "g.user",
        "g.current_user",
        "request.user",
        "request.auth",
        "request.state.user",
        "request.authorization",
        "request.identity",
        "flask_login.current_user",
    }
)

# Local names that, once bound from a credential (a decoded token, a lookup
# by key), stand for the caller's identity.
IDENTITY_NAMES = frozenset(
    {
        "user",
        "current_user",
        "principal",
        "identity",
        "account",
        "client",
        "payload",
        "claims",
        "decoded",
        "token_data",
        "username",
        "user_id",
        "uid",
        "sub",
        "subject",
        "caller",
        "session",
        "key",
        "api_key",
        "apikey",
        "key_obj",
        "token_obj",
    }
)

# Attribute predicates of a user object and which way they point.
# True: the credential is there when the predicate holds.
AUTHENTICATION_PREDICATES = {
    "is_authenticated": True,
    "is_anonymous": False,
}

# Names for when a credential runs out: ``token.exp < now`` means expired.
EXPIRY_WORDS = frozenset({"exp", "expiry", "expires", "expiration", "expired"})

# Containers of revoked credentials: membership means the credential is bad.
REVOCATION_WORDS = frozenset(
    {"revoked", "blacklist", "blacklisted", "denylist", "blocklisted", "revocation"}
)

# Messages that name the failure kind (evidence of last resort).
CREDENTIAL_MESSAGES = (
    "not authenticated",
    "unauthenticated",
    "authentication required",
    "authentication credentials were not provided",
    "login required",
    "please log in",
    "please login",
    "must be logged in",
    "not logged in",
    "sign in required",
    "token is missing",
    "missing token",
    "token missing",
    "invalid token",
    "token expired",
    "token has expired",
    "expired token",
    "missing api key",
    "invalid api key",
    "api key is missing",
    "api key required",
    "invalid credentials",
    "could not validate credentials",
    "missing credentials",
    "no credentials",
)
PERMISSION_MESSAGES = (
    "forbidden",
    "not allowed",
    "insufficient permission",
    "insufficient permissions",
    "insufficient privileges",
    "insufficient scope",
    "permission denied",
    "do not have permission",
    "don't have permission",
    "does not have permission",
    "admins only",
    "admin only",
    "requires admin",
    "not the owner",
    "not a member",
)

# ``dict.get``-style reads whose string key names what is read.
KEYED_READS = frozenset({"get", "getlist", "pop", "getattr", "get_header"})

# Calls that verify a credential whatever their arguments are called.
VERIFY_CALLS = frozenset(
    {
        "compare_digest",
        "checkpw",
        "check_password",
        "check_password_hash",
        "verify_password",
        "authenticate",
        "verify",
        "verify_jwt_in_request",
    }
)

# Permission names that read as yes/no questions.
PREDICATE_PREFIXES = frozenset({"is", "has", "can", "may", "check", "user", "allowed"})
PREDICATE_WORDS = frozenset(
    {"admin", "staff", "superuser", "moderator", "allowed", "permitted", "owns"}
)

# Calls that fetch a record rather than answer a question.
GETTER_WORDS = frozenset({"get", "load", "fetch", "find", "lookup", "read", "resolve"})

# Fields of the caller that stand for the caller: ``current_user.id``.
IDENTITY_FIELDS = ("id", "pk", "username", "email", "uuid")

# Attributes naming a record's owner, compared with the caller in an
# ownership check: ``post.author != current_user``.
OWNER_WORDS = frozenset(
    {
        "owner",
        "owner_id",
        "author",
        "author_id",
        "created_by",
        "creator",
        "user",
        "user_id",
    }
)

# -- what a denial's body says -------------------------------------------------

# Patterns over a message (lower case, ``_``, ``-`` and ``/`` read as spaces,
# runtime values as ``…``) that name why a credential or account failed, each
# with the reason it names. A match next to ``or`` ("invalid or expired
# token") names no specific reason and does not count.
_SUBJECT = (
    r"(?:token|jwt|jws|bearer|api key|apikey|key|session|cookie|signature|"
    r"credentials?|password|passcode|otp|certificate|cert|authorization|header|"
    r"secret|login)"
)
_NEAR = r"[^.;!?]{0,30}?"
_ROLE_NAMES = r"(?:admin|administrator|superuser|staff|moderator|editor|manager)"
_POLICY = r"(?:scope|role|permission|group|claim)s?"
_QUOTED = r"""(?:^|[\s:(=])['"`][\w:.\- ]{1,40}['"`]"""
LEAK_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        rf"\b{_SUBJECT}\b{_NEAR}\b(?:has |have |had |is )?expired\b",
        "an expired credential",
    ),
    (rf"\bexpired {_SUBJECT}\b", "an expired credential"),
    (
        rf"\b{_SUBJECT}\b{_NEAR}\b(?:revoked|blacklisted|blocklisted|denylisted)\b",
        "a revoked credential",
    ),
    (
        rf"\b(?:revoked|blacklisted|blocklisted|denylisted) {_SUBJECT}\b",
        "a revoked credential",
    ),
    (rf"\bmalformed\b{_NEAR}\b{_SUBJECT}\b", "a malformed credential"),
    (rf"\b{_SUBJECT}\b{_NEAR}\bmalformed\b", "a malformed credential"),
    (
        r"\b(?:could not|couldn t|cannot|can t|unable to|failed to) decode\b",
        "a token that failed to decode",
    ),
    (r"\bdecod(?:e|ing) (?:error|failed|failure)\b", "a token that failed to decode"),
    (r"\bnot enough segments\b", "a malformed token"),
    (
        r"\b(?:invalid|bad|wrong|incorrect|mismatch(?:ed)?) (?:[a-z]+ )?"
        r"signature\b",
        "a bad signature",
    ),
    (
        r"\bsignature (?:is )?(?:invalid|mismatch|incorrect|wrong|verification|"
        r"does not match|doesn t match|check failed|failed)\b",
        "a bad signature",
    ),
    (
        r"\b(?:no such|unknown|non ?existent|unregistered) "
        r"(?:user|account|username|email|api key|key|token|client)\b",
        "an unknown user or credential",
    ),
    (
        r"\b(?:user|account|username|email|api key|key|token|client)"
        r"(?: \S+)? (?:was |is )?(?:not found|does not exist|doesn t exist|"
        r"not registered|unknown)\b",
        "an unknown user or credential",
    ),
    (
        r"\b(?:wrong|incorrect|invalid|bad) (?:password|passcode|pin)\b",
        "a wrong password",
    ),
    (
        r"\b(?:password|passcode) (?:is )?(?:wrong|incorrect|invalid|mismatch|"
        r"does not match|doesn t match)\b",
        "a wrong password",
    ),
    (
        r"\b(?:account|user|key|api key|token|client) (?:is |has been |was )?"
        r"(?:disabled|deactivated|inactive|suspended|locked|banned|blocked)\b",
        "the account or key state",
    ),
    (
        r"\b(?:disabled|deactivated|inactive|suspended|locked|banned|blocked) "
        r"(?:account|user|key|api key|token|client)\b",
        "the account or key state",
    ),
    (rf"\b{_POLICY}\b{_NEAR}{_QUOTED}", "the required scope, role or permission"),
    (rf"{_QUOTED} {_POLICY}\b", "the required scope, role or permission"),
    (
        rf"\b{_POLICY}\s*:\s*(?!denied|required|missing|error|invalid|none)"
        r"[a-z0-9][a-z0-9_.:]*",
        "the required scope, role or permission",
    ),
    (
        rf"\b{_POLICY}\b{_NEAR}\b[a-z0-9]+(?::[a-z0-9]+)+\b",
        "the required scope, role or permission",
    ),
    (
        r"\b[a-z0-9]+(?::[a-z0-9]+)+ (?:scope|role|permission)s?\b",
        "the required scope, role or permission",
    ),
    (
        rf"\b{_ROLE_NAMES}s? (?:role|privileges?|rights|permissions?|access) "
        r"(?:is |are )?(?:required|needed)\b",
        "the required role",
    ),
    (
        rf"\b(?:requires?|required|need|needs|must be|must have) (?:an? |the )?"
        rf"{_ROLE_NAMES}s?\b",
        "the required role",
    ),
    (rf"\b{_ROLE_NAMES}s? only\b", "the required role"),
    (rf"\bnot an? {_ROLE_NAMES}\b", "the required role"),
)
del _SUBJECT, _NEAR, _ROLE_NAMES, _POLICY, _QUOTED

# Words that make a matched phrase about something other than the caller's
# credential: an expired invitation or reset link, a CSRF token.
LEAK_NEUTRAL_WORDS = frozenset(
    {
        "csrf",
        "xsrf",
        "captcha",
        "recaptcha",
        "reset",
        "invite",
        "invitation",
        "confirmation",
        "activation",
        "verification",
        "unsubscribe",
        "share",
        "shared",
        "link",
        "download",
        "upload",
        "trial",
        "subscription",
        "license",
    }
)

# Whole messages that say no more than the status does; never a disclosure.
GENERIC_MESSAGES = frozenset(
    {
        "not authenticated",
        "unauthenticated",
        "unauthorized",
        "unauthorised",
        "forbidden",
        "access denied",
        "permission denied",
        "authentication required",
        "authentication failed",
        "login required",
        "invalid credentials",
        "bad credentials",
        "invalid token",
        "invalid authentication credentials",
        "could not validate credentials",
        "invalid username or password",
        "incorrect username or password",
        "invalid email or password",
        "incorrect email or password",
        "not enough permissions",
        "insufficient permissions",
        "you do not have permission to perform this action",
        "authentication credentials were not provided",
        "incorrect authentication credentials",
    }
)

# Words of a runtime value that is the caller's identity when interpolated.
IDENTITY_VALUE_WORDS = frozenset(
    {
        "username",
        "email",
        "login",
        "userid",
        "uid",
        "principal",
        "user",
        "account",
        "identity",
        "sub",
        "subject",
    }
)
IDENTITY_VALUE_PAIRS = frozenset(
    {
        ("user", "id"),
        ("user", "name"),
        ("account", "id"),
        ("account", "name"),
        ("client", "id"),
        ("user", "email"),
        ("email", "address"),
    }
)
# Last words of a runtime value that describe a credential without being it:
# ``auth_scheme``, ``token_kind``, ``key_length``, ``jwt_algorithm``.
VALUE_DESCRIPTION_WORDS = frozenset(
    {
        "scheme",
        "schemes",
        "type",
        "kind",
        "name",
        "method",
        "length",
        "len",
        "format",
        "prefix",
        "url",
        "realm",
        "algorithm",
        "algorithms",
        "alg",
        "issuer",
        "audience",
        "version",
        "count",
        "source",
        "location",
        "backend",
        "provider",
    }
)
# Words of a runtime value that is a scope, role or permission name.
SCOPE_VALUE_WORDS = frozenset(
    {
        "scope",
        "scopes",
        "role",
        "roles",
        "permission",
        "permissions",
        "perm",
        "perms",
        "codename",
    }
)
# Calls whose result is the text of the exception being handled.
EXCEPTION_TEXT_CALLS = frozenset(
    {"traceback.format_exc", "traceback.format_exception", "format_exc"}
)
# Calls that only translate or escape the text they are given.
TEXT_WRAPPERS = frozenset(
    {
        "_",
        "_l",
        "gettext",
        "gettext_lazy",
        "ugettext",
        "ugettext_lazy",
        "lazy_gettext",
        "pgettext",
        "escape",
        "Markup",
        "str",
        "dict",
        "jsonify",
        "json.dumps",
        "dumps",
    }
)

# Receivers and functions whose calls write to a log.
LOGGER_WORDS = frozenset({"log", "logger", "logging", "structlog", "_log", "_logger"})
LOG_METHODS = frozenset(
    {
        "debug",
        "info",
        "warning",
        "warn",
        "error",
        "exception",
        "critical",
        "log",
        "msg",
        "bind",
    }
)
# Calls that make a logger: a name bound to one is a logger.
LOGGER_FACTORIES = frozenset({"getLogger", "get_logger", "getChild", "bind", "new"})
