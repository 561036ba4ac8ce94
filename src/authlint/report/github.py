"""The GitHub Actions format: workflow commands that become inline annotations."""

from __future__ import annotations

from collections.abc import Sequence

from authlint.findings import Finding, Severity
from authlint.fingerprints import relative_path
from authlint.report import ReportContext

_COMMANDS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    """One ``::error file=...::message`` line per finding.

    Paths are relative to the repository's top, where GitHub looks for them.
    """
    return "".join(_annotation(finding, context) for finding in findings)


def _annotation(finding: Finding, context: ReportContext) -> str:
    properties = {
        "file": relative_path(finding.path, context.root),
        "line": str(finding.line),
        "col": str(finding.column),
        "endLine": str(finding.end_line),
        "endColumn": str(finding.end_column),
        "title": finding.code,
    }
    listed = ",".join(f"{key}={_property(value)}" for key, value in properties.items())
    command = _COMMANDS[finding.severity]
    return f"::{command} {listed}::{_data(finding.message)}\n"


def _data(text: str) -> str:
    # The escapes the Actions runner undoes in a command's message.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
