"""The text format: one ``path:line:col: CODE message`` line per finding."""

from __future__ import annotations

from collections.abc import Sequence

from authlint.findings import Finding
from authlint.report import ReportContext


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    """The findings as flake8-style lines, or an empty text when there are none."""
    return "".join(
        f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}\n" for f in findings
    )
