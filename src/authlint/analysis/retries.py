"""Client-side retries: which statuses lead to another attempt, and how.

Two kinds of facts come out. A ``RetryLoop`` is a hand-written status check
(an ``if`` on ``resp.status_code``, or an ``except`` for the client's HTTP
error) in a retry loop, a recursive call or a re-sent request, with what the
code does between the attempts. A ``RetryPolicy`` is a library's retry
configuration: urllib3 ``Retry``, aiohttp-retry options, google-auth and
google-api-core, tenacity, backoff and stamina decorators.

Statuses are tracked as sets over a sample of statuses that tells the
interesting cases apart (401, 403, other 4xx, 429, 5xx); a set holding every
sampled 4xx is a blanket retry.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Optional, cast

import libcst as cst

from authlint.analysis.imports import dotted_name, terminal_name
from authlint.analysis.symbols import (
    ModuleSymbols,
    assignment_pairs,
    blocks,
    small_statements,
    suite_statements,
)
from authlint.frameworks import clients
from authlint.frameworks.http import HTTP_STATUS_NAMES

SAMPLE = frozenset(
    {200, 204, 302, 304, 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503}
)
# A set holding all of these retries "every client error", not chosen ones.
EVERY_4XX = frozenset({400, 401, 403, 404, 409, 422})
ERROR_STATUSES = frozenset(s for s in SAMPLE if s >= 400)
AUTH_STATUSES = frozenset({401, 403})

_MAX_PATHS = 256
_MAX_DEPTH = 4
_RETRY_FUNCTION = re.compile(
    r"(should|is|needs|can|must)_?retry|retryable|retriable", re.IGNORECASE
)
_RETRY_LOOP_TARGET = re.compile(r"attempt|retr|tries|try", re.IGNORECASE)
_EXIT_CALLS = frozenset(
    {"exit", "quit", "sys.exit", "os._exit", "pytest.fail", "pytest.skip", "abort"}
)
_ERROR_NAMES = frozenset({"e", "ex", "exc", "err", "error", "exception", "http_error"})


@dataclass(frozen=True)
class StatusSet:
    """The statuses a check or a policy reacts to."""

    statuses: frozenset[int]

    def __contains__(self, status: object) -> bool:
        return status in self.statuses

    @property
    def blanket(self) -> bool:
        """Every client error, rather than chosen statuses."""
        return self.statuses >= EVERY_4XX

    def describe(self) -> str:
        if self.blanket:
            return "every 4xx status"
        return " and ".join(str(s) for s in sorted(self.statuses & AUTH_STATUSES))


@dataclass(frozen=True)
class RefreshEvidence:
    """A step that obtains or clears credentials between two attempts."""

    node: cst.CSTNode
    # A call that obtains new credentials (``refresh_token()``, a new
    # ``Authorization`` header), not only clearing the old ones.
    renews: bool


@dataclass(frozen=True)
class RetryLoop:
    """A hand-written status check and what follows it on each path."""

    check: cst.CSTNode
    # Statuses for which another attempt follows.
    retried: StatusSet
    # Statuses for which credentials are renewed after the check.
    renewed: StatusSet
    # Every path to another attempt obtains or clears credentials first.
    refreshed: bool
    # The check or the code after it speaks of rate limits or quotas
    # (GitHub and Google answer those with 403), or of an expired signature.
    rate_limited: bool
    expiry: bool
    shape: str


@dataclass(frozen=True)
class RetryPolicy:
    """A retry library's configuration and the statuses it retries."""

    node: cst.CSTNode
    statuses: StatusSet
    what: str
    # google-auth sessions refresh credentials before their retry.
    refreshes: bool = False
    # The decorated function obtains new credentials itself (on a 401,
    # before returning the response that the policy retries).
    wrapped_renews: bool = False


@dataclass
class ClientFacts:
    loops: list[RetryLoop] = field(default_factory=list)
    policies: list[RetryPolicy] = field(default_factory=list)


def client_facts(symbols: ModuleSymbols) -> ClientFacts:
    if is_test_file(symbols.path):
        # Tests mock refusals and poll their own servers; neither is a client
        # retrying a real service.
        return ClientFacts()
    return _ClientReader(symbols).read()


def is_test_file(path: str) -> bool:
    parts = PurePath(path).parts
    if not parts:
        return False
    name = parts[-1]
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return True
    return any(part in ("tests", "test", "testing") for part in parts[:-1])


# -- status values and sets -----------------------------------------------------


@dataclass
class _Scope:
    """Names a function binds, to follow statuses and predicates through."""

    function: cst.FunctionDef | None = None
    cls: cst.ClassDef | None = None
    local: dict[str, cst.BaseExpression] = field(default_factory=dict)
    status_names: set[str] = field(default_factory=set)
    error_names: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Condition:
    statuses: frozenset[int]
    # The condition tests nothing but the status, so its negation is exact.
    pure: bool


