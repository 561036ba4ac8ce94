"""Walks each function's statements to find denials and the path to them.

The path condition of a denial is the list of branch conditions it sits
under, innermost last, each with the value it must have (``else`` branches
and code after an early ``return`` see the condition as false), plus the
``except`` clauses around it. ``guards.ConditionReader`` reads what each
condition tests; this module decides which piece of evidence speaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from authlint.analysis.context import (
    HandlerContext,
    dependency_calls,
    handler_context,
)
from authlint.analysis.facts import Denial, Evidence, FailureKind, source_text
from authlint.analysis.guards import (
    AtomKind,
    ConditionReader,
    classify_words,
    split_words,
)
from authlint.analysis.imports import dotted_name
from authlint.analysis.responses import DENIAL_STATUSES
from authlint.analysis.symbols import (
    ModuleSymbols,
    assignment_pairs,
    blocks,
    small_statements,
    suite_statements,
)
from authlint.config import AnalysisOptions
from authlint.frameworks import exceptions, vocabulary

# A condition, the value it has on the path, and whether the path runs inside
# its branch (True) or after it, because every other branch left (False).
Guard = tuple[cst.BaseExpression, bool, bool]


@dataclass(frozen=True)
class HandlerFrame:
    """An ``except`` clause being walked, and how many guards were already
    in force when it was entered."""

    handler: cst.ExceptHandler
    guard_depth: int


@dataclass
class _Function:
    context: HandlerContext
    reader: ConditionReader
    local: dict[str, cst.BaseExpression]
    function: cst.FunctionDef


class HandlerWalker:
    """Finds every denial of a module and the evidence of its failure kind."""

    def __init__(
        self,
        symbols: ModuleSymbols,
        options: AnalysisOptions,
        error_callbacks: frozenset[str],
        out: list[Denial],
    ) -> None:
        self.symbols = symbols
        self.options = options
        self.error_callbacks = error_callbacks
        self.out = out

    def walk_module(self) -> None:
        for definition, cls in self.symbols.definitions:
            if isinstance(definition, cst.FunctionDef):
                self._function(definition, cls)

    # -- one function ----------------------------------------------------------

    def _function(self, function: cst.FunctionDef, cls: cst.ClassDef | None) -> None:
        body = suite_statements(function.body)
        context = handler_context(
            function, cls, self.symbols, self.options, self.error_callbacks
        )
        local = _single_assignments(body)
        derived = self._derived_names(function, body)
        records = frozenset(
            name
            for name, value in local.items()
            if name not in derived and _looked_up_by_id(value)
        )
        reader = ConditionReader(self.options, derived, records)
        state = _Function(context, reader, local, function)
        self._block(state, body, [], [])

    def _block(
        self,
        state: _Function,
        body: list[cst.BaseStatement],
        guards: list[Guard],
        frames: list[HandlerFrame],
    ) -> None:
        guards = list(guards)
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self._statement(state, small, guards, frames)
            elif isinstance(statement, cst.If):
                guards.extend(self._if(state, statement, guards, frames))
            elif isinstance(statement, (cst.Try, cst.TryStar)):
                self._block(state, suite_statements(statement.body), guards, frames)
                for handler in statement.handlers:
                    frame = HandlerFrame(handler, len(guards))  # type: ignore[arg-type]
                    self._block(
                        state,
                        suite_statements(handler.body),
                        guards,
                        [*frames, frame],
                    )
                for extra in (statement.orelse, statement.finalbody):
                    if extra is not None:
                        self._block(state, suite_statements(extra.body), guards, frames)
            elif not isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                for block in blocks(statement):
                    self._block(state, block, guards, frames)

    def _if(
        self,
        state: _Function,
        statement: cst.If,
        guards: list[Guard],
        frames: list[HandlerFrame],
    ) -> list[Guard]:
        """Walk an if/elif/else chain; return the guards that hold after it
        when all but one of its branches leave the block."""
        branches: list[tuple[list[Guard], list[cst.BaseStatement]]] = []
        earlier: list[Guard] = []
        current: cst.If | None = statement
        else_body: list[cst.BaseStatement] | None = None
        while current is not None:
            branches.append(
                ([*earlier, (current.test, True, True)], suite_statements(current.body))
            )
            earlier.append((current.test, False, True))
            orelse = current.orelse
            if isinstance(orelse, cst.If):
                current = orelse
            else:
                if isinstance(orelse, cst.Else):
                    else_body = suite_statements(orelse.body)
                current = None
        branches.append((earlier, else_body or []))

        for branch_guards, body in branches:
            self._block(state, body, [*guards, *branch_guards], frames)

        staying = [g for g, body in branches if not self._leaves(body)]
        if len(staying) != 1:
            return []
        return [(test, value, False) for test, value, _ in staying[0]]

    def _leaves(self, body: list[cst.BaseStatement]) -> bool:
        if not body:
            return False
        last = body[-1]
        if isinstance(last, cst.SimpleStatementLine) and last.body:
            if isinstance(last.body[-1], (cst.Continue, cst.Break)):
                return True
        return self.symbols.ends_in_exit(body, {})

    # -- denials ---------------------------------------------------------------

    def _statement(
        self,
        state: _Function,
        small: cst.BaseSmallStatement,
        guards: list[Guard],
        frames: list[HandlerFrame],
    ) -> None:
        if isinstance(small, cst.Return):
            value = small.value
        elif isinstance(small, cst.Raise):
            value = small.exc
        elif isinstance(small, cst.Expr) and isinstance(
            small.value, (cst.Call, cst.Await)
        ):
            value = small.value
        else:
            return
        if value is None:
            return
        shape = self.symbols.denial_of(value, None, state.local)
        if shape is None or not isinstance(shape.status, int):
            return
        if shape.status not in DENIAL_STATUSES:
            return
        broad, broad_text = self._broad_handler(guards, frames)
        self.out.append(
            Denial(
                node=shape.status_node or small,
                status=shape.status,
                evidence=self._evidence(state, value, guards, frames),
                broad_except=broad,
                broad_except_text=broad_text,
                value=value,
                statement=small,
                function=state.function,
            )
        )

    def _evidence(
        self,
        state: _Function,
        value: cst.BaseExpression,
        guards: list[Guard],
        frames: list[HandlerFrame],
    ) -> Evidence | None:
        """The strongest evidence of the failure kind: the handler's role, the
        exception being handled, the innermost deciding condition, and last
        the message."""
        role = state.context.role
        if role is not None:
            kind = FailureKind.CREDENTIAL if role.credential else FailureKind.PERMISSION
            return Evidence(kind, role.what)

        if frames:
            handled = self._handled_kind(frames[-1].handler)
            if handled is not None:
                return handled

        inside_branch = False
        for test, taken, branch in reversed(guards):
            if not branch and inside_branch:
                # What an earlier early return established is context for
                # the branch the denial is in, not the reason for it.
                continue
            inside_branch = inside_branch or branch
            guard = state.reader.guard_kind(test, taken)
            if guard is None:
                continue
            text = source_text(self.symbols.module, test)
            condition = f"`{text}`" if taken else f"`not ({text})`"
            return Evidence(
                guard,
                f"the condition {condition}",
                test if guard is FailureKind.MIXED else None,
            )

        return self._message_evidence(state, value)

    def _message_evidence(
        self, state: _Function, value: cst.BaseExpression
    ) -> Evidence | None:
        text = " ".join(_strings(value, state.local)).lower()
        if not text:
            return None
        for phrase in vocabulary.CREDENTIAL_MESSAGES:
            if _contains_phrase(text, phrase):
                if state.context.authenticated:
                    return None
                return Evidence(FailureKind.CREDENTIAL, f'the message "{phrase}"')
        for phrase in vocabulary.PERMISSION_MESSAGES:
            if _contains_phrase(text, phrase):
                return Evidence(FailureKind.PERMISSION, f'the message "{phrase}"')
        return None

    # -- except clauses --------------------------------------------------------

    def _handled_kind(self, handler: cst.ExceptHandler) -> Evidence | None:
        kinds: set[FailureKind] = set()
        names = []
        for node in _exception_types(handler):
            kind = self._exception_kind(node)
            if kind is None:
                # Validation errors caught next to the token's own errors
                # (a malformed payload) say nothing either way.
                continue
            kinds.add(kind)
            names.append(dotted_name(node) or "")
        if len(kinds) != 1:
            return None
        (kind,) = kinds
        shown = ", ".join(f"`{n}`" for n in names)
        return Evidence(kind, f"the handled {shown}")

    def _exception_kind(self, node: cst.BaseExpression) -> FailureKind | None:
        name = dotted_name(node)
        if name is None:
            return None
        qualified = self.symbols.imports.qualify(node) or name
        last = qualified.rsplit(".", 1)[-1]
        if last == "DoesNotExist" and "." in name:
            model = name.rsplit(".", 2)[-2]
            parts = split_words(model)
            if any(p in exceptions.CREDENTIAL_MODELS for p in parts) or any(
                pair == ("api", "key") for pair in zip(parts, parts[1:])
            ):
                return FailureKind.CREDENTIAL
            return None
        if last in exceptions.PERMISSION_EXCEPTION_NAMES:
            return FailureKind.PERMISSION
        if last in exceptions.CREDENTIAL_EXCEPTION_NAMES:
            return FailureKind.CREDENTIAL
        if any(
            qualified == module or qualified.startswith(module + ".")
            for module in exceptions.CREDENTIAL_EXCEPTION_MODULES
        ):
            return FailureKind.CREDENTIAL
        return None

    def _broad_handler(
        self, guards: list[Guard], frames: list[HandlerFrame]
    ) -> tuple[cst.ExceptHandler | None, str]:
        """The innermost ``except`` clause, when it catches everything or only
        errors unrelated to authentication and nothing narrows it down."""
        if not frames:
            return None, ""
        frame = frames[-1]
        narrowed = any(
            _mentions_isinstance(test) for test, _, _ in guards[frame.guard_depth :]
        )
        if narrowed:
            return None, ""
        handler = frame.handler
        if handler.type is None:
            return handler, "a bare `except:`"
        types = list(_exception_types(handler))
        names = [dotted_name(t) or "" for t in types]
        lasts = [n.rsplit(".", 1)[-1] for n in names]
        if any(last in exceptions.BROAD_EXCEPTIONS for last in lasts):
            return (
                handler,
                f"`except {source_text(self.symbols.module, handler.type)}`",
            )
        unrelated = exceptions.UNRELATED_EXCEPTION_NAMES
        if names and all(
            n in unrelated or n.rsplit(".", 1)[-1] in unrelated for n in names
        ):
            return (
                handler,
                f"`except {source_text(self.symbols.module, handler.type)}`",
            )
        return None, ""

    # -- names bound from credentials ------------------------------------------

    def _derived_names(
        self, function: cst.FunctionDef, body: list[cst.BaseStatement]
    ) -> frozenset[str]:
        """Local names bound from a credential: a decoded token, the result of
        ``authenticate(...)``, a record looked up by API key, or an identity
        handed in by a FastAPI dependency."""
        derived: set[str] = set()
        params = function.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            annotation = param.annotation.annotation if param.annotation else None
            if _is_identity_name(param.name.value) and any(
                dependency_calls(node) for node in (param.default, annotation) if node
            ):
                derived.add(param.name.value)
        assignments = [
            (target, value)
            for small in small_statements(body)
            for target, value in assignment_pairs(small)
        ]
        for _ in range(2):
            for target, value in assignments:
                if target not in derived and self._from_credential(
                    value, derived, identity=_is_identity_name(target)
                ):
                    derived.add(target)
        return frozenset(derived)

    def _from_credential(
        self, value: cst.BaseExpression, derived: set[str], *, identity: bool
    ) -> bool:
        """Whether ``value`` is made from a credential. A name that is not
        identity-like (``partner``, ``record``) counts only when the value is
        made straight from the credential itself, not from an identity."""
        if isinstance(value, cst.Await):
            value = value.expression
        full = dotted_name(value)
        if full is not None:
            return identity and (
                full in vocabulary.IDENTITY_EXPRESSIONS or full in derived
            )
        if isinstance(value, cst.Subscript):
            return identity and dotted_name(value.value) in derived
        if not isinstance(value, cst.Call):
            return False
        callee = (dotted_name(value.func) or "").replace(".", "_")
        callee_kind = classify_words(callee, self.options)
        if callee_kind is AtomKind.PERMISSION:
            return False
        parts = set(split_words(callee))
        if identity and (
            callee_kind is AtomKind.CREDENTIAL
            or ("current" in parts and parts & {"user", "identity"})
        ):
            return True
        sources = derived if identity else set()
        return any(
            _mentions_credential(arg.value, sources, self.options)
            or _keyword_is_credential(arg, self.options)
            for arg in _chain_arguments(value)
        )


def _single_assignments(body: list[cst.BaseStatement]) -> dict[str, cst.BaseExpression]:
    seen: dict[str, list[cst.BaseExpression]] = {}
    for small in small_statements(body):
        for target, value in assignment_pairs(small):
            seen.setdefault(target, []).append(value)
    return {name: values[0] for name, values in seen.items() if len(values) == 1}


def _is_identity_name(name: str) -> bool:
    return name in vocabulary.IDENTITY_NAMES or any(
        p in vocabulary.CREDENTIAL_WORDS for p in split_words(name)
    )


def _chain_arguments(call: cst.Call) -> Iterator[cst.Arg]:
    """Arguments of every call in a method chain:
    ``User.query.filter_by(api_key=key).first()``."""
    node: cst.BaseExpression = call
    while True:
        if isinstance(node, cst.Call):
            yield from node.args
            node = node.func
        elif isinstance(node, cst.Attribute):
            node = node.value
        else:
            return


def _keyword_is_credential(arg: cst.Arg, options: AnalysisOptions) -> bool:
    """``filter_by(api_key=...)``, ``objects.get(key=...)``."""
    if arg.keyword is None:
        return False
    keyword = arg.keyword.value
    return keyword == "key" or classify_words(keyword, options) is AtomKind.CREDENTIAL


def _mentions_credential(
    node: cst.CSTNode, derived: set[str], options: AnalysisOptions
) -> bool:
    """Whether an expression reads a credential-named or derived name."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Name, cst.Attribute)):
            name = dotted_name(current)
            if name is not None:
                if name in derived:
                    return True
                last = name.rsplit(".", 1)[-1]
                if classify_words(last, options) is AtomKind.CREDENTIAL:
                    return True
                if isinstance(current, cst.Name):
                    continue
        if isinstance(current, (cst.SimpleString, cst.Lambda)):
            continue
        stack.extend(current.children)
    return False


