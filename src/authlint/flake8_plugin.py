"""The flake8 plugin: authlint's findings as ``AUT`` codes in flake8's report."""

from __future__ import annotations

import argparse
import ast
import functools
import logging
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from authlint import __version__
from authlint.checker import check_source, may_need_check
from authlint.config import Settings, resolve_settings
from authlint.engine import (
    PerFileIgnores,
    RuleSelection,
    enabled_codes,
    not_checked,
    too_large,
)
from authlint.files import is_test_code
from authlint.findings import Finding
from authlint.project import ProjectIndex
from authlint.rules import RULES

logger = logging.getLogger(__name__)

# flake8 lists plugins as whole prefixes ("--select=E,F,AUT"); that names the
# plugin, not its opt-in rules. A longer entry ("AUT1", "AUT106") does.
_PLUGIN_PREFIX = "AUT"

# PEP 263: the encoding declaration in one of the first two lines.
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")

Flake8Result = tuple[int, int, str, type[Any]]


class AuthlintChecker:
    """Reports authlint's findings through flake8.

    Settings come from ``[tool.authlint]`` in the nearest ``pyproject.toml``
    above the checked file: its rule selection, per-file ignores and analysis
    names apply as they do for ``authlint check``. flake8's own ``--select``,
    ``--ignore``, ``--per-file-ignores`` and ``# noqa`` then apply on top, as
    for any plugin. Rules that are off by default run when either the
    ``[tool.authlint]`` selection or flake8's ``--select``/``--extend-select``
    names them by code or by a prefix longer than ``AUT``.

    A broken ``[tool.authlint]`` stops flake8 with the configuration error,
    the way flake8 treats its own bad configuration: a lint run that quietly
    ignored its settings would pass code it should not.
    """

    name = "authlint"
    version = __version__

    # Opt-in rules switched on by flake8's options, set by ``parse_options``.
    flake8_selected: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        # flake8 runs a plugin once per file only if it asks for ``tree``; the
        # tree itself is of no use, authlint parses with libcst.
        del tree
        # The work happens here rather than in run(): flake8 turns an error
        # raised while building the plugin into a one-line message, while an
        # error raised from run() would end in a traceback.
        self._findings = _check(filename, lines, self.flake8_selected)

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        selectors = [
            *(getattr(options, "select", None) or ()),
            *(getattr(options, "extend_select", None) or ()),
        ]
        cls.flake8_selected = frozenset(
            rule.code
            for rule in RULES
            if not rule.default_enabled
            and any(
                rule.code.startswith(selector)
                for selector in selectors
                if selector.startswith(_PLUGIN_PREFIX)
                and len(selector) > len(_PLUGIN_PREFIX)
            )
        )

    def run(self) -> Iterator[Flake8Result]:
        for finding in self._findings:
            # flake8 counts columns from 0, authlint from 1.
            message = f"{finding.code} {finding.message}"
            yield finding.line, finding.column - 1, message, type(self)


def _check(
    filename: str, lines: Sequence[str], flake8_selected: frozenset[str]
) -> list[Finding]:
    settings = _settings_near(_directory_of(filename))
    enabled = enabled_codes([RuleSelection.from_settings(settings)])
    enabled |= flake8_selected

    ignored = _per_file_ignores(settings).codes_for(filename)
    enabled = frozenset(
        code
        for code in enabled
        if not any(code.startswith(prefix) for prefix in ignored)
    )
    if is_test_code(filename):
        return []
    source = _source_bytes(lines)
    if len(source) > settings.max_file_size:
        # flake8 has read the file already; parsing it is what would cost.
        reason = too_large(len(source), settings.max_file_size)
        return list(not_checked(filename, reason, enabled).findings)
    if not may_need_check(source, enabled):
        return []
    return check_source(
        source,
        filename,
        enabled=enabled,
        options=settings.analysis,
        index=_project_index(),
    )


def _directory_of(filename: str) -> str:
    # flake8 names standard input "stdin" (or --stdin-display-name).
    if os.path.isfile(filename):
        return os.path.dirname(os.path.abspath(filename))
    return os.getcwd()


@functools.cache
def _settings_near(directory: str) -> Settings:
    return resolve_settings(start=Path(directory))


@functools.cache
def _per_file_ignores(settings: Settings) -> PerFileIgnores:
    return PerFileIgnores.from_settings(settings)


@functools.cache
def _project_index() -> ProjectIndex:
    # One index per process, shared by the files flake8 hands it.
    return ProjectIndex()


def _source_bytes(lines: Sequence[str]) -> bytes:
    """The file's bytes again, from the text lines flake8 decoded."""
    text = "".join(lines)
    # Encode as declared, so the parser's decoding of the cookie agrees.
    match = next(filter(None, (_CODING.match(line) for line in lines[:2])), None)
    if match is not None:
        try:
            return text.encode(match.group(1))
        except (LookupError, UnicodeError):
            logger.debug("cannot encode as %s, using UTF-8", match.group(1))
    return text.encode("utf-8", "surrogatepass")
