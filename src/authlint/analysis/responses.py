"""Which expressions are HTTP denials, and with which status.

A denial is a response or an exception that a framework turns into one,
whose status is known without running the code: a literal, a status
constant, a module constant assigned once, or a project helper or exception
class whose status is fixed or comes from an argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, Optional, Tuple, Union  # noqa: UP035

import libcst as cst

from authlint.frameworks import RESPONSES, STATUS_MODULES
from authlint.frameworks.http import HTTP_STATUS_NAMES, STATUS_ENUMS
from authlint.frameworks.spec import ResponseSpec

if TYPE_CHECKING:
    from authlint.analysis.symbols import ModuleSymbols

# The statuses a denial may carry: 401 and 403, and the ones a credential
# failure is wrongly answered with.
DENIAL_STATUSES = frozenset({401, 403, 404, 412, 422})

_STATUS_CONSTANT = re.compile(r"HTTP_(\d{3})(?:_|$)")

# Bytes at least one of which every file with a denial contains: a status
# number or constant, or the name of a class that carries one. A project
# helper called without any of them (``raise NotMember()``, its status set in
# another module) is not seen through this filter.
DENIAL_TRIGGERS: tuple[bytes, ...] = (
    b"401",
    b"403",
    b"404",
    b"412",
    b"422",
    b"HTTP_4",
    b"UNAUTHORIZED",
    b"FORBIDDEN",
    b"NOT_FOUND",
    b"UNPROCESSABLE",
    b"PRECONDITION",
    b"nauthorized",
    b"orbidden",
    b"PermissionDenied",
    b"NotAuthenticated",
    b"AuthenticationFailed",
    b"Http404",
    b"NotFound",
)

# How deep names are followed (constant to constant, helper to helper).
MAX_DEPTH = 8


@dataclass(frozen=True)
class Parameter:
    """A status that comes from the enclosing function's parameter."""

    name: str
    index: int
    default: int | None


StatusValue = Union[int, Parameter, None]


@dataclass(frozen=True)
class StatusSource:
    """How a helper function or exception class decides its status."""

    fixed: int | None = None
    parameter: Parameter | None = None

    def status_at(
        self, call: cst.Call | None, symbols: ModuleSymbols, params: Params
    ) -> tuple[StatusValue, cst.CSTNode | None]:
        """The status of one call to the helper, and the argument giving it."""
        if self.parameter is None:
            return self.fixed, None
        argument = _argument(call, self.parameter.index, self.parameter.name)
        if argument is None:
            return self.parameter.default, None
        return symbols.status_of(argument, params), argument


@dataclass(frozen=True)
class DenialShape:
    """A denial found in an expression: its status and where it is written."""

    status: StatusValue
    status_node: cst.CSTNode | None


# A function's parameters by name: call index and default value. (Spelled
# with ``typing`` because the alias is evaluated at import on Python 3.9.)
Params = Dict[str, Tuple[int, Optional[cst.BaseExpression]]]  # noqa: UP006


def framework_status(qualified: str) -> int | None:
    """The status of a framework constant: ``fastapi.status.HTTP_403_FORBIDDEN``,
    ``http.HTTPStatus.FORBIDDEN`` (also with ``.value``)."""
    if qualified.endswith(".value"):
        qualified = qualified[: -len(".value")]
    module, _, name = qualified.rpartition(".")
    if module in STATUS_MODULES:
        match = _STATUS_CONSTANT.match(name)
        return int(match.group(1)) if match else None
    if module in STATUS_ENUMS:
        return HTTP_STATUS_NAMES.get(name)
    return None


def integer(node: cst.BaseExpression) -> int | None:
    if isinstance(node, cst.Integer):
        try:
            return int(node.value)
        except ValueError:
            return None
    return None


def _argument(
    call: cst.Call | None, position: int | None, keyword: str | None
) -> cst.BaseExpression | None:
    if call is None:
        return None
    positional = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            if keyword is not None and arg.keyword.value == keyword:
                return arg.value
            continue
        if position is not None and positional == position:
            return arg.value
        positional += 1
    return None


def spec_status(
    spec: ResponseSpec,
    call: cst.Call | None,
    symbols: ModuleSymbols,
    params: Params,
) -> DenialShape:
    """The status a framework response or exception gets at one call."""
    if spec.status is not None:
        return DenialShape(spec.status, None)
    argument = _argument(call, spec.position, spec.keyword)
    if argument is None:
        if call is not None and any(a.star for a in call.args):
            return DenialShape(None, None)
        return DenialShape(spec.default, None)
    return DenialShape(symbols.status_of(argument, params), argument)


def response_spec(qualified: str | None) -> ResponseSpec | None:
    if qualified is None:
        return None
    return RESPONSES.get(qualified)
