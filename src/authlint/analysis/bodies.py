"""What a denial tells the client: its message, followed to where it is made.

A denial's message is read from the response or exception that makes it:
the framework's message slot (``detail=``, ``description=``, a Flask tuple's
first element, ``JSONResponse(content=...)``), a project helper's or
exception class's body (with the call's arguments bound to its parameters),
or the framework's default text. The message is split into parts: literal
text, and runtime values classified by what they are (the text of a caught
exception, the caller's identity, a credential, a loader's reason, a scope
or role name).
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from authlint.analysis.facts import Denial, ModuleFacts, source_text
from authlint.analysis.guards import AtomKind, classify_words, split_words
from authlint.analysis.imports import dotted_name, terminal_name
from authlint.analysis.responses import MAX_DEPTH, Params
from authlint.analysis.symbols import (
    ModuleSymbols,
    assignment_pairs,
    parameters,
    small_statements,
    suite_statements,
)
from authlint.config import AnalysisOptions
from authlint.frameworks import BODIES, drf, vocabulary
from authlint.frameworks.spec import BodySpec, Slot

# Class attributes an exception class keeps its message in.
MESSAGE_ATTRIBUTES = (
    "detail",
    "default_detail",
    "message",
    "default_message",
    "description",
    "msg",
    "error",
)
# Constructor parameters that carry an exception's message.
MESSAGE_PARAMETERS = ("detail", "message", "msg", "description", "error")
# The HTTP error an error handler is given: its text is the application's own.
HTTP_ERRORS = frozenset({"HTTPException", "APIException", "StarletteHTTPException"})
# flask-jwt-extended loaders whose first argument is the library's own
# explanation of what was wrong with the token.
REASON_LOADERS = frozenset(
    {"invalid_token_loader", "unauthorized_loader", "token_verification_failed_loader"}
)


class PartKind(enum.Enum):
    TEXT = "text"
    EXCEPTION = "the text of the caught exception"
    IDENTITY = "the caller's identity"
    CREDENTIAL = "the credential"
    REASON = "the loader's reason argument"
    SCOPE = "the scope, role or permission name"
    OTHER = "a runtime value"


@dataclass(frozen=True)
class Part:
    """One piece of a message: literal text or a value known only at runtime."""

    kind: PartKind
    node: cst.CSTNode
    text: str
    # False for a part written inside a project helper function rather than
    # passed to it by the call: the helper's own denial reports that part.
    from_call: bool = True


@dataclass
class Construction:
    """The response or exception that makes a denial, as the client gets it."""

    # The expression that builds it, and the module it is written in.
    node: cst.CSTNode
    module: cst.Module
    parts: list[Part] = field(default_factory=list)
    # Header expressions given at construction, and whether a challenge is
    # certainly given (True), certainly absent (False) or unknown (None).
    challenge: bool | None = False
    # The project functions and classes the denial goes through.
    through: list[cst.CSTNode] = field(default_factory=list)
    # True when the construction is reached through a name, so the place to
    # report is the construction, not the raise or return using it.
    named: bool = False
    # The message is the framework's default, not one the code gives.
    defaulted: bool = False
    # Made by a project helper whose own denial has a fixed status: the
    # helper's own construction is reported there, the call site only for
    # what the call passes in.
    inner_denial: bool = False

    def reported_parts(self) -> list[Part]:
        if self.inner_denial:
            return [p for p in self.parts if p.from_call]
        return self.parts

    def text(self) -> str:
        """The message with runtime values as ``…``."""
        return " ".join(
            p.text if p.kind is PartKind.TEXT else "…" for p in self.parts
        ).strip()

    def shown(self, limit: int = 60) -> str:
        """The message as a finding quotes it: runtime values as ``{code}``."""
        text = "".join(
            p.text if p.kind is PartKind.TEXT else "{" + p.text + "}"
            for p in self.reported_parts()
        )
        text = " ".join(text.split())
        return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class _Scope:
    """What names mean where an expression is read."""

    symbols: ModuleSymbols
    local: dict[str, cst.BaseExpression]
    exceptions: frozenset[str]
    reasons: frozenset[str]
    # Parameters of a helper bound to the caller's arguments.
    bound: dict[str, tuple[cst.BaseExpression, _Scope]]
    from_call: bool
    options: AnalysisOptions


def denial_constructions(facts: ModuleFacts) -> dict[int, Construction]:
    """Each denial's construction, keyed by ``id`` of the denial's node;
    computed once per module, on first use."""
    cached = facts.lazy.get("constructions")
    if isinstance(cached, dict):
        return cached
    found: dict[int, Construction] = {}
    scopes: dict[int, _Scope] = {}
    if facts.symbols is not None:
        for denial in facts.denials:
            if denial.value is None or denial.function is None:
                continue
            scope = scopes.get(id(denial.function))
            if scope is None:
                scope = _function_scope(denial.function, facts.symbols, facts.options)
                scopes[id(denial.function)] = scope
            built = _construction(denial.value, scope, 0)
            if built is not None:
                found[id(denial.node)] = built
    facts.lazy["constructions"] = found
    return found


def construction_of(facts: ModuleFacts, denial: Denial) -> Construction | None:
    return denial_constructions(facts).get(id(denial.node))


def answered_denials(facts: ModuleFacts) -> Iterator[tuple[Denial, Construction]]:
    """The 401s and 403s of a module whose construction is known, each
    with it."""
    for denial in facts.denials:
        if denial.status not in (401, 403):
            continue
        built = construction_of(facts, denial)
        if built is not None:
            yield denial, built


def permission_messages(facts: ModuleFacts) -> Iterator[Construction]:
    """The ``message`` of each DRF permission class of the module: DRF sends
    it as the body of the 403 when the permission says no."""
    symbols = facts.symbols
    if symbols is None:
        return
    for cls in symbols.classes.values():
        if not _is_permission_class(cls, symbols):
            continue
        scope = _Scope(symbols, {}, frozenset(), frozenset(), {}, True, facts.options)
        for statement in suite_statements(cls.body):
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                for target, value in assignment_pairs(small):
                    if target == "message":
                        parts = list(_message(value, scope, 0))
                        yield Construction(small, symbols.module, parts)


def _is_permission_class(cls: cst.ClassDef, symbols: ModuleSymbols) -> bool:
    for arg in cls.bases:
        if symbols.imports.qualify(arg.value) in drf.PERMISSION_BASES:
            return True
    return any(
        isinstance(s, cst.FunctionDef) and s.name.value in drf.PERMISSION_METHODS
        for s in suite_statements(cls.body)
    ) and any(dotted_name(arg.value) for arg in cls.bases)


def report_node(facts: ModuleFacts, denial: Denial, built: Construction) -> cst.CSTNode:
    """Where a finding about a denial's content goes: the denial's own place,
    or the construction it names in this module, so that an exception kept
    in a name and raised from several places is reported once."""
    if not built.named or built.module is not facts.module:
        return denial.node
    node = built.node
    if facts.symbols is not None and isinstance(node, (cst.Call, cst.Tuple)):
        shape = facts.symbols.denial_of(node)
        if shape is not None and shape.status_node is not None:
            return shape.status_node
    return node


# -- scopes --------------------------------------------------------------------


def _function_scope(
    function: cst.FunctionDef, symbols: ModuleSymbols, options: AnalysisOptions
) -> _Scope:
    body = suite_statements(function.body)
    seen: dict[str, list[cst.BaseExpression]] = {}
    exceptions: set[str] = set()
    for small in small_statements(body):
        if isinstance(small, cst.Assign):
            for target in small.targets:
                if isinstance(target.target, cst.Name):
                    seen.setdefault(target.target.value, []).append(small.value)
    exceptions.update(_caught_names(function))
    exceptions.update(_exception_parameters(function))
    local = {name: values[0] for name, values in seen.items() if len(values) == 1}
    return _Scope(
        symbols,
        local,
        frozenset(exceptions),
        _reason_parameters(function),
        {},
        True,
        options,
    )


def _caught_names(function: cst.FunctionDef) -> Iterator[str]:
    """Names bound by ``except ... as name`` in a function, not in nested ones."""
    stack: list[cst.CSTNode] = list(suite_statements(function.body))
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
            if node.name is not None and isinstance(node.name.name, cst.Name):
                yield node.name.name.value
        if isinstance(node, (cst.BaseExpression, cst.SimpleStatementLine)):
            continue
        stack.extend(node.children)


def _exception_parameters(function: cst.FunctionDef) -> Iterator[str]:
    """Parameters annotated with an exception class other than the HTTP
    error itself: ``on_error(conn, exc: AuthenticationError)``."""
    listed = [*function.params.posonly_params, *function.params.params]
    for param in listed:
        if param.annotation is None:
            continue
        name = terminal_name(param.annotation.annotation) or ""
        if name.endswith(("Error", "Exception")) and name not in HTTP_ERRORS:
            yield param.name.value


def _reason_parameters(function: cst.FunctionDef) -> frozenset[str]:
    for decorator in function.decorators:
        node = decorator.decorator
        name = dotted_name(node.func if isinstance(node, cst.Call) else node) or ""
        if name.rsplit(".", 1)[-1] in REASON_LOADERS:
            listed = [*function.params.posonly_params, *function.params.params]
            return frozenset(p.name.value for p in listed[:1])
    return frozenset()


# -- constructions -------------------------------------------------------------


def _construction(
    value: cst.BaseExpression, scope: _Scope, depth: int
) -> Construction | None:
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, cst.Await):
        return _construction(value.expression, scope, depth + 1)
    if isinstance(value, cst.Tuple):
        return _tuple_construction(value, scope)
    if isinstance(value, cst.Name) and value.value in scope.local:
        found = _construction(scope.local[value.value], scope, depth + 1)
        if found is not None:
            found.named = True
        return found
    if isinstance(value, cst.Call):
        return _call_construction(value, value, scope, depth)
    if isinstance(value, (cst.Name, cst.Attribute)):
        return _named_construction(value, scope, depth)
    return None


def _tuple_construction(value: cst.Tuple, scope: _Scope) -> Construction | None:
    # Flask's ``return body, status[, headers]``.
    if not value.elements or not scope.symbols.flask_style:
        return None
    built = Construction(value, scope.symbols.module)
    first = value.elements[0].value
    inner = _framework_call(first, scope)
    if inner is not None:
        # ``return make_response(...), 401`` or ``jsonify(...)``: read inside.
        built.parts = list(_message(first, scope, 0))
        built.challenge = _headers_challenge(inner[0], inner[1].headers, scope)
    else:
        built.parts = list(_message(first, scope, 0))
    if len(value.elements) == 3:
        third = _challenge_in_headers(value.elements[2].value, scope)
        built.challenge = third if built.challenge is False else built.challenge
    return built


def _framework_call(
    node: cst.BaseExpression, scope: _Scope
) -> tuple[cst.Call, BodySpec] | None:
    if not isinstance(node, cst.Call):
        return None
    target = scope.symbols.resolve(node.func)
    if isinstance(target, str) and target in BODIES:
        return node, BODIES[target]
    return None


def _call_construction(
    call: cst.Call, node: cst.CSTNode, scope: _Scope, depth: int
) -> Construction | None:
    target = _framework_first(call.func, scope.symbols, depth)
    if isinstance(target, str):
        spec = BODIES.get(target)
        if spec is None:
            return None
        return _framework_construction(call, spec, scope)
    if target is None:
        return None
    symbols, name = target
    if name in symbols.functions:
        return _helper_construction(
            call, symbols, symbols.functions[name], scope, depth
        )
    if name in symbols.classes:
        return _class_construction(call, symbols, symbols.classes[name], scope, depth)
    return None


def _framework_first(
    node: cst.BaseExpression, symbols: ModuleSymbols, depth: int
) -> tuple[ModuleSymbols, str] | str | None:
    """What a name refers to, a framework's class first: a checkout of the
    framework itself next to the project must not stand in for it."""
    qualified = symbols.imports.qualify(node)
    if qualified is not None and qualified in BODIES:
        return qualified
    return symbols.resolve(node, depth)


def _framework_construction(
    call: cst.Call | None, spec: BodySpec, scope: _Scope
) -> Construction:
    node = call if call is not None else cst.Name("_")
    built = Construction(node, scope.symbols.module)
    message = _slot(call, spec.message)
    if message is not None:
        built.parts = list(_message(message, scope, 0))
    elif spec.default_message is not None and not _has_star(call):
        built.parts = [Part(PartKind.TEXT, node, spec.default_message)]
        built.defaulted = True
    if spec.challenged:
        built.challenge = True
    elif _has_star(call):
        built.challenge = None
    else:
        built.challenge = _headers_challenge(call, spec.headers, scope)
        if built.challenge is False and _slot(call, spec.challenge) is not None:
            built.challenge = True
    return built


def _headers_challenge(
    call: cst.Call | None, slot: Slot | None, scope: _Scope
) -> bool | None:
    headers = _slot(call, slot)
    if headers is None:
        return False
    return _challenge_in_headers(headers, scope)


def _challenge_in_headers(node: cst.BaseExpression, scope: _Scope) -> bool | None:
    """Whether a headers expression holds ``WWW-Authenticate``: a dict
    written out can say no; anything else may hold it."""
    for _ in range(MAX_DEPTH):
        if isinstance(node, cst.Name):
            value = scope.local.get(node.value) or scope.symbols.constant(node.value)
            if value is None:
                return None
            node = value
            continue
        break
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return None
            key = _string(element.key, scope)
            if key is None:
                return None
            if key.lower() == "www-authenticate":
                return True
        return False
    if isinstance(node, cst.Call) and dotted_name(node.func) == "dict":
        if any(a.star for a in node.args) or any(a.keyword is None for a in node.args):
            return None
        return False
    return None


def _helper_construction(
    call: cst.Call,
    symbols: ModuleSymbols,
    function: cst.FunctionDef,
    scope: _Scope,
    depth: int,
) -> Construction | None:
    """A project function that returns or raises a denial: its body read
    with the call's arguments bound to its parameters."""
    inner = _function_scope(function, symbols, scope.options)
    bound = _bind(parameters(function, skip_self=False), call, scope)
    inner = _Scope(
        symbols,
        inner.local,
        inner.exceptions,
        inner.reasons,
        bound,
        False,
        scope.options,
    )
    params = parameters(function, skip_self=False)
    built: Construction | None = None
    for small in small_statements(suite_statements(function.body)):
        value = _exit_value(small)
        if value is None or symbols.denial_of(value, params, inner.local) is None:
            continue
        found = _construction(value, inner, depth + 1)
        if found is None:
            continue
        if built is None:
            built = Construction(
                call, scope.symbols.module, through=[function, *found.through]
            )
            built.challenge = found.challenge
        elif built.challenge != found.challenge:
            built.challenge = None
        built.parts.extend(found.parts)
        shape = symbols.denial_of(value, {}, inner.local)
        if shape is not None and isinstance(shape.status, int):
            built.inner_denial = True
    if built is not None and _mentions_challenge(function, symbols):
        built.challenge = True
    return built


