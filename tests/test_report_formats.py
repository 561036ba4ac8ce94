"""SARIF and GitHub annotations, checked as code scanning and Actions read them."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from authlint.checker import check_source
from authlint.cli import main
from authlint.config import AnalysisOptions
from authlint.findings import Finding, Severity
from authlint.report import ReportContext, github, sarif
from authlint.rules import DEFAULT_ENABLED, RULES, RULES_BY_CODE
from samples import ADMIN, BROKEN, REPORTS, syntax_error, write

REPOSITORY = Path(__file__).resolve().parent.parent
SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def valid_sarif(text: str) -> dict[str, Any]:
    """The SARIF log in ``text``, after checking it against the OASIS schema."""
    log: dict[str, Any] = json.loads(text)
    _validator().validate(log)
    return log


def finding_in(source: str, path: str) -> Finding:
    findings = check_source(
        source.encode(), path, enabled=DEFAULT_ENABLED, options=AnalysisOptions()
    )
    assert len(findings) == 1, findings
    return findings[0]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a Flask service in ``svc/``, checked from there."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    write("svc/pyproject.toml", "[tool.authlint]\n")
    write("svc/app/reports.py", REPORTS)
    write("svc/app/admin.py", ADMIN)
    monkeypatch.chdir(tmp_path / "svc")
    return tmp_path


# SARIF


def test_sarif_results_are_relative_to_the_repository_root(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--format", "sarif", "app"]) == 1

    log = valid_sarif(capsys.readouterr().out)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": project.as_uri() + "/"}}
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [
        rule.code for rule in RULES if rule.code in DEFAULT_ENABLED
    ]
    admin, reports = run["results"]
    assert admin == {
        "ruleId": "AUT102",
        "ruleIndex": [rule["id"] for rule in rules].index("AUT102"),
        "level": "error",
        "message": {"text": finding_in(ADMIN, "admin.py").message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": "svc/app/admin.py",
                        "uriBaseId": "%SRCROOT%",
                    },
                    "region": {
                        "startLine": 11,
                        "startColumn": 55,
                        "endLine": 11,
                        "endColumn": 58,
                    },
                }
            }
        ],
        "partialFingerprints": {
            "authlint/v1": admin["partialFingerprints"]["authlint/v1"]
        },
    }
    assert reports["ruleId"] == "AUT101"
    assert rules[reports["ruleIndex"]]["id"] == "AUT101"
    assert reports["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 8,
        "startColumn": 15,
        "endLine": 8,
        "endColumn": 18,
    }
    fingerprints = [r["partialFingerprints"]["authlint/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == 2
    assert all(len(value) == 32 for value in fingerprints)


def test_sarif_rules_carry_the_rule_documentation(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "--format", "sarif", "app"])

    log = valid_sarif(capsys.readouterr().out)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "authlint"
    assert driver["informationUri"] == "https://github.com/authlint/authlint"
    by_id = {rule["id"]: rule for rule in driver["rules"]}
    rule = RULES_BY_CODE["AUT101"]
    assert by_id["AUT101"] == {
        "id": "AUT101",
        "name": "credential-failure-not-401",
        "shortDescription": {"text": rule.summary},
        "fullDescription": {
            "text": "Flags a denial that refuses a caller because their "
            "credentials are missing or bad, and answers with a status other "
            "than 401: 403 most often, also 404, 412 or 422."
        },
        "help": {"text": rule.documentation(), "markdown": rule.documentation()},
        "helpUri": "https://github.com/authlint/authlint/blob/main/docs/rules/AUT101.md",
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": ["security", "external/cwe/cwe-287"],
            "security-severity": "5.3",
        },
    }
    # A file that cannot be parsed is no security result.
    assert by_id["AUT001"]["properties"] == {"tags": ["correctness"]}


def test_every_rule_describes_itself_within_github_limits() -> None:
    """Whatever rules are registered, their descriptors stay uploadable."""
    context = ReportContext(rules=RULES)
    log = valid_sarif(sarif.render([], context))

    descriptors = log["runs"][0]["tool"]["driver"]["rules"]
    assert [d["id"] for d in descriptors] == [rule.code for rule in RULES]
    for descriptor in descriptors:
        assert 0 < len(descriptor["shortDescription"]["text"]) <= 1024
        assert 0 < len(descriptor["fullDescription"]["text"]) <= 1024
        assert len(descriptor["name"]) <= 255
        assert descriptor["help"]["markdown"].startswith("## What it does")
    assert log["runs"][0]["results"] == []


def test_severity_overrides_reach_the_sarif_levels(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write("pyproject.toml", '[tool.authlint.severity]\nAUT102 = "info"\n')

    main(["check", "--format", "sarif", "app"])

    run = valid_sarif(capsys.readouterr().out)["runs"][0]
    by_id = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert by_id["AUT102"]["defaultConfiguration"] == {"level": "note"}
    assert by_id["AUT102"]["properties"]["security-severity"] == "2.0"
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [
        ("AUT102", "note"),
        ("AUT101", "error"),
    ]


def test_a_file_outside_the_repository_gets_an_absolute_uri(tmp_path: Path) -> None:
    root, outside = tmp_path / "repo", tmp_path / "elsewhere" / "app.py"
    finding = syntax_error(str(outside))
    context = ReportContext(rules=(RULES_BY_CODE["AUT001"],), root=root)

    log = valid_sarif(sarif.render([finding], context))

    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": outside.as_uri()}


def test_names_with_spaces_are_escaped_in_uris(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write("my app/bad file.py", BROKEN)

    main(["check", "--format", "sarif", "my app"])

    log = valid_sarif(capsys.readouterr().out)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "svc/my%20app/bad%20file.py"


def test_the_bundled_fixtures_make_an_uploadable_sarif_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a new user does first: check a tree, write SARIF, upload it."""
    monkeypatch.chdir(REPOSITORY)
    output = tmp_path / "authlint.sarif"

    assert main(["check", "fixtures", "--format", "sarif", "-o", str(output)]) == 1

    assert capsys.readouterr().out == ""
    log = valid_sarif(output.read_text(encoding="utf-8"))
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) > 50
    fingerprints = set()
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert uri.startswith("fixtures/")
        assert (REPOSITORY / uri).is_file()
        region = location["region"]
        assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert region["startLine"] <= region["endLine"]
        fingerprints.add(result["partialFingerprints"]["authlint/v1"])
    assert len(fingerprints) == len(run["results"])


