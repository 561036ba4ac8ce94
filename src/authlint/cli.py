"""The ``authlint`` command: argument parsing, the commands, exit codes."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from authlint import __version__
from authlint.baseline import BaselineError, load_baseline, write_baseline
from authlint.cache import CACHE_DIRNAME, ResultCache
from authlint.changes import ChangesError, changed_lines
from authlint.config import (
    ConfigError,
    Settings,
    describe_key,
    parse_rule_codes,
    parse_size,
    parse_timeout,
    resolve_settings,
)
from authlint.engine import (
    CheckPlan,
    FileOutcome,
    FileStatus,
    RuleSelection,
    RunResult,
    check_stdin,
    run,
)
from authlint.files import (
    Discovery,
    PathNotFoundError,
    PathPatterns,
    discover,
    exclusion_patterns,
)
from authlint.findings import Finding, Severity
from authlint.fingerprints import fingerprint_findings, read_or_none, repository_root
from authlint.report import FORMATS, ReportContext
from authlint.rules import RULES, RULES_BY_CODE

logger = logging.getLogger(__name__)

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

_LOG_HANDLER = "authlint-cli"

# --fail-on: a finding fails the run when its level is at least the threshold.
_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}
# Formats a reader parses: nothing else may be written after them.
_MACHINE_FORMATS = frozenset({"json", "sarif"})
STDIN = "-"
T = TypeVar("T")


class UsageError(Exception):
    """Bad input from the user; its message is one line."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        # argparse exits 2 on bad usage and 0 for --help and --version.
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR

    _configure_logging(verbose=getattr(args, "verbose", False))
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR

    try:
        code: int = args.handler(args)
    except (
        ConfigError,
        UsageError,
        PathNotFoundError,
        BaselineError,
        ChangesError,
    ) as error:
        _error(str(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader (``| head``) has gone: keep the interpreter's final flush
        # from failing on the closed pipe too.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as error:  # the last line of defence: no traceback
        logger.debug("internal error", exc_info=True)
        _error(f"internal error: {type(error).__name__}: {error}{_traceback_hint()}")
        return EXIT_ERROR
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="authlint",
        description="Find HTTP authentication and authorization mistakes "
        "(401 versus 403 and friends) in Python web apps and HTTP clients.",
    )
    parser.add_argument(
        "--version", action="version", version=f"authlint {__version__}"
    )
    parser.set_defaults(command=None)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="check files and directories",
        description="Check Python files; directories are searched for *.py files.",
    )
    check.set_defaults(command="check", handler=_check)
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: .)"
    )
    rules = check.add_argument_group("rule selection (overrides the config file)")
    rules.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        help="comma-separated codes or prefixes to check, instead of the defaults",
    )
    rules.add_argument(
        "--extend-select",
        action="append",
        metavar="CODES",
        help="comma-separated codes or prefixes to check in addition",
    )
    rules.add_argument(
        "--ignore",
        action="append",
        metavar="CODES",
        help="comma-separated codes or prefixes not to check",
    )
    output = check.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default="text",
        help="report format (default: text)",
    )
    output.add_argument(
        "-o", "--output-file", metavar="FILE", help="write the report to FILE"
    )
    output.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit with 0 even when there are findings",
    )
    output.add_argument(
        "--fail-on",
        choices=[level.value for level in Severity],
        default=Severity.INFO.value,
        help="exit with 1 only for findings of this level or higher (default: info)",
    )
    output.add_argument(
        "--statistics",
        action="store_true",
        help="count the findings per rule after the report",
    )
    review = check.add_argument_group("code review")
    review.add_argument(
        "--diff-base",
        metavar="REF",
        help="report only findings on lines changed since the merge base of REF "
        "and HEAD, including uncommitted and untracked files",
    )
    review.add_argument(
        "--baseline",
        metavar="FILE",
        help="leave out the findings recorded in FILE",
    )
    review.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="record every finding in FILE and exit with 0",
    )
    check.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="read the source from standard input and report it under NAME",
    )
    output.add_argument(
        "-q", "--quiet", action="store_true", help="leave out the summary line"
    )
    output.add_argument(
        "-v", "--verbose", action="store_true", help="debug logging on stderr"
    )
    speed = check.add_argument_group("performance (overrides the config file)")
    speed.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        metavar="N",
        help="worker processes (default: one per core); 0 checks in this "
        "process, without crash isolation or time limit",
    )
    speed.add_argument(
        "--file-timeout",
        type=_option(parse_timeout),
        metavar="SECONDS",
        help="give up on a file after this long and report it as AUT001 (default: 5)",
    )
    speed.add_argument(
        "--max-file-size",
        type=_option(parse_size),
        metavar="SIZE",
        help='report larger files as AUT001 without reading them, e.g. "10MB" '
        "(default: 10MB)",
    )
    speed.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the cache"
    )
    speed.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help=f"where to keep the cache (default: {CACHE_DIRNAME} in the "
        "config file's directory, or the working directory)",
    )
    config = check.add_mutually_exclusive_group()
    config.add_argument(
        "--config",
        metavar="PATH",
        type=Path,
        help="read [tool.authlint] from this file instead of the nearest "
        "pyproject.toml",
    )
    config.add_argument(
        "--no-config", action="store_true", help="ignore every config file"
    )

    listing = commands.add_parser(
        "rules", help="list every rule", description="List every rule."
    )
    listing.set_defaults(command="rules", handler=_rules)

    rule = commands.add_parser(
        "rule",
        help="show a rule's documentation",
        description="Show a rule's documentation.",
    )
    rule.set_defaults(command="rule", handler=_rule)
    rule.add_argument("code", metavar="CODE", help="a rule code, like AUT101")
    return parser


