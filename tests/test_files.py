"""Discovering the files to check, and path patterns."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from authlint.files import (
    DEFAULT_EXCLUDE,
    PathNotFoundError,
    PathPatterns,
    discover,
    exclusion_patterns,
    is_test_code,
)


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def make(*paths: str) -> None:
    for path in paths:
        file = Path(path)
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text("x = 1\n", encoding="utf-8")


def found(
    paths: Sequence[str] = (".",),
    exclude: Sequence[str] | None = None,
    extend_exclude: Sequence[str] = (),
) -> list[str]:
    patterns = exclusion_patterns(exclude, extend_exclude, Path.cwd())
    return list(discover(paths, patterns).files)


def test_python_files_are_found_below_a_directory_in_sorted_order() -> None:
    make("b.py", "a.py", "pkg/z.py", "pkg/sub/m.py", "pkg/readme.txt", "pkg/stub.pyi")

    assert found() == ["a.py", "b.py", "pkg/sub/m.py", "pkg/z.py"]


def test_paths_keep_the_form_they_were_given_in(tmp_path: Path) -> None:
    make("pkg/a.py")

    assert found(["pkg"]) == ["pkg/a.py"]
    assert found(["./pkg/"]) == ["pkg/a.py"]
    assert found([str(tmp_path / "pkg")]) == [str(tmp_path / "pkg" / "a.py")]
    os.chdir("pkg")
    assert found([".."]) == ["../pkg/a.py"]


def test_tool_and_build_directories_are_skipped() -> None:
    make(
        "app.py",
        ".git/hooks/x.py",
        ".hg/x.py",
        ".tox/py39/x.py",
        ".nox/x.py",
        ".mypy_cache/x.py",
        "__pycache__/x.py",
        "node_modules/pkg/x.py",
        "build/lib/x.py",
        "dist/x.py",
        "shop.egg-info/x.py",
        "src/build/x.py",
    )

    assert found() == ["app.py"]


def test_virtualenvs_are_skipped_whatever_their_name() -> None:
    make("app.py", "env3/lib/site.py", "tools/.py311/lib/x.py")
    Path("env3/pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    Path("tools/.py311/pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")

    assert found() == ["app.py"]


def test_exclude_replaces_the_defaults_and_extend_exclude_adds() -> None:
    make("app.py", "build/gen.py", "legacy/old.py", "tests/test_app.py")

    assert found(exclude=["legacy"]) == ["app.py", "build/gen.py", "tests/test_app.py"]
    assert found(extend_exclude=["legacy", "tests/"]) == ["app.py"]


def test_directories_named_on_the_command_line_are_walked_even_when_excluded() -> None:
    make("build/pkg/gen.py", "build/pkg/build/inner.py")

    # The named directory is the user's choice; its contents still follow
    # the excludes.
    assert found(["build/pkg"]) == ["build/pkg/gen.py"]


def test_files_named_on_the_command_line_are_always_checked() -> None:
    make("build/gen.py", "bin/deploy", "legacy/old.py")

    assert found(["build/gen.py", "bin/deploy", "legacy/old.py"], ["legacy"]) == [
        "bin/deploy",
        "build/gen.py",
        "legacy/old.py",
    ]


def test_a_file_named_twice_is_checked_once() -> None:
    make("pkg/a.py", "pkg/b.py")

    assert found(["pkg/a.py", ".", "pkg", "./pkg/a.py"]) == ["pkg/a.py", "pkg/b.py"]


def test_a_directory_named_like_a_module_is_walked() -> None:
    make("odd.py/inner.py")

    assert found() == ["odd.py/inner.py"]
    assert found(["odd.py"]) == ["odd.py/inner.py"]


def test_a_missing_path_is_an_error() -> None:
    with pytest.raises(PathNotFoundError) as caught:
        found(["nope.py"])
    assert str(caught.value) == "no such file or directory: nope.py"


def test_a_symlink_loop_ends() -> None:
    make("pkg/a.py")
    os.symlink("..", "pkg/up")
    os.symlink("loop", "loop")  # a link to itself

    assert found() == ["pkg/a.py"]


def test_a_linked_directory_is_walked_once_under_its_real_name() -> None:
    make("src/app.py", "elsewhere/lib.py")
    os.symlink("src", "alias")  # sorts before "src", still loses to it
    os.symlink(os.path.abspath("elsewhere"), "src/vendored")

    assert found(["."], extend_exclude=["elsewhere"]) == [
        "src/app.py",
        "src/vendored/lib.py",
    ]


def test_a_dangling_link_is_kept_for_the_reader_to_report() -> None:
    make("app.py")
    os.symlink("gone.py", "broken.py")

    assert found() == ["app.py", "broken.py"]


def test_pipes_are_not_read() -> None:
    make("app.py")
    os.mkfifo("pipe.py")

    assert found() == ["app.py"]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="permissions do not stop root",
)
def test_a_directory_that_cannot_be_listed_is_reported() -> None:
    make("app.py", "secret/x.py")
    os.chmod("secret", 0)
    try:
        patterns = exclusion_patterns(None, (), Path.cwd())
        discovery = discover(["."], patterns)
    finally:
        os.chmod("secret", 0o755)

    assert discovery.files == ("app.py",)
    assert [path for path, _ in discovery.unreadable_directories] == ["secret"]


def test_the_default_excludes_are_plain_names() -> None:
    assert ".git" in DEFAULT_EXCLUDE
    assert all("/" not in pattern for pattern in DEFAULT_EXCLUDE)


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        # No slash: a name at any depth, file or directory.
        ("migrations", "shop/migrations/0001_initial.py", True),
        ("test_*.py", "tests/unit/test_views.py", True),
        ("*.py", "app.py", True),
        ("views.py", "shop/views.py", True),
        ("views.py", "shop/views.pyc", False),
        # A trailing slash: directories only.
        ("views.py/", "shop/views.py", False),
        ("shop/", "shop/views.py", True),
        # A slash: the path below the root, and everything under it.
        ("shop/legacy", "shop/legacy/views.py", True),
        ("shop/legacy", "other/shop/legacy/views.py", False),
        ("/shop", "shop/views.py", True),
        ("./shop/views.py", "shop/views.py", True),
        ("tests/*/data", "tests/unit/data/x.py", True),
        ("tests/*.py", "tests/test_views.py", True),
        # A leading **/ matches at any depth.
        ("**/legacy/*.py", "a/b/legacy/old.py", True),
        ("**/legacy/*.py", "legacy/old.py", True),
        ("**/conftest.py", "a/conftest.py", True),
    ],
)
def test_pattern_semantics(
    tmp_path: Path, pattern: str, path: str, expected: bool
) -> None:
    assert PathPatterns([pattern], tmp_path).matches(path) is expected


def test_patterns_with_a_slash_are_relative_to_the_root(tmp_path: Path) -> None:
    patterns = PathPatterns(["shop/legacy"], tmp_path / "repo")

    assert patterns.matches(str(tmp_path / "repo" / "shop" / "legacy" / "v.py"))
    assert not patterns.matches(str(tmp_path / "shop" / "legacy" / "v.py"))
    # Relative paths are taken from the working directory, here tmp_path.
    assert not patterns.matches("shop/legacy/v.py")
    assert patterns.matches("repo/shop/legacy/v.py")


def test_an_entry_is_matched_by_itself_only(tmp_path: Path) -> None:
    patterns = PathPatterns(["build", "gen/"], tmp_path)

    assert patterns.matches_entry("build", is_dir=True)
    assert patterns.matches_entry("src/build", is_dir=False)
    assert not patterns.matches_entry("build/lib", is_dir=True)
    assert patterns.matches_entry("gen", is_dir=True)
    assert not patterns.matches_entry("gen", is_dir=False)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_client.py", True),
        ("client_test.py", True),
        ("conftest.py", True),
        ("billing/tests.py", True),
        ("src/app/tests/helpers.py", True),
        ("tests/unit/api/fakes.py", True),
        ("netbox/utilities/testing/api.py", True),
        ("src/app/client.py", False),
        ("src/app/contest.py", False),
        ("src/app/testimonials.py", False),
        ("src/latest/views.py", False),
    ],
)
def test_test_code_by_name_and_folder(path: str, expected: bool) -> None:
    assert is_test_code(path) is expected


def test_folders_above_the_current_directory_are_not_test_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = tmp_path / "test" / "app"
    checkout.mkdir(parents=True)
    monkeypatch.chdir(checkout)

    assert is_test_code(str(checkout / "api" / "views.py")) is False
    assert is_test_code(str(checkout / "tests" / "fakes.py")) is True
    # Outside the current directory, only the two nearest folders count.
    assert is_test_code("/home/me/test/checkouts/app/client.py") is False
    assert is_test_code("/home/me/checkouts/app/tests/fakes.py") is True
