"""Whether a 401 reaches the client with a ``WWW-Authenticate`` challenge.

The header counts when it is given at construction, set on the response in
the same function before it leaves, added by the helper or exception class
the denial goes through, by the framework itself (DRF's authentication
exceptions, Flask-HTTPAuth's error handler), or by a project-wide hook: an
error or exception handler (for raised denials and ``abort``) or an
``after_request`` hook or middleware (for every response) whose code sets
it. Hooks are found with a byte search of the project's files for the
header's name; only the few files that mention it are parsed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from pathlib import Path

import libcst as cst

from authlint.analysis.bodies import Construction, construction_of
from authlint.analysis.facts import Denial, FailureKind, ModuleFacts
from authlint.analysis.imports import dotted_name, terminal_name
from authlint.analysis.symbols import (
    ModuleSymbols,
    assignment_pairs,
    small_statements,
    suite_statements,
)

CHALLENGE_WORDS = (b"www-authenticate", b"www_authenticate")

# Decorators and registrations of functions the framework runs on raised
# errors, and on every response.
ERROR_HOOKS = frozenset(
    {
        "errorhandler",
        "app_errorhandler",
        "exception_handler",
        "register_error_handler",
        "add_exception_handler",
    }
)
RESPONSE_HOOKS = frozenset({"after_request", "after_app_request", "middleware"})
# Methods of middleware classes that see every response.
MIDDLEWARE_METHODS = frozenset({"process_response", "__call__", "dispatch"})
# Calls that hand the request on and give back the response of the view, in
# middleware: a header set on their result reaches every response.
DOWNSTREAM_CALLS = frozenset({"get_response", "call_next", "app", "handler"})
# Words in a function's name that make it an error hook when it sets the
# header (registered elsewhere: ``exception_handlers={401: on_401}``,
# DRF's ``EXCEPTION_HANDLER`` setting).
ERROR_HOOK_WORDS = ("handler", "handle_", "on_401", "on_error")

HTTPAUTH_MODULES = ("flask_httpauth",)


class Hooks(enum.Flag):
    NONE = 0
    ERRORS = enum.auto()
    RESPONSES = enum.auto()
    UNKNOWN = ERRORS | RESPONSES


def missing_challenge(facts: ModuleFacts, denial: Denial) -> Construction | None:
    """The construction of a 401 that goes out without ``WWW-Authenticate``,
    or None when it has one, may have one, or is reported elsewhere."""
    if denial.status != 401 or facts.symbols is None:
        return None
    if denial.evidence is not None and denial.evidence.kind is FailureKind.PERMISSION:
        # The mistake is the status (AUT102): a 403 needs no challenge.
        return None
    if denial.broad_except is not None:
        # An outage answered as 401 (AUT104) needs another status, not a
        # challenge.
        return None
    built = construction_of(facts, denial)
    if built is None or built.challenge is not False or built.inner_denial:
        return None
    function = denial.function
    if function is not None and (
        _set_after_construction(facts.module, function, denial.value)
        or _httpauth_error_handler(function, facts.symbols)
    ):
        return None
    hooks = project_hooks(facts)
    if Hooks.RESPONSES in hooks:
        return None
    raised = isinstance(denial.statement, (cst.Raise, cst.Expr))
    if raised and Hooks.ERRORS in hooks:
        return None
    return built


def project_hooks(facts: ModuleFacts) -> Hooks:
    """The hooks of the checked file's project that add the header."""
    cached = facts.lazy.get("challenge_hooks")
    if isinstance(cached, Hooks):
        return cached
    hooks = module_hooks(facts.module)
    index = facts.symbols.index if facts.symbols is not None else None
    if index is not None and index.project_root(facts.path) is not None:
        files: set[Path] = set()
        for word in CHALLENGE_WORDS:
            mentioning = index.files_mentioning(facts.path, word)
            if mentioning is None:
                hooks = Hooks.UNKNOWN
                files = set()
                break
            files.update(mentioning)
        here = Path(facts.path).resolve()
        for file in sorted(files):
            if file.resolve() == here:
                continue
            other = index.parsed(file)
            if other is not None:
                hooks |= module_hooks(other.module)
    facts.lazy["challenge_hooks"] = hooks
    return hooks


def module_hooks(module: cst.Module) -> Hooks:
    """The hooks of one module whose code sets ``WWW-Authenticate``."""
    code = module.code.lower()
    if not any(word.decode() in code for word in CHALLENGE_WORDS):
        return Hooks.NONE
    hooks = Hooks.NONE
    for function, cls in _functions(list(module.body), None):
        if not _mentions_challenge(module.code_for_node(function)):
            continue
        hooks |= _hook_kind(function, cls)
    for registration in _registrations(module):
        hooks |= registration
    return hooks


