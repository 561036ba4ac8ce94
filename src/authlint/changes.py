"""The lines a change touched, from git: what ``--diff-base`` reports on.

The change is everything between the merge base of a reference and HEAD and
the working tree as it is now: commits on the branch, staged and unstaged
edits, and untracked files (added in full, unless git pairs one with a
deleted file as a rename). Only git's local commands run; nothing is fetched.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from authlint.findings import Finding

# ``@@ -12,3 +14,5 @@``: the new side starts at line 14 and has 5 lines; a
# missing count means 1.
_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_WHOLE_FILE = None
_DIFF = (
    "-c",
    "core.quotePath=false",
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    # Whatever diff.noprefix or diff.mnemonicPrefix say.
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "-U0",
    "-M",
)

logger = logging.getLogger(__name__)


class ChangesError(Exception):
    """git could not say what changed; its message is one line."""


@dataclass(frozen=True)
class ChangedLines:
    """Added or changed lines per file, by absolute path.

    A file mapped to None is new as a whole.
    """

    files: dict[str, frozenset[int] | None]

    def touches(self, finding: Finding) -> bool:
        """Whether any line of the finding's span was added or changed."""
        lines = self.files.get(os.path.realpath(finding.path), frozenset())
        if lines is _WHOLE_FILE:
            return True
        assert lines is not None
        return any(line in lines for line in range(finding.line, finding.end_line + 1))

    def select(self, findings: Sequence[Finding]) -> tuple[list[Finding], int]:
        """The findings on changed lines, and how many were not."""
        kept = [finding for finding in findings if self.touches(finding)]
        return kept, len(findings) - len(kept)


def changed_lines(
    base: str, paths: Sequence[str], cwd: str | None = None
) -> ChangedLines:
    """The lines changed since the merge base of ``base`` and HEAD.

    Raises ``ChangesError`` outside a git repository, for a reference git
    does not know, and for a path outside the repository.
    """
    output = _git(["rev-parse", "--show-toplevel"], cwd, "not inside a git repository")
    top = os.path.realpath(os.fsdecode(output.strip()))
    for path in paths:
        full = os.path.realpath(os.path.join(cwd or os.curdir, path))
        if full != top and not full.startswith(top + os.sep):
            raise ChangesError(f"{path} is outside the git repository at {top}")

    _git(
        ["rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"],
        top,
        f"unknown git reference {base!r}",
    )
    merge_base = (
        _git(
            ["merge-base", base, "HEAD"],
            top,
            f"no common ancestor of {base!r} and HEAD",
        )
        .decode()
        .strip()
    )

    untracked = [
        name
        for name in _git(
            ["ls-files", "--others", "--exclude-standard", "-z"],
            top,
            "git ls-files failed",
        ).split(b"\0")
        if name
    ]
    files: dict[str, frozenset[int] | None] = {}
    try:
        diff = _diff_with_untracked(merge_base, untracked, top)
    except (ChangesError, OSError) as error:
        # A git too old for the scratch index: untracked files then count
        # in full, even when they are a tracked file moved by hand.
        logger.debug("untracked files counted whole: %s", error)
        diff = _git([*_DIFF, merge_base, "--"], top, "git diff failed")
        for raw in untracked:
            files[os.path.join(top, os.fsdecode(raw))] = _WHOLE_FILE
    for name, lines in _parse_diff(diff).items():
        files[os.path.join(top, name)] = lines
    return ChangedLines(
        {os.path.realpath(path): lines for path, lines in files.items()}
    )


def _diff_with_untracked(merge_base: str, untracked: list[bytes], top: str) -> bytes:
    """The diff from ``merge_base`` to the working tree, untracked files in it.

    Untracked files are added to a scratch copy of the index as "intent to
    add", so that git diffs them as new files and pairs a file moved
    without ``git mv`` with its deletion, as a rename. The repository's own
    index is not touched.
    """
    index = _git(["rev-parse", "--git-path", "index"], top, "no git index")
    with tempfile.TemporaryDirectory(prefix="authlint-") as scratch:
        scratch_index = os.path.join(scratch, "index")
        real_index = os.path.join(top, os.fsdecode(index.strip()))
        if os.path.exists(real_index):
            shutil.copyfile(real_index, scratch_index)
        environment = {"GIT_INDEX_FILE": scratch_index}
        if untracked:
            _git(
                [
                    "--literal-pathspecs",
                    "add",
                    "--intent-to-add",
                    "--pathspec-from-file=-",
                    "--pathspec-file-nul",
                ],
                top,
                "git add --intent-to-add failed",
                environment,
                b"\0".join(untracked),
            )
        return _git([*_DIFF, merge_base, "--"], top, "git diff failed", environment)


def _parse_diff(diff: bytes) -> dict[str, frozenset[int]]:
    """Added line numbers per file (repository-relative) from a ``-U0`` diff."""
    result: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.split(b"\n"):
        if line.startswith(b"+++ "):
            target = line[4:]
            if target == b"/dev/null":  # deleted: nothing of it can be reported
                current = None
            else:
                name = _unquote(target)
                current = result.setdefault(
                    name[2:] if name.startswith("b/") else name, set()
                )
        elif line.startswith(b"@@ ") and current is not None:
            match = _HUNK.match(line)
            if match:
                start = int(match.group(1))
                count = int(match.group(2)) if match.group(2) is not None else 1
                current.update(range(start, start + count))
    return {name: frozenset(lines) for name, lines in result.items()}


def _unquote(raw: bytes) -> str:
    # With core.quotePath off, git still quotes names with control characters
    # or quotes, in C style.
    if raw.startswith(b'"') and raw.endswith(b'"'):
        raw = raw[1:-1].decode("unicode_escape").encode("latin-1")
    return os.fsdecode(raw)


def _git(
    arguments: list[str],
    cwd: str | None,
    failure: str,
    environment: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> bytes:
    # No prompt for credentials, whatever the configuration: nothing here
    # needs the network.
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    env.update(environment or {})
    try:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=cwd,
            env=env,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            check=False,
        )
    except OSError as error:
        raise ChangesError(f"cannot run git: {error.strerror or error}") from None
    if completed.returncode != 0:
        logger.debug("git %s: %s", " ".join(arguments), completed.stderr.decode())
        raise ChangesError(failure)
    return completed.stdout
