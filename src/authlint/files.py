"""Finding the Python files to check, and the path patterns that exclude them."""

from __future__ import annotations

import fnmatch
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

# Directories that hold tools' state, dependencies or build output, never the
# project's own source. ``exclude`` replaces this list; ``extend-exclude`` adds.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".authlint_cache",
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    "*.egg-info",
)

SOURCE_SUFFIX = ".py"


class PathNotFoundError(Exception):
    """A path named on the command line does not exist."""


@dataclass(frozen=True)
class _Glob:
    regex: re.Pattern[str]
    # A pattern with a slash is matched against the path below the root; one
    # without is matched against each file or directory name.
    anchored: bool
    # A pattern written with a trailing slash matches directories only.
    directory_only: bool


class PathPatterns:
    """Gitignore-like globs, in the flake8 and Ruff manner.

    ``*.pyc`` or ``migrations`` (no slash) match a file or directory of that
    name at any depth; ``src/legacy`` or ``tests/*/data`` (with a slash) match
    the path relative to ``root``. A directory that matches covers everything
    below it. ``*`` also crosses slashes, as in fnmatch; a leading ``**/``
    means "at any depth".
    """

    def __init__(self, patterns: Iterable[str], root: Path) -> None:
        self.patterns = tuple(patterns)
        self.root = os.path.abspath(root)
        self._globs = tuple(_compile(pattern) for pattern in self.patterns)
        # Working out a relative path costs more than all name matches of a
        # typical walk together; only anchored patterns need it.
        self._anchored = any(glob.anchored for glob in self._globs)

    def __repr__(self) -> str:
        return f"PathPatterns({self.patterns!r}, root={self.root!r})"

    def matches_entry(self, path: str, *, is_dir: bool) -> bool:
        """Whether one file or directory met while walking is matched itself.

        Its parents are not looked at: the walk never entered an excluded one.
        """
        name = os.path.basename(path)
        relative = self._relative(path) if self._anchored else None
        for glob in self._globs:
            if glob.directory_only and not is_dir:
                continue
            subject = relative if glob.anchored else name
            if subject is not None and glob.regex.match(subject):
                return True
        return False

    def matches(self, path: str) -> bool:
        """Whether a file, or any directory it is in, is matched."""
        relative = self._relative(path)
        # Outside the root only the file's own name can be compared.
        parts = [os.path.basename(path)] if relative is None else relative.split("/")
        for depth in range(len(parts), 0, -1):
            is_dir = depth < len(parts)
            name, below_root = parts[depth - 1], "/".join(parts[:depth])
            for glob in self._globs:
                if glob.directory_only and not is_dir:
                    continue
                if glob.anchored:
                    hit = relative is not None and glob.regex.match(below_root)
                else:
                    hit = glob.regex.match(name)
                if hit:
                    return True
        return False

    def _relative(self, path: str) -> str | None:
        full = os.path.abspath(path)
        try:
            relative = os.path.relpath(full, self.root)
        except ValueError:  # another drive on Windows
            return None
        if relative in (os.curdir, os.pardir) or relative.startswith(
            os.pardir + os.sep
        ):
            return None
        return relative.replace(os.sep, "/")


def _compile(pattern: str) -> _Glob:
    text = pattern.strip().replace(os.sep, "/")
    directory_only = text.endswith("/")
    text = text.rstrip("/")
    if text.startswith("./"):
        text = text[2:]

    anywhere = text.startswith("**/")
    if anywhere:
        text = text[3:]
    anchored = text.startswith("/") or "/" in text.lstrip("/")
    text = text.lstrip("/")

    regex = fnmatch.translate(text)
    if anywhere and anchored:
        regex = "(?:.*/)?" + regex
    return _Glob(re.compile(regex), anchored, directory_only)


def exclusion_patterns(
    exclude: Sequence[str] | None, extend_exclude: Sequence[str], root: Path
) -> PathPatterns:
    """The effective excludes: ``exclude`` (or the defaults) plus the extension."""
    base = DEFAULT_EXCLUDE if exclude is None else tuple(exclude)
    return PathPatterns((*base, *extend_exclude), root)


@dataclass(frozen=True)
class Discovery:
    """The files to check, and the directories that could not be listed."""

    # Paths as the user wrote them, joined with what was found below; sorted.
    files: tuple[str, ...]
    unreadable_directories: tuple[tuple[str, OSError], ...] = ()


