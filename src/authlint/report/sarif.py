"""The SARIF 2.1.0 format, shaped for GitHub code scanning."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from authlint import __version__
from authlint.findings import Finding, Severity
from authlint.fingerprints import relative_path
from authlint.report import ReportContext
from authlint.rules import RULES_BY_CODE, Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/authlint/authlint"
# Each rule's page in the repository, the same text as ``help``.
HELP_URI = f"{INFORMATION_URI}/blob/main/docs/rules/{{code}}.md"
SOURCE_ROOT = "%SRCROOT%"
# Not ``primaryLocationLineHash``: GitHub's upload action computes that key
# itself and warns about every result whose value differs from its own.
FINGERPRINT_KEY = "authlint/v1"

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub's scale: 0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high. A mixed-up
# status misleads clients and monitoring rather than opening a hole by
# itself, hence medium at most.
_SECURITY_SEVERITY = {
    Severity.ERROR: "5.3",
    Severity.WARNING: "3.7",
    Severity.INFO: "2.0",
}
# GitHub shows at most this much of a full description.
_DESCRIPTION_LIMIT = 1024
_HEADING = re.compile(r"^## (.+)$", re.MULTILINE)


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    """One SARIF log with one run: the rules that ran, then the results."""
    rules = _described_rules(findings, context)
    index = {rule.code: position for position, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "authlint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(rule, context) for rule in rules],
            }
        },
        "originalUriBaseIds": {
            SOURCE_ROOT: {"uri": _directory_uri(context.root)},
        },
        # No automationDetails: its id would override the category a workflow
        # gives the upload action, which is where a category belongs.
        # libcst counts columns in characters, not in UTF-16 code units.
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.code], context) for f in findings],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _described_rules(findings: Sequence[Finding], context: ReportContext) -> list[Rule]:
    rules = list(context.rules)
    described = {rule.code for rule in rules}
    # A finding of a rule not listed (AUT001 for a directory that cannot be
    # read) still needs a descriptor for its ruleIndex.
    for finding in findings:
        if finding.code not in described and finding.code in RULES_BY_CODE:
            rules.append(RULES_BY_CODE[finding.code])
            described.add(finding.code)
    return rules


def _descriptor(rule: Rule, context: ReportContext) -> dict[str, Any]:
    documentation = rule.documentation()
    severity = context.severity_of(rule)
    properties: dict[str, Any] = {"tags": _tags(rule)}
    if rule.cwe:
        properties["security-severity"] = _SECURITY_SEVERITY[severity]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _full_description(rule)},
        "help": {"text": documentation, "markdown": documentation},
        "helpUri": HELP_URI.format(code=rule.code),
        "defaultConfiguration": {"level": _LEVELS[severity]},
        "properties": properties,
    }


def _tags(rule: Rule) -> list[str]:
    if not rule.cwe:
        return ["correctness"]
    # GitHub lists CWE tags written this way with the alert.
    return ["security", *(f"external/cwe/cwe-{number}" for number in rule.cwe)]


def _full_description(rule: Rule) -> str:
    """The first paragraph of the "What it does" section, within GitHub's limit."""
    text = rule.documentation()
    headings = list(_HEADING.finditer(text))
    body = text
    for position, heading in enumerate(headings):
        if heading.group(1).strip() == "What it does":
            end = (
                headings[position + 1].start() if position + 1 < len(headings) else None
            )
            body = text[heading.end() : end]
            break
    paragraph = " ".join(body.strip().split("\n\n")[0].split()) or rule.summary
    if len(paragraph) > _DESCRIPTION_LIMIT:
        paragraph = paragraph[: _DESCRIPTION_LIMIT - 3].rstrip() + "..."
    return paragraph


def _result(
    finding: Finding, rule_index: int, context: ReportContext
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(finding.path, context.root),
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endLine": finding.end_line,
                        "endColumn": finding.end_column,
                    },
                }
            }
        ],
    }
    fingerprint = context.fingerprints.get(finding)
    if fingerprint is not None:
        result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
    return result


def _artifact(path: str, root: Path) -> dict[str, str]:
    where = relative_path(path, root)
    if where.startswith("/") or re.match(r"[A-Za-z]:/", where):
        # Outside the repository: code scanning cannot show it anyway.
        return {"uri": Path(where).as_uri()}
    return {"uri": quote(where), "uriBaseId": SOURCE_ROOT}


def _directory_uri(root: Path) -> str:
    uri = root.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"
