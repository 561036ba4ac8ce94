"""Baselines: the findings a project already has, recorded to be left out.

A baseline file lists fingerprints (see ``authlint.fingerprints``), so a
finding stays known when code above it moves, and a new finding on a line
that merely looks like an old one elsewhere is still reported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from authlint.findings import Finding
from authlint.fingerprints import FINGERPRINT_VERSION, relative_path

BASELINE_VERSION = 1


class BaselineError(Exception):
    """A baseline that cannot be read or written; its message is one line."""


@dataclass(frozen=True)
class Baseline:
    fingerprints: frozenset[str]

    def split(
        self, findings: Iterable[Finding], fingerprints: Mapping[Finding, str]
    ) -> tuple[list[Finding], int]:
        """The findings not in the baseline, and how many were in it."""
        new = []
        known = 0
        for finding in findings:
            if fingerprints.get(finding) in self.fingerprints:
                known += 1
            else:
                new.append(finding)
        return new, known


def load_baseline(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
    except OSError as error:
        reason = error.strerror or str(error)
        raise BaselineError(f"cannot read baseline {path}: {reason}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BaselineError(f"baseline {path} is not valid JSON: {error}") from None

    if not isinstance(document, dict) or "findings" not in document:
        raise BaselineError(f"baseline {path}: not an authlint baseline")
    version = document.get("version")
    if version != BASELINE_VERSION or document.get("fingerprint") != (
        FINGERPRINT_VERSION
    ):
        raise BaselineError(
            f"baseline {path}: written by another version of authlint; "
            "write it again with --write-baseline"
        )
    entries = document["findings"]
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str)
        for entry in entries
    ):
        raise BaselineError(
            f"baseline {path}: findings must be objects with a fingerprint"
        )
    return Baseline(frozenset(entry["fingerprint"] for entry in entries))


def write_baseline(
    path: str,
    findings: Iterable[Finding],
    fingerprints: Mapping[Finding, str],
    root: Path,
) -> None:
    """Record ``findings`` in a file that is stable under reruns: sorted, and
    without line numbers, so moving code does not rewrite it."""
    entries = sorted(
        {
            (relative_path(f.path, root), f.code, fingerprints[f], f.message)
            for f in findings
        }
    )
    document = {
        "version": BASELINE_VERSION,
        "fingerprint": FINGERPRINT_VERSION,
        "findings": [
            {"path": where, "code": code, "fingerprint": digest, "message": message}
            for where, code, digest, message in entries
        ],
    }
    try:
        with open(path, "w", encoding="utf-8") as file:
            file.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    except OSError as error:
        reason = error.strerror or str(error)
        raise BaselineError(f"cannot write baseline {path}: {reason}") from None