def _class_construction(
    call: cst.Call | None,
    symbols: ModuleSymbols,
    cls: cst.ClassDef,
    scope: _Scope,
    depth: int,
) -> Construction | None:
    """A project exception class: its message from the constructor's
    arguments, else from its (or a base's) message attribute, else the
    framework's default."""
    if depth > MAX_DEPTH:
        return None
    node = call if call is not None else cls
    built = Construction(node, scope.symbols.module, through=[cls])
    init = next(
        (
            s
            for s in suite_statements(cls.body)
            if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"
        ),
        None,
    )
    base_call = call
    base_scope = scope
    if init is not None:
        bound = _bind(parameters(init, skip_self=True), call, scope)
        inner = _Scope(
            symbols, {}, frozenset(), frozenset(), bound, True, scope.options
        )
        given = [name for name in MESSAGE_PARAMETERS if name in bound]
        if given:
            built.parts = list(_message(cst.Name(given[0]), inner, depth + 1))
        base_call = _super_init(init)
        base_scope = inner
    base = _base_construction(base_call, symbols, cls, base_scope, depth)
    if not built.parts and base is not None and not base.defaulted:
        built.parts = base.parts
    if not built.parts:
        # A class attribute is a default a subclass's own attribute overrides.
        built.parts = _class_message(symbols, cls, depth)
        built.defaulted = True
    if not built.parts and base is not None:
        built.parts = base.parts
    built.challenge = base.challenge if base is not None else False
    if _mentions_challenge(cls, symbols):
        built.challenge = True
    return built


