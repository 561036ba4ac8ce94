"""The cross-module index: the project's own denial helpers and exceptions.

Modules are found on disk the way Python would import them from the checked
file's package root, parsed only when some checked file imports a name from
them, and remembered for the rest of the run. The same index serves the CLI
and the flake8 plugin, so both resolve ``from .errors import forbidden`` alike.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import libcst as cst

from authlint.analysis.symbols import ModuleSymbols
from authlint.config import AnalysisOptions

logger = logging.getLogger(__name__)

# Modules larger than this are not parsed just to resolve an import.
_MAX_MODULE_BYTES = 2_000_000


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


class ProjectIndex:
    """Parsed summaries of the project's modules, keyed by file."""

    def __init__(self, options: AnalysisOptions | None = None) -> None:
        self.options = options or AnalysisOptions()
        self._by_path: dict[Path, ModuleSymbols | None] = {}
        self._roots: list[Path] = []

    def symbols_for(self, module: cst.Module, path: str) -> ModuleSymbols:
        """The symbols of a module being checked, registered for reuse."""
        file = Path(path)
        if not path or not file.is_file():
            return ModuleSymbols(module, index=self, path=path)
        root, name = module_name(file)
        if root not in self._roots:
            self._roots.append(root)
        symbols = ModuleSymbols(
            module, name=name, package=package_of(file, name), index=self, path=path
        )
        self._by_path[file.resolve()] = symbols
        return symbols

    def lookup(
        self, qualified: str, importer: ModuleSymbols, depth: int
    ) -> tuple[ModuleSymbols, str] | None:
        """Find the project definition a qualified name refers to.

        ``app.errors.forbidden`` is tried as name ``forbidden`` in module
        ``app.errors``, then as ``errors.forbidden`` in package ``app``;
        a name a module only imports is followed to where it is defined.
        """
        parts = qualified.split(".")
        if any(not p for p in parts):
            return None
        for cut in range(len(parts) - 1, 0, -1):
            symbols = self._load(".".join(parts[:cut]), importer)
            if symbols is None:
                continue
            rest = parts[cut:]
            if len(rest) != 1:
                return None
            name = rest[0]
            if symbols.defines(name):
                return symbols, name
            imported = symbols.imports.names.get(name)
            if imported is not None and imported != qualified:
                found = symbols.resolve(cst.Name(name), depth)
                return found if isinstance(found, tuple) else None
            return None
        return None

    def _load(self, dotted: str, importer: ModuleSymbols) -> ModuleSymbols | None:
        for file in self._candidates(dotted, importer):
            key = file.resolve()
            if key in self._by_path:
                return self._by_path[key]
            symbols = self._parse(file, dotted)
            self._by_path[key] = symbols
            if symbols is not None:
                return symbols
        return None

    def _candidates(self, dotted: str, importer: ModuleSymbols) -> list[Path]:
        relative = Path(*dotted.split("."))
        roots: list[Path] = []
        if importer.path:
            here = Path(importer.path).resolve()
            roots.append(module_name(here)[0])
            roots.append(here.parent)
        roots.extend(self._roots)
        found = []
        for root in dict.fromkeys(roots):
            for file in (
                root / relative.with_suffix(".py"),
                root / relative / "__init__.py",
            ):
                if file.is_file():
                    found.append(file)
        return found

    def _parse(self, file: Path, dotted: str) -> ModuleSymbols | None:
        try:
            if file.stat().st_size > _MAX_MODULE_BYTES:
                return None
            module = cst.parse_module(file.read_bytes())
        except (OSError, cst.ParserSyntaxError, UnicodeError, RecursionError):
            logger.debug("cannot index %s", file)
            return None
        except Exception:  # the native parser can fail in other ways
            logger.debug("cannot index %s", file, exc_info=True)
            return None
        package = package_of(file, dotted)
        return ModuleSymbols(
            module, name=dotted, package=package, index=self, path=os.fspath(file)
        )
