"""Fingerprints that survive unrelated edits, and baselines built on them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from authlint.checker import check_source
from authlint.cli import main
from authlint.config import AnalysisOptions
from authlint.fingerprints import fingerprint_findings
from authlint.rules import DEFAULT_ENABLED
from samples import REPORTS, counts, crash_while_checking, write

# Two identical denials in two handlers, both flagged AUT101 (lines 8, 14).
TWINS = (
    REPORTS
    + """
@app.get("/exports")
def exports():
    if "Authorization" not in request.headers:
        abort(403)
    return {"exports": []}
"""
)


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def fingerprints(source: str, path: str = "app/views.py") -> list[tuple[int, str]]:
    """(line, fingerprint) of every finding in ``source``, in report order."""
    findings = check_source(
        source.encode(), path, enabled=DEFAULT_ENABLED, options=AnalysisOptions()
    )
    prints = fingerprint_findings(findings, Path.cwd(), lambda _: source.encode())
    return [(finding.line, prints[finding]) for finding in findings]


def test_inserting_lines_above_keeps_the_fingerprint() -> None:
    (before,) = fingerprints(REPORTS)
    moved = REPORTS.replace(
        "app = Flask(__name__)\n",
        "import logging\n\nlog = logging.getLogger(__name__)\napp = Flask(__name__)\n",
    )

    (after,) = fingerprints(moved)

    assert (before[0], after[0]) == (8, 11)
    assert after[1] == before[1]


def test_comments_and_spacing_do_not_change_the_fingerprint() -> None:
    (before,) = fingerprints(REPORTS)
    edited = REPORTS.replace(
        "        abort(403)", "        abort( 403 )  # noqa: AUT106 - not this one"
    )

    (after,) = fingerprints(edited)

    assert after[1] == before[1]


def test_changing_the_flagged_statement_changes_the_fingerprint() -> None:
    (before,) = fingerprints(REPORTS)
    (after,) = fingerprints(REPORTS.replace("abort(403)", "abort(403, 'no token')"))

    assert after[0] == before[0]
    assert after[1] != before[1]


def test_the_same_code_elsewhere_has_another_fingerprint() -> None:
    (in_views,) = fingerprints(REPORTS, "app/views.py")
    (in_admin,) = fingerprints(REPORTS, "app/admin.py")
    first, second = fingerprints(TWINS)

    assert in_views[1] != in_admin[1]
    assert (first[0], second[0]) == (8, 14)
    assert first[1] != second[1]


def test_write_then_use_a_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    write("app/views.py", REPORTS)

    assert main(["check", "--write-baseline", "baseline.json"]) == 0
    assert capsys.readouterr() == (
        "",
        "authlint: 1 finding written to baseline.json\n",
    )
    document = json.loads(Path("baseline.json").read_text(encoding="utf-8"))
    ((_, fingerprint),) = fingerprints(REPORTS)
    assert document == {
        "version": 1,
        "fingerprint": 1,
        "findings": [
            {
                "path": "app/views.py",
                "code": "AUT101",
                "fingerprint": fingerprint,
                "message": document["findings"][0]["message"],
            }
        ],
    }

    assert main(["check", "--baseline", "baseline.json"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert counts(err) == "1 file checked, no findings, 1 baselined"


def test_moved_code_stays_baselined_and_new_findings_are_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("app/views.py", REPORTS)
    main(["check", "-q", "--write-baseline", "baseline.json"])
    # A new import above the old finding, and a new handler below it with
    # the same mistake: only the new one is news.
    write(
        "app/views.py",
        "import logging\n\n"
        + REPORTS
        + '\n@app.get("/exports")\ndef exports():\n'
        + "    if request.authorization is None:\n"
        + "        abort(403)\n"
        + "    return {}\n",
    )

    assert main(["check", "--baseline", "baseline.json"]) == 1

    out, err = capsys.readouterr()
    assert [line.split(" ")[:2] for line in out.splitlines()] == [
        ["app/views.py:16:15:", "AUT101"]
    ]
    assert counts(err) == "1 file checked, 1 finding, 1 baselined"


def test_the_baseline_file_is_stable(capsys: pytest.CaptureFixture[str]) -> None:
    write("b.py", TWINS)
    write("a.py", REPORTS)
    main(["check", "-q", "--write-baseline", "first.json"])
    write("a.py", "\n\n" + REPORTS)
    main(["check", "-q", "--write-baseline", "second.json"])

    first = Path("first.json").read_text(encoding="utf-8")
    assert first == Path("second.json").read_text(encoding="utf-8")
    entries = json.loads(first)["findings"]
    assert [(e["path"], e["code"]) for e in entries] == [
        ("a.py", "AUT101"),
        ("b.py", "AUT101"),
        ("b.py", "AUT101"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read baseline baseline.json: No such file or directory"),
        ("{", "baseline baseline.json is not valid JSON: "),
        ("[]", "baseline baseline.json: not an authlint baseline"),
        (
            '{"version": 9, "fingerprint": 1, "findings": []}',
            "baseline baseline.json: written by another version of authlint; "
            "write it again with --write-baseline",
        ),
        (
            '{"version": 1, "fingerprint": 1, "findings": ["abc"]}',
            "baseline baseline.json: findings must be objects with a fingerprint",
        ),
    ],
)
def test_a_bad_baseline_is_one_line_and_exit_2(
    content: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write("app.py", REPORTS)
    if content is not None:
        write("baseline.json", content)

    assert main(["check", "--baseline", "baseline.json"]) == 2

    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"authlint: error: {message}")
    assert err.count("\n") == 1


def test_writing_a_baseline_still_fails_on_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write("a.py", REPORTS)
    write("b.py", REPORTS)
    crash_while_checking(monkeypatch, "b.py")

    # In this process, where the patched checker is.
    assert main(["check", "--jobs", "0", "--write-baseline", "baseline.json"]) == 2

    assert capsys.readouterr().err == (
        "authlint: error: internal error while checking b.py: "
        "ValueError: unexpected node (run with -v for the traceback)\n"
        "authlint: 1 finding written to baseline.json\n"
    )
    entries = json.loads(Path("baseline.json").read_text(encoding="utf-8"))
    assert [entry["path"] for entry in entries["findings"]] == ["a.py"]