def _base_construction(
    call: cst.Call | None,
    symbols: ModuleSymbols,
    cls: cst.ClassDef,
    scope: _Scope,
    depth: int,
) -> Construction | None:
    for arg in cls.bases:
        target = _framework_first(arg.value, symbols, depth)
        if isinstance(target, str):
            spec = BODIES.get(target)
            if spec is not None:
                return _framework_construction(call, spec, scope)
        elif target is not None:
            owner, name = target
            if name in owner.classes:
                return _class_construction(
                    call, owner, owner.classes[name], scope, depth + 1
                )
    return None


def _class_message(symbols: ModuleSymbols, cls: cst.ClassDef, depth: int) -> list[Part]:
    scope = _Scope(symbols, {}, frozenset(), frozenset(), {}, True, AnalysisOptions())
    for statement in suite_statements(cls.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, (cst.Assign, cst.AnnAssign)):
                continue
            targets = (
                [t.target for t in small.targets]
                if isinstance(small, cst.Assign)
                else [small.target]
            )
            if small.value is None:
                continue
            if any(
                isinstance(t, cst.Name) and t.value in MESSAGE_ATTRIBUTES
                for t in targets
            ):
                return list(_message(small.value, scope, depth + 1))
    for arg in cls.bases:
        target = symbols.resolve(arg.value)
        if isinstance(target, tuple) and target[1] in target[0].classes:
            owner, name = target
            if depth < MAX_DEPTH:
                return _class_message(owner, owner.classes[name], depth + 1)
    return []


