"""The result cache: warm runs parse nothing, and never serve a stale outcome."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from authlint import engine
from authlint.cache import ResultCache
from authlint.cli import main
from authlint.engine import CheckPlan, RunResult, run
from authlint.files import Discovery, PathPatterns, discover
from authlint.findings import Finding
from authlint.rules import DEFAULT_ENABLED
from samples import BROKEN, CLEAN, REPORTS, write

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BILLING = FIXTURES / "flask" / "billing_api"


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths parsed in this process, in order."""
    seen: list[str] = []
    real_check = engine.check_source

    def check(source: bytes, path: str, **kwargs: object) -> list[Finding]:
        seen.append(path)
        return real_check(source, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "check_source", check)
    return seen


def cache(plan: CheckPlan, settings: str = "") -> ResultCache:
    return ResultCache(Path(".authlint_cache"), plan, settings)


def check_tree(plan: CheckPlan | None = None, jobs: int = 0) -> RunResult:
    plan = plan or CheckPlan(DEFAULT_ENABLED)
    discovery = discover(["."], PathPatterns([".authlint_cache"], Path.cwd()))
    return run(discovery, plan, jobs=jobs, cache=cache(plan))


def test_a_warm_run_parses_nothing(parsed: list[str]) -> None:
    write("app.py", REPORTS)
    write("bad.py", BROKEN)
    write("clean.py", CLEAN)

    cold = check_tree()
    assert parsed == ["app.py", "bad.py"]
    warm = check_tree()

    assert parsed == ["app.py", "bad.py"]
    assert warm.findings == cold.findings
    assert [f.code for f in warm.findings] == ["AUT101", "AUT001"]
    assert (warm.files_checked, warm.files_skipped, warm.files_unparsable) == (1, 1, 1)
    assert (cold.files_cached, warm.files_cached) == (0, 2)


def test_a_warm_run_starts_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    write("app.py", REPORTS)
    cold = check_tree(jobs=2)

    def no_workers(*args: object) -> None:
        raise AssertionError("a worker was started")

    monkeypatch.setattr("authlint.workers._Pool", no_workers)
    warm = check_tree(jobs=2)

    assert warm.findings == cold.findings != ()
    assert warm.files_cached == 1


def test_a_changed_file_is_parsed_again(parsed: list[str]) -> None:
    write("app.py", REPORTS)
    write("other.py", REPORTS)
    plan = CheckPlan(frozenset({"AUT101"}))
    check_tree(plan)
    write("app.py", REPORTS.replace("403", "401"))

    result = check_tree(plan)

    assert parsed == ["app.py", "other.py", "app.py"]
    assert [f.path for f in result.findings] == ["other.py"]


def test_other_settings_are_a_different_entry(parsed: list[str]) -> None:
    write("app.py", REPORTS)
    check_tree()

    result = check_tree(CheckPlan(frozenset({"AUT001"})))

    assert parsed == ["app.py", "app.py"]
    assert result.findings == ()


def test_editing_an_imported_module_rechecks_its_importers(tmp_path: Path) -> None:
    shutil.copytree(BILLING, tmp_path / "billing_api")
    before = check_tree()
    errors = tmp_path / "billing_api" / "errors.py"
    # Authentication failures now answer 403: the view that raised one for
    # a permission failure is right after all.
    errors.write_text(
        errors.read_text().replace(
            "status_code = HTTPStatus.UNAUTHORIZED",
            "status_code = HTTPStatus.FORBIDDEN",
        )
    )

    after = check_tree()

    # The views and the decorators both import from errors.py.
    assert after.files_cached == 0
    gone = set(before.findings) - set(after.findings)
    assert [(f.path, f.line, f.code) for f in gone] == [
        ("billing_api/views.py", 47, "AUT102")
    ]
    fresh = run(
        discover(["billing_api"], PathPatterns([], tmp_path)),
        CheckPlan(DEFAULT_ENABLED),
    )
    assert after.findings == fresh.findings


def test_creating_a_module_an_import_looked_for_rechecks_the_importer() -> None:
    write("pkg/__init__.py", "")
    write(
        "pkg/views.py",
        "from flask import abort, request\n"
        "from .errors import AccessDenied\n\n\n"
        "def refund():\n"
        '    if "Authorization" not in request.headers:\n'
        "        raise AccessDenied()\n"
        "    abort(404)\n",
    )
    before = check_tree()
    write(
        "pkg/errors.py",
        "from werkzeug.exceptions import Forbidden\n\n\n"
        "class AccessDenied(Forbidden):\n"
        "    pass\n",
    )

    after = check_tree()

    fresh = run(
        Discovery(files=("pkg/__init__.py", "pkg/errors.py", "pkg/views.py")),
        CheckPlan(DEFAULT_ENABLED),
    )
    assert after.findings == fresh.findings
    assert after.files_cached == 0
    assert before.findings == ()
    assert [(f.path, f.line, f.code) for f in after.findings] == [
        ("pkg/views.py", 7, "AUT101")
    ]


def test_a_corrupt_entry_is_ignored_and_replaced(parsed: list[str]) -> None:
    write("app.py", REPORTS)
    cold = check_tree()
    entries = list(Path(".authlint_cache").rglob("*.json"))
    assert len(entries) == 1
    for garbage in (b"\x00\xff not json", b'{"status": "checked"}', b"[1, 2]"):
        entries[0].write_bytes(garbage)

        assert check_tree().findings == cold.findings

    assert parsed == ["app.py"] * 4
    assert check_tree().files_cached == 1