class _StatusReader:
    def __init__(self, symbols: ModuleSymbols) -> None:
        self.symbols = symbols

    # A single status ------------------------------------------------------------

    def value(self, node: cst.BaseExpression, scope: _Scope) -> int | None:
        status = self.symbols.status_of(node)
        if isinstance(status, int):
            return status
        name = dotted_name(node)
        if name is None:
            return None
        if isinstance(node, cst.Name) and node.value in scope.local:
            return self.value(scope.local[node.value], _Scope())
        qualified = self.symbols.imports.qualify(node) or ""
        holder, _, attribute = qualified.rpartition(".")
        if holder in clients.CLIENT_STATUS_CODES:
            return _STATUS_BY_NAME.get(attribute.upper())
        return None

    # A set of statuses ----------------------------------------------------------

    def members(
        self, node: cst.BaseExpression, scope: _Scope, depth: int = 0
    ) -> frozenset[int] | None:
        if depth > _MAX_DEPTH:
            return None
        single = self.value(node, scope)
        if single is not None:
            return frozenset({single})
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            found: set[int] = set()
            known = False
            for element in node.elements:
                inner = self.members(element.value, scope, depth + 1)
                if inner is not None:
                    found |= inner
                    known = True
            return frozenset(found) if known or not node.elements else None
        if isinstance(node, cst.Call):
            return self._call_members(node, scope, depth)
        if isinstance(node, cst.BinaryOperation):
            left = self.members(node.left, scope, depth + 1)
            right = self.members(node.right, scope, depth + 1)
            if isinstance(node.operator, cst.Subtract):
                return left - right if left is not None and right else left
            if isinstance(node.operator, (cst.Add, cst.BitOr)):
                if left is None and right is None:
                    return None
                return (left or frozenset()) | (right or frozenset())
            return None
        return self._named_members(node, scope, depth)

    def _call_members(
        self, node: cst.Call, scope: _Scope, depth: int
    ) -> frozenset[int] | None:
        name = dotted_name(node.func)
        args = [arg.value for arg in node.args if not arg.keyword and not arg.star]
        if name in ("set", "frozenset", "list", "tuple", "sorted") and len(args) == 1:
            return self.members(args[0], scope, depth + 1)
        if name == "range" and 1 <= len(args) <= 3:
            bounds = [self.value(arg, scope) for arg in args]
            if any(bound is None for bound in bounds):
                return None
            return frozenset(s for s in SAMPLE if s in range(*bounds))  # type: ignore[arg-type]
        return None

    def _named_members(
        self, node: cst.BaseExpression, scope: _Scope, depth: int
    ) -> frozenset[int] | None:
        name = dotted_name(node)
        if name is None:
            return None
        attribute = name.rpartition(".")[2]
        if attribute in clients.LIBRARY_STATUS_SETS and "." in name:
            return clients.LIBRARY_STATUS_SETS[attribute]
        if isinstance(node, cst.Name) and node.value in scope.local:
            return self.members(scope.local[node.value], _Scope(), depth + 1)
        head, _, rest = name.partition(".")
        if head in ("self", "cls") and rest and "." not in rest and scope.cls:
            value = _class_attribute(scope.cls, rest)
            if value is not None:
                return self.members(value, _Scope(cls=scope.cls), depth + 1)
            return None
        target = self.symbols.resolve(node)
        if isinstance(target, tuple):
            symbols, local = target
            value = symbols.constant(local)
            if value is None and local in symbols.classes and rest:
                value = _class_attribute(symbols.classes[local], rest)
            if value is not None:
                return _StatusReader(symbols).members(value, _Scope(), depth + 1)
        return None

    # A condition ----------------------------------------------------------------

    def condition(self, node: cst.BaseExpression, scope: _Scope) -> _Condition | None:
        """The statuses for which a condition holds, when it tests a status.

        Parts that test something else (a header, a counter) are left out:
        they narrow the check but do not change which statuses it names.
        """
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            inner = self.condition(node.expression, scope)
            if inner is None or not inner.pure:
                return None
            return _Condition(SAMPLE - inner.statuses, True)
        if isinstance(node, cst.BooleanOperation):
            left = self.condition(node.left, scope)
            right = self.condition(node.right, scope)
            if left is None and right is None:
                return None
            if left is None or right is None:
                one = left or right
                assert one is not None
                return _Condition(one.statuses, False)
            if isinstance(node.operator, cst.And):
                merged = left.statuses & right.statuses
            else:
                merged = left.statuses | right.statuses
            return _Condition(merged, left.pure and right.pure)
        if isinstance(node, cst.Comparison):
            return self._comparison(node, scope)
        if (
            isinstance(node, cst.Attribute)
            and node.attr.value in clients.RESPONSE_FLAGS
        ):
            low, high = clients.RESPONSE_FLAGS[node.attr.value]
            return _Condition(frozenset(s for s in SAMPLE if low <= s < high), True)
        return None

    def _comparison(self, node: cst.Comparison, scope: _Scope) -> _Condition | None:
        operands = [node.left, *(target.comparator for target in node.comparisons)]
        result: frozenset[int] | None = None
        pure = True
        for index, target in enumerate(node.comparisons):
            left, right = operands[index], operands[index + 1]
            part = self._compare(left, target.operator, right, scope)
            if part is None:
                pure = False
                continue
            result = part if result is None else result & part
        if result is None:
            return None
        return _Condition(result, pure)

    def _compare(
        self,
        left: cst.BaseExpression,
        operator: cst.BaseCompOp,
        right: cst.BaseExpression,
        scope: _Scope,
    ) -> frozenset[int] | None:
        flipped = False
        if not self.is_status(left, scope):
            if not self.is_status(right, scope):
                return None
            left, right = right, left
            flipped = True
        if isinstance(operator, (cst.In, cst.NotIn)):
            if flipped:
                return None
            members = self.members(right, scope)
            if members is None:
                return None
            return members if isinstance(operator, cst.In) else SAMPLE - members
        value = self.value(right, scope)
        if value is None:
            return None
        test = _ORDER.get(type(operator))
        if test is None:
            return None
        if flipped:
            test = _FLIPPED.get(type(operator), test)
        chosen = frozenset(s for s in SAMPLE if test(s, value))
        if isinstance(operator, (cst.Equal, cst.Is)):
            chosen |= {value}
        return chosen

    def is_status(self, node: cst.BaseExpression, scope: _Scope) -> bool:
        if isinstance(node, cst.Call):
            name = dotted_name(node.func)
            if name == "int" and len(node.args) == 1:
                return self.is_status(node.args[0].value, scope)
            if name == "getattr" and len(node.args) >= 2:
                attr = node.args[1].value
                return (
                    isinstance(attr, cst.SimpleString)
                    and attr.evaluated_value in clients.STATUS_ATTRIBUTES
                )
            return False
        if isinstance(node, cst.Attribute):
            attribute = node.attr.value
            if attribute == "value":
                return self.is_status(node.value, scope)
            if attribute in clients.STATUS_ATTRIBUTES:
                return True
            if attribute in clients.ERROR_STATUS_ATTRIBUTES:
                owner = dotted_name(node.value)
                return owner in scope.error_names or owner in _ERROR_NAMES
            return False
        if isinstance(node, cst.Name):
            return (
                node.value in clients.STATUS_NAMES or node.value in scope.status_names
            )
        return False


_ORDER = {
    cst.Equal: lambda s, v: s == v,
    cst.Is: lambda s, v: s == v,
    cst.NotEqual: lambda s, v: s != v,
    cst.IsNot: lambda s, v: s != v,
    cst.LessThan: lambda s, v: s < v,
    cst.LessThanEqual: lambda s, v: s <= v,
    cst.GreaterThan: lambda s, v: s > v,
    cst.GreaterThanEqual: lambda s, v: s >= v,
}
# ``400 <= status`` reads as ``status >= 400``.
_FLIPPED = {
    cst.LessThan: lambda s, v: s > v,
    cst.LessThanEqual: lambda s, v: s >= v,
    cst.GreaterThan: lambda s, v: s < v,
    cst.GreaterThanEqual: lambda s, v: s <= v,
}
_STATUS_BY_NAME = {**HTTP_STATUS_NAMES, **clients.EXTRA_STATUS_NAMES}