def _named_construction(
    value: cst.Name | cst.Attribute, scope: _Scope, depth: int
) -> Construction | None:
    """``raise PermissionDenied``, ``raise TokenExpired`` or a denial kept in
    a module-level name."""
    target = _framework_first(value, scope.symbols, depth)
    if isinstance(target, str):
        spec = BODIES.get(target)
        return _framework_construction(None, spec, scope) if spec else None
    if target is None:
        return None
    symbols, name = target
    if name in symbols.classes:
        return _class_construction(None, symbols, symbols.classes[name], scope, depth)
    constant = symbols.constant(name)
    if not isinstance(constant, cst.Call):
        return None
    module_scope = _Scope(
        symbols, {}, frozenset(), frozenset(), {}, True, scope.options
    )
    found = _call_construction(constant, constant, module_scope, depth + 1)
    if found is not None:
        found.named = True
    return found


# -- messages ------------------------------------------------------------------


def _message(node: cst.CSTNode, scope: _Scope, depth: int) -> Iterator[Part]:
    """The parts of a message expression, in reading order."""
    if depth > MAX_DEPTH * 3:
        yield _runtime(node, scope)
        return
    deeper = depth + 1
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        text = value if isinstance(value, str) else value.decode("utf-8", "replace")
        yield Part(PartKind.TEXT, node, text, scope.from_call)
    elif isinstance(node, cst.ConcatenatedString):
        yield from _message(node.left, scope, deeper)
        yield from _message(node.right, scope, deeper)
    elif isinstance(node, cst.FormattedString):
        for piece in node.parts:
            if isinstance(piece, cst.FormattedStringText):
                yield Part(PartKind.TEXT, piece, piece.value, scope.from_call)
            elif isinstance(piece, cst.FormattedStringExpression):
                yield from _value(piece.expression, scope, deeper)
    elif isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Modulo):
            right = node.right
            if isinstance(right, cst.Tuple):
                values = [item.value for item in right.elements]
            elif isinstance(right, cst.Dict):
                values = [right]
            else:
                values = [right]
            yield from _filled(node.left, values, scope, deeper)
        else:
            yield from _message(node.left, scope, deeper)
            yield from _message(node.right, scope, deeper)
    elif isinstance(node, cst.Call):
        yield from _call_message(node, scope, deeper)
    elif isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                yield from _message(element.value, scope, deeper)
            else:
                yield _runtime(element.value, scope)
    elif isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        for item in node.elements:
            yield from _message(item.value, scope, deeper)
    elif isinstance(node, cst.IfExp):
        yield from _message(node.body, scope, deeper)
        yield from _message(node.orelse, scope, deeper)
    else:
        yield from _value(node, scope, deeper)


