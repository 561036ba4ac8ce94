"""Time ``authlint check`` against flake8 and against the parsing floor.

    python benchmarks/run.py --files 5000            # a synthetic corpus
    python benchmarks/run.py --tree ~/src/netbox     # a real checkout

Every command runs once per round, rounds alternate the order, and the
report gives medians, the ratio of each round, files/s, lines/s and the
peak memory of the whole process tree (proportional set size, so the
pages worker processes share are counted once; sampled every 50 ms on
Linux, the largest single process elsewhere).

The commands:

- authlint cold: a fresh cache directory, with ``--jobs 1`` and the default
  (one worker per core);
- authlint warm: the same tree again with a cache filled by an earlier run;
- flake8 with its default checks, ``-j 1`` and the default (one job per
  core); pass a flake8 without the authlint plugin (``--flake8``), or its
  time includes authlint's own checks;
- the floor: one process that reads every file, runs authlint's pre-filter
  and ``libcst.parse_module`` on the files that pass, and nothing else.

``--growth`` also times the cold ``--jobs 1`` run on 1/4, 1/2 and all of
the files, to show whether time grows linearly.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE_EVERY = 0.05


@dataclass
class Measure:
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--tree", type=Path, help="a checkout to measure")
    where.add_argument(
        "--files",
        type=int,
        default=5000,
        help="size of the synthetic corpus when no --tree (default: 5000)",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--authlint", default=_beside_python("authlint"), help="authlint command"
    )
    parser.add_argument(
        "--flake8",
        default=shutil.which("flake8") or _beside_python("flake8"),
        help="flake8 command, ideally from an environment without authlint",
    )
    parser.add_argument("--skip-flake8", action="store_true")
    parser.add_argument("--growth", action="store_true", help="check linear growth")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.floor is not None:
        return _floor(args.floor)

    with tempfile.TemporaryDirectory(prefix="authlint-bench-") as scratch:
        tree = args.tree
        if tree is None:
            sys.path.insert(0, str(HERE))
            from corpus import write_corpus

            tree = Path(scratch) / "corpus"
            write_corpus(tree, args.files)
        report = _measure(tree.resolve(), Path(scratch), args)
    print(_markdown(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


def _beside_python(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _measure(tree: Path, scratch: Path, args: argparse.Namespace) -> dict[str, object]:
    files = _python_files(tree)
    lines = sum(_count_lines(path) for path in files)
    if not args.skip_flake8:
        _warn_about_plugins(args.flake8)
    warm_cache = scratch / "warm-cache"
    authlint = [args.authlint, "check", "--exit-zero", "-q"]

    def cold(jobs: list[str]) -> list[str]:
        fresh = scratch / "cold-cache"
        shutil.rmtree(fresh, ignore_errors=True)
        return [*authlint, *jobs, "--cache-dir", str(fresh), "."]

    commands = {
        "authlint cold -j1": lambda: cold(["-j1"]),
        "authlint cold": lambda: cold([]),
        "authlint warm": lambda: [*authlint, "--cache-dir", str(warm_cache), "."],
        "floor": lambda: [sys.executable, __file__, "--floor", "."],
    }
    if not args.skip_flake8:
        commands["flake8 -j1"] = lambda: [args.flake8, "--exit-zero", "-j1", "."]
        commands["flake8"] = lambda: [args.flake8, "--exit-zero", "."]

    # Fill the warm cache; this run is not timed.
    _run([*authlint, "--cache-dir", str(warm_cache), "."], tree)
    load_before = os.getloadavg()
    measures = {name: Measure() for name in commands}
    names = list(commands)
    for round_ in range(args.rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            seconds, peak = _run(commands[name](), tree)
            measures[name].seconds.append(seconds)
            measures[name].peak_mb.append(peak)
    load_after = os.getloadavg()

    growth = _growth(tree, files, args.authlint, scratch) if args.growth else None
    return {
        "machine": _machine(),
        "load_before": load_before,
        "load_after": load_after,
        "tree": str(tree),
        "files": len(files),
        "lines": lines,
        "parsed": _floor_counts(tree, files),
        "measures": {
            name: {"seconds": m.seconds, "peak_mb": m.peak_mb}
            for name, m in measures.items()
        },
        "growth": growth,
    }


def _python_files(tree: Path) -> list[Path]:
    sys.path.insert(0, str(HERE.parent / "src"))
    from authlint.files import discover, exclusion_patterns

    found = discover([str(tree)], exclusion_patterns(None, (), tree))
    return [Path(path) for path in found.files]


def _count_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except OSError:
        return 0


def _warn_about_plugins(flake8: str) -> None:
    version = subprocess.run(
        [flake8, "--version"], capture_output=True, text=True, check=False
    ).stdout
    if "authlint" in version:
        print(
            "warning: this flake8 has the authlint plugin, so its time includes "
            "authlint's checks; pass --flake8 from an environment without it",
            file=sys.stderr,
        )


# Every command runs as it would on a developer's machine, where Python
# caches the bytecode of the modules it imports: some CI images and
# sandboxes turn that off, which would charge each run for compiling the
# tools' own source.
_USUAL_ENVIRONMENT = {
    name: value
    for name, value in os.environ.items()
    if name != "PYTHONDONTWRITEBYTECODE"
}


def _run(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one command."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_USUAL_ENVIRONMENT,
    )
    peak = [0]
    done = threading.Event()
    sampler = threading.Thread(target=_sample, args=(process.pid, peak, done))
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{error}")
    # ru_maxrss is in KB on Linux: the largest single process, a floor.
    largest = usage.ru_maxrss / 1024
    return seconds, max(peak[0] / 1024, largest)


def _sample(root: int, peak: list[int], done: threading.Event) -> None:
    if not Path("/proc/self/smaps_rollup").exists():
        return
    while not done.is_set():
        total = sum(_pss_kb(pid) for pid in _tree_of(root))
        peak[0] = max(peak[0], total)
        done.wait(SAMPLE_EVERY)


def _tree_of(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as file:
                stat = file.read()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as file:
            for line in file:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _growth(
    tree: Path, files: list[Path], authlint: str, scratch: Path
) -> dict[str, float]:
    shuffled = random.Random(0).sample(files, len(files))
    timings = {}
    for share, label in ((4, "1/4"), (2, "1/2"), (1, "all")):
        chosen = sorted(str(path) for path in shuffled[: len(files) // share])
        cache = scratch / f"growth-{share}"
        command = [authlint, "check", "--exit-zero", "-q", "-j1"]
        seconds, _ = _run([*command, "--cache-dir", str(cache), *chosen], tree)
        timings[label] = seconds
    return timings


def _floor(tree: Path) -> int:
    """Read, pre-filter and parse: what any libcst-based check must pay."""
    import libcst

    from authlint.files import discover, exclusion_patterns

    paths = discover([str(tree)], exclusion_patterns(None, (), tree.resolve())).files
    parsed = 0
    for source in _passed(paths):
        parsed += 1
        with contextlib.suppress(Exception):
            libcst.parse_module(source)
    print(json.dumps({"files": len(paths), "parsed": parsed}))
    return 0


def _floor_counts(tree: Path, files: list[Path]) -> dict[str, int]:
    """How many files, and lines, the pre-filter passes on to the parser."""
    # Relative to the tree, as authlint sees them when run inside it.
    passed = list(_passed([str(path.relative_to(tree)) for path in files], tree))
    return {
        "parsed": len(passed),
        "parsed_lines": sum(source.count(b"\n") for source in passed),
    }


def _passed(paths: Sequence[str], root: Path | None = None) -> Iterator[bytes]:
    """The source of each file that authlint would parse: not test code,
    and passed by the pre-filter."""
    from authlint.checker import may_need_check
    from authlint.files import is_test_code
    from authlint.rules import DEFAULT_ENABLED

    for path in paths:
        if is_test_code(path):
            continue
        source = (root / path if root else Path(path)).read_bytes()
        if may_need_check(source, DEFAULT_ENABLED):
            yield source


def _machine() -> dict[str, object]:
    from importlib.metadata import version

    import libcst  # noqa: F401

    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "libcst": version("libcst"),
        "flake8": version("flake8"),
    }


def _markdown(report: dict[str, object]) -> str:
    measures = {
        name: Measure(values["seconds"], values["peak_mb"])
        for name, values in report["measures"].items()
    }
    files, lines = report["files"], report["lines"]
    out = [
        f"Tree: {report['tree']}: {files} files, {lines} lines; "
        f"{report['parsed']['parsed']} files ({report['parsed']['parsed_lines']} "
        "lines) pass the pre-filter.",
        f"Machine: {report['machine']}",
        f"Load average before/after: {report['load_before']} / {report['load_after']}",
        "",
        "| command | median s | rounds s | files/s | lines/s | peak MB |",
        "| --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for name, measure in measures.items():
        rounds = ", ".join(f"{s:.2f}" for s in measure.seconds)
        out.append(
            f"| {name} | {measure.median:.2f} | {rounds} | "
            f"{files / measure.median:,.0f} | {lines / measure.median:,.0f} | "
            f"{max(measure.peak_mb):.0f} |"
        )
    out += ["", "| ratio | per round | median |", "| --- | --- | ---: |"]
    pairs = [
        ("authlint cold -j1 / flake8 -j1", "authlint cold -j1", "flake8 -j1"),
        ("authlint cold / flake8", "authlint cold", "flake8"),
        ("authlint cold -j1 / floor", "authlint cold -j1", "floor"),
        ("authlint cold / warm (speed-up)", "authlint cold", "authlint warm"),
    ]
    for label, top, bottom in pairs:
        if top in measures and bottom in measures:
            ratios = [
                a / b for a, b in zip(measures[top].seconds, measures[bottom].seconds)
            ]
            shown = ", ".join(f"{r:.2f}" for r in ratios)
            out.append(f"| {label} | {shown} | {statistics.median(ratios):.2f} |")
    growth = report.get("growth")
    if growth:
        quarter = growth["1/4"]
        out += [
            "",
            "Growth (cold, -j1): "
            + ", ".join(f"{k}: {v:.2f} s" for k, v in growth.items())
            + f"; all / (4 x 1/4) = {growth['all'] / (4 * quarter):.2f}",
        ]
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