def _check(args: argparse.Namespace) -> int:
    overrides = RuleSelection(
        select=_codes(args.select, "--select"),
        extend_select=_codes(args.extend_select, "--extend-select") or (),
        ignore=_codes(args.ignore, "--ignore") or (),
    )
    settings = resolve_settings(config=args.config, no_config=args.no_config)
    if args.file_timeout is not None:
        settings = replace(settings, file_timeout=args.file_timeout)
    if args.max_file_size is not None:
        settings = replace(settings, max_file_size=args.max_file_size)
    plan = CheckPlan.from_settings(settings, [overrides])
    logger.debug("enabled rules: %s", ", ".join(sorted(plan.enabled)) or "none")
    # A missing baseline or an unknown reference is known before any file
    # is checked.
    baseline = load_baseline(args.baseline) if args.baseline else None
    changes = None
    if args.diff_base is not None:
        changes = changed_lines(args.diff_base, _diff_paths(args))

    sources: dict[str, bytes] = {}
    result = _checked(args, settings, plan, sources)
    if result is None:
        return EXIT_CLEAN

    severities = dict(settings.severity)
    findings = [
        replace(f, severity=severities[f.code]) if f.code in severities else f
        for f in result.findings
    ]
    context = ReportContext(
        rules=tuple(rule for rule in RULES if rule.code in plan.enabled),
        root=repository_root(settings.root),
        severities=severities,
    )
    if args.format == "sarif" or baseline or args.write_baseline:
        context = replace(
            context,
            fingerprints=fingerprint_findings(
                findings, context.root, lambda path: read_or_none(path, sources)
            ),
        )
    if args.write_baseline:
        write_baseline(
            args.write_baseline, findings, context.fingerprints, context.root
        )
        _report_failures(result)
        if not args.quiet:
            written = _count(len(findings), "finding")
            _note(f"{written} written to {args.write_baseline}")
        return EXIT_ERROR if result.failures else EXIT_CLEAN

    unchanged = baselined = 0
    if changes is not None:
        findings, unchanged = changes.select(findings)
    if baseline is not None:
        findings, baselined = baseline.split(findings, context.fingerprints)
    result = replace(result, findings=tuple(findings))

    _report(args, result, context)
    _report_failures(result)
    if not args.quiet:
        _note(summary(result, baselined=baselined, unchanged=unchanged))

    if result.failures:
        return EXIT_ERROR
    threshold = _RANK[Severity(args.fail_on)]
    failing = [f for f in result.findings if _RANK[f.severity] >= threshold]
    if failing and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _checked(
    args: argparse.Namespace,
    settings: Settings,
    plan: CheckPlan,
    sources: dict[str, bytes],
) -> RunResult | None:
    """The run over the paths or standard input; None when there was nothing."""
    if args.stdin_filename is not None:
        return _check_stdin(args, settings, plan, sources)
    if STDIN in args.paths:
        raise UsageError("reading standard input needs --stdin-filename NAME")
    excluded = exclusion_patterns(
        settings.exclude, settings.extend_exclude, settings.root
    )
    discovery = discover(args.paths or [os.curdir], excluded)
    if not discovery.files and not discovery.unreadable_directories:
        if not args.quiet:
            _warning("no Python files found in the given paths")
        return None
    _check_per_file_ignores(plan, settings, discovery, excluded)
    jobs = args.jobs if args.jobs is not None else settings.jobs
    if jobs is None:
        jobs = os.cpu_count() or 1
    return run(discovery, plan, jobs=jobs, cache=_cache(args, settings, plan))