def _class_attribute(cls: cst.ClassDef, name: str) -> cst.BaseExpression | None:
    values = [
        value
        for statement in suite_statements(cls.body)
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
        for target, value in assignment_pairs(small)
        if target == name
    ]
    return values[0] if len(values) == 1 else None


# -- what code does: requests, refreshes, raises ---------------------------------


# Fields that hold only punctuation and whitespace.
_LAYOUT_FIELD = re.compile(r"whitespace|^(lpar|rpar|comma|semicolon|colon|dot|equal)$")
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def _children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """A node's children, read from its fields: much cheaper than libcst's
    visitors, which rebuild every node they pass."""
    names = _CHILD_FIELDS.get(type(node))
    if names is None:
        names = tuple(
            f.name for f in dataclasses.fields(node) if not _LAYOUT_FIELD.search(f.name)
        )
        _CHILD_FIELDS[type(node)] = names
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def _descendants(node: cst.CSTNode, *, into_scopes: bool) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        for child in _children(stack.pop()):
            yield child
            if into_scopes or not isinstance(child, _SCOPES):
                stack.append(child)


@dataclass
class _Found:
    calls: list[cst.Call]
    yields: bool


def _calls(node: cst.CSTNode) -> _Found:
    """Calls inside a node, not entering nested functions, classes or
    lambdas, and whether it yields."""
    found = _Found([], False)
    for child in _descendants(node, into_scopes=False):
        if isinstance(child, cst.Call):
            found.calls.append(child)
        elif isinstance(child, cst.Yield):
            found.yields = True
    return found


def _is_refresh_name(name: str | None) -> bool:
    if not name:
        return False
    lowered = name.lower()
    return (
        lowered in clients.REFRESH_CALL_NAMES
        or lowered.startswith(clients.REFRESH_CALL_PREFIXES)
        or lowered.startswith(clients.REFRESH_CALL_PREFIXES_EXTRA)
    )


def _has_credential_word(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in clients.CREDENTIAL_WORDS)


def _words(text: str, words: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in words)


# -- paths through a retry loop or a function -------------------------------------


class _TooManyPaths(Exception):
    pass


@dataclass(frozen=True)
class _State:
    statuses: frozenset[int] | None = None
    check: cst.CSTNode | None = None
    refresh: RefreshEvidence | None = None
    renewed_after_check: bool = False
    text: tuple[str, ...] = ()
    # The statuses are what a check did not match (``!= 200``, the code
    # after ``if r.ok: return``), and the path then passed a condition on
    # something else: that path may never run for those statuses.
    complement: bool = False
    unsure: bool = False


@dataclass(frozen=True)
class _End:
    retries: bool
    state: _State
    # The class a ``raise`` ending the path raises.
    raised: str | None = None


