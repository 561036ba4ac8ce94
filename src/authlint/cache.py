"""Outcomes of parsed files, kept between runs so unchanged files are not
parsed again.

An entry is found by a key made of everything the outcome depends on: the
file's bytes and absolute path, authlint's version, the effective settings,
the rules that apply to the file and the project's import roots. The files
its imports were looked up in (found or not) are stored in the entry with
their content hashes, and checked on every use, so editing an imported
helper module re-checks the modules that import it. A files index keeps,
per file, its size, times and inode with its content hash (or a mark for
files the pre-filter passed over), so a file that has not changed since is
not even read.

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
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from authlint import __version__
from authlint.engine import (
    CheckPlan,
    FileOutcome,
    FileStatus,
    Prepared,
    content_digest,
)
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
# How long ago a file must have changed for its stamp to be trusted.
_SETTLED_NS = 2_000_000_000
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
        # The files seen before, by absolute path: their stamp and digest.
        self._files_index = self._entries / f"files-{self._base[:16]}.idx"
        self._files: dict[str, list[Any]] | None = None
        self._files_changed = False

    def set_roots(self, roots: Iterable[Path]) -> None:
        """The import roots of this run; they decide how imports resolve."""
        self._roots = _digest(*(os.fspath(root) for root in roots))

    def get(
        self, path: str, enabled: frozenset[str], digest: str
    ) -> FileOutcome | None:
        """The stored outcome of the file at ``path`` with content ``digest``
        and the codes ``enabled`` for it, if still valid."""
        entry = self._entry(path, enabled, digest)
        try:
            data = json.loads(entry.read_bytes())
            if not all(self._hash(dep) == hashed for dep, hashed in data["deps"]):
                return None
            outcome = FileOutcome(
                path,
                FileStatus(data["status"]),
                tuple(_finding(path, item) for item in data["findings"]),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            logger.debug("ignoring cache entry %s: %s", entry, error)
            return None
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
            entry = self._entry(
                prepared.path, prepared.enabled, content_digest(prepared.source)
            )
            self._write(entry, json.dumps(data).encode())
        except OSError as error:
            logger.debug("cannot write to the cache in %s: %s", self.directory, error)
            return

    def recall(self, path: str) -> str | None:
        """What ``remember`` kept for ``path``, if the file is unchanged since.

        Unchanged means the same size, modification and status-change times
        and inode, as git and Ruff judge it, so an unchanged file is not
        even read.
        """
        if self._files is None:
            self._files = self._read_files()
        known = self._files.get(os.path.abspath(path))
        if known is None:
            return None
        try:
            stamp = _stamp(os.stat(path))
        except OSError:
            return None
        return known[-1] if known[:-1] == stamp else None

    def remember(self, path: str, digest: str) -> None:
        """Keep ``digest`` (or a mark) for ``path`` as it is on disk now."""
        try:
            status = os.stat(path)
        except OSError:
            return
        # A file changed within the clock's resolution of being read could
        # change again without a new time: trust only settled files.
        if time.time_ns() - status.st_mtime_ns < _SETTLED_NS:
            return
        if self._files is None:
            self._files = self._read_files()
        record = [*_stamp(status), digest]
        key = os.path.abspath(path)
        if self._files.get(key) != record:
            self._files[key] = record
            self._files_changed = True

    def save(self) -> None:
        """Write what ``remember`` learned in this run."""
        if not self._files_changed or self._files is None:
            return
        try:
            self._write(self._files_index, json.dumps(self._files).encode())
        except OSError as error:
            logger.debug("cannot write to the cache in %s: %s", self.directory, error)
        self._files_changed = False

    def _read_files(self) -> dict[str, list[Any]]:
        try:
            files = json.loads(self._files_index.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            logger.debug("ignoring %s: %s", self._files_index, error)
            return {}
        if not isinstance(files, dict):
            return {}
        return files

    def _entry(self, path: str, enabled: frozenset[str], digest: str) -> Path:
        key = _digest(
            self._base,
            self._roots,
            os.path.abspath(path),
            ",".join(sorted(enabled)),
            digest,
        )
        return self._entries / key[:2] / f"{key[2:]}.json"

    def _hash(self, path: str) -> str | None:
        """A dependency's content hash; for a folder, that of its listing (a
        project-wide search depends on which files a folder holds)."""
        if path not in self._hashes:
            try:
                if os.path.isdir(path):
                    # Hidden entries (this cache among them) and bytecode
                    # come and go without changing any project search.
                    names = sorted(
                        name
                        for name in os.listdir(path)
                        if not name.startswith(".") and name != "__pycache__"
                    )
                    listing = "\n".join(names).encode()
                    self._hashes[path] = hashlib.sha256(listing).hexdigest()
                else:
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


def _stamp(status: os.stat_result) -> list[int]:
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]


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
