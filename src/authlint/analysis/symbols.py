"""A module's top-level names, and what they mean as statuses and denials.

Everything is computed on demand and remembered: most modules ask about a
handful of names, and a helper may be asked about from many call sites.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Optional, Union

import libcst as cst

from authlint.analysis.imports import ImportTable, dotted_name
from authlint.analysis.responses import (
    MAX_DEPTH,
    DenialShape,
    Parameter,
    Params,
    StatusSource,
    StatusValue,
    framework_status,
    integer,
    response_spec,
    spec_status,
)
from authlint.frameworks.flask import TUPLE_RESPONSE_PACKAGES

if TYPE_CHECKING:
    from authlint.project import ProjectIndex

# Class attributes an exception class keeps its status in.
STATUS_ATTRIBUTES = frozenset({"status_code", "status", "code", "http_status"})

_UNSET = object()

Definition = tuple[Union[cst.FunctionDef, cst.ClassDef], Optional[cst.ClassDef]]


class ModuleSymbols:
    """One module's imports, constants, functions and classes."""

    def __init__(
        self,
        module: cst.Module,
        *,
        name: str = "",
        package: str | None = None,
        index: ProjectIndex | None = None,
        path: str = "",
    ) -> None:
        self.module = module
        self.name = name
        self.path = path
        self.index = index
        self.imports = ImportTable(package)
        self.assignments: dict[str, list[cst.BaseExpression]] = {}
        self.functions: dict[str, cst.FunctionDef] = {}
        self.classes: dict[str, cst.ClassDef] = {}
        self._memo: dict[tuple[str, str], object] = {}
        self._definitions: list[Definition] | None = None
        self._collect(module.body)
        self.flask_style = self.imports.imports_any(TUPLE_RESPONSE_PACKAGES)

    # -- collection ------------------------------------------------------------

    def _collect(self, body: Sequence[cst.BaseStatement]) -> None:
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self._collect_small(small)
            elif isinstance(statement, cst.FunctionDef):
                self.functions[statement.name.value] = statement
            elif isinstance(statement, cst.ClassDef):
                self.classes[statement.name.value] = statement
            elif isinstance(statement, (cst.If, cst.Try)):
                # Imports behind ``if TYPE_CHECKING`` or ``try/except ImportError``.
                for block in blocks(statement):
                    self._collect(block)

    def _collect_small(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            self.imports.add(small)
        elif isinstance(small, cst.Assign):
            for target in small.targets:
                if isinstance(target.target, cst.Name):
                    self.assignments.setdefault(target.target.value, []).append(
                        small.value
                    )
        elif (
            isinstance(small, cst.AnnAssign)
            and isinstance(small.target, cst.Name)
            and small.value is not None
        ):
            self.assignments.setdefault(small.target.value, []).append(small.value)

    @property
    def definitions(self) -> list[Definition]:
        """Every function and class of the module, at any depth, each with
        the class it is defined in (None outside a class body)."""
        if self._definitions is None:
            self._definitions = list(_definitions(list(self.module.body), None))
        return self._definitions

    def constant(self, name: str) -> cst.BaseExpression | None:
        """The value of a module-level name assigned exactly once."""
        values = self.assignments.get(name)
        if values is not None and len(values) == 1:
            return values[0]
        return None

    def defines(self, name: str) -> bool:
        return (
            name in self.functions or name in self.classes or name in self.assignments
        )

    # -- resolution ------------------------------------------------------------

    def resolve(
        self, node: cst.CSTNode, depth: int = 0
    ) -> tuple[ModuleSymbols, str] | str | None:
        """Where a name used in this module is defined.

        A project definition comes back as ``(symbols, name)``; anything
        imported from outside the project as its qualified name.
        """
        name = dotted_name(node)
        if name is None:
            return None
        if "." not in name and self.defines(name):
            return self, name
        qualified = self.imports.qualify(node)
        if qualified is None:
            return None
        if self.index is not None and depth < MAX_DEPTH:
            found = self.index.lookup(qualified, self, depth + 1)
            if found is not None:
                return found
        return qualified

    # -- statuses --------------------------------------------------------------

    def status_of(
        self, node: cst.BaseExpression, params: Params | None = None, depth: int = 0
    ) -> StatusValue:
        """The HTTP status an expression stands for, if it is known."""
        value = integer(node)
        if value is not None:
            return value
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, cst.Call) and dotted_name(node.func) == "int" and node.args:
            return self.status_of(node.args[0].value, params, depth + 1)
        if isinstance(node, cst.Name) and params and node.value in params:
            index, default = params[node.value]
            fallback = self.status_of(default, None, depth + 1) if default else None
            return Parameter(
                node.value, index, fallback if isinstance(fallback, int) else None
            )
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return None
        target = self.resolve(node, depth)
        if isinstance(target, str):
            return framework_status(target)
        if target is None:
            return None
        symbols, name = target
        constant = symbols.constant(name)
        if constant is None:
            return None
        status = symbols.status_of(constant, None, depth + 1)
        return status if isinstance(status, int) else None

    # -- denials ---------------------------------------------------------------

    def denial_of(
        self,
        node: cst.BaseExpression,
        params: Params | None = None,
        local: Mapping[str, cst.BaseExpression] | None = None,
        depth: int = 0,
    ) -> DenialShape | None:
        """The denial an expression makes, or None if it makes none.

        ``local`` maps the enclosing function's names that are assigned once
        to their values, so ``raise credentials_exception`` finds the
        ``HTTPException`` built above it.
        """
        params = params or {}
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, cst.Await):
            return self.denial_of(node.expression, params, local, depth + 1)
        if isinstance(node, cst.Tuple):
            return self._tuple_denial(node, params)
        if isinstance(node, cst.Call):
            return self._call_denial(node, params, depth)
        if isinstance(node, cst.Name) and local and node.value in local:
            found = self.denial_of(local[node.value], params, None, depth + 1)
            return DenialShape(found.status, None) if found else None
        if isinstance(node, (cst.Name, cst.Attribute)):
            return self._named_denial(node, params, depth)
        return None

    def _tuple_denial(self, node: cst.Tuple, params: Params) -> DenialShape | None:
        # Flask's ``return body, status`` and ``return body, status, headers``.
        if not self.flask_style or len(node.elements) not in (2, 3):
            return None
        if any(isinstance(e, cst.StarredElement) for e in node.elements):
            return None
        status_node = node.elements[1].value
        status = self.status_of(status_node, params)
        if status is None:
            return None
        return DenialShape(status, status_node)

    def _call_denial(
        self, node: cst.Call, params: Params, depth: int
    ) -> DenialShape | None:
        target = self.resolve(node.func, depth)
        if isinstance(target, str):
            spec = response_spec(target)
            if spec is None:
                return None
            return spec_status(spec, node, self, params)
        if target is None:
            return None
        symbols, name = target
        source = symbols.status_source(name)
        if source is None:
            return None
        status, argument = source.status_at(node, self, params)
        return DenialShape(status, argument)

    def _named_denial(
        self, node: cst.Name | cst.Attribute, params: Params, depth: int
    ) -> DenialShape | None:
        """``raise PermissionDenied`` or a denial kept in a module-level name."""
        target = self.resolve(node, depth)
        if isinstance(target, str):
            spec = response_spec(target)
            if spec is None or spec.status is None:
                return None
            return DenialShape(spec.status, None)
        if target is None:
            return None
        symbols, name = target
        if name in symbols.classes:
            source = symbols.status_source(name)
            if source is None:
                return None
            return DenialShape(source.status_at(None, symbols, {})[0], None)
        constant = symbols.constant(name)
        if constant is None or not isinstance(constant, cst.Call):
            return None
        found = symbols.denial_of(constant, None, None, depth + 1)
        return DenialShape(found.status, None) if found else None

    # -- helpers and exception classes -----------------------------------------

    def status_source(self, name: str) -> StatusSource | None:
        """How the project function or class ``name`` decides its status."""
        key = ("source", name)
        cached = self._memo.get(key, _UNSET)
        if cached is not _UNSET:
            return cached if isinstance(cached, StatusSource) else None
        self._memo[key] = None  # a cycle resolves to "unknown"
        source: StatusSource | None = None
        if name in self.functions:
            source = self._helper_source(self.functions[name])
        elif name in self.classes:
            source = self._class_source(self.classes[name])
        self._memo[key] = source
        return source

    def _helper_source(self, function: cst.FunctionDef) -> StatusSource | None:
        """A function is a denial helper when every way out of it is a denial
        with the same status, or with the status of the same parameter."""
        params = parameters(function, skip_self=False)
        statuses: set[StatusValue] = set()
        for statement in small_statements(suite_statements(function.body)):
            if isinstance(statement, cst.Return):
                value = statement.value
            elif isinstance(statement, cst.Raise):
                value = statement.exc
            elif isinstance(statement, cst.Expr) and isinstance(
                statement.value, cst.Call
            ):
                shape = self.denial_of(statement.value, params)
                if shape is not None:
                    statuses.add(shape.status)
                continue
            else:
                continue
            if value is None:
                return None
            shape = self.denial_of(value, params)
            if shape is None:
                return None
            statuses.add(shape.status)
        if not self.ends_in_exit(suite_statements(function.body), params):
            return None
        return _single_source(statuses)

    def ends_in_exit(self, body: list[cst.BaseStatement], params: Params) -> bool:
        """Whether control cannot fall off the end of ``body``."""
        if not body:
            return False
        last = body[-1]
        if isinstance(last, cst.SimpleStatementLine):
            small = last.body[-1] if last.body else None
            if isinstance(small, (cst.Return, cst.Raise)):
                return True
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                return self.denial_of(small.value, params) is not None
            return False
        if isinstance(last, cst.If):
            if last.orelse is None:
                return False
            if isinstance(last.orelse, cst.Else):
                other = suite_statements(last.orelse.body)
            else:
                other = [last.orelse]
            return self.ends_in_exit(
                suite_statements(last.body), params
            ) and self.ends_in_exit(other, params)
        return False

    def _class_source(self, cls: cst.ClassDef) -> StatusSource | None:
        """A class's status: from its constructor's parameter when it takes
        one, else its own status attribute, else its base class's."""
        fixed: StatusSource | None = None
        for statement in suite_statements(cls.body):
            for target, value in _class_assignments(statement):
                if target in STATUS_ATTRIBUTES:
                    status = self.status_of(value)
                    if isinstance(status, int):
                        fixed = StatusSource(fixed=status)
        if fixed is None:
            fixed = self._base_source(cls)

        init = next(
            (
                s
                for s in cls.body.body
                if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"
            ),
            None,
        )
        from_init = self._init_source(init, cls) if init is not None else None
        if from_init is None:
            return fixed
        parameter = from_init.parameter
        if parameter is not None and parameter.default is None and fixed is not None:
            # ``status_code=None`` in the constructor falls back to the class's.
            return StatusSource(
                parameter=Parameter(parameter.name, parameter.index, fixed.fixed)
            )
        return from_init

    def _base_source(self, cls: cst.ClassDef) -> StatusSource | None:
        for arg in cls.bases:
            target = self.resolve(arg.value)
            if isinstance(target, str):
                spec = response_spec(target)
                if spec is None:
                    continue
                if spec.status is not None:
                    return StatusSource(fixed=spec.status)
                if spec.position is not None or spec.keyword is not None:
                    default = spec.default
                    return StatusSource(
                        parameter=Parameter(
                            spec.keyword or "", spec.position or 0, default
                        )
                    )
            elif target is not None:
                symbols, name = target
                if name in symbols.classes:
                    source = symbols.status_source(name)
                    if source is not None:
                        return source
        return None

    def _init_source(
        self, init: cst.FunctionDef, cls: cst.ClassDef
    ) -> StatusSource | None:
        params = parameters(init, skip_self=True)
        for node in small_statements(suite_statements(init.body)):
            # ``self.status_code = status_code``
            for target, value in _self_assignments(node):
                if target in STATUS_ATTRIBUTES:
                    status = self.status_of(value, params)
                    if status is not None:
                        return _single_source({status})
            # ``super().__init__(status_code=403, detail=detail)``
            call = _super_init_call(node)
            if call is not None:
                base = self._base_source(cls)
                if base is not None and base.parameter is not None:
                    status, _ = base.status_at(call, self, params)
                    if status is not None:
                        return _single_source({status})
        return None