class _FunctionReader:
    """Follows the paths of one function after each status check."""

    def __init__(self, reader: _ClientReader, function: cst.FunctionDef, scope: _Scope):
        self.reader = reader
        self.status = reader.status
        self.module = reader.symbols.module
        self.function = function
        self.scope = scope
        self.name = function.name.value
        self.auth_flow = self.name in ("auth_flow", "async_auth_flow", "sync_auth_flow")
        self.paths = 0
        self.in_loop = False

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    # Starts ----------------------------------------------------------------------

    def read(self) -> list[tuple[_End, str]]:
        ends: list[tuple[_End, str]] = []
        body = suite_statements(self.function.body)
        if self.reader.http_function(self.function):
            ends.extend((end, "re-sent request") for end in self._start(body, False))
        for loop in _loops(body):
            if self._is_retry_loop(loop):
                loop_ends = self._start(suite_statements(loop.body), True)
                if _leaves_on_success(loop_ends):
                    ends.extend((end, "retry loop") for end in loop_ends)
        return ends

    def raised_on_auth_failure(self) -> frozenset[str]:
        """Exception classes raised on a path where the status may be 401
        or 403."""
        ends = self._start(suite_statements(self.function.body), False)
        return frozenset(
            end.raised
            for end in ends
            if end.raised
            and end.state.statuses is not None
            and end.state.statuses >= AUTH_STATUSES
        )

    def _start(self, body: list[cst.BaseStatement], in_loop: bool) -> list[_End]:
        self.in_loop = in_loop
        self.paths = 0
        try:
            return list(self._run([body], _State()))
        except _TooManyPaths:
            return []

    def _is_retry_loop(self, loop: cst.For | cst.While) -> bool:
        if not any(self.reader.is_request(call) for call in _calls(loop.body).calls):
            return False
        if isinstance(loop, cst.While):
            return True
        iterated = loop.iter
        if isinstance(iterated, cst.Call):
            name = terminal_name(iterated.func)
            if name in ("range", "count", "repeat", "Retrying", "AsyncRetrying"):
                return True
        target = dotted_name(loop.target) or ""
        return bool(_RETRY_LOOP_TARGET.search(target))

    # Paths -----------------------------------------------------------------------

    def _run(self, seq: list[list[cst.BaseStatement]], state: _State) -> Iterator[_End]:
        while seq and not seq[0]:
            seq = seq[1:]
        if not seq:
            self._count()
            yield _End(self.in_loop, state)
            return
        statement, rest = seq[0][0], [seq[0][1:], *seq[1:]]

        if isinstance(statement, cst.SimpleStatementLine):
            yield from self._simple(list(statement.body), rest, state)
        elif isinstance(statement, cst.If):
            yield from self._if(statement, rest, state)
        elif isinstance(statement, (cst.Try, cst.TryStar)):
            yield from self._try(statement, rest, state)
        elif isinstance(statement, cst.With):
            yield from self._run([suite_statements(statement.body), *rest], state)
        else:
            # Nested loops, functions and classes are read on their own.
            yield from self._run(rest, state)

    def _count(self) -> None:
        self.paths += 1
        if self.paths > _MAX_PATHS:
            raise _TooManyPaths

    def _simple(
        self,
        smalls: list[cst.BaseSmallStatement],
        rest: list[list[cst.BaseStatement]],
        state: _State,
    ) -> Iterator[_End]:
        for small in smalls:
            if state.check is not None:
                state = replace(state, text=(*state.text, self.code(small)))
            if isinstance(small, cst.Continue):
                self._count()
                yield _End(self.in_loop, state)
                return
            if isinstance(small, cst.Raise):
                self._count()
                exc = small.exc
                if state.check is not None and _task_retry(exc):
                    yield _End(True, state)
                else:
                    yield _End(False, state, terminal_name(exc) if exc else None)
                return
            if isinstance(small, cst.Break) or _exits(small):
                self._count()
                yield _End(False, state)
                return
            if _raises_for_status(small):
                # ``raise_for_status()`` ends every path of 400 and up.
                if state.statuses is not None:
                    kept = frozenset(s for s in state.statuses if s < 400)
                    if not kept:
                        self._count()
                        yield _End(False, state, "HTTPError")
                        return
                    state = replace(state, statuses=kept)
            state, retried = self._effects(small, state)
            if retried:
                self._count()
                yield _End(True, state)
                return
            if isinstance(small, cst.Return):
                self._count()
                yield _End(False, state)
                return
        yield from self._run(rest, state)

    def _effects(
        self, small: cst.BaseSmallStatement, state: _State
    ) -> tuple[_State, bool]:
        """Credentials obtained by a statement, and whether it tries again."""
        found = _calls(small)
        for target in _assigned_targets(small):
            if _has_credential_word(target):
                renews = not _assigns_none(small)
                state = self._refreshed(state, small, renews)
        retried = False
        for call in found.calls:
            name = terminal_name(call.func)
            if _is_refresh_name(name):
                state = self._refreshed(state, call, True)
            elif self.reader.is_request(call):
                if _has_credential_word(self.code(call.func)) or _token_request(
                    self.code(call)
                ):
                    state = self._refreshed(state, call, True)
                elif state.check is not None:
                    if _keyword(call, "auth") is not None:
                        # Sent again with other credentials.
                        state = self._refreshed(state, call, True)
                    retried = True
            elif state.check is not None and self._is_recursion(call):
                retried = True
        if found.yields and self.auth_flow and state.check is not None:
            retried = True
        return state, retried

    def _refreshed(self, state: _State, node: cst.CSTNode, renews: bool) -> _State:
        return replace(
            state,
            refresh=RefreshEvidence(node, renews),
            renewed_after_check=state.renewed_after_check
            or (renews and state.check is not None),
        )

    def _is_recursion(self, call: cst.Call) -> bool:
        func = call.func
        if isinstance(func, cst.Name):
            return func.value == self.name
        if isinstance(func, cst.Attribute) and func.attr.value == self.name:
            return dotted_name(func.value) in ("self", "cls")
        return False

    def _if(
        self, statement: cst.If, rest: list[list[cst.BaseStatement]], state: _State
    ) -> Iterator[_End]:
        condition = self.status.condition(statement.test, self.scope)
        text = (*state.text, self.code(statement.test))
        if isinstance(statement.orelse, cst.Else):
            otherwise = suite_statements(statement.orelse.body)
        elif isinstance(statement.orelse, cst.If):
            otherwise = [statement.orelse]
        else:
            otherwise = []

        if condition is None:
            inner = replace(state, text=text, unsure=state.check is not None)
            yield from self._run([suite_statements(statement.body), *rest], inner)
            yield from self._run([otherwise, *rest], inner)
            return

        # Wording read for a check starts at the check: an earlier branch's
        # rate-limit test says nothing about this one.
        own = (self.code(statement.test), *self._named_values(statement.test))
        taken = self._narrow(state, condition.statuses, statement.test, own)
        yield from self._run([suite_statements(statement.body), *rest], taken)
        if condition.pure:
            skipped = self._narrow(
                state, SAMPLE - condition.statuses, statement.test, own
            )
            skipped = replace(skipped, complement=True)
        else:
            skipped = replace(state, text=text)
        yield from self._run([otherwise, *rest], skipped)

    def _named_values(self, test: cst.BaseExpression) -> Iterator[str]:
        """The values of the local names a test reads (``remaining`` in
        ``remaining == "0"`` after ``remaining = r.headers.get(...)``)."""
        for name in _names(test):
            value = self.scope.local.get(name)
            if value is not None:
                yield self.code(value)

    def _narrow(
        self,
        state: _State,
        statuses: frozenset[int],
        check: cst.CSTNode,
        text: tuple[str, ...],
    ) -> _State:
        narrowed = statuses if state.statuses is None else state.statuses & statuses
        return replace(
            state,
            statuses=narrowed,
            check=check,
            renewed_after_check=False,
            text=text,
            complement=False,
            unsure=False,
        )

    def _try(
        self,
        statement: cst.Try | cst.TryStar,
        rest: list[list[cst.BaseStatement]],
        state: _State,
    ) -> Iterator[_End]:
        body = suite_statements(statement.body)
        after = list(rest)
        if statement.orelse is not None:
            body = [*body, *suite_statements(statement.orelse.body)]
        yield from self._run([body, *after], state)

        raises = self.reader.raises_on_error(statement.body)
        for handler in statement.handlers:
            handled = state
            if raises and self.reader.catches_http_errors(handler.type):
                handled = self._narrow(
                    state, ERROR_STATUSES, handler, (*state.text, "except")
                )
            if handler.name is not None:
                bound = dotted_name(handler.name.name)
                if bound:
                    self.scope.error_names.add(bound)
            yield from self._run([suite_statements(handler.body), *after], handled)


def _names(node: cst.CSTNode) -> list[str]:
    return [
        child.value
        for child in _descendants(node, into_scopes=False)
        if isinstance(child, cst.Name)
    ]


def _leaves_on_success(ends: list[_End]) -> bool:
    """A retry loop stops once a request succeeds; a loop that goes on
    after a success (``for _ in range(300): create(...)``) repeats work
    instead of retrying it."""
    return any(
        not end.retries and (end.state.statuses is None or 200 in end.state.statuses)
        for end in ends
    )


def _obtains_credentials(function: cst.FunctionDef) -> bool:
    """Whether a function refreshes, re-issues or replaces credentials."""
    for call in _calls(function.body).calls:
        if _is_refresh_name(terminal_name(call.func)):
            return True
    for small in small_statements(suite_statements(function.body)):
        if not _assigns_none(small) and any(
            _has_credential_word(target) for target in _assigned_targets(small)
        ):
            return True
    return False


def _task_retry(exc: cst.BaseExpression | None) -> bool:
    """Celery's ``raise self.retry(...)``, which runs the task again."""
    return (
        isinstance(exc, cst.Call)
        and isinstance(exc.func, cst.Attribute)
        and exc.func.attr.value == "retry"
        and dotted_name(exc.func.value) == "self"
    )


