"""Framework configuration that turns credential failures into 403 (AUT105).

Django, DRF and Starlette each have settings under which an anonymous caller
is answered 403 without any ``403`` written in the project's code: these are
found here, from classes, class attributes, decorators and middleware.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from authlint.analysis.facts import FrameworkIssue
from authlint.analysis.imports import dotted_name, terminal_name
from authlint.analysis.symbols import ModuleSymbols, blocks, suite_statements
from authlint.frameworks import django, drf, starlette

_AUTH_FAILURES = frozenset(drf.CREDENTIAL_EXCEPTIONS)

# Every setting this module reads is spelled with one of these.
CONFIGURATION_TRIGGERS: tuple[bytes, ...] = (
    b"raise_exception",
    b"AuthenticationFailed",
    b"NotAuthenticated",
    b"authentication_classes",
    b"AUTHENTICATION_CLASSES",
    # `requires` is a common English word; the decorator is only ever
    # imported from here.
    b"starlette.authentication",
    b"AuthenticationMiddleware",
)


def framework_issues(
    symbols: ModuleSymbols,
) -> tuple[list[FrameworkIssue], frozenset[str]]:
    """The AUT105 facts of a module, and the names of functions registered as
    ``on_error`` of an authentication middleware (they answer credential
    failures)."""
    issues: list[FrameworkIssue] = []
    for statement, _ in _definitions(list(symbols.module.body), None):
        if isinstance(statement, cst.ClassDef):
            issues.extend(_class_issues(statement, symbols))
        else:
            issues.extend(_decorator_issues(statement, symbols))
    issues.extend(_settings_issues(symbols))
    callbacks: set[str] = set()
    if any(
        target in starlette.AUTHENTICATION_MIDDLEWARE
        for target in symbols.imports.names.values()
    ):
        issues.extend(_middleware_issues(symbols, callbacks))
    return issues, frozenset(callbacks)


def _definitions(
    body: list[cst.BaseStatement], cls: cst.ClassDef | None
) -> Iterator[tuple[cst.FunctionDef | cst.ClassDef, cst.ClassDef | None]]:
    for statement in body:
        if isinstance(statement, cst.FunctionDef):
            yield statement, cls
        elif isinstance(statement, cst.ClassDef):
            yield statement, cls
            yield from _definitions(suite_statements(statement.body), statement)
        elif not isinstance(statement, cst.SimpleStatementLine):
            for block in blocks(statement):
                yield from _definitions(block, cls)


def _class_attributes(cls: cst.ClassDef) -> Iterator[tuple[str, cst.Assign]]:
    for statement in suite_statements(cls.body):
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        if isinstance(target.target, cst.Name):
                            yield target.target.value, small


def _methods(cls: cst.ClassDef) -> dict[str, cst.FunctionDef]:
    return {
        s.name.value: s
        for s in suite_statements(cls.body)
        if isinstance(s, cst.FunctionDef)
    }


# -- classes -------------------------------------------------------------------


def _class_issues(
    cls: cst.ClassDef, symbols: ModuleSymbols
) -> Iterator[FrameworkIssue]:
    # Django's mixins are named by import; the project index is not needed.
    bases = [symbols.imports.qualify(arg.value) for arg in cls.bases]
    attributes = dict(_class_attributes(cls))
    methods = _methods(cls)

    # Django: ``raise_exception = True`` on an access mixin answers anonymous
    # callers with PermissionDenied unless the class tells them apart itself.
    if any(base in django.ACCESS_MIXINS for base in bases):
        assign = attributes.get("raise_exception")
        if (
            assign is not None
            and dotted_name(assign.value) == "True"
            and "handle_no_permission" not in methods
        ):
            yield FrameworkIssue(
                assign,
                "`raise_exception = True` makes Django answer anonymous callers "
                "with 403 (`PermissionDenied`); leave it unset so they are sent "
                "to log in, or override `handle_no_permission` to raise 403 only "
                "for signed-in users",
            )

    # DRF: an authenticator without ``authenticate_header`` makes DRF turn its
    # own AuthenticationFailed into 403.
    # Only a class with its own ``authenticate`` is asked about its bases:
    # resolving every base of every class would load half the project.
    if (
        "authenticate" in methods
        and authenticator_header(cls, symbols) is False
        and _raises_auth_failure(cls, symbols)
    ):
        yield FrameworkIssue(
            cls.name,
            f"`{cls.name.value}` raises `AuthenticationFailed` but has no "
            "`authenticate_header`, so DRF answers its credential failures with "
            "403; return a challenge such as `'Bearer realm=\"api\"'` from "
            "`authenticate_header`",
        )

    assign = attributes.get("authentication_classes")
    if assign is not None:
        message = _ordering_problem(assign.value, symbols)
        if message:
            yield FrameworkIssue(assign, message)


def authenticator_header(
    cls: cst.ClassDef, symbols: ModuleSymbols, depth: int = 0
) -> bool | None:
    """Whether a DRF authenticator class has ``authenticate_header``: True,
    False, or None when it is not an authenticator or a base is unknown."""
    if "authenticate_header" in _methods(cls):
        return True
    found = [_known_header(symbols.resolve(arg.value), depth) for arg in cls.bases]
    if True in found:
        return True
    if found and None not in found:
        return False
    return None


def _known_header(
    target: tuple[ModuleSymbols, str] | str | None, depth: int
) -> bool | None:
    if isinstance(target, str):
        if target in drf.AUTHENTICATORS_WITH_HEADER:
            return True
        if target in drf.AUTHENTICATORS_WITHOUT_HEADER:
            return False
        return None
    if target is None or depth > 6:
        return None
    symbols, name = target
    cls = symbols.classes.get(name)
    if cls is None:
        return None
    return authenticator_header(cls, symbols, depth + 1)


def _raises_auth_failure(cls: cst.ClassDef, symbols: ModuleSymbols) -> bool:
    for node in _raised(cls):
        target = symbols.resolve(node.func if isinstance(node, cst.Call) else node)
        if isinstance(target, str) and target in _AUTH_FAILURES:
            return True
        if isinstance(target, tuple):
            owner, name = target
            sub = owner.classes.get(name)
            if sub is not None and any(
                owner.resolve(b.value) in _AUTH_FAILURES for b in sub.bases
            ):
                return True
    return False


def _raised(cls: cst.ClassDef) -> Iterator[cst.BaseExpression]:
    stack: list[cst.CSTNode] = [cls.body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Raise) and node.exc is not None:
            yield node.exc
        stack.extend(node.children)


def _ordering_problem(value: cst.BaseExpression, symbols: ModuleSymbols) -> str:
    """DRF takes the challenge from the first authenticator only: one without
    a header ahead of one with a header turns every 401 into 403."""
    if not isinstance(value, (cst.List, cst.Tuple)) or not value.elements:
        return ""
    headers = [_entry_header(element.value, symbols) for element in value.elements]
    if headers[0] is False and True in headers[1:]:
        first = _entry_name(value.elements[0].value)
        later = _entry_name(value.elements[headers.index(True)].value)
        if first and later:
            return _ordering_message(first, later)
    return ""


def _entry_name(node: cst.BaseExpression) -> str | None:
    """An entry's class name: ``TokenAuthentication`` from the class or from
    ``"rest_framework.authentication.TokenAuthentication"``."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        name = value if isinstance(value, str) else None
    else:
        name = dotted_name(node)
    return name.rsplit(".", 1)[-1] if name else None