def _single_source(statuses: set[StatusValue]) -> StatusSource | None:
    if len(statuses) != 1:
        return None
    (status,) = statuses
    if isinstance(status, int):
        return StatusSource(fixed=status)
    if isinstance(status, Parameter):
        return StatusSource(parameter=status)
    return None


def parameters(function: cst.FunctionDef, *, skip_self: bool) -> Params:
    """Positional-or-keyword parameters by name: their call index and default."""
    params: Params = {}
    listed = [*function.params.posonly_params, *function.params.params]
    if skip_self and listed:
        listed = listed[1:]
    for index, param in enumerate(listed):
        params[param.name.value] = (index, param.default)
    for param in function.params.kwonly_params:
        params[param.name.value] = (10_000, param.default)
    return params


def suite_statements(suite: cst.BaseSuite) -> list[cst.BaseStatement]:
    """The statements of a block, whether indented or on the header's line."""
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    if isinstance(suite, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=suite.body)]
    return []


def blocks(statement: cst.BaseStatement) -> Iterator[list[cst.BaseStatement]]:
    """The statement lists directly inside a compound statement; an ``elif``
    comes as a list holding its ``If``."""
    if isinstance(statement, cst.If):
        yield suite_statements(statement.body)
        if isinstance(statement.orelse, cst.Else):
            yield suite_statements(statement.orelse.body)
        elif isinstance(statement.orelse, cst.If):
            yield [statement.orelse]
    elif isinstance(statement, (cst.For, cst.While)):
        yield suite_statements(statement.body)
        if statement.orelse is not None:
            yield suite_statements(statement.orelse.body)
    elif isinstance(statement, (cst.Try, cst.TryStar)):
        yield suite_statements(statement.body)
        for handler in statement.handlers:
            yield suite_statements(handler.body)
        if statement.orelse is not None:
            yield suite_statements(statement.orelse.body)
        if statement.finalbody is not None:
            yield suite_statements(statement.finalbody.body)
    elif isinstance(statement, cst.With):
        yield suite_statements(statement.body)
    elif isinstance(statement, cst.Match):
        for case in statement.cases:
            yield suite_statements(case.body)


