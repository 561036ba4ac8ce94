"""Client-side retries: which statuses lead to another attempt, and how.

Two kinds of facts come out. A ``RetryLoop`` is a hand-written status check
(an ``if`` on ``resp.status_code``, or an ``except`` for the client's HTTP
error) in a retry loop, a recursive call or a re-sent request, with what the
code does between the attempts; this module follows those paths. A
``RetryPolicy`` is a library's retry configuration, read by
``retry_policies``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Optional, cast

import libcst as cst

from authlint.analysis.client_nodes import (
    assigned_targets,
    assigns_none,
    calls_in,
    children,
    descendants,
    has_credential_word,
    is_refresh_name,
    keyword_argument,
    mentions,
    names_in,
    obtains_credentials,
)
from authlint.analysis.imports import dotted_name, terminal_name
from authlint.analysis.retry_policies import PolicyReader, RetryPolicy
from authlint.analysis.status_sets import (
    AUTH_STATUSES,
    ERROR_STATUSES,
    SAMPLE,
    NameScope,
    StatusReader,
    StatusSet,
)
from authlint.analysis.symbols import (
    ModuleSymbols,
    assignment_pairs,
    blocks,
    small_statements,
    suite_statements,
)
from authlint.files import is_test_code
from authlint.frameworks import clients

_MAX_PATHS = 256
# A retry for "everything but" longer than this was not chosen status by status.
_FEW_STATUSES = 3
_RETRY_FUNCTION = re.compile(
    r"(should|is|needs|can|must)_?retry|retryable|retriable", re.IGNORECASE
)
_RETRY_LOOP_TARGET = re.compile(r"attempt|retr|tries|try", re.IGNORECASE)
_EXIT_CALLS = frozenset(
    {"exit", "quit", "sys.exit", "os._exit", "pytest.fail", "pytest.skip", "abort"}
)


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


@dataclass
class ClientFacts:
    loops: list[RetryLoop] = field(default_factory=list)
    policies: list[RetryPolicy] = field(default_factory=list)


def client_facts(symbols: ModuleSymbols) -> ClientFacts:
    if is_test_code(symbols.path):
        # Tests mock refusals and poll their own servers; neither is a client
        # retrying a real service. (``check_source`` skips test code too;
        # this keeps the client analysis true on its own.)
        return ClientFacts()
    return ClientReader(symbols).read()


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
    # The conditions among ``text``: the check and the tests after it.
    guards: tuple[str, ...] = ()
    # The statuses are what a check did not match (``!= 200``, the code
    # after ``if r.ok: return``), and the path then passed a condition on
    # something else: that path may never run for those statuses.
    complement: bool = False
    unsure: bool = False
    # Names the path assigns or calls a method on since the loop began.
    touched: frozenset[str] = frozenset()
    # The URL argument of the first request on the path, as written.
    target: str | None = None


@dataclass(frozen=True)
class _End:
    retries: bool
    state: _State
    # The class a ``raise`` ending the path raises.
    raised: str | None = None


class _FunctionReader:
    """Follows the paths of one function after each status check."""

    def __init__(
        self, reader: ClientReader, function: cst.FunctionDef, scope: NameScope
    ):
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
                if not _leaves_on_success(loop_ends):
                    loop_ends = _same_request_again(loop, loop_ends)
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
        if not any(self.reader.is_request(call) for call in calls_in(loop.body).calls):
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
            state = replace(state, touched=state.touched | _touched(small))
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
        found = calls_in(small)
        for target in assigned_targets(small):
            if has_credential_word(target):
                renews = not assigns_none(small)
                state = self._refreshed(state, small, renews)
        retried = False
        for call in found.calls:
            name = terminal_name(call.func)
            if is_refresh_name(name) or self._calls_refresh(call):
                state = self._refreshed(state, call, True)
            elif self.reader.is_request(call):
                if has_credential_word(self.code(call.func)) or _token_request(
                    self.code(call)
                ):
                    state = self._refreshed(state, call, True)
                elif state.check is None:
                    state = replace(state, target=state.target or _target(call))
                elif state.target is None or _target(call) in (None, state.target):
                    if keyword_argument(call, "auth") is not None:
                        # Sent again with other credentials.
                        state = self._refreshed(state, call, True)
                    retried = True
            elif (
                state.check is not None
                and self._is_recursion(call)
                and self._same_arguments(call)
            ):
                retried = True
        if found.yields and self.auth_flow and state.check is not None:
            retried = True
        return state, retried

    def _calls_refresh(self, call: cst.Call) -> bool:
        """A call to the project's own function that obtains credentials
        (``self._bearer(scope)`` assigning ``self.token``)."""
        callee = self.reader.own_function(call)
        return (
            callee is not None
            and callee is not self.function
            and obtains_credentials(callee)
        )

    def _same_arguments(self, call: cst.Call) -> bool:
        """Whether a recursive call asks for the same thing again: its
        arguments are the function's own parameters, counters on them
        (``retries - 1``) or constants, not a next page."""
        params = {param.name.value for param in _all_params(self.function)}
        for arg in call.args:
            names = set(names_in(arg.value))
            if names and not names <= params | {"self", "cls", "True", "False", "None"}:
                return False
        return True

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
        guards = (*state.guards, self.code(statement.test))
        if isinstance(statement.orelse, cst.Else):
            otherwise = suite_statements(statement.orelse.body)
        elif isinstance(statement.orelse, cst.If):
            otherwise = [statement.orelse]
        else:
            otherwise = []

        if condition is None:
            inner = replace(
                state, text=text, guards=guards, unsure=state.check is not None
            )
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
            skipped = replace(state, text=text, guards=guards)
        yield from self._run([otherwise, *rest], skipped)

    def _named_values(self, test: cst.BaseExpression) -> Iterator[str]:
        """The values of the local names a test reads (``remaining`` in
        ``remaining == "0"`` after ``remaining = r.headers.get(...)``)."""
        for name in names_in(test):
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
            guards=text,
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


def _leaves_on_success(ends: list[_End]) -> bool:
    """A retry loop stops once a request succeeds; a loop that goes on
    after a success (``for _ in range(300): create(...)``) repeats work
    instead of retrying it."""
    return any(
        not end.retries and (end.state.statuses is None or 200 in end.state.statuses)
        for end in ends
    )


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


def _target(call: cst.Call) -> str | None:
    """The URL a request call is sent to, as written: its first argument
    that is neither a method name nor a keyword."""
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            value = arg.value
            if isinstance(value, cst.SimpleString) and value.evaluated_value in (
                "GET",
                "POST",
                "PUT",
                "PATCH",
                "DELETE",
                "HEAD",
                "OPTIONS",
            ):
                continue
            return " ".join(cst.Module([]).code_for_node(value).split())
        if arg.keyword is not None and arg.keyword.value == "url":
            return " ".join(cst.Module([]).code_for_node(arg.value).split())
    return None


def _all_params(function: cst.FunctionDef) -> list[cst.Param]:
    params = function.params
    listed = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            listed.append(star)
    return listed


def _rate_limited(retried: set[int], guards: list[str], path_text: str) -> bool:
    """Rate-limit wording in a condition guards the retry; elsewhere on the
    path (``sleep(Retry-After)``) it speaks for 429 when 429 is retried too."""
    if mentions(" ".join(guards), clients.RATE_LIMIT_WORDS):
        return True
    return 429 not in retried and mentions(path_text, clients.RATE_LIMIT_WORDS)


def _incidental(statuses: frozenset[int]) -> bool:
    """Whether "every status the checks did not name" is a long list that
    holds 401 or 403 only by accident (it left out 400, 403 and 404, say),
    rather than every error (a blanket retry) or a chosen few."""
    return len(statuses) > _FEW_STATUSES and not StatusSet(statuses).blanket


def _same_request_again(loop: cst.For | cst.While, ends: list[_End]) -> list[_End]:
    """The ends of a loop that does not stop on success (``while url:``
    paging on to the next page) that go round with nothing its condition
    reads changed: the same request once more."""
    if not isinstance(loop, cst.While):
        return []
    condition = frozenset(names_in(loop.test))
    if not condition:
        return []
    return [end for end in ends if end.retries and not (end.state.touched & condition)]


def _touched(small: cst.BaseSmallStatement) -> frozenset[str]:
    """Names a statement assigns, or calls a method on (``queue.pop()``)."""
    names: set[str] = set()
    for target in _assignment_targets(small):
        names.update(names_in(target))
    for call in calls_in(small).calls:
        if isinstance(call.func, cst.Attribute):
            receiver = dotted_name(call.func.value)
            if receiver:
                names.add(receiver.split(".")[0])
    return frozenset(names)


def _assignment_targets(small: cst.BaseSmallStatement) -> list[cst.BaseExpression]:
    if isinstance(small, cst.Assign):
        return [target.target for target in small.targets]
    if isinstance(small, (cst.AnnAssign, cst.AugAssign)):
        return [small.target]
    return []


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


def _token_request(text: str) -> bool:
    lowered = text.lower()
    return "oauth" in lowered or "grant_type" in lowered or "/login" in lowered


# -- the module ------------------------------------------------------------------


class ClientReader:
    def __init__(self, symbols: ModuleSymbols) -> None:
        self.symbols = symbols
        self.imports = symbols.imports
        self.status = StatusReader(symbols)
        self.client_module = symbols.imports.imports_any(clients.CLIENT_PACKAGES)
        self.facts = ClientFacts()
        # A client constructor is known only by its imported name, so a
        # module that imports no client package binds no client object.
        self.client_names = (
            _client_names(symbols) if self.client_module else frozenset()
        )
        # Predicate functions a policy already reported through its argument.
        self.used_predicates: set[str] = set()
        # Whether each function sends a request, by id: asked more than once.
        self._sends: dict[int, bool] = {}
        self.policies = PolicyReader(self)

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
                self.policies.decorator(decorator.decorator, function, cls)
        for call, caller, owner in _module_calls(self.symbols.module):
            if id(call) not in decorator_calls:
                self.policies.call(call, caller, owner)
        for function, cls in definitions:
            if function.name.value.startswith("test"):
                continue
            retry_named = bool(
                _RETRY_FUNCTION.search(function.name.value)
                and function.name.value not in self.used_predicates
                and self.client_module
            )
            # A retry loop sends a request inside the function, so a
            # function that sends none has no hand-written retry.
            if not retry_named and not self.http_function(function):
                continue
            scope = self.scope_of(function, cls)
            self._hand_written(function, scope)
            if retry_named:
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
        known = self._sends.get(id(function))
        if known is None:
            known = any(self.is_request(call) for call in calls_in(function.body).calls)
            self._sends[id(function)] = known
        return known

    def raises_on_error(self, node: cst.CSTNode, depth: int = 0) -> bool:
        """Whether code raises on a 4xx response: ``raise_for_status()``,
        aiohttp's ``raise_for_status=True``, or ``urlopen``."""
        for call in calls_in(node).calls:
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
            callee = self.own_function(call)
            if callee is not None and depth < 1:
                if self.raises_on_error(callee.body, depth + 1):
                    return True
        return False

    def own_function(self, call: cst.Call) -> cst.FunctionDef | None:
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

    def scope_of(
        self, function: cst.FunctionDef, cls: cst.ClassDef | None
    ) -> NameScope:
        scope = NameScope(function=function, cls=cls)
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

    def raised_on_auth_failure(self, function: cst.FunctionDef) -> frozenset[str]:
        """Exception classes a function raises on a 401 or 403."""
        scope = self.scope_of(function, None)
        return _FunctionReader(self, function, scope).raised_on_auth_failure()

    def _hand_written(self, function: cst.FunctionDef, scope: NameScope) -> None:
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
        guards: list[str] = []
        shape = ""
        for end, end_shape in ends:
            state = end.state
            assert state.statuses is not None
            if state.complement and (state.unsure or _incidental(state.statuses)):
                continue
            if state.renewed_after_check or end.retries:
                texts.extend(state.text)
                guards.extend(state.guards)
            if state.renewed_after_check:
                renewed |= state.statuses
            if end.retries:
                retried |= state.statuses
                refreshed = refreshed and state.refresh is not None
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
                rate_limited=_rate_limited(retried, guards, path_text),
                expiry=mentions(path_text, clients.EXPIRY_WORDS),
                shape=shape or "credential refresh",
            )
        )

    def _retry_function(self, function: cst.FunctionDef, scope: NameScope) -> None:
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
                    rate_limited=mentions(function_text, clients.RATE_LIMIT_WORDS),
                    expiry=mentions(function_text, clients.EXPIRY_WORDS),
                    shape="retry predicate",
                )
            )

    def _predicate_checks(
        self, function: cst.FunctionDef, scope: NameScope
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
            condition = self.status.condition(node.body, NameScope(cls=cls))
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
        for child in children(node):
            if isinstance(child, cst.FunctionDef):
                stack.append((child, child, body_of, None))
            elif isinstance(child, cst.ClassDef):
                stack.append((child, function, owner, child))
            else:
                if isinstance(child, cst.Call):
                    found.append((child, function, owner if function else body_of))
                stack.append((child, function, owner, body_of))
    return found


# Bytes every file with a client-side finding contains: an auth status or a
# name for one.
CLIENT_TRIGGERS: tuple[bytes, ...] = (
    b"401",
    b"403",
    b"nauthori",
    b"NAUTHORI",
    b"orbidden",
    b"ORBIDDEN",
    b"PermissionDenied",
    b"Unauthenticated",
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

    for node in descendants(symbols.module, into_scopes=True):
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