def _ordering_message(first: str, later: str) -> str:
    return (
        f"DRF takes the `WWW-Authenticate` challenge from the first "
        f"authentication class only; `{first}` has none, so unauthenticated "
        f"requests get 403 even though `{later}` would answer 401: put "
        f"`{later}` first"
    )


def _entry_header(node: cst.BaseExpression, symbols: ModuleSymbols) -> bool | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        if not isinstance(value, str):
            return None
        if value in drf.AUTHENTICATORS_WITH_HEADER:
            return True
        if value in drf.AUTHENTICATORS_WITHOUT_HEADER:
            return False
        if symbols.index is not None:
            found = symbols.index.lookup(value, symbols, 1)
            return _known_header(found, 0) if found else None
        return None
    return _known_header(symbols.resolve(node), 0)


# -- settings ------------------------------------------------------------------


def _settings_issues(symbols: ModuleSymbols) -> Iterator[FrameworkIssue]:
    value = symbols.constant("REST_FRAMEWORK")
    if not isinstance(value, cst.Dict):
        return
    for element in value.elements:
        if not isinstance(element, cst.DictElement):
            continue
        key = element.key
        if (
            isinstance(key, cst.SimpleString)
            and key.evaluated_value == "DEFAULT_AUTHENTICATION_CLASSES"
        ):
            message = _ordering_problem(element.value, symbols)
            if message:
                yield FrameworkIssue(key, message)