def _hook_kind(function: cst.FunctionDef, cls: cst.ClassDef | None) -> Hooks:
    for decorator in function.decorators:
        node = decorator.decorator
        name = terminal_name(node.func if isinstance(node, cst.Call) else node)
        if name in ERROR_HOOKS:
            return Hooks.ERRORS
        if name in RESPONSE_HOOKS:
            return _response_hook(function, takes_response=name != "middleware")
    name = function.name.value
    if cls is not None and name in MIDDLEWARE_METHODS:
        return _response_hook(function, takes_response=name == "process_response")
    if name in RESPONSE_HOOKS:
        return _response_hook(function, takes_response=True)
    if any(word in name.lower() for word in ERROR_HOOK_WORDS):
        return Hooks.ERRORS
    return Hooks.NONE


def _response_hook(function: cst.FunctionDef, *, takes_response: bool) -> Hooks:
    """A hook that sees every response counts when it sets the header on the
    response it is given or gets from the view, not on one it makes itself
    (a middleware's own 401)."""
    responses: set[str] = set()
    if takes_response:
        listed = [*function.params.posonly_params, *function.params.params]
        responses.update(p.name.value for p in listed if p.name.value != "self")
    for small in small_statements(suite_statements(function.body)):
        for target, value in assignment_pairs(small):
            if isinstance(value, cst.Await):
                value = value.expression
            if isinstance(value, cst.Call):
                if terminal_name(value.func) in DOWNSTREAM_CALLS:
                    responses.add(target)
    module = cst.Module([])
    for small in small_statements(suite_statements(function.body)):
        code = module.code_for_node(small)
        if not _mentions_challenge(code):
            continue
        if any(code.startswith((f"{name}.", f"{name}[")) for name in responses):
            return Hooks.RESPONSES
    return Hooks.NONE


def _registrations(module: cst.Module) -> Iterator[Hooks]:
    """``app.after_request(add_challenge)`` written as a call: the function
    it registers was counted by its own name already, unless it is a lambda."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                call = small.value
                name = terminal_name(call.func)
                if not _mentions_challenge(module.code_for_node(call)):
                    continue
                if name in ERROR_HOOKS:
                    yield Hooks.ERRORS
                elif name in RESPONSE_HOOKS:
                    yield Hooks.RESPONSES


def _functions(
    body: list[cst.BaseStatement], cls: cst.ClassDef | None
) -> Iterator[tuple[cst.FunctionDef, cst.ClassDef | None]]:
    for statement in body:
        if isinstance(statement, cst.FunctionDef):
            yield statement, cls
            yield from _functions(suite_statements(statement.body), None)
        elif isinstance(statement, cst.ClassDef):
            yield from _functions(suite_statements(statement.body), statement)
        elif isinstance(statement, (cst.If, cst.Try)):
            for child in statement.children:
                if isinstance(child, cst.BaseSuite):
                    yield from _functions(suite_statements(child), cls)


def _set_after_construction(
    module: cst.Module,
    function: cst.FunctionDef,
    value: cst.BaseExpression | None,
) -> bool:
    """``response.headers["WWW-Authenticate"] = ...`` (or Django's
    ``response[...]``, Werkzeug's ``response.www_authenticate``) on the name
    the denial returns; ``response.headers.update(...)`` with headers built
    elsewhere may add it too."""
    if not isinstance(value, cst.Name):
        return False
    name = value.value
    for small in small_statements(suite_statements(function.body)):
        code = module.code_for_node(small)
        if not code.startswith((f"{name}.", f"{name}[")):
            continue
        if _mentions_challenge(code):
            return True
        if code.startswith(f"{name}.headers.") and (
            ".update(" in code or ".extend(" in code
        ):
            return True
    return False


def _httpauth_error_handler(function: cst.FunctionDef, symbols: ModuleSymbols) -> bool:
    """Flask-HTTPAuth's ``@auth.error_handler`` adds the challenge to a 401
    its function returns."""
    for decorator in function.decorators:
        node = decorator.decorator
        target = node.func if isinstance(node, cst.Call) else node
        if terminal_name(target) != "error_handler":
            continue
        owner = dotted_name(target) or ""
        if symbols.imports.imports_any(HTTPAUTH_MODULES) or "auth" in owner.lower():
            return True
    return False


def _mentions_challenge(code: str) -> bool:
    lowered = code.lower()
    return any(word.decode() in lowered for word in CHALLENGE_WORDS)
