"""The cross-module index: the project's own denial helpers and exceptions.

Modules are found on disk the way Python would import them from the checked
file's package root, parsed only when some checked file imports a name from
them, and remembered for the rest of the run. The same index serves the CLI
and the flake8 plugin, so both resolve ``from .errors import forbidden`` alike.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import libcst as cst

from authlint.analysis.responses import DENIAL_TRIGGERS
from authlint.analysis.symbols import ModuleSymbols

logger = logging.getLogger(__name__)

# Modules larger than this are not parsed just to resolve an import.
_MAX_MODULE_BYTES = 2_000_000

# A project-wide search reads at most this many files; beyond it the answer
# is "unknown", which rules treat as "stay quiet".
_MAX_SEARCHED_FILES = 20_000
_SKIPPED_DIRECTORIES = frozenset(
    {"node_modules", "site-packages", "__pycache__", "build", "dist"}
)


def module_name(path: Path) -> tuple[Path, str]:
    """The import root and dotted module name of a file.

    ``/src/app/api/views.py`` with ``__init__.py`` files in ``app`` and
    ``app/api`` is ``app.api.views`` below ``/src``.
    """
    path = path.resolve()
    parts = [] if path.name == "__init__.py" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.append(folder.name)
        folder = folder.parent
    return folder, ".".join(reversed(parts))


def package_of(path: Path, name: str) -> str:
    if path.name == "__init__.py":
        return name
    return name.rpartition(".")[0]


def project_roots(paths: Iterable[str]) -> tuple[Path, ...]:
    """The import roots of ``paths``, in the order they first appear."""
    roots: dict[Path, None] = {}
    folders: dict[str, Path] = {}
    for path in paths:
        folder = os.path.dirname(os.path.abspath(path))
        # Files of one folder share a root unless the file is __init__.py,
        # and that one's root is found from the same folder too.
        if folder not in folders:
            folders[folder] = module_name(Path(path))[0]
        roots.setdefault(folders[folder])
    return tuple(roots)


class ProjectIndex:
    """Parsed summaries of the project's modules, keyed by file.

    ``roots`` are import roots searched for every file's absolute imports,
    after the file's own; a file's own root is added when it is checked.
    Giving every root of a run up front makes a file's result independent
    of which files were checked before it in the same process.
    """

    def __init__(self, roots: Iterable[Path] = ()) -> None:
        # Imported modules by file; None for a file that could not be read.
        self._by_path: dict[Path, _ModuleFile | None] = {}
        # Module names already looked for, by where they were looked for,
        # with every file that was tried for them.
        self._found: dict[
            tuple[str, tuple[Path, ...]], tuple[_ModuleFile | None, tuple[str, ...]]
        ] = {}
        # Where each importing file's imports are looked for.
        self._search: dict[str, tuple[Path, ...]] = {}
        self._roots: list[Path] = list(dict.fromkeys(roots))
        # The files tried while resolving each module's imports: those found
        # and those that did not exist (creating one changes the answer).
        self._tried: dict[str, set[str]] = {}
        # Project-wide byte searches, by project root and searched word.
        self._mentions: dict[
            tuple[Path, bytes], tuple[tuple[Path, ...] | None, tuple[str, ...]]
        ] = {}

    def symbols_for(self, module: cst.Module, path: str) -> ModuleSymbols:
        """The symbols of a module being checked.

        They are not kept: a checked module's tree is dropped once its file
        is done, and parsed again only if another module imports from it.
        """
        file = Path(path)
        if not path or not file.is_file():
            return ModuleSymbols(module, index=self, path=path)
        root, name = module_name(file)
        if root not in self._roots:
            self._roots.append(root)
        return ModuleSymbols(
            module, name=name, package=package_of(file, name), index=self, path=path
        )

    def project_root(self, path: str) -> Path | None:
        """The folder a checked file's project is searched from: the folder
        above its top-level package (or its own folder outside a package)."""
        if not path or not Path(path).is_file():
            return None
        return module_name(Path(path))[0]

    def project_files(
        self, root: Path, folders: list[Path] | None = None
    ) -> Iterator[Path]:
        """The importable Python files below ``root``: its own modules and
        those of the packages (folders with ``__init__.py``) under it, not
        virtualenvs, hidden folders or loose folders of other scripts. A
        project-wide fact about ``root`` depends on all of them, and on the
        folders walked (appended to ``folders``), where a file can appear."""
        pending = [root]
        while pending:
            folder = pending.pop()
            if folders is not None:
                folders.append(folder)
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        name = entry.name
                        if name.startswith(".") or name in _SKIPPED_DIRECTORIES:
                            continue
                        if (Path(entry.path) / "__init__.py").is_file():
                            pending.append(Path(entry.path))
                    elif entry.name.endswith(".py") and entry.is_file():
                        yield Path(entry.path)
                except OSError:
                    continue

    def files_mentioning(self, path: str, word: bytes) -> tuple[Path, ...] | None:
        """The project files (see ``project_files``) of a checked file that
        contain ``word``, compared in lower case; None when the project is
        too large to search. Remembered per project root for the run.

        The answer depends on every project file and folder: they become
        dependencies of ``path``, as its imports are.
        """
        root = self.project_root(path)
        if root is None:
            return None
        key = (root, word.lower())
        if key not in self._mentions:
            self._mentions[key] = self._search_word(root, word.lower())
        found, searched = self._mentions[key]
        self._tried.setdefault(os.path.abspath(path), set()).update(searched)
        return found

    def _search_word(
        self, root: Path, word: bytes
    ) -> tuple[tuple[Path, ...] | None, tuple[str, ...]]:
        """The files containing ``word``, and every file and folder read."""
        found = []
        folders: list[Path] = []
        files: list[str] = []
        for count, file in enumerate(self.project_files(root, folders)):
            files.append(os.fspath(file))
            if count >= _MAX_SEARCHED_FILES:
                logger.debug("%s: too many files to search for %r", root, word)
                return None, ()
            try:
                if file.stat().st_size > _MAX_MODULE_BYTES:
                    continue
                if word in file.read_bytes().lower():
                    found.append(file)
            except OSError:
                continue
        return tuple(found), (*files, *map(os.fspath, folders))

    def parsed(self, file: Path) -> ModuleSymbols | None:
        """The symbols of any project file, parsed once for the run."""
        key = file.resolve()
        if key not in self._by_path:
            _, dotted = module_name(file)
            self._by_path[key] = _ModuleFile.read(file, dotted)
        found = self._by_path[key]
        if found is None:
            return None
        if found.symbols is None and not found.failed:
            found.symbols = found._parse(self)
            found.failed = found.symbols is None
        return found.symbols

    def lookup(
        self, qualified: str, importer: ModuleSymbols, depth: int
    ) -> tuple[ModuleSymbols, str] | None:
        """Find the project definition a qualified name refers to.

        ``app.errors.forbidden`` is tried as name ``forbidden`` in module
        ``app.errors``, then as ``errors.forbidden`` in package ``app``;
        a name a module only imports is followed to where it is defined.
        """
        parts = qualified.split(".")
        if any(not p for p in parts) or _is_modelled_library(parts[0]):
            return None
        for cut in range(len(parts) - 1, 0, -1):
            found_file = self._load(".".join(parts[:cut]), importer)
            if found_file is None:
                continue
            rest = parts[cut:]
            if len(rest) != 1:
                return None
            name = rest[0]
            symbols = found_file.symbols_for(name, self)
            if symbols is None:
                return None
            if symbols.defines(name):
                return symbols, name
            imported = symbols.imports.names.get(name)
            if imported is not None and imported != qualified:
                found = symbols.resolve(cst.Name(name), depth)
                return found if isinstance(found, tuple) else None
            return None
        return None

    def dependencies(self, path: str) -> tuple[str, ...]:
        """Every file whose presence or content the findings of ``path`` can
        depend on through imports, directly or through other modules; sorted.

        Files that were looked for and not found are included: creating one
        can change the findings too.
        """
        start = os.path.abspath(path)
        seen = {start}
        todo = [start]
        while todo:
            for tried in self._tried.get(todo.pop(), ()):
                if tried not in seen:
                    seen.add(tried)
                    todo.append(tried)
        seen.discard(start)
        return tuple(sorted(seen))

    def _load(self, dotted: str, importer: ModuleSymbols) -> _ModuleFile | None:
        search = self._search_path(importer)
        key = (dotted, search)
        if key not in self._found:
            self._found[key] = self._find(dotted, search)
        found, tried = self._found[key]
        self._tried.setdefault(os.path.abspath(importer.path), set()).update(tried)
        return found

    def _find(
        self, dotted: str, search: tuple[Path, ...]
    ) -> tuple[_ModuleFile | None, tuple[str, ...]]:
        tried = []
        for file in self._candidates(dotted, search):
            tried.append(os.fspath(file))
            if not file.is_file():
                continue
            key = file.resolve()
            if key not in self._by_path:
                self._by_path[key] = _ModuleFile.read(file, dotted)
            if self._by_path[key] is not None:
                return self._by_path[key], tuple(tried)
        return None, tuple(tried)

    def _search_path(self, importer: ModuleSymbols) -> tuple[Path, ...]:
        """The importing file's package root and folder, then every root seen."""
        search = self._search.get(importer.path)
        if search is None:
            roots: list[Path] = []
            if importer.path:
                here = Path(importer.path).resolve()
                roots.append(module_name(here)[0])
                roots.append(here.parent)
            search = tuple(dict.fromkeys(roots))
            self._search[importer.path] = search
        return tuple(dict.fromkeys((*search, *self._roots)))

    def _candidates(self, dotted: str, search: tuple[Path, ...]) -> list[Path]:
        relative = Path(*dotted.split("."))
        return [
            file
            for root in search
            for file in (
                root / relative.with_suffix(".py"),
                root / relative / "__init__.py",
            )
        ]


