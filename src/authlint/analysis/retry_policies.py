"""Retry libraries' policies, read from their arguments.

urllib3 and httpx-retries ``Retry(status_forcelist=...)``, aiohttp-retry
``statuses=``, google-auth ``refresh_status_codes=``, google-api-core
predicates, Celery ``autoretry_for``, and the tenacity, backoff and stamina
decorators, with the project's own predicates followed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from authlint.analysis.client_nodes import (
    keyword_argument,
    obtains_credentials,
    positional_argument,
)
from authlint.analysis.imports import dotted_name, terminal_name
from authlint.analysis.status_sets import (
    AUTH_STATUSES,
    ERROR_STATUSES,
    NameScope,
    StatusSet,
)
from authlint.analysis.symbols import small_statements, suite_statements
from authlint.frameworks import clients

if TYPE_CHECKING:
    from authlint.analysis.retries import ClientReader


# Calls whose arguments ``PolicyReader.call`` reads.
_POLICY_CALLS = (
    clients.URLLIB3_RETRY
    | clients.AIOHTTP_RETRY_OPTIONS
    | clients.REFRESHING_SESSIONS
    | clients.GOOGLE_RETRY
    | clients.TENACITY_RETRY
)


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


class PolicyReader:
    """Adds the module's retry policies to the client facts."""

    def __init__(self, reader: ClientReader) -> None:
        self.reader = reader
        self.status = reader.status
        self.symbols = reader.symbols
        self.imports = reader.imports
        self.facts = reader.facts

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
        renews = wrapped is not None and obtains_credentials(wrapped)
        self.facts.policies.append(
            RetryPolicy(node, StatusSet(statuses), what, refreshes, renews)
        )

    def call(
        self, call: cst.Call, function: cst.FunctionDef | None, cls: cst.ClassDef | None
    ) -> None:
        qualified = self.reader.qualify(call.func)
        if qualified not in _POLICY_CALLS:
            # Most calls are not policies; reading the function's names
            # for each of them was most of this reader's cost.
            return
        scope = (
            self.reader.scope_of(function, cls)
            if function is not None
            else NameScope(cls=cls)
        )
        if qualified in clients.URLLIB3_RETRY:
            self._urllib3_retry(call, scope)
        elif qualified in clients.AIOHTTP_RETRY_OPTIONS:
            argument = keyword_argument(call, "statuses")
            if argument is not None:
                self._add_policy(
                    argument,
                    self.status.members(argument, scope),
                    "aiohttp-retry `statuses`",
                )
        elif qualified in clients.REFRESHING_SESSIONS:
            argument = keyword_argument(call, "refresh_status_codes")
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
            argument = keyword_argument(call, "predicate") or positional_argument(
                call, 0
            )
            if argument is not None:
                self._add_policy(
                    argument,
                    self._google_predicate(argument),
                    "google-api-core `Retry(predicate=...)`",
                )
        elif qualified in clients.TENACITY_RETRY:
            self._tenacity(call, None, cls)

    def _urllib3_retry(self, call: cst.Call, scope: NameScope) -> None:
        for name in clients.RETRY_COUNT_ARGUMENTS:
            count = keyword_argument(call, name)
            if count is not None and dotted_name(count) in ("False", "0"):
                return
            if isinstance(count, cst.Integer) and count.value == "0":
                return
        argument = keyword_argument(call, "status_forcelist")
        if argument is not None:
            statuses = self.status.members(argument, scope)
            self._add_policy(argument, statuses, "`status_forcelist`")
            return
        for arg in call.args:
            # ``Retry(**RETRY_SETTINGS)`` with a dictionary kept in a constant.
            if arg.star == "**":
                value = self._settings_entry(arg.value, "status_forcelist", scope)
                if value is not None:
                    statuses = self.status.members(value, scope)
                    self._add_policy(arg.value, statuses, "`status_forcelist`")

    def _settings_entry(
        self, node: cst.BaseExpression, key: str, scope: NameScope
    ) -> cst.BaseExpression | None:
        settings: cst.BaseExpression | None = node
        if isinstance(node, cst.Name):
            settings = scope.local.get(node.value) or self.symbols.constant(node.value)
        if not isinstance(settings, cst.Dict):
            return None
        for element in settings.elements:
            if (
                isinstance(element, cst.DictElement)
                and isinstance(element.key, cst.SimpleString)
                and element.key.evaluated_value == key
            ):
                return element.value
        return None

    def _google_predicate(self, node: cst.BaseExpression) -> frozenset[int] | None:
        if not isinstance(node, cst.Call):
            return None
        if self.reader.qualify(node.func) not in clients.GOOGLE_IF_EXCEPTION_TYPE:
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
            qualified = self.reader.qualify(node)
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

    def decorator(
        self,
        node: cst.BaseExpression,
        function: cst.FunctionDef,
        cls: cst.ClassDef | None,
    ) -> None:
        call = node if isinstance(node, cst.Call) else None
        qualified = self.reader.qualify(call.func if call is not None else node)
        if qualified == "tenacity.retry":
            self._tenacity(call, function, cls, bare=node)
        elif qualified in clients.BACKOFF_ON_EXCEPTION and call is not None:
            self._backoff_exception(call, function, cls)
        elif qualified in clients.BACKOFF_ON_PREDICATE and call is not None:
            self._backoff_predicate(call, function, cls)
        elif call is not None and keyword_argument(call, "autoretry_for") is not None:
            self._celery_task(call, function)
        elif qualified in clients.STAMINA_RETRY and call is not None:
            argument = keyword_argument(call, "on")
            if argument is not None:
                statuses = self._types_or_predicate(argument, function, cls)
                self._add_policy(argument, statuses, "stamina `on=`", wrapped=function)

    def _celery_task(self, call: cst.Call, function: cst.FunctionDef) -> None:
        """A Celery task that runs again on the ``autoretry_for`` exceptions."""
        argument = keyword_argument(call, "autoretry_for")
        assert argument is not None
        raises, raised = self._raised(function)
        statuses = self._exception_statuses([argument], raises=raises, raised=raised)
        self._add_policy(argument, statuses, "Celery `autoretry_for`", wrapped=function)

    def _raised(self, function: cst.FunctionDef | None) -> tuple[bool, frozenset[str]]:
        if function is None:
            return False, frozenset()
        return self.reader.raises_on_error(function.body), self._raised_on_status(
            function
        )

    def _raised_on_status(self, function: cst.FunctionDef) -> frozenset[str]:
        """Exception classes the function raises on a 401 or 403."""
        return self.reader.raised_on_auth_failure(function)

    def _tenacity(
        self,
        call: cst.Call | None,
        function: cst.FunctionDef | None,
        cls: cst.ClassDef | None,
        bare: cst.BaseExpression | None = None,
    ) -> None:
        raises, raised = self._raised(function)
        argument = keyword_argument(call, "retry") if call is not None else None
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
        qualified = self.reader.qualify(node.func)
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
            types = args or [
                keyword_argument(node, "exception_types") or cst.Name("Exception")
            ]
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
            predicate = args[0] if args else keyword_argument(node, "predicate")
            if predicate is None:
                return None
            return self.reader.predicate_statuses(predicate, cls)
        return None

    def _backoff_exception(
        self, call: cst.Call, function: cst.FunctionDef, cls: cst.ClassDef | None
    ) -> None:
        argument = keyword_argument(call, "exception") or positional_argument(call, 1)
        if argument is None:
            return
        raises, raised = self._raised(function)
        statuses = self._exception_statuses([argument], raises=raises, raised=raised)
        giveup = keyword_argument(call, "giveup")
        if giveup is not None and statuses:
            spared = self.reader.predicate_statuses(giveup, cls)
            if spared is None:
                return  # A give-up rule we cannot read may well stop on 4xx.
            statuses = statuses - spared
        self._add_policy(argument, statuses, "backoff `on_exception`", wrapped=function)

    def _backoff_predicate(
        self, call: cst.Call, function: cst.FunctionDef, cls: cst.ClassDef | None
    ) -> None:
        predicate = keyword_argument(call, "predicate") or positional_argument(call, 1)
        if predicate is None or self.reader.qualify(predicate) == "operator.not_":
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
            self.reader.predicate_statuses(predicate, cls),
            "backoff `on_predicate`",
            wrapped=function,
        )

    def _returns_requests_response(self, function: cst.FunctionDef) -> bool:
        scope = self.reader.scope_of(function, None)
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
        return self.imports.imports_any(("requests",)) and self.reader.is_request(call)

    def _types_or_predicate(
        self,
        node: cst.BaseExpression,
        function: cst.FunctionDef,
        cls: cst.ClassDef | None,
    ) -> frozenset[int] | None:
        if isinstance(node, cst.Lambda) or (
            isinstance(node, cst.Name) and node.value in self.symbols.functions
        ):
            return self.reader.predicate_statuses(node, cls)
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
