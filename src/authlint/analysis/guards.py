"""What a condition tests: credential, permission or neither, and which way.

A condition is broken into atoms through ``not``, ``and`` and ``or``; each atom
is classified by the words of the names it tests (see
``authlint.frameworks.vocabulary``) and given a polarity: whether the atom
being true means the credential is valid (or the permission held). The
branch a denial sits in then reads as a disjunction of conjunctions of such
literals, and the failure kind follows from the literals that fail.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass

import libcst as cst

from authlint.analysis.facts import FailureKind
from authlint.analysis.imports import dotted_name, terminal_name
from authlint.config import AnalysisOptions
from authlint.frameworks import vocabulary as words

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

# A branch condition with more disjuncts than this is not classified.
_MAX_DISJUNCTS = 32


class AtomKind(enum.Enum):
    CREDENTIAL = "credential"
    PERMISSION = "permission"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class Literal:
    """An atom as a branch sees it: ``holds`` is whether the credential is
    valid (or the permission held) on this branch."""

    atom: cst.BaseExpression
    kind: AtomKind
    holds: bool


@functools.lru_cache(maxsize=8192)
def split_words(name: str) -> tuple[str, ...]:
    """``X-API-Key`` -> ``["x", "api", "key"]``; ``isAdmin`` -> ``["is", "admin"]``."""
    return tuple(w.lower() for w in _WORD.findall(name))


# Names repeat across a project's files; their verdicts are remembered.
@functools.lru_cache(maxsize=8192)
def classify_words(name: str, options: AnalysisOptions) -> AtomKind:
    """What a name alone says it is about."""
    last = name.rsplit(".", 1)[-1]
    if last in options.permission_checks or name in options.permission_checks:
        return AtomKind.PERMISSION
    if last in options.credential_checks or name in options.credential_checks:
        return AtomKind.CREDENTIAL
    parts = split_words(last)
    if not parts:
        return AtomKind.NEUTRAL
    if any(p in words.NEUTRAL_WORDS for p in parts):
        return AtomKind.NEUTRAL
    if "password" in parts and words.REAUTHENTICATION_WORDS & set(parts):
        return AtomKind.NEUTRAL
    if any(pair in words.CREDENTIAL_PAIRS for pair in zip(parts, parts[1:])):
        return AtomKind.CREDENTIAL
    if "access" in parts and words.CREDENTIAL_WORDS & set(parts):
        # ``access_token``: a credential named for what it grants.
        return AtomKind.CREDENTIAL
    if any(p in words.PERMISSION_WORDS for p in parts):
        return AtomKind.PERMISSION
    if parts[0] in words.PERMISSION_PREFIXES and len(parts) > 1:
        return AtomKind.PERMISSION
    if words.ALLOWED_WORDS & set(parts) and set(parts) <= (
        words.ALLOWED_WORDS | words.ALLOWED_COMPANIONS
    ):
        return AtomKind.PERMISSION
    if any(pair in words.CREDENTIAL_PAIRS for pair in zip(parts, parts[1:])):
        return AtomKind.CREDENTIAL
    if len(parts) > 1 and parts[-1] in words.NON_CREDENTIAL_HEADS:
        return AtomKind.NEUTRAL
    if any(p in words.CREDENTIAL_WORDS for p in parts):
        return AtomKind.CREDENTIAL
    return AtomKind.NEUTRAL


class ConditionReader:
    """Classifies the atoms of conditions inside one function.

    ``derived`` holds the local names bound from a credential: the result of
    ``authenticate(...)``, a decoded token, a lookup by API key. Such a name
    being empty means the credential named no one.
    """

    def __init__(
        self,
        options: AnalysisOptions,
        derived: frozenset[str],
        records: frozenset[str] = frozenset(),
    ) -> None:
        self.options = options
        self.derived = derived
        # Credential-named locals that hold a stored record looked up by id.
        self.records = records

    # -- naming what an expression reads -------------------------------------

    def subject(self, node: cst.BaseExpression) -> str | None:
        """The most telling name of what an expression reads.

        ``request.headers.get("X-API-Key")`` reads ``X-API-Key``;
        ``payload["role"]`` reads ``role``; ``user.is_admin()`` reads
        ``is_admin``.
        """
        if isinstance(node, cst.Call):
            name = terminal_name(node.func)
            key = _string_argument(node)
            if name in words.KEYED_READS and key is not None:
                return key
            return name
        if isinstance(node, cst.Subscript):
            key = _subscript_key(node)
            if key is not None:
                return key
            return self.subject(node.value)
        if isinstance(node, cst.Await):
            return self.subject(node.expression)
        return terminal_name(node)

    def kind_of(self, node: cst.BaseExpression) -> AtomKind:
        """Whether an expression reads a credential, a permission, or neither."""
        full = dotted_name(node)
        if full is not None:
            if full.split(".")[0] in self.records:
                return AtomKind.NEUTRAL
            if full in words.IDENTITY_EXPRESSIONS:
                return AtomKind.CREDENTIAL
            if full in self.derived:
                return AtomKind.CREDENTIAL
        name = self.subject(node)
        if name is None:
            return AtomKind.NEUTRAL
        kind = classify_words(name, self.options)
        if isinstance(node, cst.Call) and (
            kind is AtomKind.CREDENTIAL or name in words.VERIFY_CALLS
        ):
            # ``user.check_password(form["current_password"])`` confirms a
            # change; it does not authenticate the request.
            if any(self._is_reauthentication(arg.value) for arg in node.args):
                return AtomKind.NEUTRAL
            return AtomKind.CREDENTIAL
        return kind

    def _is_reauthentication(self, node: cst.BaseExpression) -> bool:
        parts = set(split_words(self.subject(node) or ""))
        return "password" in parts and bool(words.REAUTHENTICATION_WORDS & parts)

    # -- atoms ---------------------------------------------------------------

    def atom(self, node: cst.BaseExpression) -> tuple[AtomKind, bool]:
        """Classify one atom: its kind and whether its truth means "holds"."""
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            return self._comparison(node.left, node.comparisons[0])
        if isinstance(node, cst.Await):
            return self.atom(node.expression)

        name = terminal_name(node)
        if name in words.AUTHENTICATION_PREDICATES:
            return AtomKind.CREDENTIAL, words.AUTHENTICATION_PREDICATES[name]
        if isinstance(node, cst.Call) and _is_prefix_check(node):
            # ``header.startswith("Bearer ")``: well-formed when true.
            return self.kind_of(_call_receiver(node)), True
        kind = self.kind_of(node)
        if kind is AtomKind.CREDENTIAL and _reads_configuration(node):
            # ``if not app.config["API_KEY"]``: the server is misconfigured.
            return AtomKind.NEUTRAL, True
        if kind is AtomKind.CREDENTIAL and self._names_revocation(node):
            return kind, False
        if kind is AtomKind.PERMISSION and not self._is_predicate(node):
            # ``if not tenant:`` asks whether a record exists, not whether the
            # caller may act on it.
            return AtomKind.NEUTRAL, True
        return kind, True

    def _is_predicate(self, node: cst.BaseExpression) -> bool:
        """Whether a permission-worded name reads as yes/no: ``is_admin``,
        ``has_perm(...)``, ``allowed``; not ``tenant`` or ``get_role()``."""
        name = self.subject(node) or ""
        if name in self.options.permission_checks:
            return True
        parts = split_words(name)
        if not parts:
            return False
        if isinstance(node, cst.Call):
            return parts[0] not in words.GETTER_WORDS
        return (
            parts[0] in words.PREDICATE_PREFIXES or parts[-1] in words.PREDICATE_WORDS
        )

    def _owner_is_credential(self, node: cst.BaseExpression) -> bool:
        """Whether an expiry belongs to a credential: ``claims["exp"]``,
        ``token.expires_at``; not ``coupon.expires_at``."""
        if isinstance(node, cst.Subscript):
            owner: cst.BaseExpression = node.value
        elif isinstance(node, cst.Attribute):
            owner = node.value
        else:
            return classify_words(self.subject(node) or "", self.options) is (
                AtomKind.CREDENTIAL
            )
        return self.kind_of(owner) is AtomKind.CREDENTIAL

    def _names_revocation(self, node: cst.BaseExpression) -> bool:
        name = self.subject(node) or ""
        return any(p in words.REVOCATION_WORDS for p in split_words(name))

    def _comparison(
        self, left: cst.BaseExpression, target: cst.ComparisonTarget
    ) -> tuple[AtomKind, bool]:
        op = target.operator
        right = target.comparator

        if isinstance(op, (cst.Is, cst.IsNot)) or _is_none(right) or _is_none(left):
            subject = right if _is_none(left) else left
            present = isinstance(op, (cst.IsNot, cst.NotEqual))
            if _is_none(right) or _is_none(left):
                return self._presence(subject), present
            return AtomKind.NEUTRAL, True

        if isinstance(op, (cst.In, cst.NotIn)):
            return self._membership(left, right, isinstance(op, cst.In))

        if isinstance(op, (cst.Equal, cst.NotEqual)):
            equal = isinstance(op, cst.Equal)
            if self._is_ownership(left, right):
                return AtomKind.PERMISSION, equal
            if _is_identity(left) or _is_identity(right):
                # Comparing a record with the caller is about that record.
                return AtomKind.NEUTRAL, True
            kinds = {self.kind_of(left), self.kind_of(right)}
            if AtomKind.PERMISSION in kinds:
                return AtomKind.PERMISSION, equal
            if AtomKind.CREDENTIAL in kinds:
                return AtomKind.CREDENTIAL, equal
            return AtomKind.NEUTRAL, True

        if isinstance(op, (cst.LessThan, cst.LessThanEqual)):
            return self._expiry(left, right, expired_when_true=True)
        if isinstance(op, (cst.GreaterThan, cst.GreaterThanEqual)):
            return self._expiry(left, right, expired_when_true=False)
        return AtomKind.NEUTRAL, True

    def _presence(self, node: cst.BaseExpression) -> AtomKind:
        """What ``node is None`` tests: only a name that holds a credential or
        an identity bound from one says anything; a missing role or tenant
        record is a lookup that found nothing."""
        kind = self.kind_of(node)
        return kind if kind is AtomKind.CREDENTIAL else AtomKind.NEUTRAL

    def _membership(
        self, element: cst.BaseExpression, container: cst.BaseExpression, inside: bool
    ) -> tuple[AtomKind, bool]:
        container_kind = self.kind_of(container)
        container_name = self.subject(container) or ""
        if container_kind is AtomKind.PERMISSION:
            return AtomKind.PERMISSION, inside
        element_kind = self.kind_of(element)
        if isinstance(element, (cst.SimpleString, cst.ConcatenatedString)):
            key = _string_value(element)
            if key is not None:
                element_kind = classify_words(key, self.options)
                if element_kind is AtomKind.NEUTRAL and _is_session(container):
                    element_kind = _session_key_kind(key)
        if element_kind is AtomKind.PERMISSION:
            return AtomKind.PERMISSION, inside
        if element_kind is AtomKind.CREDENTIAL:
            revoked = any(
                p in words.REVOCATION_WORDS for p in split_words(container_name)
            )
            return AtomKind.CREDENTIAL, inside != revoked
        return AtomKind.NEUTRAL, True

    def _is_ownership(
        self, left: cst.BaseExpression, right: cst.BaseExpression
    ) -> bool:
        """``post.author != current_user``, ``obj.owner_id == request.user.id``."""
        return (_is_identity(left) and _is_owner_attribute(right)) or (
            _is_identity(right) and _is_owner_attribute(left)
        )

    def _expiry(
        self,
        left: cst.BaseExpression,
        right: cst.BaseExpression,
        *,
        expired_when_true: bool,
    ) -> tuple[AtomKind, bool]:
        """``claims["exp"] < now``: true means the credential has expired."""
        for side, flipped in ((left, False), (right, True)):
            name = self.subject(side) or ""
            if any(p in words.EXPIRY_WORDS for p in split_words(name)) and (
                self._owner_is_credential(side)
            ):
                expired = expired_when_true != flipped
                return AtomKind.CREDENTIAL, not expired
        return AtomKind.NEUTRAL, True

    # -- whole conditions ----------------------------------------------------

    def disjuncts(
        self, node: cst.BaseExpression, want: bool
    ) -> list[list[Literal]] | None:
        """The ways ``node`` can evaluate to ``want``, as conjunctions of
        literals; None when the condition is too large to expand."""
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            return self.disjuncts(node.expression, not want)
        if isinstance(node, cst.BooleanOperation):
            is_and = isinstance(node.operator, cst.And)
            left = self.disjuncts(node.left, want)
            right = self.disjuncts(node.right, want)
            if left is None or right is None:
                return None
            if is_and == want:
                combined = [a + b for a in left for b in right]
            else:
                combined = left + right
            return combined if len(combined) <= _MAX_DISJUNCTS else None
        kind, polarity = self.atom(node)
        return [[Literal(node, kind, polarity == want)]]

    def guard_kind(self, node: cst.BaseExpression, taken: bool) -> FailureKind | None:
        """The failure kind of the branch where ``node`` evaluates to ``taken``."""
        ways = self.disjuncts(node, taken)
        if ways is None:
            return None
        kinds: set[AtomKind] = set()
        for conjunction in ways:
            failing = {
                lit.kind
                for lit in conjunction
                if not lit.holds and lit.kind is not AtomKind.NEUTRAL
            }
            if len(failing) > 1:
                # "No credential and no permission" at once reads as neither.
                return None
            kinds |= failing
        if kinds == {AtomKind.CREDENTIAL}:
            return FailureKind.CREDENTIAL
        if kinds == {AtomKind.PERMISSION}:
            return FailureKind.PERMISSION
        if kinds:
            return FailureKind.MIXED
        return None


def _reads_configuration(node: cst.BaseExpression) -> bool:
    """``current_app.config.get("KEY")``, ``settings.API_KEY``, ``os.environ[...]``."""
    while isinstance(node, (cst.Call, cst.Subscript, cst.Attribute)):
        if isinstance(node, cst.Call):
            node = node.func
            continue
        inner = node.value
        name = dotted_name(inner) or ""
        if name.rsplit(".", 1)[-1] in words.CONFIGURATION_OBJECTS or name in (
            words.CONFIGURATION_OBJECTS
        ):
            return True
        node = inner
    return False


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_prefix_check(node: cst.Call) -> bool:
    return terminal_name(node.func) in ("startswith", "endswith") and isinstance(
        node.func, cst.Attribute
    )


def _call_receiver(node: cst.Call) -> cst.BaseExpression:
    assert isinstance(node.func, cst.Attribute)
    return node.func.value


def _string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _string_argument(node: cst.Call) -> str | None:
    if node.args:
        return _string_value(node.args[0].value)
    return None


def _subscript_key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1:
        return None
    element = node.slice[0].slice
    if isinstance(element, cst.Index):
        return _string_value(element.value)
    return None


def _is_session(node: cst.BaseExpression) -> bool:
    name = dotted_name(node) or ""
    return name.split(".")[-1] == "session"


def _session_key_kind(key: str) -> AtomKind:
    """Keys a login stores in the session: ``user_id``, ``logged_in``."""
    parts = split_words(key)
    if parts[:1] in (("user",), ("uid",), ("account",)) or parts == ("logged", "in"):
        return AtomKind.CREDENTIAL
    return AtomKind.NEUTRAL


def _identity_base(name: str) -> str:
    base, _, field = name.rpartition(".")
    return base if base and field in words.IDENTITY_FIELDS else name


def _is_identity(node: cst.BaseExpression) -> bool:
    """The signed-in caller or its id: ``request.user``, ``current_user.id``."""
    name = dotted_name(node)
    if name is None:
        return False
    base = _identity_base(name)
    return (
        base in words.IDENTITY_EXPRESSIONS
        or base in ("user", "current_user", "self.request.user")
        or base.endswith(".request.user")
    )


def _is_owner_attribute(node: cst.BaseExpression) -> bool:
    """An attribute of some object naming its owner: ``post.author``."""
    if not isinstance(node, cst.Attribute) or _is_identity(node):
        return False
    return terminal_name(node) in words.OWNER_WORDS
