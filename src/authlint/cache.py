"""Outcomes of parsed files, kept between runs so unchanged files are not
parsed again.

An entry is found by a key made of everything the outcome depends on: the
file's bytes and absolute path, authlint's version, the effective settings,
the rules that apply to the file and the project's import roots. The files
its imports were looked up in (found or not) are stored in the entry with
their content hashes, and checked on every use, so editing an imported
helper module re-checks the modules that import it.

The cache is only an accelerator: an entry that cannot be read, parsed or
written is ignored, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from authlint import __version__
from authlint.engine import CheckPlan, FileOutcome, FileStatus, Prepared
from authlint.findings import Finding, Severity

logger = logging.getLogger(__name__)

CACHE_DIRNAME = ".authlint_cache"
# Bumped whenever the entries' layout changes.
_LAYOUT = "1"
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by authlint.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n"
)
# Finding fields stored per finding; the path is the checked file's own.
_FIELDS = ("line", "column", "code", "message", "end_line", "end_column", "name")


class ResultCache:
    """Outcomes by key, under ``directory``.

    ``settings`` is any text that stands for the effective configuration;
    the plan's limits and analysis names are added to it here.
    """

    def __init__(self, directory: Path, plan: CheckPlan, settings: str) -> None:
        self.directory = directory
        self._entries = directory / f"v{_LAYOUT}"
        self._base = _digest(
            __version__,
            _LAYOUT,
            settings,
            repr(plan.options),
            repr(plan.file_timeout),
            repr(plan.max_file_size),
        )
        self._roots = ""
        # Content hashes of dependencies, read once per run.
        self._hashes: dict[str, str | None] = {}
        self._prepared = False
        self.hits = 0
        self.writes = 0

    def set_roots(self, roots: Iterable[Path]) -> None:
        """The import roots of this run; they decide how imports resolve."""
        self._roots = _digest(*(os.fspath(root) for root in roots))

    def get(self, prepared: Prepared) -> FileOutcome | None:
        """The stored outcome of ``prepared``, if still valid."""
        entry = self._entry(prepared)
        try:
            data = json.loads(entry.read_bytes())
            if not all(self._hash(path) == hashed for path, hashed in data["deps"]):
                return None
            outcome = FileOutcome(
                prepared.path,
                FileStatus(data["status"]),
                tuple(_finding(prepared.path, item) for item in data["findings"]),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            logger.debug("ignoring cache entry %s: %s", entry, error)
            return None
        self.hits += 1
        return outcome

    def put(
        self, prepared: Prepared, outcome: FileOutcome, dependencies: Sequence[str]
    ) -> None:
        """Store ``outcome``; internal errors are not kept, so they show again."""
        if outcome.status is FileStatus.FAILED:
            return
        data = {
            "status": outcome.status.value,
            "findings": [
                [getattr(finding, name) for name in _FIELDS] + [finding.severity.value]
                for finding in outcome.findings
            ],
            "deps": [[path, self._hash(path)] for path in dependencies],
        }
        try:
            self._write(self._entry(prepared), json.dumps(data).encode())
        except OSError as error:
            logger.debug("cannot write to the cache in %s: %s", self.directory, error)
            return
        self.writes += 1

    def _entry(self, prepared: Prepared) -> Path:
        key = _digest(
            self._base,
            self._roots,
            os.path.abspath(prepared.path),
            ",".join(sorted(prepared.enabled)),
            hashlib.sha256(prepared.source).hexdigest(),
        )
        return self._entries / key[:2] / f"{key[2:]}.json"

    def _hash(self, path: str) -> str | None:
        if path not in self._hashes:
            try:
                with open(path, "rb") as file:
                    self._hashes[path] = hashlib.sha256(file.read()).hexdigest()
            except OSError:
                self._hashes[path] = None
        return self._hashes[path]

    def _write(self, entry: Path, content: bytes) -> None:
        if not self._prepared:
            self._prepare()
        entry.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed, so a reader never sees half an entry
        # and two runs at once do not mix theirs.
        handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.replace(temporary, entry)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def _prepare(self) -> None:
        """Create the directory, marked as a cache for git and backup tools."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", _TAG), (".gitignore", "*\n")):
            marker = self.directory / name
            if not marker.exists():
                marker.write_text(text, encoding="utf-8")
        self._prepared = True


def _finding(path: str, item: list[Any]) -> Finding:
    line, column, code, message, end_line, end_column, name, severity = item
    return Finding(
        path=path,
        line=int(line),
        column=int(column),
        code=str(code),
        message=str(message),
        end_line=int(end_line),
        end_column=int(end_column),
        name=str(name),
        severity=Severity(severity),
    )


def _digest(*parts: str) -> str:
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part.encode("utf-8", "surrogatepass"))
        hashed.update(b"\0")
    return hashed.hexdigest()
