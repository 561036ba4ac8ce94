"""Sources and helpers shared by the end-to-end tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from authlint import engine
from authlint.checker import check_source
from authlint.config import AnalysisOptions
from authlint.findings import Finding

# Flagged AUT101 at 8:15: the 403 answers a missing Authorization header.
REPORTS = """\
from flask import Flask, abort, request

app = Flask(__name__)

@app.get("/reports")
def reports():
    if "Authorization" not in request.headers:
        abort(403)
    return {"reports": []}
"""

# Flagged AUT102 at 11:55: a signed-in user who is not an administrator
# gets 401.
ADMIN = """\
from flask import Flask, jsonify
from flask_login import current_user, login_required

app = Flask(__name__)


@app.get("/admin")
@login_required
def admin():
    if not current_user.is_admin:
        return jsonify(error="You are not allowed."), 401
    return {"ok": True}
"""

# A syntax error in a file the pre-filter cannot skip (it mentions 403).
BROKEN = """\
from flask import abort

deny = = abort(403)
"""

# Nothing any rule looks for: the pre-filter skips it unparsed.
CLEAN = "def add(a, b):\n    return a + b\n"


_SUMMARY = re.compile(r"authlint: (?P<counts>.*) in \d+\.\d\ds\n")


def counts(stderr: str) -> str:
    """The counts of the summary line on ``stderr``, without the time taken."""
    match = _SUMMARY.fullmatch(stderr)
    assert match, stderr
    return match.group("counts")


def write(path: str, text: str) -> str:
    """Write ``text`` to ``path`` (relative to the test's folder)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text, encoding="utf-8")
    return path


def syntax_error(path: str, source: str = BROKEN) -> Finding:
    """The AUT001 finding the checker makes for ``source``."""
    findings = check_source(
        source.encode(), path, enabled={"AUT001"}, options=AnalysisOptions()
    )
    assert len(findings) == 1
    return findings[0]


def crash_while_checking(monkeypatch: pytest.MonkeyPatch, crashing: str) -> None:
    """Make the checker fail with an internal error on the file ``crashing``."""
    real_check = engine.check_source

    def check(source: bytes, path: str, **kwargs: object) -> list[Finding]:
        if path == crashing:
            raise ValueError("unexpected node")
        return real_check(source, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "check_source", check)
