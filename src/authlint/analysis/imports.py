"""The module's own import table: which local name stands for which import."""

from __future__ import annotations

import libcst as cst


def dotted_name(node: cst.CSTNode) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, or None for anything else."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def terminal_name(node: cst.CSTNode) -> str | None:
    """The last name of a Name/Attribute/Call chain: ``is_admin`` for
    ``request.user.is_admin``, ``has_perm`` for ``user.has_perm(...)``."""
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Name):
        return node.value
    return None


class ImportTable:
    """Maps the names a module binds by importing to their qualified names.

    ``from flask import abort as deny`` binds ``deny`` to ``flask.abort``;
    ``import rest_framework.status as s`` binds ``s``. Relative imports are
    made absolute against ``package`` (the module's own package) when known,
    and otherwise kept with their leading dots.
    """

    def __init__(self, package: str | None = None) -> None:
        self.package = package
        self.names: dict[str, str] = {}
        self.modules: set[str] = set()

    def add(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted_name(alias.name)
                if full is None:
                    continue
                self.modules.add(full)
                if alias.asname is not None:
                    local = dotted_name(alias.asname.name)
                    if local:
                        self.names[local] = full
                else:
                    # ``import a.b`` binds ``a``; ``a.b.x`` then resolves by itself.
                    head = full.split(".")[0]
                    self.names[head] = head
            return

        base = self._absolute_module(node)
        if base is None or isinstance(node.names, cst.ImportStar):
            return
        self.modules.add(base)
        for alias in node.names:
            imported = dotted_name(alias.name)
            if imported is None:
                continue
            local = imported
            if alias.asname is not None:
                local = dotted_name(alias.asname.name) or imported
            self.names[local] = f"{base}.{imported}"

    def _absolute_module(self, node: cst.ImportFrom) -> str | None:
        module = dotted_name(node.module) if node.module is not None else ""
        if module is None:
            return None
        dots = len(node.relative)
        if dots == 0:
            return module
        if self.package is None:
            return "." * dots + module
        parts = self.package.split(".") if self.package else []
        if dots - 1 > len(parts):
            return "." * dots + module
        kept = parts[: len(parts) - (dots - 1)]
        if module:
            kept.append(module)
        return ".".join(kept)

    def qualify(self, node: cst.CSTNode) -> str | None:
        """The qualified name of a Name/Attribute chain whose head was imported.

        Names that were not imported resolve to None: a local ``abort`` is not
        Flask's.
        """
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        target = self.names.get(head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target

    def imports_any(self, prefixes: tuple[str, ...]) -> bool:
        """Whether the module imports from any of these top-level packages."""
        for module in self.modules:
            top = module.split(".")[0]
            if top in prefixes:
                return True
        return False