class _ModuleFile:
    """A project module found on disk, parsed only when a name asked of it
    could be a denial helper or exception class."""

    def __init__(self, path: Path, dotted: str, source: bytes) -> None:
        self.path = path
        self.dotted = dotted
        self.source = source
        self.has_triggers = any(word in source for word in DENIAL_TRIGGERS)
        self.symbols: ModuleSymbols | None = None
        self.failed = False

    @classmethod
    def read(cls, path: Path, dotted: str) -> _ModuleFile | None:
        try:
            if path.stat().st_size > _MAX_MODULE_BYTES:
                return None
            return cls(path, dotted, path.read_bytes())
        except OSError:
            logger.debug("cannot read %s", path)
            return None

    def may_define_denial(self, name: str) -> bool:
        """Whether ``name`` here can carry a status. A module that names no
        status at all can still hold a subclass of an exception that does, or
        re-export one, but not a function that returns one by itself."""
        if self.has_triggers:
            return True
        function = (
            rb"^[ \t]*(?:async[ \t]+)?def[ \t]+" + re.escape(name.encode()) + rb"\b"
        )
        return re.search(function, self.source, re.MULTILINE) is None

    def symbols_for(self, name: str, index: ProjectIndex) -> ModuleSymbols | None:
        if self.symbols is None:
            if self.failed or not self.may_define_denial(name):
                return None
            self.symbols = self._parse(index)
            self.failed = self.symbols is None
        return self.symbols

    def _parse(self, index: ProjectIndex) -> ModuleSymbols | None:
        try:
            module = cst.parse_module(self.source)
        except (cst.ParserSyntaxError, UnicodeError, RecursionError):
            logger.debug("cannot index %s", self.path)
            return None
        except Exception:  # the native parser can fail in other ways
            logger.debug("cannot index %s", self.path, exc_info=True)
            return None
        self.source = b""
        package = package_of(self.path, self.dotted)
        return ModuleSymbols(
            module,
            name=self.dotted,
            package=package,
            index=index,
            path=os.fspath(self.path),
        )


# Frameworks and clients whose behaviour authlint knows by name. Their source
# may be part of a run (a vendored copy, a monorepo, a checkout beside the
# app), but it is never read in their place: DRF's ``BaseAuthentication``
# defines an ``authenticate_header`` that returns nothing, for one.
_MODELLED_LIBRARIES = frozenset(
    {
        "aiohttp",
        "aiohttp_retry",
        "apiflask",
        "authlib",
        "backoff",
        "django",
        "fastapi",
        "flask",
        "google",
        "googleapiclient",
        "httpx",
        "httpx_retries",
        "knox",
        "oauth2_provider",
        "quart",
        "requests",
        "rest_framework",
        "rest_framework_jwt",
        "rest_framework_simplejwt",
        "stamina",
        "starlette",
        "tenacity",
        "urllib3",
        "werkzeug",
    }
)


def _is_modelled_library(package: str) -> bool:
    return package in _MODELLED_LIBRARIES or package.startswith("flask_")