# GitHub annotations


def test_github_annotations(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "github", "app"]) == 1

    out = capsys.readouterr().out
    admin = finding_in(ADMIN, "admin.py").message
    reports = finding_in(REPORTS, "reports.py").message
    assert out == (
        "::error file=svc/app/admin.py,line=11,col=55,endLine=11,endColumn=58,"
        f"title=AUT102::{admin}\n"
        "::error file=svc/app/reports.py,line=8,col=15,endLine=8,endColumn=18,"
        f"title=AUT101::{reports}\n"
    )


@pytest.mark.parametrize(
    ("severity", "command"),
    [
        (Severity.ERROR, "error"),
        (Severity.WARNING, "warning"),
        (Severity.INFO, "notice"),
    ],
)
def test_github_annotation_kinds_and_escapes(
    tmp_path: Path, severity: Severity, command: str
) -> None:
    finding = Finding(
        path=str(tmp_path / "a,b:c.py"),
        line=3,
        column=1,
        code="AUT104",
        message="100% of errors\nbecome 403",
        end_line=4,
        end_column=9,
        name="broad-except-auth-status",
        severity=severity,
    )

    out = github.render([finding], ReportContext(root=tmp_path))

    assert out == (
        f"::{command} file=a%2Cb%3Ac.py,line=3,col=1,endLine=4,endColumn=9,"
        "title=AUT104::100%25 of errors%0Abecome 403\n"
    )
