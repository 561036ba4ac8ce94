"""Output formats: each turns the sorted findings of a run into one text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Callable

from authlint.findings import Finding
from authlint.report import json, text

# Every format has the same shape: the findings in report order, in; the whole
# report, out. Formats that need more (rule metadata, the tool's version) take
# it from the registry and the package, not from the caller.
Renderer = Callable[[Sequence[Finding]], str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json.render,
}

__all__ = ["FORMATS", "Renderer"]