def _definitions(
    body: list[cst.BaseStatement], cls: cst.ClassDef | None
) -> Iterator[Definition]:
    for statement in body:
        if isinstance(statement, cst.FunctionDef):
            yield statement, cls
            yield from _definitions(suite_statements(statement.body), None)
        elif isinstance(statement, cst.ClassDef):
            yield statement, cls
            yield from _definitions(suite_statements(statement.body), statement)
        elif not isinstance(statement, cst.SimpleStatementLine):
            for block in blocks(statement):
                yield from _definitions(block, cls)


def small_statements(
    body: list[cst.BaseStatement],
) -> Iterator[cst.BaseSmallStatement]:
    """Every small statement in ``body``, not entering nested scopes."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif not isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            for block in blocks(statement):
                yield from small_statements(block)


def assignment_pairs(
    small: cst.BaseSmallStatement,
) -> Iterator[tuple[str, cst.BaseExpression]]:
    """``(name, value)`` for each plain name a statement assigns."""
    if isinstance(small, cst.Assign):
        for target in small.targets:
            if isinstance(target.target, cst.Name):
                yield target.target.value, small.value
    elif (
        isinstance(small, cst.AnnAssign)
        and isinstance(small.target, cst.Name)
        and small.value is not None
    ):
        yield small.target.value, small.value


def _class_assignments(
    statement: cst.BaseStatement,
) -> Iterator[tuple[str, cst.BaseExpression]]:
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            yield from assignment_pairs(small)


def _self_assignments(node: cst.CSTNode) -> Iterator[tuple[str, cst.BaseExpression]]:
    if isinstance(node, cst.Assign):
        for target in node.targets:
            name = dotted_name(target.target)
            if name is not None and name.startswith("self.") and name.count(".") == 1:
                yield name[len("self.") :], node.value


def _super_init_call(node: cst.CSTNode) -> cst.Call | None:
    if not isinstance(node, cst.Expr) or not isinstance(node.value, cst.Call):
        return None
    call = node.value
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value != "__init__":
        return None
    receiver = func.value
    if isinstance(receiver, cst.Call) and dotted_name(receiver.func) == "super":
        return call
    return None
