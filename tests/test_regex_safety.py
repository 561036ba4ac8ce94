"""No regular expression in authlint backtracks super-linearly.

Every pattern authlint compiles, at module level or from user input (globs,
rule codes) and source text (``# noqa`` comments, phrases), is run over long
strings built to provoke backtracking. Each is timed at two lengths, 16x apart,
in the same run: a linear pattern takes about 16x as long on the longer one, a
quadratic one about 256x. Nothing is timed against the wall clock alone, so a
slow or busy machine does not fail the test.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import timeit
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import authlint
from authlint import files
from authlint.analysis import handlers
from authlint.project import _ModuleFile

SHORT = 1_000
LONG = 16 * SHORT
# Linear growth is 16x; allow twice that for noise, far below quadratic (256x).
MAX_GROWTH = 32
# Below this a measurement is noise; a quadratic pattern takes far longer.
FLOOR_SECONDS = 0.005

# Pieces repeated to build the hostile strings: the characters the patterns
# match on, and the near-misses that make a backtracking engine retry.
UNITS = (
    "a", "A", "Aa", "0", "A0", "_", " ", "\t", ",", ", A0", "#", "# ", ":", "/",
    "*", ".", "-", "noqa", "# noqa: A1", "HTTP_", "HTTP_401", "coding", "def ",
    "async ", "x/",
)  # fmt: skip
ENDINGS = ("", "!", "\n", "a")


def module_patterns() -> Iterator[tuple[str, re.Pattern[str] | re.Pattern[bytes]]]:
    """Every compiled pattern held by a module of the package."""
    for info in pkgutil.walk_packages(authlint.__path__, "authlint."):
        if info.name.endswith("__main__"):
            continue  # importing it runs the command line
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{info.name}.{name}", value


def built_patterns() -> Iterator[tuple[str, Callable[[str], object]]]:
    """Patterns authlint builds at run time, from configuration or source."""
    for glob in ("*a*a*a*a*a*b", "**/a*/*a*/*a*b", "[a-z]*[a-z]*[a-z]*!"):
        regex = files._compile(glob).regex
        yield f"glob {glob!r}", regex.match

    yield "phrase", lambda text: handlers._contains_phrase(text, "a a a a b")

    def defines(text: str) -> object:
        module = _ModuleFile(Path("m.py"), "m", text.encode())
        module.has_triggers = False
        return module.may_define_denial("a" * 10)

    yield "function definition", defines


def searches() -> Iterator[tuple[str, Callable[[str], object]]]:
    for name, pattern in module_patterns():
        if isinstance(pattern.pattern, bytes):
            yield name, lambda text, p=pattern: list(p.finditer(text.encode()))
        else:
            yield name, lambda text, p=pattern: list(p.finditer(text))
    yield from built_patterns()


def seconds(search: Callable[[str], object], text: str, repeat: int = 3) -> float:
    return min(timeit.repeat(lambda: search(text), number=1, repeat=repeat))


def test_the_known_patterns_are_found() -> None:
    names = {name for name, _ in module_patterns()}

    assert {
        "authlint.engine._NOQA",
        "authlint.config._SELECTOR",
        "authlint.analysis.guards._WORD",
        "authlint.analysis.responses._STATUS_CONSTANT",
        "authlint.flake8_plugin._CODING",
    } <= names


def backtracking_inputs(
    search: Callable[[str], object],
    units: tuple[str, ...] = UNITS,
    endings: tuple[str, ...] = ENDINGS,
) -> list[tuple[float, str]]:
    """The hostile strings on which ``search`` grows faster than linearly."""
    slow = []
    for unit in units:
        for ending in endings:
            short = unit * (SHORT // len(unit)) + ending
            long = unit * (LONG // len(unit)) + ending
            # Once is enough for a time far above the noise.
            long_time = seconds(search, long, repeat=1)
            if long_time < FLOOR_SECONDS:
                continue
            if long_time < 10 * FLOOR_SECONDS:
                long_time = min(long_time, seconds(search, long))
            growth = long_time / max(seconds(search, short), 1e-9)
            if growth > MAX_GROWTH:
                slow.append((round(growth), repr(unit + "..." + ending)))
    return slow


def test_the_measurement_catches_a_backtracking_pattern() -> None:
    # A rule-code pattern once searched like this: every start position
    # re-reads the whole run of capitals before failing.
    pattern = re.compile(r"[A-Z]+[0-9]{3}")

    slow = backtracking_inputs(pattern.search, units=("A",), endings=("!",))

    assert [text for _, text in slow] == ["'A...!'"]


@pytest.mark.parametrize(("name", "search"), list(searches()))
def test_matching_time_grows_linearly(
    name: str, search: Callable[[str], object]
) -> None:
    assert backtracking_inputs(search) == [], name
