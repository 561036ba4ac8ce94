"""What a check reports: one finding at one place in one file."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Severity(str, enum.Enum):
    """How much a finding matters; decides annotation kinds and exit codes."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Finding:
    """A rule violation located in a file.

    Lines and columns are 1-based; ``end_column`` points one past the last
    character, like the SARIF region model.
    """

    path: str
    line: int
    column: int
    code: str
    message: str
    end_line: int
    end_column: int
    name: str
    severity: Severity

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "severity": self.severity.value,
            "fix": None,
        }