def discover(paths: Sequence[str], excluded: PathPatterns) -> Discovery:
    """Expand files and directories into the Python files to check.

    Files named explicitly are always checked, whatever their name and the
    excludes: the caller (a person, pre-commit, an editor) chose them.
    Directories are walked for ``.py`` files, leaving out excluded entries
    and virtual environments, and following symbolic links once per real
    directory so a link loop ends.

    Raises ``PathNotFoundError`` for a path that does not exist.
    """
    found: dict[str, str] = {}
    unreadable: list[tuple[str, OSError]] = []
    visited: set[str] = set()

    for argument in paths:
        path = os.path.normpath(argument)
        if os.path.isdir(path):
            _walk(path, excluded, visited, found, unreadable)
        elif os.path.lexists(path):
            found.setdefault(os.path.abspath(path), path)
        else:
            raise PathNotFoundError(f"no such file or directory: {argument}")

    logger.debug("discovered %d files in %d paths", len(found), len(paths))
    return Discovery(
        files=tuple(sorted(found.values())),
        unreadable_directories=tuple(sorted(unreadable, key=lambda item: item[0])),
    )


def _walk(
    top: str,
    excluded: PathPatterns,
    visited: set[str],
    found: dict[str, str],
    unreadable: list[tuple[str, OSError]],
) -> None:
    # Linked directories wait until every plain one is done, so a file that is
    # reachable both ways keeps the path without the link.
    pending: list[str] = [top]
    linked: list[str] = []
    while pending or linked:
        directory = pending.pop() if pending else linked.pop(0)
        real = os.path.realpath(directory)
        if real in visited:
            continue
        visited.add(real)

        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            logger.debug("cannot list %s: %s", directory, error)
            unreadable.append((directory, error))
            continue

        subdirectories = []
        for entry in entries:
            # Keep "." out of the reported paths: "app.py", not "./app.py".
            path = entry.name if directory == os.curdir else entry.path
            try:
                is_dir = entry.is_dir()
                is_file = entry.is_file()
            except OSError:  # a link loop, or a file that just vanished
                is_dir = is_file = False

            if is_dir:
                if excluded.matches_entry(path, is_dir=True) or _is_virtualenv(path):
                    logger.debug("excluded directory %s", path)
                elif entry.is_symlink():
                    linked.append(path)
                else:
                    subdirectories.append(path)
            elif entry.name.endswith(SOURCE_SUFFIX):
                if excluded.matches_entry(path, is_dir=False):
                    logger.debug("excluded file %s", path)
                # A dangling link is reported by the reader as unreadable;
                # pipes and sockets would block a reader and are passed over.
                elif is_file or entry.is_symlink():
                    found.setdefault(os.path.abspath(path), path)
        pending.extend(reversed(subdirectories))


def _is_virtualenv(directory: str) -> bool:
    # Every virtualenv, whatever its name, has this file at its top (PEP 405).
    return os.path.exists(os.path.join(directory, "pyvenv.cfg"))


# Folder names that hold test code, and the file names pytest and Django
# give test modules.
_TEST_FOLDERS = frozenset({"tests", "test", "testing"})
_TEST_MODULES = frozenset({"conftest.py", "tests.py"})


def is_test_code(path: str) -> bool:
    """Whether a file is test code: it asserts or fakes denials and retries,
    and answers no real caller, so no rule applies to it.

    Folders count from the current directory down, so that a project checked
    out below some folder named ``test`` is not all test code; for a path
    outside the current directory only the two nearest folders count.
    """
    file = Path(path)
    name = file.name
    if name.startswith("test_") or name.endswith("_test.py") or name in _TEST_MODULES:
        return True
    folders = file.parent.parts
    if file.is_absolute():
        try:
            folders = file.parent.relative_to(Path.cwd()).parts
        except ValueError:
            folders = folders[-2:]
    return any(folder in _TEST_FOLDERS for folder in folders)


class FileTooLargeError(OSError):
    """A file over the size limit; it was not read."""

    def __init__(self, path: str, size: int) -> None:
        super().__init__(f"{path}: {size} bytes")
        self.size = size


def read_source(path: str, limit: int | None = None) -> bytes:
    """The bytes of a file to check; raises ``OSError`` when it cannot be read.

    A file over ``limit`` bytes raises ``FileTooLargeError`` after reading at
    most one byte more than the limit, so a huge file costs no memory.
    """
    with open(path, "rb") as file:
        if limit is None:
            return file.read()
        size = os.fstat(file.fileno()).st_size
        if size > limit:
            raise FileTooLargeError(path, size)
        # The file can grow between the size check and the read.
        source = file.read(limit + 1)
        if len(source) > limit:
            raise FileTooLargeError(path, max(size, len(source)))
        return source
