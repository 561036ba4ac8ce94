"""Reading client code's nodes: calls, names, credential steps, arguments."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from authlint.analysis.imports import dotted_name, terminal_name
from authlint.analysis.symbols import small_statements, suite_statements
from authlint.frameworks import clients

# Fields that hold only punctuation and whitespace.
_LAYOUT_FIELD = re.compile(r"whitespace|^(lpar|rpar|comma|semicolon|colon|dot|equal)$")
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
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


def descendants(node: cst.CSTNode, *, into_scopes: bool) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        for child in children(stack.pop()):
            yield child
            if into_scopes or not isinstance(child, _SCOPES):
                stack.append(child)


@dataclass
class CallsFound:
    calls: list[cst.Call]
    yields: bool


def calls_in(node: cst.CSTNode) -> CallsFound:
    """Calls inside a node, not entering nested functions, classes or
    lambdas, and whether it yields."""
    found = CallsFound([], False)
    for child in descendants(node, into_scopes=False):
        if isinstance(child, cst.Call):
            found.calls.append(child)
        elif isinstance(child, cst.Yield):
            found.yields = True
    return found


def is_refresh_name(name: str | None) -> bool:
    if not name:
        return False
    lowered = name.lower()
    return (
        lowered in clients.REFRESH_CALL_NAMES
        or lowered.startswith(clients.REFRESH_CALL_PREFIXES)
        or lowered.startswith(clients.REFRESH_CALL_PREFIXES_EXTRA)
    )


def has_credential_word(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in clients.CREDENTIAL_WORDS)


def mentions(text: str, words: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in words)


def names_in(node: cst.CSTNode) -> list[str]:
    """The names a node reads or binds, itself included."""
    found = [node.value] if isinstance(node, cst.Name) else []
    found.extend(
        child.value
        for child in descendants(node, into_scopes=False)
        if isinstance(child, cst.Name)
    )
    return found


def obtains_credentials(function: cst.FunctionDef) -> bool:
    """Whether a function refreshes, re-issues or replaces credentials."""
    for call in calls_in(function.body).calls:
        if is_refresh_name(terminal_name(call.func)):
            return True
    for small in small_statements(suite_statements(function.body)):
        # Only state that outlives the call counts: ``self.token = ...``, not
        # a local ``headers["Authorization"]`` built for one request.
        if (
            isinstance(small, (cst.Assign, cst.AnnAssign))
            and not assigns_none(small)
            and _keeps_state(small)
            and any(has_credential_word(target) for target in assigned_targets(small))
        ):
            return True
    return False


def _keeps_state(small: cst.Assign | cst.AnnAssign) -> bool:
    targets = (
        [target.target for target in small.targets]
        if isinstance(small, cst.Assign)
        else [small.target]
    )
    for target in targets:
        held = target.value if isinstance(target, cst.Subscript) else target
        if isinstance(held, cst.Attribute):
            return True
    return False


def assigned_targets(small: cst.BaseSmallStatement) -> Iterator[str]:
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


def assigns_none(small: cst.BaseSmallStatement) -> bool:
    value = getattr(small, "value", None)
    return isinstance(value, cst.Name) and value.value == "None"


def keyword_argument(call: cst.Call | None, name: str) -> cst.BaseExpression | None:
    if call is None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def positional_argument(call: cst.Call, index: int) -> cst.BaseExpression | None:
    positional = [
        arg.value for arg in call.args if arg.keyword is None and not arg.star
    ]
    return positional[index] if index < len(positional) else None