def test_the_cache_directory_is_marked_for_git_and_backups() -> None:
    write("app.py", REPORTS)
    check_tree()

    directory = Path(".authlint_cache")
    assert (directory / ".gitignore").read_text() == "*\n"
    assert (
        (directory / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )


def test_an_unwritable_cache_is_no_error(parsed: list[str]) -> None:
    write("app.py", REPORTS)
    Path(".authlint_cache").write_text("a file where the directory should be")

    first, second = check_tree(), check_tree()

    assert [f.code for f in first.findings] == [f.code for f in second.findings]
    assert first.findings != ()
    assert parsed == ["app.py", "app.py"]


def test_cache_options_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("app.py", REPORTS)

    assert main(["check", "--no-cache", "--jobs", "1"]) == 1
    assert not Path(".authlint_cache").exists()
    assert main(["check", "--cache-dir", "elsewhere", "--jobs", "1"]) == 1
    assert len(list(Path("elsewhere").rglob("*.json"))) == 1
    assert main(["check", "--jobs", "1"]) == 1
    assert len(list(Path(".authlint_cache").rglob("*.json"))) == 1
    out = capsys.readouterr().out
    assert len(set(out.splitlines())) == 1


def test_the_cache_lives_beside_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("pyproject.toml", "[tool.authlint]\n")
    write("src/app.py", REPORTS)
    monkeypatch.chdir(tmp_path / "src")

    assert main(["check", "--jobs", "1", "-q"]) == 1
    assert len(list((tmp_path / ".authlint_cache").rglob("*.json"))) == 1


def test_the_number_of_workers_does_not_change_the_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write("app.py", REPORTS)
    assert main(["check", "--jobs", "1"]) == 1

    def no_workers(*args: object) -> None:
        raise AssertionError("a worker was started")

    monkeypatch.setattr("authlint.workers._Pool", no_workers)

    assert main(["check", "--jobs", "2"]) == 1
    assert main(["check", "--jobs", "0"]) == 1
    first, second, third = capsys.readouterr().out.splitlines()
    assert first == second == third


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths read in this process, in order."""
    seen: list[str] = []
    real_read = engine.read_source

    def read(path: str, limit: int | None = None) -> bytes:
        seen.append(path)
        return real_read(path, limit)

    monkeypatch.setattr(engine, "read_source", read)
    return seen


def settle(*paths: str) -> None:
    """Date files a minute back, as if written before the run started."""
    past = time.time() - 60
    for path in paths:
        os.utime(path, (past, past))


def test_a_warm_run_reads_no_unchanged_file(reads: list[str]) -> None:
    write("app.py", REPORTS)
    write("clean.py", CLEAN)
    settle("app.py", "clean.py")

    cold = check_tree()
    assert reads == ["app.py", "clean.py"]
    warm = check_tree()

    assert reads == ["app.py", "clean.py"]
    assert warm.findings == cold.findings != ()
    assert (warm.files_checked, warm.files_skipped, warm.files_cached) == (1, 1, 1)


def test_a_file_changed_since_is_read_again(reads: list[str]) -> None:
    write("app.py", REPORTS)
    write("clean.py", CLEAN)
    settle("app.py", "clean.py")
    check_tree()
    write("clean.py", REPORTS)  # same path, new content and time

    result = check_tree()

    assert reads == ["app.py", "clean.py", "clean.py"]
    assert [f.path for f in result.findings] == ["app.py", "clean.py"]


def test_a_file_written_just_now_is_not_trusted_by_its_stamp(
    reads: list[str],
) -> None:
    # Written within the clock's resolution of the run: it could change
    # again without its time changing.
    write("app.py", REPORTS)

    check_tree()
    check_tree()

    assert reads == ["app.py", "app.py"]


def test_a_corrupt_files_index_is_ignored(reads: list[str]) -> None:
    write("app.py", REPORTS)
    settle("app.py")
    cold = check_tree()
    (index,) = Path(".authlint_cache").rglob("files-*.idx")
    index.write_bytes(b"[not an index")

    assert check_tree().findings == cold.findings
    assert reads == ["app.py", "app.py"]
    assert check_tree().findings == cold.findings
    assert reads == ["app.py", "app.py"]


UNAUTHORIZED = """\
from flask import Flask, abort, request

app = Flask(__name__)


@app.get("/reports")
def reports():
    if "Authorization" not in request.headers:
        abort(401)
    return {"reports": []}
"""

CHALLENGE_HOOK = """\
from flask import jsonify

from app import app


@app.errorhandler(401)
def unauthorized(error):
    response = jsonify(error="Not authenticated")
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
"""


def test_a_new_module_that_adds_the_challenge_is_seen(parsed: list[str]) -> None:
    # Whether a 401 has its WWW-Authenticate header can depend on an error
    # handler in any module of the project, including one that did not exist.
    write("app.py", UNAUTHORIZED)
    write("other.py", "VALUE = 1\n")
    plan = CheckPlan(frozenset({"AUT203"}))
    assert [f.code for f in check_tree(plan).findings] == ["AUT203"]
    assert [f.code for f in check_tree(plan).findings] == ["AUT203"]
    assert parsed == ["app.py"]

    write("hooks.py", CHALLENGE_HOOK)
    assert check_tree(plan).findings == ()

    os.remove("hooks.py")
    write("other.py", "VALUE = 2\n")
    assert [f.code for f in check_tree(plan).findings] == ["AUT203"]