def _filled(
    template: cst.BaseExpression,
    values: list[cst.BaseExpression],
    scope: _Scope,
    depth: int,
) -> Iterator[Part]:
    """A ``%`` or ``.format`` template with its values in their places when
    the template is a plain string with one field per value; otherwise the
    template, then the values."""
    text = template.evaluated_value if isinstance(template, cst.SimpleString) else None
    pieces = _FORMAT_FIELD.split(text) if isinstance(text, str) else []
    if len(pieces) != len(values) + 1 or any(isinstance(v, cst.Dict) for v in values):
        yield from _message(template, scope, depth)
        for value in values:
            if isinstance(value, cst.Dict):
                yield from _message(value, scope, depth)
            else:
                yield from _value(value, scope, depth)
        return
    for index, piece in enumerate(pieces):
        if piece:
            yield Part(PartKind.TEXT, template, piece, scope.from_call)
        if index < len(values):
            yield from _value(values[index], scope, depth)


def _call_message(node: cst.Call, scope: _Scope, depth: int) -> Iterator[Part]:
    func = node.func
    name = dotted_name(func) or ""
    if isinstance(func, cst.Attribute) and func.attr.value == "format":
        values = [arg.value for arg in node.args]
        yield from _filled(func.value, values, scope, depth)
        return
    if isinstance(func, cst.Attribute) and func.attr.value == "join":
        for arg in node.args:
            yield from _message(arg.value, scope, depth)
        return
    if name in ("str", "repr", "format") and node.args:
        yield from _value(node.args[0].value, scope, depth)
        return
    inner = _framework_call(node, scope)
    if inner is not None:
        message = _slot(inner[0], inner[1].message)
        if message is not None:
            yield from _message(message, scope, depth)
        return
    last = name.rsplit(".", 1)[-1]
    if name in vocabulary.TEXT_WRAPPERS or last in ("jsonify", "JSONResponse"):
        for arg in node.args:
            if not arg.star:
                yield from _message(arg.value, scope, depth)
            else:
                yield _runtime(arg.value, scope)
        return
    yield _runtime(node, scope)