def _raises_for_status(small: cst.BaseSmallStatement) -> bool:
    return (
        isinstance(small, cst.Expr)
        and isinstance(small.value, cst.Call)
        and terminal_name(small.value.func) == "raise_for_status"
    )


def _exits(small: cst.BaseSmallStatement) -> bool:
    """``sys.exit(...)`` and the like, which end the program."""
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return False
    return dotted_name(small.value.func) in _EXIT_CALLS


def _loops(body: list[cst.BaseStatement]) -> Iterator[cst.For | cst.While]:
    for statement in body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(statement, (cst.For, cst.While)):
            yield statement
        for block in blocks(statement):
            yield from _loops(block)


def _assigned_targets(small: cst.BaseSmallStatement) -> Iterator[str]:
    targets: list[cst.BaseExpression] = []
    if isinstance(small, cst.Assign):
        targets = [target.target for target in small.targets]
    elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
        targets = [small.target]
    for target in targets:
        if isinstance(target, cst.Subscript):
            for element in target.slice:
                index = element.slice
                if isinstance(index, cst.Index) and isinstance(
                    index.value, cst.SimpleString
                ):
                    yield str(index.value.evaluated_value)
            target = target.value
        name = dotted_name(target)
        if name:
            yield name.rpartition(".")[2]


def _assigns_none(small: cst.BaseSmallStatement) -> bool:
    value = getattr(small, "value", None)
    return isinstance(value, cst.Name) and value.value == "None"


def _token_request(text: str) -> bool:
    lowered = text.lower()
    return "oauth" in lowered or "grant_type" in lowered or "/login" in lowered


# -- the module ------------------------------------------------------------------


