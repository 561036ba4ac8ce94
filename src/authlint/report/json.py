"""The JSON format: a list of finding objects with a fixed key order."""

from __future__ import annotations

import json
from collections.abc import Sequence

from authlint.findings import Finding
from authlint.report import ReportContext


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    """The findings as an indented JSON array, keys in ``Finding.as_dict`` order."""
    return json.dumps([f.as_dict() for f in findings], indent=2) + "\n"