def _value(node: cst.CSTNode, scope: _Scope, depth: int) -> Iterator[Part]:
    """A value placed into a message: followed when it is a name bound once,
    else classified as a runtime part."""
    if isinstance(node, cst.Name):
        name = node.value
        if name in scope.bound:
            expression, outer = scope.bound[name]
            yield from _message(expression, outer, depth + 1)
            return
        if name in scope.local and depth < MAX_DEPTH * 3:
            parts = list(_message(scope.local[name], scope, depth + 1))
            if len(parts) == 1 and parts[0].kind is PartKind.OTHER:
                # ``username = payload["sub"]``: the name says what it holds.
                kind = _named_kind(name, None, scope.options)
                parts = [Part(kind, parts[0].node, name, scope.from_call)]
            yield from parts
            return
        if name not in scope.exceptions and name not in scope.reasons:
            constant = scope.symbols.constant(name)
            if isinstance(constant, (cst.SimpleString, cst.ConcatenatedString)):
                yield from _message(constant, scope, depth + 1)
                return
    if isinstance(
        node,
        (
            cst.SimpleString,
            cst.FormattedString,
            cst.Call,
            cst.BinaryOperation,
            cst.ConcatenatedString,
        ),
    ):
        if not (isinstance(node, cst.Call) and _is_value_call(node)):
            yield from _message(node, scope, depth + 1)
            return
    yield _runtime(node, scope)


def _is_value_call(node: cst.Call) -> bool:
    name = dotted_name(node.func) or ""
    return name in ("str", "repr", "format") or name.endswith(".__str__")


def _runtime(node: cst.CSTNode, scope: _Scope) -> Part:
    text = source_text(scope.symbols.module, node)
    return Part(_runtime_kind(node, scope), node, text, scope.from_call)


def _runtime_kind(node: cst.CSTNode, scope: _Scope) -> PartKind:
    if isinstance(node, cst.Call):
        name = dotted_name(node.func) or ""
        if name in vocabulary.EXCEPTION_TEXT_CALLS:
            return PartKind.EXCEPTION
        if _computes_digest(node):
            return PartKind.CREDENTIAL
        key = _read_key(node)
        if key is not None:
            # ``request.headers.get("X-API-Key")``: the key says what is read.
            return _named_kind(key, None, scope.options)
        if (name in ("str", "repr", "format", "getattr") and node.args) or (
            name.endswith(".__str__")
        ):
            inner = node.args[0].value if node.args else node.func
            if isinstance(node.func, cst.Attribute) and not node.args:
                inner = node.func.value
            return _runtime_kind(inner, scope)
        return PartKind.OTHER
    base = _base_name(node)
    if base is not None and base in scope.exceptions:
        return PartKind.EXCEPTION
    if base is not None and base in scope.reasons:
        return PartKind.REASON
    return _named_kind(_value_name(node), _owner_name(node), scope.options)