class _ClientReader:
    def __init__(self, symbols: ModuleSymbols) -> None:
        self.symbols = symbols
        self.imports = symbols.imports
        self.status = _StatusReader(symbols)
        self.client_module = symbols.imports.imports_any(clients.CLIENT_PACKAGES)
        self.facts = ClientFacts()
        self.client_names = _client_names(symbols)
        # Predicate functions a policy already reported through its argument.
        self.used_predicates: set[str] = set()

    def read(self) -> ClientFacts:
        definitions = [
            (node, cls)
            for node, cls in self.symbols.definitions
            if isinstance(node, cst.FunctionDef)
        ]
        decorator_calls: set[int] = set()
        for function, cls in definitions:
            for decorator in function.decorators:
                decorator_calls.add(id(decorator.decorator))
                self._decorator(decorator.decorator, function, cls)
        for call, caller, owner in _module_calls(self.symbols.module):
            if id(call) not in decorator_calls:
                self._policy_call(call, caller, owner)
        for function, cls in definitions:
            if function.name.value.startswith("test"):
                continue
            scope = self.scope_of(function, cls)
            self._hand_written(function, scope)
            if (
                _RETRY_FUNCTION.search(function.name.value)
                and function.name.value not in self.used_predicates
                and self.client_module
            ):
                self._retry_function(function, scope)
        return self.facts

    # Shared knowledge -------------------------------------------------------------

    def qualify(self, node: cst.CSTNode) -> str:
        return self.imports.qualify(node) or dotted_name(node) or ""

    def is_request(self, call: cst.Call) -> bool:
        qualified = self.imports.qualify(call.func)
        if qualified in clients.REQUEST_FUNCTIONS:
            return True
        func = call.func
        if not isinstance(func, cst.Attribute):
            return False
        method = func.attr.value
        if method in clients.REQUEST_METHODS:
            return True
        if method in clients.HTTP_VERBS:
            receiver = dotted_name(func.value) or ""
            if receiver.rpartition(".")[2] in self.client_names:
                return True
            return any(
                word in receiver.lower() for word in clients.CLIENT_RECEIVER_WORDS
            )
        return False

    def http_function(self, function: cst.FunctionDef) -> bool:
        if function.name.value in ("auth_flow", "async_auth_flow", "sync_auth_flow"):
            return True
        return any(self.is_request(call) for call in _calls(function.body).calls)

    def raises_on_error(self, node: cst.CSTNode, depth: int = 0) -> bool:
        """Whether code raises on a 4xx response: ``raise_for_status()``,
        aiohttp's ``raise_for_status=True``, or ``urlopen``."""
        for call in _calls(node).calls:
            if terminal_name(call.func) == "raise_for_status":
                return True
            if self.imports.qualify(call.func) == "urllib.request.urlopen":
                return True
            for arg in call.args:
                if (
                    arg.keyword is not None
                    and arg.keyword.value == "raise_for_status"
                    and dotted_name(arg.value) == "True"
                ):
                    return True
            callee = self._own_function(call)
            if callee is not None and depth < 1:
                if self.raises_on_error(callee.body, depth + 1):
                    return True
        return False

    def _own_function(self, call: cst.Call) -> cst.FunctionDef | None:
        func = call.func
        if isinstance(func, cst.Name):
            return self.symbols.functions.get(func.value)
        if isinstance(func, cst.Attribute) and dotted_name(func.value) == "self":
            for node, _cls in self.symbols.definitions:
                if (
                    isinstance(node, cst.FunctionDef)
                    and node.name.value == func.attr.value
                ):
                    return node
        return None

    def catches_http_errors(self, types: cst.BaseExpression | None) -> bool:
        if types is None:
            return True
        elements = (
            [element.value for element in types.elements]
            if isinstance(types, cst.Tuple)
            else [types]
        )
        for element in elements:
            qualified = self.qualify(element)
            if qualified in clients.HTTP_ERROR_TYPES or qualified in clients.CATCH_ALL:
                return True
        return False

    def scope_of(self, function: cst.FunctionDef, cls: cst.ClassDef | None) -> _Scope:
        scope = _Scope(function=function, cls=cls)
        seen: dict[str, list[cst.BaseExpression]] = {}
        for small in small_statements(suite_statements(function.body)):
            for name, value in assignment_pairs(small):
                seen.setdefault(name, []).append(value)
        for param in [*function.params.params, *function.params.kwonly_params]:
            if param.default is not None:
                seen.setdefault(param.name.value, []).append(param.default)
        for name, values in seen.items():
            if len(values) == 1:
                scope.local[name] = values[0]
                if self.status.is_status(values[0], scope):
                    scope.status_names.add(name)
        return scope

    # Hand-written retries ---------------------------------------------------------

    def _hand_written(self, function: cst.FunctionDef, scope: _Scope) -> None:
        reader = _FunctionReader(self, function, scope)
        by_check: dict[int, list[tuple[_End, str]]] = {}
        for end, shape in reader.read():
            if end.state.check is None or end.state.statuses is None:
                continue
            by_check.setdefault(id(end.state.check), []).append((end, shape))
        if not by_check:
            return
        for ends in by_check.values():
            self._record_loop(ends)

    def _record_loop(self, ends: list[tuple[_End, str]]) -> None:
        retried: set[int] = set()
        renewed: set[int] = set()
        refreshed = True
        texts: list[str] = []
        shape = ""
        for end, end_shape in ends:
            state = end.state
            assert state.statuses is not None
            if state.complement and state.unsure:
                continue
            if state.renewed_after_check:
                renewed |= state.statuses
                texts.extend(state.text)
            if end.retries:
                retried |= state.statuses
                refreshed = refreshed and state.refresh is not None
                texts.extend(state.text)
                shape = shape or end_shape
        if not retried and not renewed:
            return
        path_text = " ".join(texts)
        check = ends[0][0].state.check
        assert check is not None
        self.facts.loops.append(
            RetryLoop(
                check=check,
                retried=StatusSet(frozenset(retried)),
                renewed=StatusSet(frozenset(renewed)),
                refreshed=refreshed and bool(retried),
                rate_limited=_words(path_text, clients.RATE_LIMIT_WORDS),
                expiry=_words(path_text, clients.EXPIRY_WORDS),
                shape=shape or "credential refresh",
            )
        )

    def _retry_function(self, function: cst.FunctionDef, scope: _Scope) -> None:
        """A project's own ``should_retry(response)``: each check whose
        ``True`` answer asks for another attempt."""
        function_text = self.symbols.module.code_for_node(function)
        for check, statuses in self._predicate_checks(function, scope):
            self.facts.loops.append(
                RetryLoop(
                    check=check,
                    retried=StatusSet(statuses),
                    renewed=StatusSet(frozenset()),
                    refreshed=False,
                    rate_limited=_words(function_text, clients.RATE_LIMIT_WORDS),
                    expiry=_words(function_text, clients.EXPIRY_WORDS),
                    shape="retry predicate",
                )
            )

    def _predicate_checks(
        self, function: cst.FunctionDef, scope: _Scope
    ) -> Iterator[tuple[cst.CSTNode, frozenset[int]]]:
        """Status checks of a predicate function that make it answer true."""
        for statement in _flat_statements(suite_statements(function.body)):
            if isinstance(statement, cst.If) and _returns_true(statement.body):
                condition = self.status.condition(statement.test, scope)
                if condition is not None and condition.statuses:
                    yield statement.test, condition.statuses
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Return) and small.value is not None:
                        condition = self.status.condition(small.value, scope)
                        if condition is not None and condition.statuses:
                            yield small.value, condition.statuses

    def predicate_statuses(
        self, node: cst.BaseExpression, cls: cst.ClassDef | None
    ) -> frozenset[int] | None:
        """The statuses for which a predicate (a lambda or a function of the
        project) answers true."""
        if isinstance(node, cst.Lambda):
            condition = self.status.condition(node.body, _Scope(cls=cls))
            return condition.statuses if condition is not None else None
        function: cst.FunctionDef | None = None
        name = dotted_name(node)
        if isinstance(node, cst.Name):
            function = self.symbols.functions.get(node.value)
        elif name and name.startswith("self.") and cls is not None:
            method = name[len("self.") :]
            for statement in suite_statements(cls.body):
                if (
                    isinstance(statement, cst.FunctionDef)
                    and statement.name.value == method
                ):
                    function = statement
        if function is None:
            return None
        self.used_predicates.add(function.name.value)
        found = [
            statuses
            for _check, statuses in self._predicate_checks(
                function, self.scope_of(function, cls)
            )
        ]
        if not found:
            return None
        return frozenset().union(*found)

    # Library policies ---------------------------------------------------------------

    def _add_policy(
        self,
        node: cst.CSTNode,
        statuses: frozenset[int] | None,
        what: str,
        refreshes: bool = False,
        wrapped: cst.FunctionDef | None = None,
    ) -> None:
        if not statuses:
            return
        if not (statuses & AUTH_STATUSES):
            return
        renews = wrapped is not None and _obtains_credentials(wrapped)
        self.facts.policies.append(
            RetryPolicy(node, StatusSet(statuses), what, refreshes, renews)
        )

    def _policy_call(
        self, call: cst.Call, function: cst.FunctionDef | None, cls: cst.ClassDef | None
    ) -> None:
        qualified = self.qualify(call.func)
        scope = (
            self.scope_of(function, cls) if function is not None else _Scope(cls=cls)
        )
        if qualified in clients.URLLIB3_RETRY:
            self._urllib3_retry(call, scope)
        elif qualified in clients.AIOHTTP_RETRY_OPTIONS:
            argument = _keyword(call, "statuses")
            if argument is not None:
                self._add_policy(
                    argument,
                    self.status.members(argument, scope),
                    "aiohttp-retry `statuses`",
                )
        elif qualified in clients.REFRESHING_SESSIONS:
            argument = _keyword(call, "refresh_status_codes")
            if argument is not None:
                statuses = self.status.members(argument, scope)
                if statuses is not None and 403 in statuses:
                    self._add_policy(
                        argument,
                        statuses,
                        "`refresh_status_codes`",
                        refreshes=True,
                    )
        elif qualified in clients.GOOGLE_RETRY:
            argument = _keyword(call, "predicate") or _positional(call, 0)
            if argument is not None:
                self._add_policy(
                    argument,
                    self._google_predicate(argument),
                    "google-api-core `Retry(predicate=...)`",
                )
        elif qualified in clients.TENACITY_RETRY:
            self._tenacity(call, None, cls)

    def _urllib3_retry(self, call: cst.Call, scope: _Scope) -> None:
        for name in clients.RETRY_COUNT_ARGUMENTS:
            count = _keyword(call, name)
            if count is not None and dotted_name(count) in ("False", "0"):
                return
            if isinstance(count, cst.Integer) and count.value == "0":
                return
        argument = _keyword(call, "status_forcelist")
        if argument is None:
            return
        self._add_policy(
            argument, self.status.members(argument, scope), "`status_forcelist`"
        )

    def _google_predicate(self, node: cst.BaseExpression) -> frozenset[int] | None:
        if not isinstance(node, cst.Call):
            return None
        if self.qualify(node.func) not in clients.GOOGLE_IF_EXCEPTION_TYPE:
            return None
        return self._exception_statuses(
            [arg.value for arg in node.args], raises=True, raised=frozenset()
        )

    def _exception_statuses(
        self,
        types: list[cst.BaseExpression],
        *,
        raises: bool,
        raised: frozenset[str],
    ) -> frozenset[int]:
        """Statuses retried by retrying these exception types around code
        that ``raises`` on 4xx (or raises ``raised`` classes on 4xx)."""
        found: set[int] = set()
        for node in _flatten_types(types):
            qualified = self.qualify(node)
            if qualified in clients.STATUS_EXCEPTIONS:
                found.add(clients.STATUS_EXCEPTIONS[qualified])
            elif self._raises_type(qualified, node, raises, raised):
                found |= ERROR_STATUSES
        return frozenset(found)

    def _raises_type(
        self,
        qualified: str,
        node: cst.BaseExpression,
        raises: bool,
        raised: frozenset[str],
    ) -> bool:
        """Whether code that ``raises`` (or raises ``raised`` classes) on
        4xx raises an exception of this type for a 4xx."""
        if qualified.startswith("google.api_core.exceptions."):
            # The Google client libraries raise these for every error status.
            return qualified in clients.HTTP_ERROR_TYPES
        if qualified in clients.HTTP_ERROR_TYPES:
            return raises
        if qualified in clients.CATCH_ALL:
            return raises or bool(raised)
        return terminal_name(node) in raised

    def _decorator(
        self,
        node: cst.BaseExpression,
        function: cst.FunctionDef,
        cls: cst.ClassDef | None,
    ) -> None:
        call = node if isinstance(node, cst.Call) else None
        qualified = self.qualify(call.func if call is not None else node)
        if qualified == "tenacity.retry":
            self._tenacity(call, function, cls, bare=node)
        elif qualified in clients.BACKOFF_ON_EXCEPTION and call is not None:
            self._backoff_exception(call, function, cls)
        elif qualified in clients.BACKOFF_ON_PREDICATE and call is not None:
            self._backoff_predicate(call, function, cls)
        elif call is not None and _keyword(call, "autoretry_for") is not None:
            self._celery_task(call, function)
        elif qualified in clients.STAMINA_RETRY and call is not None:
            argument = _keyword(call, "on")
            if argument is not None:
                statuses = self._types_or_predicate(argument, function, cls)
                self._add_policy(argument, statuses, "stamina `on=`", wrapped=function)

    def _celery_task(self, call: cst.Call, function: cst.FunctionDef) -> None:
        """A Celery task that runs again on the ``autoretry_for`` exceptions."""
        argument = _keyword(call, "autoretry_for")
        assert argument is not None
        raises, raised = self._raised(function)
        statuses = self._exception_statuses([argument], raises=raises, raised=raised)
        self._add_policy(argument, statuses, "Celery `autoretry_for`", wrapped=function)

    def _raised(self, function: cst.FunctionDef | None) -> tuple[bool, frozenset[str]]:
        if function is None:
            return False, frozenset()
        return self.raises_on_error(function.body), self._raised_on_status(function)

    def _raised_on_status(self, function: cst.FunctionDef) -> frozenset[str]:
        """Exception classes the function raises on a 401 or 403."""
        scope = self.scope_of(function, None)
        return _FunctionReader(self, function, scope).raised_on_auth_failure()

    def _tenacity(
        self,
        call: cst.Call | None,
        function: cst.FunctionDef | None,
        cls: cst.ClassDef | None,
        bare: cst.BaseExpression | None = None,
    ) -> None:
        raises, raised = self._raised(function)
        argument = _keyword(call, "retry") if call is not None else None
        if argument is None:
            # No ``retry=``: tenacity retries every exception.
            if function is None or not (raises or raised):
                return
            node = bare if bare is not None else call
            assert node is not None
            self._add_policy(
                node,
                ERROR_STATUSES,
                "tenacity `@retry` without `retry=`",
                wrapped=function,
            )
            return
        statuses = self._tenacity_strategy(argument, cls, raises, raised)
        self._add_policy(argument, statuses, "tenacity `retry=`", wrapped=function)

    def _tenacity_strategy(
        self,
        node: cst.BaseExpression,
        cls: cst.ClassDef | None,
        raises: bool,
        raised: frozenset[str],
    ) -> frozenset[int] | None:
        if isinstance(node, cst.BinaryOperation):
            left = self._tenacity_strategy(node.left, cls, raises, raised)
            right = self._tenacity_strategy(node.right, cls, raises, raised)
            if isinstance(node.operator, cst.BitOr):
                return _union(left, right)
            if isinstance(node.operator, cst.BitAnd):
                return left & right if left is not None and right is not None else None
            return None
        if not isinstance(node, cst.Call):
            return None
        qualified = self.qualify(node.func)
        args = [arg.value for arg in node.args if arg.keyword is None]
        if qualified in clients.TENACITY_ANY or qualified in clients.TENACITY_ALL:
            parts = [self._tenacity_strategy(a, cls, raises, raised) for a in args]
            if qualified in clients.TENACITY_ANY:
                result: frozenset[int] | None = None
                for part in parts:
                    result = _union(result, part)
                return result
            if any(part is None for part in parts) or not parts:
                return None
            return frozenset.intersection(*parts)  # type: ignore[arg-type]
        if qualified in clients.TENACITY_IF_EXCEPTION_TYPE:
            types = args or [_keyword(node, "exception_types") or cst.Name("Exception")]
            return self._exception_statuses(types, raises=raises, raised=raised)
        if qualified in clients.TENACITY_IF_NOT_EXCEPTION_TYPE:
            spared = self._exception_statuses(args, raises=raises, raised=raised)
            if spared:
                return frozenset()
            return ERROR_STATUSES if raises or raised else frozenset()
        if (
            qualified in clients.TENACITY_IF_RESULT
            or qualified in clients.TENACITY_IF_EXCEPTION
        ):
            predicate = args[0] if args else _keyword(node, "predicate")
            if predicate is None:
                return None
            return self.predicate_statuses(predicate, cls)
        return None

    def _backoff_exception(
        self, call: cst.Call, function: cst.FunctionDef, cls: cst.ClassDef | None
    ) -> None:
        argument = _keyword(call, "exception") or _positional(call, 1)
        if argument is None:
            return
        raises, raised = self._raised(function)
        statuses = self._exception_statuses([argument], raises=raises, raised=raised)
        giveup = _keyword(call, "giveup")
        if giveup is not None and statuses:
            spared = self.predicate_statuses(giveup, cls)
            if spared is None:
                return  # A give-up rule we cannot read may well stop on 4xx.
            statuses = statuses - spared
        self._add_policy(argument, statuses, "backoff `on_exception`", wrapped=function)

    def _backoff_predicate(
        self, call: cst.Call, function: cst.FunctionDef, cls: cst.ClassDef | None
    ) -> None:
        predicate = _keyword(call, "predicate") or _positional(call, 1)
        if predicate is None or self.qualify(predicate) == "operator.not_":
            # The default predicate retries a falsy result, and a
            # ``requests.Response`` is falsy for every status of 400 and up.
            if self._returns_requests_response(function):
                self._add_policy(
                    predicate or call,
                    ERROR_STATUSES,
                    "backoff `on_predicate` with its default predicate",
                )
            return
        self._add_policy(
            predicate,
            self.predicate_statuses(predicate, cls),
            "backoff `on_predicate`",
            wrapped=function,
        )

    def _returns_requests_response(self, function: cst.FunctionDef) -> bool:
        scope = self.scope_of(function, None)
        for small in small_statements(suite_statements(function.body)):
            if not isinstance(small, cst.Return) or small.value is None:
                continue
            value = small.value
            if isinstance(value, cst.Name) and value.value in scope.local:
                value = scope.local[value.value]
            if isinstance(value, cst.Call) and self._requests_call(value):
                return True
        return False

    def _requests_call(self, call: cst.Call) -> bool:
        qualified = self.imports.qualify(call.func) or ""
        if qualified.startswith("requests."):
            return True
        return self.imports.imports_any(("requests",)) and self.is_request(call)

    def _types_or_predicate(
        self,
        node: cst.BaseExpression,
        function: cst.FunctionDef,
        cls: cst.ClassDef | None,
    ) -> frozenset[int] | None:
        if isinstance(node, cst.Lambda) or (
            isinstance(node, cst.Name) and node.value in self.symbols.functions
        ):
            return self.predicate_statuses(node, cls)
        raises, raised = self._raised(function)
        return self._exception_statuses([node], raises=raises, raised=raised)