def _report_failures(result: RunResult) -> None:
    for path, failure in result.failures:
        _error(f"internal error while checking {path}: {failure}{_traceback_hint()}")


def _report(
    args: argparse.Namespace, result: RunResult, context: ReportContext
) -> None:
    _write_report(FORMATS[args.format](result.findings, context), args.output_file)
    if args.statistics:
        # After a JSON or SARIF report on standard output they would make it
        # unreadable; standard error keeps them visible.
        to_stderr = args.output_file is None and args.format in _MACHINE_FORMATS
        print(
            statistics(result.findings),
            end="",
            file=sys.stderr if to_stderr else sys.stdout,
        )


def _check_stdin(
    args: argparse.Namespace,
    settings: Settings,
    plan: CheckPlan,
    sources: dict[str, bytes],
) -> RunResult:
    """Check standard input as the file ``--stdin-filename`` names."""
    if args.paths not in ([], [STDIN]):
        raise UsageError("--stdin-filename reads standard input: give no paths, or -")
    name = os.path.normpath(args.stdin_filename)
    started = time.perf_counter()
    source = sys.stdin.buffer.read()
    sources[name] = source

    excluded = exclusion_patterns(
        settings.exclude, settings.extend_exclude, settings.root
    )
    # An editor or hook passes every file it has; an excluded one is meant to
    # say nothing, as when a directory walk passes it over.
    if excluded.matches(name):
        logger.debug("%s: excluded", name)
        outcome = FileOutcome(name, FileStatus.SKIPPED)
    else:
        outcome = check_stdin(source, name, plan)
    return _result_of(outcome, time.perf_counter() - started)


def _result_of(outcome: FileOutcome, elapsed: float) -> RunResult:
    failed = outcome.status is FileStatus.FAILED
    return RunResult(
        findings=outcome.findings,
        files_checked=int(outcome.status is FileStatus.CHECKED),
        files_skipped=int(outcome.status is FileStatus.SKIPPED),
        files_unparsable=int(outcome.status is FileStatus.UNPARSABLE),
        failures=((outcome.path, outcome.error or ""),) if failed else (),
        elapsed=elapsed,
    )


def _diff_paths(args: argparse.Namespace) -> list[str]:
    if args.stdin_filename is not None:
        return [args.stdin_filename]
    return list(args.paths) or [os.curdir]


def statistics(findings: Sequence[Finding]) -> str:
    """One ``count  CODE  name`` line per rule that has findings, by code."""
    counts = Counter(finding.code for finding in findings)
    names: Mapping[str, str] = {finding.code: finding.name for finding in findings}
    width = len(str(max(counts.values(), default=0)))
    return "".join(
        f"{counts[code]:>{width}}  {code}  {names[code]}\n" for code in sorted(counts)
    )


def _check_per_file_ignores(
    plan: CheckPlan, settings: Settings, discovery: Discovery, excluded: PathPatterns
) -> None:
    """Refuse a per-file-ignores pattern that matches no file of the project.

    Such a pattern is a typo or a leftover, and it silently ignores nothing.
    The files of this run are tried first; a run on a few files (pre-commit
    passes only the changed ones) falls back to the whole project below the
    configuration's directory, so no pattern is blamed for the files a run
    happened not to include.
    """
    unmatched = plan.per_file_ignores.unmatched(discovery.files)
    if not unmatched:
        return
    project = discover([str(settings.root)], excluded).files
    unmatched_in_project = plan.per_file_ignores.unmatched(project)
    pattern = next((p for p in unmatched if p in unmatched_in_project), None)
    if pattern is not None:
        raise ConfigError(
            f"{describe_key(settings, 'per-file-ignores', pattern)}: "
            f"matches no file below {settings.root}"
        )