# -- decorators ----------------------------------------------------------------


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _decorator_issues(
    function: cst.FunctionDef, symbols: ModuleSymbols
) -> Iterator[FrameworkIssue]:
    login_seen = False
    for decorator in function.decorators:
        node = decorator.decorator
        func = node.func if isinstance(node, cst.Call) else node
        qualified = symbols.imports.qualify(func)
        if (
            qualified in django.LOGIN_REQUIRED
            or terminal_name(func) == "login_required"
        ):
            login_seen = True
        if not isinstance(node, cst.Call):
            continue
        if qualified in drf.AUTHENTICATION_CLASSES_DECORATOR and node.args:
            message = _ordering_problem(node.args[0].value, symbols)
            if message:
                yield FrameworkIssue(decorator, message)
        if qualified in django.PERMISSION_REQUIRED and not login_seen:
            flag = _keyword(node, "raise_exception")
            if flag is not None and dotted_name(flag) == "True":
                yield FrameworkIssue(
                    decorator,
                    "`permission_required(..., raise_exception=True)` without "
                    "`@login_required` above it answers anonymous callers with "
                    "403; add `@login_required` first so they are asked to log in",
                )
        if qualified in starlette.REQUIRES_DECORATORS and _requires_authenticated(node):
            status = _keyword(node, "status_code")
            status_value = symbols.status_of(status) if status is not None else 403
            if status_value == 403 and _keyword(node, "redirect") is None:
                yield FrameworkIssue(
                    decorator,
                    '`@requires("authenticated")` answers anonymous callers with '
                    "Starlette's default 403; pass `status_code=401` (and send a "
                    "`WWW-Authenticate` challenge) or `redirect=` to a login page",
                )


def _requires_authenticated(call: cst.Call) -> bool:
    if not call.args or call.args[0].keyword is not None:
        scopes = _keyword(call, "scopes")
    else:
        scopes = call.args[0].value
    if scopes is None:
        return False
    values = (
        [e.value for e in scopes.elements]
        if isinstance(scopes, (cst.List, cst.Tuple))
        else [scopes]
    )
    return any(
        isinstance(v, cst.SimpleString) and v.evaluated_value == "authenticated"
        for v in values
    )


# -- middleware ----------------------------------------------------------------


class _MiddlewareCalls(cst.CSTVisitor):
    def __init__(self, symbols: ModuleSymbols) -> None:
        self.symbols = symbols
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        if not node.args or node.args[0].keyword is not None:
            return
        first = self.symbols.imports.qualify(node.args[0].value)
        if first not in starlette.AUTHENTICATION_MIDDLEWARE:
            return
        wrapper = self.symbols.imports.qualify(node.func)
        if (
            wrapper in starlette.MIDDLEWARE_WRAPPERS
            or terminal_name(node.func) == "add_middleware"
        ):
            self.calls.append(node)


def _middleware_issues(
    symbols: ModuleSymbols, callbacks: set[str]
) -> Iterator[FrameworkIssue]:
    visitor = _MiddlewareCalls(symbols)
    symbols.module.visit(visitor)
    for call in visitor.calls:
        on_error = _keyword(call, "on_error")
        if on_error is not None:
            name = dotted_name(on_error)
            if name is not None:
                callbacks.add(name)
            continue
        yield FrameworkIssue(
            call,
            "`AuthenticationMiddleware` without `on_error` answers a failed "
            "authentication with 400 and the exception's text; pass an "
            "`on_error` that returns 401 with a `WWW-Authenticate` challenge",
        )
