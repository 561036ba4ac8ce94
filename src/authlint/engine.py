"""Runs the checks over many files: selection, suppression, ordering, counts."""

from __future__ import annotations

import enum
import hashlib
import logging
import re
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from authlint.checker import check_source, may_need_check, unparsable
from authlint.config import (
    DEFAULT_FILE_TIMEOUT,
    DEFAULT_MAX_FILE_SIZE,
    AnalysisOptions,
    Settings,
)
from authlint.files import (
    Discovery,
    FileTooLargeError,
    PathPatterns,
    is_test_code,
    read_source,
)
from authlint.findings import Finding
from authlint.project import ProjectIndex, project_roots
from authlint.rules import DEFAULT_ENABLED, RULES, UNPARSABLE_FILE

if TYPE_CHECKING:
    from authlint.cache import ResultCache

logger = logging.getLogger(__name__)

# flake8's suppression comment: the bare word silences every code on the line;
# followed by a colon and codes (or code prefixes), only those. Codes are
# separated by commas or spaces; anything after them is free text.
_NOQA = re.compile(
    rb"#\s*noqa(?!\w)(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RuleSelection:
    """One layer of rule choices, like one config file or one command line.

    ``select`` (when given) replaces what earlier layers enabled,
    ``extend_select`` adds, ``ignore`` removes. Entries are codes or code
    prefixes; when a select and an ignore entry both match a code, the longer
    one wins, and an ignore wins a tie (flake8's rule).
    """

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> RuleSelection:
        return cls(settings.select, settings.extend_select, settings.ignore)

    def apply(self, enabled: Collection[str], codes: Iterable[str]) -> frozenset[str]:
        """The codes enabled after this layer, given those enabled before it."""
        selectors = (*(self.select or ()), *self.extend_select)
        result = set()
        for code in codes:
            selected = _longest_prefix(code, selectors)
            ignored = _longest_prefix(code, self.ignore)
            if selected is None and ignored is None:
                keep = code in enabled and self.select is None
            elif ignored is None:
                keep = True
            elif selected is None:
                keep = False
            else:
                keep = len(selected) > len(ignored)
            if keep:
                result.add(code)
        return frozenset(result)


def enabled_codes(
    layers: Iterable[RuleSelection],
    *,
    codes: Iterable[str] | None = None,
    default: Collection[str] = DEFAULT_ENABLED,
) -> frozenset[str]:
    """The rules that run, after applying ``layers`` in order to the defaults.

    ``codes`` is every known code (the registry's unless given); ``default``
    are the codes enabled before any layer.
    """
    known = tuple(rule.code for rule in RULES) if codes is None else tuple(codes)
    enabled = frozenset(default)
    for layer in layers:
        enabled = layer.apply(enabled, known)
    return enabled


def _longest_prefix(code: str, prefixes: Iterable[str]) -> str | None:
    matching = [prefix for prefix in prefixes if code.startswith(prefix)]
    return max(matching, key=len) if matching else None


class PerFileIgnores:
    """Codes to drop for files that match a path pattern, from the config."""

    def __init__(self, entries: Iterable[tuple[PathPatterns, tuple[str, ...]]]) -> None:
        self.entries = tuple(entries)

    @classmethod
    def from_settings(cls, settings: Settings) -> PerFileIgnores:
        return cls(
            (PathPatterns([pattern], settings.root), codes)
            for pattern, codes in settings.per_file_ignores
        )

    def unmatched(self, paths: Iterable[str]) -> list[str]:
        """The patterns that match none of ``paths``, as they were written."""
        left = {patterns.patterns[0]: patterns for patterns, _ in self.entries}
        for path in paths:
            if not left:
                break
            left = {
                text: patterns
                for text, patterns in left.items()
                if not patterns.matches(path)
            }
        return list(left)

    def codes_for(self, path: str) -> tuple[str, ...]:
        """The ignored codes and code prefixes for one file."""
        return tuple(
            code
            for patterns, codes in self.entries
            if patterns.matches(path)
            for code in codes
        )


@dataclass(frozen=True)
class CheckPlan:
    """Everything a worker needs to check a file, and nothing it must share."""

    enabled: frozenset[str]
    options: AnalysisOptions = field(default_factory=AnalysisOptions)
    per_file_ignores: PerFileIgnores = field(default_factory=lambda: PerFileIgnores(()))
    # Seconds one file may take in a worker process before it is given up.
    file_timeout: float = DEFAULT_FILE_TIMEOUT
    # Bytes; a larger file is reported as not checked without being read.
    max_file_size: int = DEFAULT_MAX_FILE_SIZE

    @classmethod
    def from_settings(
        cls, settings: Settings, overrides: Sequence[RuleSelection] = ()
    ) -> CheckPlan:
        """The plan for ``settings``, with command-line ``overrides`` on top."""
        layers = (RuleSelection.from_settings(settings), *overrides)
        return cls(
            enabled=enabled_codes(layers),
            options=settings.analysis,
            per_file_ignores=PerFileIgnores.from_settings(settings),
            file_timeout=settings.file_timeout,
            max_file_size=settings.max_file_size,
        )


class FileStatus(enum.Enum):
    """What became of one file."""

    CHECKED = "checked"
    # The pre-filter found nothing a rule could flag, or every rule is ignored.
    SKIPPED = "skipped"
    # Unreadable, undecodable or unparsable: reported as AUT001.
    UNPARSABLE = "unparsable"
    # authlint itself failed on the file.
    FAILED = "failed"


@dataclass(frozen=True)
class FileOutcome:
    """The result of checking one file, after suppression."""

    path: str
    status: FileStatus
    findings: tuple[Finding, ...] = ()
    # "ExceptionType: message" when authlint failed on the file.
    error: str | None = None


@dataclass(frozen=True)
class RunResult:
    """The findings of a run, in report order, with what it took to get them."""

    findings: tuple[Finding, ...]
    files_checked: int = 0
    files_skipped: int = 0
    files_unparsable: int = 0
    # (path, "ExceptionType: message") for each file authlint failed on.
    failures: tuple[tuple[str, str], ...] = ()
    elapsed: float = 0.0
    # Files whose outcome came from the cache (counted above by status too).
    files_cached: int = 0

    @property
    def files_total(self) -> int:
        return (
            self.files_checked
            + self.files_skipped
            + self.files_unparsable
            + len(self.failures)
        )


def run(
    discovery: Discovery,
    plan: CheckPlan,
    *,
    jobs: int = 0,
    cache: ResultCache | None = None,
) -> RunResult:
    """Check every discovered file under ``plan``.

    With ``jobs`` of 1 or more, files are parsed in that many worker
    processes, so a file that crashes or stalls the parser costs only
    itself; 0 parses in this process, without that protection or the time
    limit. Results are the same either way. ``cache`` keeps the outcome of
    each parsed file for the next run.
    """
    started = time.perf_counter()
    outcomes: dict[int, FileOutcome] = {}
    waiting: list[tuple[int, _Waiting]] = []
    for number, path in enumerate(discovery.files):
        found = _scan(path, plan, cache)
        if isinstance(found, FileOutcome):
            outcomes[number] = found
        else:
            waiting.append((number, found))

    # Every file that is parsed shares the same import roots, whichever
    # process parses it and whatever it parsed before.
    roots = project_roots(item.path for _, item in waiting)
    if cache is not None:
        cache.set_roots(roots)
    to_parse: list[tuple[int, Prepared]] = []
    for number, item in waiting:
        cached = None
        if cache is not None:
            cached = cache.get(item.path, item.enabled, item.digest)
        if cached is not None:
            outcomes[number] = cached
            continue
        prepared = item.prepared or prepare_file(item.path, plan)
        if isinstance(prepared, FileOutcome):  # changed since it was scanned
            outcomes[number] = prepared
        else:
            to_parse.append((number, prepared))
    files_cached = len(waiting) - len(to_parse)
    if files_cached:
        logger.debug("%d files from the cache", files_cached)

    if jobs > 0:
        # Imported here: the worker module imports this one.
        from authlint.workers import check_in_workers

        checked = check_in_workers(to_parse, plan, roots, jobs)
    else:
        checked = _check_here(to_parse, plan, roots)
    for number, prepared, outcome, dependencies in checked:
        outcomes[number] = outcome
        if cache is not None:
            cache.put(prepared, outcome, dependencies)
    if cache is not None:
        cache.save()

    return _result(
        [outcomes[number] for number in sorted(outcomes)],
        discovery,
        plan,
        started,
        files_cached,
    )


def _result(
    outcomes: Sequence[FileOutcome],
    discovery: Discovery,
    plan: CheckPlan,
    started: float,
    files_cached: int,
) -> RunResult:
    findings: list[Finding] = []
    for directory, error in discovery.unreadable_directories:
        # A directory that cannot be listed hides files that were not checked.
        findings.extend(_unreadable(directory, error, plan))
    counts = dict.fromkeys(FileStatus, 0)
    for outcome in outcomes:
        counts[outcome.status] += 1
        findings.extend(outcome.findings)

    return RunResult(
        findings=tuple(sorted(findings, key=_report_order)),
        files_checked=counts[FileStatus.CHECKED],
        files_skipped=counts[FileStatus.SKIPPED],
        files_unparsable=counts[FileStatus.UNPARSABLE],
        failures=tuple(
            (outcome.path, outcome.error or "")
            for outcome in outcomes
            if outcome.status is FileStatus.FAILED
        ),
        elapsed=time.perf_counter() - started,
        files_cached=files_cached,
    )


@dataclass(frozen=True)
class _Waiting:
    """A file that needs parsing unless the cache knows its outcome."""

    path: str
    enabled: frozenset[str]
    digest: str
    # None when the cache vouched for the content without reading the file.
    prepared: Prepared | None


def _scan(
    path: str, plan: CheckPlan, cache: ResultCache | None
) -> FileOutcome | _Waiting:
    """A file's outcome if it needs no parsing, without reading a file the
    cache has seen unchanged."""
    if cache is not None:
        known = cache.recall(path)
        if known == SKIPPED_UNREAD:
            return FileOutcome(path, FileStatus.SKIPPED)
        if known is not None:
            return _Waiting(path, enabled_for(path, plan), known, None)
    prepared = prepare_file(path, plan)
    if isinstance(prepared, FileOutcome):
        if cache is not None and prepared.status is FileStatus.SKIPPED:
            cache.remember(path, SKIPPED_UNREAD)
        return prepared
    digest = content_digest(prepared.source)
    if cache is not None:
        cache.remember(path, digest)
    return _Waiting(path, prepared.enabled, digest, prepared)


def content_digest(source: bytes) -> str:
    return hashlib.sha256(source).hexdigest()


# What the cache remembers for a file that needs no parsing.
SKIPPED_UNREAD = "-"


# One parsed file: its number in the run, what was sent, what came back and
# the files its result depends on through imports.
Checked = tuple[int, "Prepared", FileOutcome, tuple[str, ...]]


def _check_here(
    files: Sequence[tuple[int, Prepared]], plan: CheckPlan, roots: Sequence[Path]
) -> Iterator[Checked]:
    index = ProjectIndex(roots)
    for number, prepared in files:
        outcome = check_prepared(prepared, plan, index)
        yield number, prepared, outcome, index.dependencies(prepared.path)


@dataclass(frozen=True)
class Prepared:
    """A file read and passed by the pre-filter, ready to be parsed."""

    path: str
    source: bytes
    # The codes that apply to this file, after its per-file ignores.
    enabled: frozenset[str]


def check_file(path: str, plan: CheckPlan, index: ProjectIndex | None) -> FileOutcome:
    """Read, pre-filter, check and suppress one file."""
    prepared = prepare_file(path, plan)
    if isinstance(prepared, FileOutcome):
        return prepared
    return check_prepared(prepared, plan, index)


def prepare_file(path: str, plan: CheckPlan) -> FileOutcome | Prepared:
    """Everything before parsing: ignores, size limit, reading, pre-filter.

    Returns the outcome when the file needs no parsing.
    """
    enabled = enabled_for(path, plan)
    if not enabled:
        logger.debug("%s: every rule is ignored for this file", path)
        return FileOutcome(path, FileStatus.SKIPPED)
    if is_test_code(path):
        logger.debug("%s: test code, which no rule applies to", path)
        return FileOutcome(path, FileStatus.SKIPPED)

    try:
        source = read_source(path, limit=plan.max_file_size)
    except FileTooLargeError as error:
        return not_checked(path, too_large(error.size, plan.max_file_size), enabled)
    except OSError as error:
        findings = _unreadable(path, error, plan)
        return FileOutcome(
            path, FileStatus.UNPARSABLE, tuple(_selected(findings, enabled))
        )
    return _prefiltered(source, path, enabled)


def check_stdin(source: bytes, name: str, plan: CheckPlan) -> FileOutcome:
    """Check source that did not come from a file, reporting it under ``name``.

    ``name``'s per-file ignores apply, as they would to a file of that name.
    It is checked in this process: an editor sends one buffer at a time.
    """
    enabled = enabled_for(name, plan)
    if not enabled or is_test_code(name):
        return FileOutcome(name, FileStatus.SKIPPED)
    if len(source) > plan.max_file_size:
        return not_checked(name, too_large(len(source), plan.max_file_size), enabled)
    prepared = _prefiltered(source, name, enabled)
    if isinstance(prepared, FileOutcome):
        return prepared
    return check_prepared(prepared, plan, None)


def _prefiltered(
    source: bytes, path: str, enabled: frozenset[str]
) -> FileOutcome | Prepared:
    if not may_need_check(source, enabled):
        logger.debug("%s: skipped by the pre-filter", path)
        return FileOutcome(path, FileStatus.SKIPPED)
    return Prepared(path, source, enabled)


def enabled_for(path: str, plan: CheckPlan) -> frozenset[str]:
    """The codes that apply to one file, after its per-file ignores."""
    ignored = plan.per_file_ignores.codes_for(path)
    return frozenset(
        code for code in plan.enabled if _longest_prefix(code, ignored) is None
    )


def not_checked(path: str, reason: str, enabled: Collection[str]) -> FileOutcome:
    """The AUT001 outcome of a file authlint gave up on, saying why."""
    finding = unparsable(path, RuntimeError(reason))
    return FileOutcome(
        path, FileStatus.UNPARSABLE, tuple(_selected([finding], enabled))
    )


def too_large(size: int, limit: int) -> str:
    """Why a file over the size limit was not checked."""
    return f"too large ({_size(size)} > {_size(limit)} limit)"


def _size(size: int) -> str:
    for unit, scale in (("GB", 1000**3), ("MB", 1000**2), ("KB", 1000)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def check_prepared(
    prepared: Prepared, plan: CheckPlan, index: ProjectIndex | None
) -> FileOutcome:
    """Parse, check and suppress one prepared file."""
    path, source, enabled = prepared.path, prepared.source, prepared.enabled
    try:
        # AUT001 is always asked for, so the counts know an unparsable file
        # even when the user does not want to hear about it.
        raw = check_source(
            source,
            path,
            enabled=enabled | {UNPARSABLE_FILE.code},
            options=plan.options,
            index=index,
        )
    except Exception as error:  # one file's failure must not end the run
        logger.debug("%s: internal error", path, exc_info=True)
        return FileOutcome(
            path, FileStatus.FAILED, error=f"{type(error).__name__}: {error}"
        )

    status = FileStatus.CHECKED
    if any(finding.code == UNPARSABLE_FILE.code for finding in raw):
        status = FileStatus.UNPARSABLE
    findings = _selected(raw, enabled)
    if findings:
        findings = _without_noqa(findings, source)
    return FileOutcome(path, status, tuple(findings))


def _selected(findings: Iterable[Finding], enabled: Collection[str]) -> list[Finding]:
    return [finding for finding in findings if finding.code in enabled]


def _without_noqa(findings: Iterable[Finding], source: bytes) -> list[Finding]:
    lines = source.splitlines()
    kept = []
    for finding in findings:
        # A finding that spans lines is silenced on its first line, where
        # flake8 users put the comment.
        line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else b""
        if not is_suppressed(finding.code, line):
            kept.append(finding)
    return kept


def is_suppressed(code: str, line: bytes) -> bool:
    """Whether a ``# noqa`` comment on ``line`` silences ``code``."""
    match = _NOQA.search(line)
    if match is None:
        return False
    listed = match.group("codes")
    if listed is None:
        return True
    codes = re.split(rb"[\s,]+", listed.upper())
    return any(code.encode().startswith(prefix) for prefix in codes if prefix)


def _unreadable(path: str, error: OSError, plan: CheckPlan) -> list[Finding]:
    logger.debug("cannot read %s: %s", path, error)
    if UNPARSABLE_FILE.code not in plan.enabled:
        return []
    # The OSError's own text repeats the path; the finding already has it.
    reason = OSError(f"cannot read: {error.strerror or error}")
    return [unparsable(path, reason)]


def _report_order(finding: Finding) -> tuple[str, int, int, str]:
    return (finding.path, finding.line, finding.column, finding.code)
