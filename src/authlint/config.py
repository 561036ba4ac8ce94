"""Settings: rule selection, file selection and the analysis vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AnalysisOptions:
    """Names a project teaches authlint about its own authentication code.

    Each entry is a dotted or plain name, matched against the last part of the
    name in the code (``require_api_key`` matches ``auth.require_api_key``).
    """

    # Decorators that guarantee a signed-in caller (like ``@login_required``).
    authenticated_decorators: tuple[str, ...] = ()
    # Dependency functions that guarantee a signed-in caller (FastAPI ``Depends``).
    authenticated_dependencies: tuple[str, ...] = ()
    # Calls, attributes or names whose truth means "the credential is valid".
    credential_checks: tuple[str, ...] = ()
    # Calls, attributes or names whose truth means "the caller is allowed".
    permission_checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """The effective configuration of one run."""

    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)
