"""``--diff-base``: findings on the lines a change touched, in a real git repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from authlint import changes
from authlint.changes import ChangesError, _parse_diff
from authlint.cli import main
from samples import ADMIN, REPORTS, write

# Appended to ADMIN: flagged AUT102 at line 19 (its seventh).
ANOTHER_ADMIN_VIEW = """

@app.get("/admin/audit")
@login_required
def audit():
    if "auditor" not in current_user.roles:
        return jsonify(error="Auditors only."), 401
    return {"entries": []}
"""

# Appended to REPORTS: flagged AUT101 at line 15 (its sixth).
ANOTHER_REPORT_VIEW = """

@app.get("/exports")
def exports():
    if request.authorization is None:
        abort(403)
    return {"exports": []}
"""


# Flagged AUT101 at 6:9.
DOWNLOAD = """\
from django.http import HttpResponseForbidden


def download(request):
    if not request.user.is_authenticated:
        return HttpResponseForbidden("Sign in first.")
    return None
"""


def git(*arguments: str) -> str:
    completed = subprocess.run(
        ["git", *arguments], check=True, capture_output=True, text=True
    )
    return completed.stdout


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose ``main`` has five modules with one finding each."""
    # Keep the machine's git configuration (external diff tools, hooks, a
    # default branch name) out of the test.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for variable in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{variable}_NAME", "Dev")
        monkeypatch.setenv(f"GIT_{variable}_EMAIL", "dev@example.com")
    root = tmp_path / "shop"
    root.mkdir()
    monkeypatch.chdir(root)

    git("init", "-q", "-b", "main")
    write(".gitignore", "generated/\n")
    write("app/reports.py", REPORTS)
    write("app/exports.py", REPORTS)
    write("app/admin.py", ADMIN)
    write("app/legacy.py", REPORTS)
    write("app/retired.py", DOWNLOAD)
    git("add", ".")
    git("commit", "-q", "-m", "Reports, exports and admin views")
    return root


def findings(capsys: pytest.CaptureFixture[str], *arguments: str) -> list[str]:
    """``path:line CODE`` of each reported finding, checking ``arguments``."""
    code = main(["check", "-q", *arguments])
    out, err = capsys.readouterr()
    assert err == ""
    lines = [line.split(" ")[:2] for line in out.splitlines()]
    assert code == (1 if lines else 0)
    # "path:line:column:" less the column.
    return [f"{place.rsplit(':', 2)[0]} {rule}" for place, rule in lines]