def _looked_up_by_id(value: cst.BaseExpression) -> bool:
    """``repo.get_one(token_id)``, ``Token.objects.get(pk=pk)``: a record."""
    if isinstance(value, cst.Await):
        value = value.expression
    if not isinstance(value, cst.Call):
        return False
    for arg in _chain_arguments(value):
        if arg.keyword is not None and arg.keyword.value in vocabulary.ID_WORDS:
            return True
        name = dotted_name(arg.value)
        if name is not None:
            parts = split_words(name.rsplit(".", 1)[-1])
            if parts and parts[-1] in vocabulary.ID_WORDS:
                return True
    return False


def _exception_types(handler: cst.ExceptHandler) -> Iterator[cst.BaseExpression]:
    if handler.type is None:
        return
    if isinstance(handler.type, cst.Tuple):
        for element in handler.type.elements:
            yield element.value
    else:
        yield handler.type


def _mentions_isinstance(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Call) and dotted_name(node.func) == "isinstance":
        return True
    return any(_mentions_isinstance(child) for child in node.children)


def _strings(node: cst.CSTNode, local: dict[str, cst.BaseExpression]) -> Iterator[str]:
    """The literal text in an expression, following names bound once."""
    stack: list[cst.CSTNode] = [node]
    seen = 0
    while stack and seen < 200:
        current = stack.pop()
        seen += 1
        if isinstance(current, cst.SimpleString):
            value = current.evaluated_value
            if isinstance(value, str):
                yield value
        elif isinstance(current, cst.FormattedStringText):
            yield current.value
        elif isinstance(current, cst.Name) and current.value in local:
            stack.append(local[current.value])
        stack.extend(reversed(current.children))


def _contains_phrase(text: str, phrase: str) -> bool:
    return re.search(r"(?<![a-z])" + re.escape(phrase) + r"(?![a-z])", text) is not None