def _named_kind(
    name: str | None, owner: str | None, options: AnalysisOptions
) -> PartKind:
    if not name:
        return PartKind.OTHER
    parts = split_words(name)
    if not parts:
        return PartKind.OTHER
    if parts[-1] in vocabulary.ID_WORDS and len(parts) == 1 and owner:
        parts = (*split_words(owner), parts[-1])
    pairs = set(zip(parts, parts[1:]))
    if parts[-1] in vocabulary.SCOPE_VALUE_WORDS:
        return PartKind.SCOPE
    if parts[0] in ("expected", "computed", "calculated") and set(parts) & {
        "signature",
        "sig",
        "digest",
        "hmac",
        "mac",
        "token",
    }:
        return PartKind.CREDENTIAL
    if (
        classify_words(name, options) is AtomKind.CREDENTIAL
        and parts[-1] not in vocabulary.VALUE_DESCRIPTION_WORDS
    ):
        return PartKind.CREDENTIAL
    if parts[-1] in vocabulary.IDENTITY_VALUE_WORDS or (
        len(parts) > 1 and (parts[-2], parts[-1]) in vocabulary.IDENTITY_VALUE_PAIRS
    ):
        return PartKind.IDENTITY
    if pairs & vocabulary.IDENTITY_VALUE_PAIRS and parts[-1] in vocabulary.ID_WORDS:
        return PartKind.IDENTITY
    return PartKind.OTHER


def _read_key(call: cst.Call) -> str | None:
    func = call.func
    if not isinstance(func, cst.Attribute) or not call.args:
        return None
    if func.attr.value not in vocabulary.KEYED_READS:
        return None
    first = call.args[0].value
    if isinstance(first, cst.SimpleString):
        value = first.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _computes_digest(call: cst.Call) -> bool:
    """``hmac.new(key, body, "sha256").hexdigest()``: an expected signature."""
    node: cst.CSTNode = call
    while isinstance(node, (cst.Call, cst.Attribute)):
        if isinstance(node, cst.Call):
            name = dotted_name(node.func) or ""
            if name.startswith(("hmac.", "hashlib.")) or name in ("hmac", "sign"):
                return True
            if name.rsplit(".", 1)[-1] in ("hexdigest", "digest"):
                return True
            node = node.func
        else:
            node = node.value
    return False


def _base_name(node: cst.CSTNode) -> str | None:
    while True:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, (cst.Attribute, cst.Subscript)):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        else:
            return None


def _value_name(node: cst.CSTNode) -> str | None:
    """The name that says what a value is: ``user.email`` -> ``email``,
    ``request.headers["Authorization"]`` -> ``Authorization``."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            key = index.value.evaluated_value
            return key if isinstance(key, str) else None
    return None


def _owner_name(node: cst.CSTNode) -> str | None:
    if isinstance(node, (cst.Attribute, cst.Subscript)):
        owner = node.value
        if isinstance(owner, cst.Name):
            return owner.value
        if isinstance(owner, cst.Attribute):
            return owner.attr.value
    return None


# -- small readers -------------------------------------------------------------


def _slot(call: cst.Call | None, slot: Slot | None) -> cst.BaseExpression | None:
    if call is None or slot is None:
        return None
    positional = 0
    for arg in call.args:
        if arg.star:
            break
        if arg.keyword is not None:
            if slot.keyword is not None and arg.keyword.value == slot.keyword:
                return arg.value
            continue
        if slot.position is not None and positional == slot.position:
            return arg.value
        positional += 1
    return None


def _has_star(call: cst.Call | None) -> bool:
    return call is not None and any(arg.star for arg in call.args)


def _bind(
    params: Params, call: cst.Call | None, scope: _Scope
) -> dict[str, tuple[cst.BaseExpression, _Scope]]:
    """Parameters bound to the arguments of one call, and to their defaults."""
    bound: dict[str, tuple[cst.BaseExpression, _Scope]] = {}
    if call is not None and not _has_star(call):
        by_index = {index: name for name, (index, _) in params.items()}
        positional = 0
        for arg in call.args:
            if arg.keyword is not None:
                if arg.keyword.value in params:
                    bound[arg.keyword.value] = (arg.value, scope)
            else:
                name = by_index.get(positional)
                if name is not None:
                    bound[name] = (arg.value, scope)
                positional += 1
    for name, (_, default) in params.items():
        unset = isinstance(default, cst.Name) and default.value == "None"
        if name not in bound and default is not None and not unset:
            defaults = _Scope(
                scope.symbols, {}, frozenset(), frozenset(), {}, False, scope.options
            )
            bound[name] = (default, defaults)
    return bound


def _exit_value(small: cst.BaseSmallStatement) -> cst.BaseExpression | None:
    if isinstance(small, cst.Return):
        return small.value
    if isinstance(small, cst.Raise):
        return small.exc
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        return small.value
    return None


def _super_init(init: cst.FunctionDef) -> cst.Call | None:
    for small in small_statements(suite_statements(init.body)):
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            func = small.value.func
            if isinstance(func, cst.Attribute) and func.attr.value == "__init__":
                return small.value
    return None


def _string(node: cst.BaseExpression, scope: _Scope) -> str | None:
    if isinstance(node, cst.Name):
        constant = scope.local.get(node.value) or scope.symbols.constant(node.value)
        if constant is None:
            return None
        node = constant
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _mentions_challenge(node: cst.CSTNode, symbols: ModuleSymbols) -> bool:
    code = symbols.module.code_for_node(node).lower()
    return "www-authenticate" in code or "www_authenticate" in code


# -- what a message discloses --------------------------------------------------

# ``%s``, ``%(name)s`` and ``{}`` fields of a template filled at runtime.
_FORMAT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifxa]|\{[^{}]*\}")
_CONTRACTION = re.compile(r"(?<=\w)['\u2019](?=\w)")
_PUNCTUATION = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class Disclosure:
    """A reason a message names, and the part of the message naming it."""

    reason: str
    part: Part


def disclosed_reason(
    built: Construction, options: AnalysisOptions
) -> Disclosure | None:
    """The specific failure reason a denial's message states, if any."""
    allowed = _allowed_messages(options)
    pieces: list[tuple[str, Part | None]] = []
    for part in built.reported_parts():
        if part.kind is PartKind.SCOPE:
            return Disclosure("the required scope, role or permission", part)
        if part.kind is not PartKind.TEXT:
            pieces.append(("…", None))
            continue
        text = _normalized(part.text)
        if _bare(text) in allowed:
            pieces.append(("…", None))
            continue
        pieces.append((text, part))
    text = ""
    owners: list[tuple[int, Part | None]] = []
    for piece, owner in pieces:
        owners.append((len(text), owner))
        text += piece + " "
    for pattern, reason in _leak_patterns(options):
        for match in pattern.finditer(text):
            if _inside_disjunction(text, match) or _about_something_else(text, match):
                continue
            owner = next(
                (p for start, p in reversed(owners) if start <= match.start()), None
            )
            if owner is not None:
                return Disclosure(reason, owner)
    return None