def test_only_lines_the_branch_and_the_working_tree_touched(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git("switch", "-q", "-c", "feature")
    # Committed on the branch: a new view with a new finding in reports.py,
    # a module removed, one renamed without a change.
    write("app/reports.py", REPORTS + ANOTHER_REPORT_VIEW)
    git("rm", "-q", "app/retired.py")
    git("mv", "app/legacy.py", "app/legacy_views.py")
    git("commit", "-q", "-am", "Exports view; retire and rename modules")
    # main moves on after the branch left it: its changes are not the
    # branch's, so they must not count (the merge base is the reference).
    git("switch", "-q", "main")
    write("app/admin.py", ADMIN.replace("401", "403"))
    git("commit", "-q", "-am", "Answer 403 to non-administrators")
    git("switch", "-q", "feature")
    # Staged, not committed: another admin view.
    write("app/admin.py", ADMIN + ANOTHER_ADMIN_VIEW)
    git("add", "app/admin.py")
    # Not staged: the flagged line of exports.py is edited.
    write("app/exports.py", REPORTS.replace("abort(403)", "abort(403, 'no token')"))
    # Untracked: a new module, whole; an ignored one, not at all.
    write("app/billing.py", ADMIN)
    write("generated/client.py", ADMIN)

    # Without --diff-base every finding is there.
    assert findings(capsys, ".") == [
        "app/admin.py:11 AUT102",
        "app/admin.py:19 AUT102",
        "app/billing.py:11 AUT102",
        "app/exports.py:8 AUT101",
        "app/legacy_views.py:8 AUT101",
        "app/reports.py:8 AUT101",
        "app/reports.py:15 AUT101",
        "generated/client.py:11 AUT102",
    ]
    assert findings(capsys, "--diff-base", "main") == [
        "app/admin.py:19 AUT102",
        "app/billing.py:11 AUT102",
        "app/exports.py:8 AUT101",
        "app/reports.py:15 AUT101",
    ]


@pytest.mark.parametrize(
    "settings",
    [
        {"diff.mnemonicPrefix": "true"},
        {"diff.noprefix": "true"},
        {"color.diff": "always", "diff.external": "false"},
    ],
)
def test_the_users_diff_settings_do_not_matter(
    settings: dict[str, str], repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in settings.items():
        git("config", name, value)
    # A directory named like git's prefix, to tell a prefix from a path.
    write("b/reports.py", REPORTS)
    git("add", "b")
    git("commit", "-q", "-m", "Reports in b")
    git("switch", "-q", "-c", "feature")
    write("b/reports.py", REPORTS + ANOTHER_REPORT_VIEW)

    assert findings(capsys, "--diff-base", "main") == ["b/reports.py:15 AUT101"]


def test_a_file_moved_without_git_is_a_rename(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git("switch", "-q", "-c", "feature")
    # Moved in an editor or with mv: git sees a deletion and an untracked
    # file until the move is staged, and authlint sees a rename.
    os.rename("app/legacy.py", "app/legacy_views.py")
    os.rename("app/reports.py", "app/report_views.py")
    Path("app/report_views.py").write_text(
        REPORTS + ANOTHER_REPORT_VIEW, encoding="utf-8"
    )

    assert findings(capsys, "--diff-base", "main") == ["app/report_views.py:15 AUT101"]
    assert git("status", "--porcelain") == (
        " D app/legacy.py\n D app/reports.py\n"
        "?? app/legacy_views.py\n?? app/report_views.py\n"
    )


def test_the_summary_counts_what_was_left_out(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git("switch", "-q", "-c", "feature")
    write("app/reports.py", REPORTS + ANOTHER_REPORT_VIEW)

    assert main(["check", "--diff-base", "main", "app/reports.py"]) == 1

    out, err = capsys.readouterr()
    assert out.startswith("app/reports.py:15:15: AUT101 ")
    assert out.count("\n") == 1
    assert "1 file checked, 1 finding, 1 on unchanged lines in " in err


def test_nothing_changed_reports_nothing(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert findings(capsys, "--diff-base", "main") == []
    assert findings(capsys, "--diff-base", "HEAD") == []


def test_run_from_a_subdirectory(
    repository: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    git("switch", "-q", "-c", "feature")
    write("app/reports.py", REPORTS + ANOTHER_REPORT_VIEW)
    monkeypatch.chdir(repository / "app")

    assert findings(capsys, "--diff-base", "main") == ["reports.py:15 AUT101"]


def test_an_unknown_reference_is_exit_2(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--diff-base", "origin/nope"]) == 2
    assert capsys.readouterr() == (
        "",
        "authlint: error: unknown git reference 'origin/nope'\n",
    )


def test_outside_a_repository_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.chdir(plain)
    write("app.py", REPORTS)

    assert main(["check", "--diff-base", "main"]) == 2
    assert capsys.readouterr() == (
        "",
        "authlint: error: not inside a git repository\n",
    )


def test_a_path_outside_the_repository_is_exit_2(
    repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "app.py").write_text(REPORTS, encoding="utf-8")

    assert main(["check", "--diff-base", "main", str(outside)]) == 2
    assert capsys.readouterr() == (
        "",
        f"authlint: error: {outside} is outside the git repository "
        f"at {repository.resolve()}\n",
    )


def test_hunk_headers() -> None:
    diff = (
        b"diff --git a/app/a.py b/app/a.py\n"
        b"--- a/app/a.py\n+++ b/app/a.py\n"
        b"@@ -3 +3 @@\n-x\n+y\n"
        b"@@ -10,0 +11,2 @@\n+p\n+q\n"
        b"@@ -20,2 +22,0 @@\n-r\n-s\n"
        b"diff --git a/gone.py b/gone.py\n"
        b"--- a/gone.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n"
        b'--- a/x\n+++ "b/caf\\303\\251 \\"q\\".py"\n@@ -0,0 +1 @@\n+z\n'
    )

    assert _parse_diff(diff) == {
        "app/a.py": frozenset({3, 11, 12}),
        'café "q".py': frozenset({1}),
    }


def test_without_a_scratch_index_untracked_files_count_whole(
    repository: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def old_git(*_: object) -> bytes:
        raise ChangesError("git add --intent-to-add failed")

    monkeypatch.setattr(changes, "_diff_with_untracked", old_git)
    git("switch", "-q", "-c", "feature")
    write("app/reports.py", REPORTS + ANOTHER_REPORT_VIEW)
    os.rename("app/legacy.py", "app/legacy_views.py")

    assert findings(capsys, "--diff-base", "main") == [
        "app/legacy_views.py:8 AUT101",
        "app/reports.py:15 AUT101",
    ]