def _union(
    left: frozenset[int] | None, right: frozenset[int] | None
) -> frozenset[int] | None:
    if left is None:
        return right
    if right is None:
        return left
    return left | right


def _flatten_types(types: list[cst.BaseExpression]) -> Iterator[cst.BaseExpression]:
    for node in types:
        if isinstance(node, (cst.Tuple, cst.List)):
            yield from _flatten_types([element.value for element in node.elements])
        else:
            yield node


def _keyword(call: cst.Call | None, name: str) -> cst.BaseExpression | None:
    if call is None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _positional(call: cst.Call, index: int) -> cst.BaseExpression | None:
    positional = [
        arg.value for arg in call.args if arg.keyword is None and not arg.star
    ]
    return positional[index] if index < len(positional) else None


def _flat_statements(body: list[cst.BaseStatement]) -> Iterator[cst.BaseStatement]:
    """Statements of a block and of the blocks nested in it (no new scopes)."""
    for statement in body:
        yield statement
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        if not isinstance(statement, cst.SimpleStatementLine):
            for block in blocks(statement):
                yield from _flat_statements(block)


def _returns_true(body: cst.BaseSuite) -> bool:
    for small in small_statements(suite_statements(body)):
        if isinstance(small, cst.Return):
            return dotted_name(small.value) == "True" if small.value else False
    return False


