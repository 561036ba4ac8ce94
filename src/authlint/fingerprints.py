"""Identities of findings that survive edits elsewhere in the file.

A fingerprint names a finding by its rule, its file (relative to the project
root) and the code it points at, never by its line number: inserting an
import at the top of a module, or moving a function further down, keeps the
fingerprints of the findings below. Baselines and SARIF's
``partialFingerprints`` both use it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tokenize
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from authlint.findings import Finding

# Bumped whenever the recipe below changes, so a baseline written by an older
# version is told apart instead of silently matching nothing.
FINGERPRINT_VERSION = 1

_SPACE = re.compile(r"\s+")
_TRAILING_COMMENT = re.compile(r"#[^'\"]*$")


def relative_path(path: str, root: Path) -> str:
    """``path`` relative to ``root`` with forward slashes, or absolute when
    the file lies outside ``root``."""
    full = os.path.abspath(path)
    try:
        relative = os.path.relpath(full, os.path.abspath(root))
    except ValueError:  # another drive on Windows
        return Path(full).as_posix()
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return Path(full).as_posix()
    return relative.replace(os.sep, "/")


def flagged_code(finding: Finding, lines: Sequence[bytes]) -> str:
    """The lines a finding spans, without comments and without whitespace.

    Whole lines rather than the reported node: ``403`` alone would say
    little about which denial it is. Comments go, so that adding a
    ``# noqa`` or a remark does not change the identity; whitespace goes, so
    that reformatting or re-indenting (moving code into a block) does not.
    """
    first = max(finding.line, 1)
    last = max(finding.end_line, first)
    chunk = [line.decode("utf-8", "replace") for line in lines[first - 1 : last]]
    return _SPACE.sub("", "".join(_without_comments(chunk)))


def _without_comments(lines: list[str]) -> list[str]:
    # The comments' places come from the tokenizer, not the token texts:
    # those differ between Python versions (f-strings), the source does not.
    text = "\n".join(lines) + "\n"
    try:
        comments = [
            token.start
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError):
        # A span that starts or ends inside brackets is no complete token
        # stream: take a ``#`` followed by no quote as a comment's start.
        return [_TRAILING_COMMENT.sub("", line) for line in lines]
    kept = list(lines)
    for row, column in comments:
        kept[row - 1] = kept[row - 1][:column]
    return kept


def fingerprint_findings(
    findings: Iterable[Finding],
    root: Path,
    source_of: Callable[[str], bytes | None],
) -> dict[Finding, str]:
    """A fingerprint per finding.

    ``source_of`` returns a file's bytes (None when it cannot be read: the
    finding then is named by its rule and path alone). Findings of one rule
    on identical code in one file are told apart by their order.
    """
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)

    result: dict[Finding, str] = {}
    for path, in_file in by_path.items():
        source = source_of(path)
        lines = source.splitlines() if source is not None else []
        where = relative_path(path, root)
        seen: dict[tuple[str, str], int] = {}
        for finding in sorted(in_file):
            code = flagged_code(finding, lines)
            occurrence = seen.get((finding.code, code), 0)
            seen[(finding.code, code)] = occurrence + 1
            result[finding] = _digest(finding.code, where, code, occurrence)
    return result


def _digest(code: str, path: str, flagged: str, occurrence: int) -> str:
    text = "\0".join((str(FINGERPRINT_VERSION), code, path, flagged, str(occurrence)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def read_or_none(path: str, known: Mapping[str, bytes] | None = None) -> bytes | None:
    """A file's bytes for fingerprinting; ``known`` sources (standard input)
    come first."""
    if known is not None and path in known:
        return known[path]
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError:
        return None


def repository_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` with a ``.git`` entry (the
    top of a repository, also of a worktree or submodule), else ``start``."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start
