"""The pre-commit hook, end to end: pre-commit installs this repository and runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from authlint.checker import check_source
from authlint.config import AnalysisOptions

pytest.importorskip("pre_commit", reason="pre-commit is not installed")
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

REPOSITORY = Path(__file__).resolve().parent.parent

BROKEN = """\
from flask import abort

deny = = abort(403)
"""

CLEAN = "def add(a, b):\n    return a + b\n"

# Commits in throw-away repositories must not depend on the user's git setup.
GIT_IDENTITY = (
    "-c",
    "user.name=authlint tests",
    "-c",
    "user.email=tests@authlint.invalid",
    "-c",
    "commit.gpgsign=false",
)


def git(*arguments: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", *GIT_IDENTITY, *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def snapshot_of_this_repository(destination: Path) -> Path:
    """This repository's files as they are on disk, committed in a new repository.

    ``pre-commit try-repo`` takes a repository's HEAD plus changes to tracked
    files only; a snapshot also carries new files not yet committed, so the
    test checks the working tree as it is.
    """
    listed = git(
        "ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=REPOSITORY
    )
    for name in filter(None, listed.split("\0")):
        source = REPOSITORY / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git("init", "-q", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", "snapshot", cwd=destination)
    return destination


def try_repo(repository: Path, project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(project.parent / "cache")}
    # The hook must run the copy pre-commit installed, not a source tree.
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(repository),
            "authlint",
            "--all-files",
            "--color=never",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_the_hook_fails_on_a_finding_and_passes_once_fixed(tmp_path: Path) -> None:
    if not (REPOSITORY / ".git").exists():
        pytest.skip("not a git checkout")
    hooks = snapshot_of_this_repository(tmp_path / "authlint")
    project = tmp_path / "project"
    project.mkdir()
    git("init", "-q", cwd=project)
    (project / "views.py").write_text(BROKEN, encoding="utf-8")
    (project / "README.md").write_text("not Python\n", encoding="utf-8")
    git("add", "-A", cwd=project)
    [finding] = check_source(
        BROKEN.encode(), "views.py", enabled={"AUT001"}, options=AnalysisOptions()
    )

    failed = try_repo(hooks, project)

    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "authlint" in failed.stdout
    assert "Failed" in failed.stdout
    expected = f"views.py:{finding.line}:{finding.column}: AUT001 {finding.message}"
    assert expected in failed.stdout.splitlines()

    (project / "views.py").write_text(CLEAN, encoding="utf-8")
    git("add", "-A", cwd=project)

    passed = try_repo(hooks, project)

    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
    assert "AUT001" not in passed.stdout