def _normalized(text: str) -> str:
    text = _FORMAT_FIELD.sub(" … ", text)
    text = _CONTRACTION.sub(" ", text).replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("_", " ").replace("-", " ").replace("/", " or ")
    return " ".join(text.lower().split())


def _bare(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", text).split())


@functools.lru_cache(maxsize=64)
def _allowed_messages(options: AnalysisOptions) -> frozenset[str]:
    extra = {_bare(_normalized(message)) for message in options.allowed_messages}
    return vocabulary.GENERIC_MESSAGES | extra


@functools.lru_cache(maxsize=64)
def _leak_patterns(options: AnalysisOptions) -> tuple[tuple[re.Pattern[str], str], ...]:
    built = [
        (re.compile(pattern), reason) for pattern, reason in vocabulary.LEAK_PATTERNS
    ]
    for word in options.extra_leak_words:
        phrase = r"\s+".join(re.escape(w) for w in _normalized(word).split())
        built.append((re.compile(rf"(?<!\w){phrase}(?!\w)"), f'"{word}"'))
    return tuple(built)


def _about_something_else(text: str, match: re.Match[str]) -> bool:
    """``Invitation token expired``: not the caller's credential."""
    before = text[: match.start()].split()[-3:]
    words = set(before) | set(match.group(0).split())
    return bool(words & vocabulary.LEAK_NEUTRAL_WORDS)


def _inside_disjunction(text: str, match: re.Match[str]) -> bool:
    """``invalid or expired token`` names no single reason."""
    before = text[max(0, match.start() - 4) : match.start()]
    after = text[match.end() : match.end() + 4]
    return " or " in match.group(0) or before.endswith("or ") or after.startswith(" or")


def interpolated_detail(built: Construction) -> Part | None:
    """The first runtime value in a message that the caller must not see:
    exception text, identity, credential or a loader's reason."""
    for part in built.reported_parts():
        if part.kind in (
            PartKind.EXCEPTION,
            PartKind.IDENTITY,
            PartKind.CREDENTIAL,
            PartKind.REASON,
        ):
            return part
    return None
