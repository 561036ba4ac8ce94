"""The rule registry: every rule authlint knows, in code order."""

from __future__ import annotations

from authlint.rules.auth_failure_detail_interpolated import (
    AuthFailureDetailInterpolated,
)
from authlint.rules.auth_failure_reason_disclosed import AuthFailureReasonDisclosed
from authlint.rules.base import Invalid, Rule, Violation
from authlint.rules.blanket_retry_includes_auth_failures import (
    BlanketRetryIncludesAuthFailures,
)
from authlint.rules.broad_except_auth_status import BroadExceptAuthStatus
from authlint.rules.credential_failure_not_401 import CredentialFailureNot401
from authlint.rules.denial_not_logged import DenialNotLogged
from authlint.rules.framework_turns_401_into_403 import FrameworkTurns401Into403
from authlint.rules.mixed_authn_authz_check import MixedAuthnAuthzCheck
from authlint.rules.permission_failure_401 import PermissionFailure401
from authlint.rules.refresh_on_403 import RefreshOn403
from authlint.rules.retry_401_without_refresh import Retry401WithoutRefresh
from authlint.rules.retry_on_403 import RetryOn403
from authlint.rules.unauthorized_without_challenge import (
    UnauthorizedWithoutChallenge,
)
from authlint.rules.undeclared_404_for_denial import Undeclared404ForDenial
from authlint.rules.unparsable_file import UnparsableFile

UNPARSABLE_FILE = UnparsableFile()

RULES: tuple[Rule, ...] = (
    UNPARSABLE_FILE,
    CredentialFailureNot401(),
    PermissionFailure401(),
    MixedAuthnAuthzCheck(),
    BroadExceptAuthStatus(),
    FrameworkTurns401Into403(),
    Undeclared404ForDenial(),
    AuthFailureReasonDisclosed(),
    AuthFailureDetailInterpolated(),
    UnauthorizedWithoutChallenge(),
    DenialNotLogged(),
    RetryOn403(),
    Retry401WithoutRefresh(),
    RefreshOn403(),
    BlanketRetryIncludesAuthFailures(),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}

DEFAULT_ENABLED: frozenset[str] = frozenset(
    rule.code for rule in RULES if rule.default_enabled
)

__all__ = [
    "DEFAULT_ENABLED",
    "RULES",
    "RULES_BY_CODE",
    "UNPARSABLE_FILE",
    "Invalid",
    "Rule",
    "Violation",
]
