"""Statuses as sets: what a status check, a constant or a list stands for.

Sets are kept over a sample of statuses that tells the interesting cases
apart (401, 403, other 4xx, 429, 5xx); a set holding every sampled 4xx is a
blanket, not a choice of statuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from authlint.analysis.imports import dotted_name
from authlint.analysis.symbols import ModuleSymbols, assignment_pairs, suite_statements
from authlint.frameworks import clients
from authlint.frameworks.http import HTTP_STATUS_NAMES

SAMPLE = frozenset(
    {200, 204, 302, 304, 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503}
)
# A set holding 401, 403 and most of the other client errors retries "every
# client error" (``!= 404`` included), not chosen statuses.
OTHER_4XX = frozenset({400, 404, 409, 422})
MOST_OTHER_4XX = 3
ERROR_STATUSES = frozenset(s for s in SAMPLE if s >= 400)
AUTH_STATUSES = frozenset({401, 403})


# How far names are followed to a set of statuses.
MAX_DEPTH = 8
# Names an ``except`` clause or a predicate commonly gives an HTTP error.
ERROR_NAMES = frozenset({"e", "ex", "exc", "err", "error", "exception", "http_error"})


@dataclass(frozen=True)
class StatusSet:
    """The statuses a check or a policy reacts to."""

    statuses: frozenset[int]

    def __contains__(self, status: object) -> bool:
        return status in self.statuses

    @property
    def blanket(self) -> bool:
        """Every client error, rather than chosen statuses."""
        return self.statuses >= AUTH_STATUSES and (
            len(self.statuses & OTHER_4XX) >= MOST_OTHER_4XX
        )


@dataclass
class NameScope:
    """Names a function binds, to follow statuses and predicates through."""

    function: cst.FunctionDef | None = None
    cls: cst.ClassDef | None = None
    local: dict[str, cst.BaseExpression] = field(default_factory=dict)
    status_names: set[str] = field(default_factory=set)
    error_names: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Condition:
    statuses: frozenset[int]
    # The condition tests nothing but the status, so its negation is exact.
    pure: bool


class StatusReader:
    def __init__(self, symbols: ModuleSymbols) -> None:
        self.symbols = symbols

    # A single status ------------------------------------------------------------

    def value(self, node: cst.BaseExpression, scope: NameScope) -> int | None:
        status = self.symbols.status_of(node)
        if isinstance(status, int):
            return status
        name = dotted_name(node)
        if name is None:
            return None
        if isinstance(node, cst.Name) and node.value in scope.local:
            return self.value(scope.local[node.value], NameScope())
        qualified = self.symbols.imports.qualify(node) or ""
        holder, _, attribute = qualified.rpartition(".")
        if holder in clients.CLIENT_STATUS_CODES:
            return _STATUS_BY_NAME.get(attribute.upper())
        return None

    # A set of statuses ----------------------------------------------------------

    def members(
        self, node: cst.BaseExpression, scope: NameScope, depth: int = 0
    ) -> frozenset[int] | None:
        if depth > MAX_DEPTH:
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
        self, node: cst.Call, scope: NameScope, depth: int
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
        self, node: cst.BaseExpression, scope: NameScope, depth: int
    ) -> frozenset[int] | None:
        name = dotted_name(node)
        if name is None:
            return None
        attribute = name.rpartition(".")[2]
        if attribute in clients.LIBRARY_STATUS_SETS and "." in name:
            return clients.LIBRARY_STATUS_SETS[attribute]
        if isinstance(node, cst.Name) and node.value in scope.local:
            return self.members(scope.local[node.value], NameScope(), depth + 1)
        head, _, rest = name.partition(".")
        if head in ("self", "cls") and rest and "." not in rest and scope.cls:
            value = _class_attribute(scope.cls, rest)
            if value is not None:
                return self.members(value, NameScope(cls=scope.cls), depth + 1)
            return None
        target = self.symbols.resolve(node)
        if isinstance(target, tuple):
            symbols, local = target
            value = symbols.constant(local)
            if value is None and local in symbols.classes and rest:
                value = _class_attribute(symbols.classes[local], rest)
            if value is not None:
                return StatusReader(symbols).members(value, NameScope(), depth + 1)
        return None

    # A condition ----------------------------------------------------------------

    def condition(self, node: cst.BaseExpression, scope: NameScope) -> Condition | None:
        """The statuses for which a condition holds, when it tests a status.

        Parts that test something else (a header, a counter) are left out:
        they narrow the check but do not change which statuses it names.
        """
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            inner = self.condition(node.expression, scope)
            if inner is None or not inner.pure:
                return None
            return Condition(SAMPLE - inner.statuses, True)
        if isinstance(node, cst.BooleanOperation):
            left = self.condition(node.left, scope)
            right = self.condition(node.right, scope)
            if left is None and right is None:
                return None
            if left is None or right is None:
                one = left or right
                assert one is not None
                return Condition(one.statuses, False)
            if isinstance(node.operator, cst.And):
                merged = left.statuses & right.statuses
            else:
                merged = left.statuses | right.statuses
            return Condition(merged, left.pure and right.pure)
        if isinstance(node, cst.Comparison):
            return self._comparison(node, scope)
        if (
            isinstance(node, cst.Attribute)
            and node.attr.value in clients.RESPONSE_FLAGS
        ):
            low, high = clients.RESPONSE_FLAGS[node.attr.value]
            return Condition(frozenset(s for s in SAMPLE if low <= s < high), True)
        return None

    def _comparison(self, node: cst.Comparison, scope: NameScope) -> Condition | None:
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
        return Condition(result, pure)

    def _compare(
        self,
        left: cst.BaseExpression,
        operator: cst.BaseCompOp,
        right: cst.BaseExpression,
        scope: NameScope,
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

    def is_status(self, node: cst.BaseExpression, scope: NameScope) -> bool:
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
                return owner in scope.error_names or owner in ERROR_NAMES
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