def _cache(
    args: argparse.Namespace, settings: Settings, plan: CheckPlan
) -> ResultCache | None:
    if args.no_cache:
        return None
    directory = args.cache_dir or settings.root / CACHE_DIRNAME
    # The settings' text stands for every choice that can change a finding;
    # the number of workers changes none.
    return ResultCache(directory, plan, repr(replace(settings, jobs=None)))


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = -1
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}")
    return jobs


def _option(parse: Callable[[object], T]) -> Callable[[str], T]:
    """An argparse type from a config value parser."""

    def convert(value: str) -> T:
        try:
            return parse(value)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return convert


def _codes(values: Sequence[str] | None, option: str) -> tuple[str, ...] | None:
    """Codes from a repeatable comma-separated option; None when not given."""
    if values is None:
        return None
    items = [item for value in values for item in value.split(",") if item.strip()]
    if not items:
        raise UsageError(f"{option}: expected rule codes, like AUT101 or AUT1")
    try:
        return parse_rule_codes(items, option)
    except ConfigError as error:
        raise UsageError(str(error)) from None


def _write_report(report: str, output_file: str | None) -> None:
    if output_file is None:
        sys.stdout.write(report)
        sys.stdout.flush()
        return
    try:
        with open(output_file, "w", encoding="utf-8") as file:
            file.write(report)
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(f"cannot write {output_file}: {reason}") from None


def summary(result: RunResult, *, baselined: int = 0, unchanged: int = 0) -> str:
    """The one line that tells what a run did, e.g. for stderr.

    ``baselined`` findings were left out as recorded in a baseline,
    ``unchanged`` ones as outside the lines a change touched.
    """
    parts = [_count(result.files_checked, "file") + " checked"]
    if result.files_skipped:
        parts.append(f"{result.files_skipped} skipped (nothing to check)")
    if result.files_unparsable:
        parts.append(f"{result.files_unparsable} unparsable")
    if result.failures:
        parts.append(f"{len(result.failures)} failed")
    findings = _count(len(result.findings), "finding") if result.findings else ""
    parts.append(findings or "no findings")
    if baselined:
        parts.append(f"{baselined} baselined")
    if unchanged:
        parts.append(f"{unchanged} on unchanged lines")
    return ", ".join(parts) + f" in {result.elapsed:.2f}s"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _rules(args: argparse.Namespace) -> int:
    rows = [("CODE", "NAME", "DEFAULT", "SUMMARY")]
    rows += [(r.code, r.name, r.default_state(), r.summary) for r in RULES]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        print("  ".join((*cells, row[3])))
    return EXIT_CLEAN


def _rule(args: argparse.Namespace) -> int:
    code = args.code.strip().upper()
    rule = RULES_BY_CODE.get(code)
    if rule is None:
        raise UsageError(
            f"unknown rule code {args.code!r}; 'authlint rules' lists them all"
        )
    print(rule.page(), end="")
    return EXIT_CLEAN


def _configure_logging(*, verbose: bool) -> None:
    # Replace, not add: main() may run many times in one process.
    package = logging.getLogger("authlint")
    for handler in list(package.handlers):
        if handler.get_name() == _LOG_HANDLER:
            package.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_LOG_HANDLER)
    handler.setFormatter(logging.Formatter("authlint: %(levelname)s: %(message)s"))
    package.addHandler(handler)
    package.setLevel(logging.DEBUG if verbose else logging.WARNING)


def _traceback_hint() -> str:
    verbose = logging.getLogger("authlint").isEnabledFor(logging.DEBUG)
    return "" if verbose else " (run with -v for the traceback)"


def _note(message: str) -> None:
    print(f"authlint: {message}", file=sys.stderr)


def _error(message: str) -> None:
    print(f"authlint: error: {message}", file=sys.stderr)


def _warning(message: str) -> None:
    print(f"authlint: warning: {message}", file=sys.stderr)
