"""The one pass that turns a parsed module into the facts rules read."""

from __future__ import annotations

import libcst as cst

from authlint.analysis.configuration import framework_issues
from authlint.analysis.facts import ModuleFacts
from authlint.analysis.handlers import HandlerWalker
from authlint.analysis.symbols import ModuleSymbols
from authlint.config import AnalysisOptions
from authlint.project import ProjectIndex


def extract_facts(
    module: cst.Module,
    path: str,
    options: AnalysisOptions,
    index: ProjectIndex | None,
) -> ModuleFacts:
    """Denials with their evidence, and framework settings, of one module."""
    if index is not None:
        symbols = index.symbols_for(module, path)
    else:
        symbols = ModuleSymbols(module, path=path)
    facts = ModuleFacts(path=path, module=module, symbols=symbols)
    issues, error_callbacks = framework_issues(symbols)
    facts.framework_issues.extend(issues)
    HandlerWalker(symbols, options, error_callbacks, facts.denials).walk_module()
    return facts