_CallSite = tuple[cst.Call, Optional[cst.FunctionDef], Optional[cst.ClassDef]]


def _module_calls(module: cst.Module) -> list[_CallSite]:
    """Every call with the function it is in and that function's class."""
    found: list[_CallSite] = []
    # (node, enclosing function, its class, the class whose body this is)
    stack: list[
        tuple[
            cst.CSTNode,
            cst.FunctionDef | None,
            cst.ClassDef | None,
            cst.ClassDef | None,
        ]
    ] = [(module, None, None, None)]
    while stack:
        node, function, owner, body_of = stack.pop()
        for child in _children(node):
            if isinstance(child, cst.FunctionDef):
                stack.append((child, child, body_of, None))
            elif isinstance(child, cst.ClassDef):
                stack.append((child, function, owner, child))
            else:
                if isinstance(child, cst.Call):
                    found.append((child, function, owner if function else body_of))
                stack.append((child, function, owner, body_of))
    return found


# Bytes every file with a client-side finding contains: an auth status, a
# name for one, or the status a check or a retry setting reads.
CLIENT_TRIGGERS: tuple[bytes, ...] = (
    b"401",
    b"403",
    b"nauthori",
    b"NAUTHORI",
    b"orbidden",
    b"ORBIDDEN",
    b"PermissionDenied",
    b"Unauthenticated",
    b".status",
    b"status_code",
    b"statuses",
)
# Blanket retries need no status at all: a bare ``@retry`` around
# ``raise_for_status()``, ``if not resp.ok``.
BLANKET_TRIGGERS: tuple[bytes, ...] = (
    *CLIENT_TRIGGERS,
    b"retry",
    b"Retry",
    b"backoff",
    b"stamina",
    b".ok",
    b"is_error",
    b"is_success",
)


def _client_names(symbols: ModuleSymbols) -> frozenset[str]:
    """Names bound to a client object: ``self.s = requests.Session()``,
    ``async with httpx.AsyncClient() as c``."""
    names: set[str] = set()

    def is_client(node: cst.BaseExpression | None) -> bool:
        if isinstance(node, cst.Await):
            node = node.expression
        return isinstance(node, cst.Call) and (
            symbols.imports.qualify(node.func) in clients.CLIENT_CONSTRUCTORS
        )

    for node in _descendants(symbols.module, into_scopes=True):
        targets: list[cst.BaseExpression] = []
        if isinstance(node, cst.Assign) and is_client(node.value):
            targets = [target.target for target in node.targets]
        elif isinstance(node, cst.AnnAssign) and is_client(node.value):
            targets = [node.target]
        elif (
            isinstance(node, cst.WithItem)
            and node.asname is not None
            and is_client(node.item)
        ):
            targets = [cast(cst.BaseExpression, node.asname.name)]
        for target in targets:
            name = dotted_name(target)
            if name:
                names.add(name.rpartition(".")[2])
    return frozenset(names)
