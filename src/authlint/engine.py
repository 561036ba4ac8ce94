"""Runs the checks over many files: selection, suppression, ordering, counts."""

from __future__ import annotations

import enum
import logging
import re
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from authlint.checker import check_source, may_need_check, unparsable
from authlint.config import AnalysisOptions, Settings
from authlint.files import Discovery, PathPatterns, read_source
from authlint.findings import Finding
from authlint.project import ProjectIndex
from authlint.rules import DEFAULT_ENABLED, RULES, UNPARSABLE_FILE

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

    @property
    def files_total(self) -> int:
        return (
            self.files_checked
            + self.files_skipped
            + self.files_unparsable
            + len(self.failures)
        )


def run(discovery: Discovery, plan: CheckPlan) -> RunResult:
    """Check every discovered file under ``plan``."""
    started = time.perf_counter()
    index = ProjectIndex()
    outcomes = list(_check_all(discovery.files, plan, index))

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
    )


def _check_all(
    paths: Sequence[str], plan: CheckPlan, index: ProjectIndex
) -> Iterator[FileOutcome]:
    # The one place that decides how files are spread over workers; a process
    # pool replaces this loop, which is why check_file takes only picklable
    # arguments and returns a self-contained outcome.
    for path in paths:
        yield check_file(path, plan, index)


def check_file(path: str, plan: CheckPlan, index: ProjectIndex | None) -> FileOutcome:
    """Read, pre-filter, check and suppress one file."""
    enabled = _enabled_for(path, plan)
    if not enabled:
        logger.debug("%s: every rule is ignored for this file", path)
        return FileOutcome(path, FileStatus.SKIPPED)

    try:
        source = read_source(path)
    except OSError as error:
        findings = _unreadable(path, error, plan)
        return FileOutcome(
            path, FileStatus.UNPARSABLE, tuple(_selected(findings, enabled))
        )
    return _check_bytes(source, path, enabled, plan, index)


def check_stdin(source: bytes, name: str, plan: CheckPlan) -> FileOutcome:
    """Check source that did not come from a file, reporting it under ``name``.

    ``name``'s per-file ignores apply, as they would to a file of that name.
    """
    enabled = _enabled_for(name, plan)
    if not enabled:
        return FileOutcome(name, FileStatus.SKIPPED)
    return _check_bytes(source, name, enabled, plan, None)


def _enabled_for(path: str, plan: CheckPlan) -> frozenset[str]:
    """The plan's rules less those the per-file ignores drop for ``path``."""
    ignored = plan.per_file_ignores.codes_for(path)
    return frozenset(
        code for code in plan.enabled if _longest_prefix(code, ignored) is None
    )


def _check_bytes(
    source: bytes,
    path: str,
    enabled: frozenset[str],
    plan: CheckPlan,
    index: ProjectIndex | None,
) -> FileOutcome:
    """Pre-filter, check and suppress one file's bytes."""
    if not may_need_check(source, enabled):
        logger.debug("%s: skipped by the pre-filter", path)
        return FileOutcome(path, FileStatus.SKIPPED)

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
