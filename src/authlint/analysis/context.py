"""The context a handler runs in: its framework role and who can reach it."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from authlint.analysis.guards import split_words
from authlint.analysis.imports import dotted_name, terminal_name
from authlint.analysis.symbols import ModuleSymbols
from authlint.config import AnalysisOptions
from authlint.frameworks import django, drf, flask, starlette


@dataclass(frozen=True)
class Role:
    """A function the framework calls to answer one kind of failure."""

    credential: bool
    what: str


@dataclass(frozen=True)
class HandlerContext:
    role: Role | None = None
    # Reachable only by a signed-in caller (``@login_required``,
    # ``Depends(get_current_user)``, ``permission_classes = [IsAuthenticated]``).
    authenticated: bool = False


def handler_context(
    function: cst.FunctionDef,
    cls: cst.ClassDef | None,
    symbols: ModuleSymbols,
    options: AnalysisOptions,
    error_callbacks: frozenset[str],
) -> HandlerContext:
    role = _role(function, cls, symbols, error_callbacks)
    authenticated = _authenticated_function(function, symbols, options) or (
        cls is not None and authenticated_class(cls, symbols)
    )
    return HandlerContext(role=role, authenticated=authenticated)


def _decorator_call(
    decorator: cst.Decorator,
) -> tuple[cst.BaseExpression, cst.Call | None]:
    node = decorator.decorator
    if isinstance(node, cst.Call):
        return node.func, node
    return node, None


def _role(
    function: cst.FunctionDef,
    cls: cst.ClassDef | None,
    symbols: ModuleSymbols,
    error_callbacks: frozenset[str],
) -> Role | None:
    name = function.name.value
    if cls is not None and name in starlette.CREDENTIAL_HANDLER_METHODS:
        return Role(
            credential=True, what=f"`{name}` builds the missing-credentials error"
        )
    if cls is None and name in error_callbacks:
        return Role(credential=True, what=f"`{name}` answers authentication errors")
    for decorator in function.decorators:
        target, call = _decorator_call(decorator)
        attr = terminal_name(target)
        if attr in flask.CREDENTIAL_HANDLER_DECORATORS:
            return Role(
                credential=True,
                what=f"`@{dotted_name(target)}` handles credential failures",
            )
        if attr == "error_handler" and isinstance(target, cst.Attribute):
            if _is_httpauth_object(target.value, symbols):
                return Role(
                    credential=True,
                    what=f"`@{dotted_name(target)}` handles authentication failures",
                )
        if attr in ("errorhandler", "app_errorhandler", "exception_handler") and call:
            status = _handled_status(call, symbols)
            if status == 401:
                return Role(credential=True, what="the error handler for 401")
            if status == 403:
                return Role(credential=False, what="the error handler for 403")
    return None


def _is_httpauth_object(node: cst.BaseExpression, symbols: ModuleSymbols) -> bool:
    name = dotted_name(node)
    if name is None:
        return False
    value = symbols.constant(name) if "." not in name else None
    if isinstance(value, cst.Call):
        return symbols.imports.qualify(value.func) in flask.HTTPAUTH_CLASSES
    # Imported from another module of the project: trust an auth-ish name.
    return "auth" in split_words(name) or name.endswith("auth")


def _handled_status(call: cst.Call, symbols: ModuleSymbols) -> int | None:
    if not call.args:
        return None
    value = call.args[0].value
    status = symbols.status_of(value)
    if isinstance(status, int):
        return status
    shape = symbols.denial_of(value)
    if shape is not None and isinstance(shape.status, int):
        return shape.status
    return None


def _names_authenticated(name: str | None, extra: tuple[str, ...]) -> bool:
    if name is None:
        return False
    if name in extra:
        return True
    parts = split_words(name)
    if {"optional", "maybe", "anonymous", "anon"} & set(parts):
        return False
    return name in flask.AUTHENTICATED_DECORATORS


def _is_authenticated_dependency(name: str | None, options: AnalysisOptions) -> bool:
    if name is None:
        return False
    if name in options.authenticated_dependencies:
        return True
    parts = set(split_words(name))
    if parts & {"optional", "maybe", "anonymous", "anon"}:
        return False
    identity = parts & {"user", "principal", "account", "identity", "member"}
    if "current" in parts and identity:
        return True
    if "authenticated" in parts:
        return True
    requires = parts & {"require", "requires", "required"}
    return bool(requires and (identity or parts & {"login", "auth", "authentication"}))


def _authenticated_function(
    function: cst.FunctionDef, symbols: ModuleSymbols, options: AnalysisOptions
) -> bool:
    for decorator in function.decorators:
        target, call = _decorator_call(decorator)
        if _names_authenticated(
            terminal_name(target), options.authenticated_decorators
        ):
            return True
        qualified = symbols.imports.qualify(target)
        if (
            call is not None
            and qualified in django.METHOD_DECORATOR + drf.PERMISSION_CLASSES_DECORATOR
        ):
            if any(
                _authenticating_argument(a.value, symbols, options) for a in call.args
            ):
                return True
        if call is not None:
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "dependencies":
                    if _mentions_authenticated_dependency(arg.value, options):
                        return True
    params = function.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.default is not None and _mentions_authenticated_dependency(
            param.default, options
        ):
            return True
        if param.annotation is not None and _mentions_authenticated_dependency(
            param.annotation.annotation, options
        ):
            return True
    return False


def _authenticating_argument(
    node: cst.BaseExpression, symbols: ModuleSymbols, options: AnalysisOptions
) -> bool:
    if isinstance(node, (cst.List, cst.Tuple)):
        return any(
            _authenticating_argument(e.value, symbols, options) for e in node.elements
        )
    if _names_authenticated(terminal_name(node), options.authenticated_decorators):
        return True
    return symbols.imports.qualify(node) in drf.AUTHENTICATED_PERMISSIONS


def dependency_calls(node: cst.CSTNode) -> list[cst.Call]:
    """The ``Depends(f)``/``Security(f)`` calls in a parameter's default or
    annotation, however deeply (``Annotated[User, Depends(f)]``)."""
    found: list[cst.Call] = []
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if (
            isinstance(current, cst.Call)
            and terminal_name(current.func) in starlette.DEPENDENCY_CALLS
        ):
            found.append(current)
        stack.extend(current.children)
    return found


def _mentions_authenticated_dependency(
    node: cst.CSTNode, options: AnalysisOptions
) -> bool:
    return any(
        call.args
        and _is_authenticated_dependency(terminal_name(call.args[0].value), options)
        for call in dependency_calls(node)
    )


def authenticated_class(cls: cst.ClassDef, symbols: ModuleSymbols) -> bool:
    """A class-based view only signed-in callers reach."""
    for base in cls.bases:
        if symbols.imports.qualify(base.value) in django.LOGIN_REQUIRED_MIXINS:
            return True
    for statement in cls.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.Assign)
                and any(
                    dotted_name(t.target) == "permission_classes" for t in small.targets
                )
                and _lists_authenticated_permission(small.value, symbols)
            ):
                return True
    return False


def _lists_authenticated_permission(
    node: cst.BaseExpression, symbols: ModuleSymbols
) -> bool:
    if isinstance(node, (cst.List, cst.Tuple)):
        return any(
            symbols.imports.qualify(e.value) in drf.AUTHENTICATED_PERMISSIONS
            for e in node.elements
        )
    return False
