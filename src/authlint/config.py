"""Settings: rule selection, file selection and the analysis vocabulary."""

from __future__ import annotations

import contextlib
import difflib
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from authlint.findings import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    # Type checkers running on 3.11+ may not have tomli installed.
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

logger = logging.getLogger(__name__)

T = TypeVar("T")

CONFIG_FILENAME = "pyproject.toml"
TABLE_NAME = "[tool.authlint]"

# A rule code or a prefix of one: letters, then digits (``AUT``, ``AUT1``, ``AUT101``).
_SELECTOR = re.compile(r"\A[A-Z]+[0-9]*\Z")
_FULL_CODE = re.compile(r"\A[A-Z]+[0-9]{3}\Z")

# Limits that keep one pathological file from stalling a run.
DEFAULT_FILE_TIMEOUT = 5.0
DEFAULT_MAX_FILE_SIZE = 10_000_000
# A size with an optional unit: "10MB", "512 KiB", "2000000".
# Anchored, and matched on the stripped text: a search that may start
# anywhere would backtrack over long runs of spaces.
_SIZE = re.compile(r"\A([0-9]+(?:\.[0-9]+)?)\s*([KMG]i?B|B)?\Z", re.IGNORECASE)
_SIZE_UNITS = {
    "B": 1,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "KIB": 1024,
    "MIB": 1024**2,
    "GIB": 1024**3,
}


class ConfigError(Exception):
    """A configuration that cannot be used; its message is one line for the user."""


@dataclass(frozen=True)
class AnalysisOptions:
    """Names a project teaches authlint about its own authentication code.

    Each entry is a dotted or plain name, matched against the last part of the
    name in the code (``require_api_key`` matches ``auth.require_api_key``).
    """

    # Decorators that guarantee a signed-in caller (like ``@login_required``).
    authenticated_decorators: tuple[str, ...] = ()
    # Dependency functions that guarantee a signed-in caller (FastAPI ``Depends``).
    authenticated_dependencies: tuple[str, ...] = ()
    # Calls, attributes or names whose truth means "the credential is valid".
    credential_checks: tuple[str, ...] = ()
    # Calls, attributes or names whose truth means "the caller is allowed".
    permission_checks: tuple[str, ...] = ()
    # Words or phrases that name a specific failure reason in a 401/403 body.
    extra_leak_words: tuple[str, ...] = ()
    # Whole 401/403 messages that are generic on purpose, never a disclosure.
    allowed_messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """The effective configuration of one run."""

    # None means "not configured": the rules that are on by default run. An
    # empty tuple is a deliberate choice of no rules.
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # None keeps the built-in excludes (virtualenvs, build output, caches).
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)
    # Levels that replace rules' own (``AUT104 = "warning"``), by full code.
    severity: tuple[tuple[str, Severity], ...] = ()
    # Worker processes; None means one per core.
    jobs: int | None = None
    # Seconds one file may take before it is reported as not checked.
    file_timeout: float = DEFAULT_FILE_TIMEOUT
    # Bytes; a larger file is reported as not checked, without being read.
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # The directory that path patterns (exclude, per-file-ignores) are relative
    # to: the config file's directory, or the working directory without one.
    root: Path = field(default_factory=Path.cwd)
    # The file these settings were read from; None for the built-in defaults.
    source: Path | None = None


def resolve_settings(
    *,
    config: Path | None = None,
    no_config: bool = False,
    start: Path | None = None,
) -> Settings:
    """Settings for a run: from ``config``, or found upward from ``start``.

    ``start`` defaults to the working directory. With ``no_config`` the
    built-in defaults apply and no file is read.
    """
    here = (start or Path.cwd()).resolve()
    if no_config:
        return Settings(root=here)
    if config is not None:
        return load_settings(config)

    found = find_config(here)
    if found is None:
        logger.debug("no %s with %s above %s", CONFIG_FILENAME, TABLE_NAME, here)
        return Settings(root=here)
    return load_settings(found)


def find_config(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.authlint]`` table.

    Searches ``start`` and its parents. A ``pyproject.toml`` without the table
    belongs to some other tool's project layout and is passed over, so a
    sub-package's metadata file does not hide the repository's settings.
    """
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILENAME
        try:
            raw = candidate.read_bytes()
        except OSError:
            continue
        # Parsing every pyproject.toml on the way up would make an unrelated
        # broken file an authlint error; a file that never names us is skipped.
        if b"authlint" not in raw:
            continue
        if _authlint_table(_parse_toml(raw, candidate), candidate) is not None:
            return candidate
    return None


def load_settings(path: Path) -> Settings:
    """Read and validate ``[tool.authlint]`` from the TOML file at ``path``."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigError(f"{_display(path)}: cannot read: {reason}") from None

    table = _authlint_table(_parse_toml(raw, path), path)
    if table is None:
        raise ConfigError(f"{_display(path)}: no {TABLE_NAME} table")
    settings = settings_from_table(table, _display(path))
    logger.debug("settings from %s", path)
    return replace(settings, root=path.resolve().parent, source=path)


def settings_from_table(table: Mapping[str, Any], label: str) -> Settings:
    """Validate the contents of a ``[tool.authlint]`` table.

    ``label`` names the file in error messages. The returned settings have the
    working directory as their root; ``load_settings`` anchors them.
    """
    for key in table:
        if key not in _KEYS:
            hint = _did_you_mean(key, _KEYS)
            raise ConfigError(f"{label}: {TABLE_NAME} {key}: unknown key{hint}")

    def strings(key: str) -> tuple[str, ...] | None:
        if key not in table:
            return None
        return _string_list(table[key], f"{label}: {TABLE_NAME} {key}")

    def codes(key: str) -> tuple[str, ...] | None:
        values = strings(key)
        if values is None:
            return None
        return parse_rule_codes(values, f"{label}: {TABLE_NAME} {key}")

    def patterns(key: str) -> tuple[str, ...] | None:
        values = strings(key)
        if values is not None and "" in (value.strip() for value in values):
            raise ConfigError(f"{label}: {TABLE_NAME} {key}: empty pattern")
        return values

    def phrases(key: str) -> tuple[str, ...] | None:
        values = strings(key)
        if values is not None and "" in (value.strip() for value in values):
            raise ConfigError(f"{label}: {TABLE_NAME} {key}: empty phrase")
        return values

    return Settings(
        select=codes("select"),
        extend_select=codes("extend-select") or (),
        ignore=codes("ignore") or (),
        per_file_ignores=_per_file_ignores(table, label),
        exclude=patterns("exclude"),
        extend_exclude=patterns("extend-exclude") or (),
        analysis=AnalysisOptions(
            authenticated_decorators=strings("authenticated-decorators") or (),
            authenticated_dependencies=strings("authenticated-dependencies") or (),
            credential_checks=strings("credential-checks") or (),
            permission_checks=strings("permission-checks") or (),
            extra_leak_words=phrases("extra-leak-words") or (),
            allowed_messages=phrases("allowed-messages") or (),
        ),
        severity=_severity_overrides(table, label),
        jobs=_jobs(table, label),
        file_timeout=_limit(
            table, label, "file-timeout", DEFAULT_FILE_TIMEOUT, parse_timeout
        ),
        max_file_size=_limit(
            table, label, "max-file-size", DEFAULT_MAX_FILE_SIZE, parse_size
        ),
    )


def describe_key(settings: Settings, key: str, entry: str | None = None) -> str:
    """How error messages name a setting: file, table, key and table entry."""
    label = _display(settings.source) if settings.source else "settings"
    name = key if entry is None else f"{key}.{_toml_key(entry)}"
    return f"{label}: {TABLE_NAME} {name}"


def _jobs(table: Mapping[str, Any], label: str) -> int | None:
    key = "jobs"
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(
            f"{label}: {TABLE_NAME} {key}: expected a whole number of processes "
            f"(0 checks in the authlint process itself), got {_shown(value)}"
        )
    return int(value)


def _limit(
    table: Mapping[str, Any],
    label: str,
    key: str,
    default: T,
    parse: Callable[[object], T],
) -> T:
    if key not in table:
        return default
    try:
        return parse(table[key])
    except ValueError as error:
        raise ConfigError(f"{label}: {TABLE_NAME} {key}: {error}") from None


def parse_timeout(value: object) -> float:
    """Seconds, from a positive number; ``ValueError`` says what is wrong."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"expected a number of seconds above 0, got {_shown(value)}")
    if value != value or value == float("inf"):  # NaN never ends a wait
        raise ValueError(f"expected a number of seconds above 0, got {_shown(value)}")
    return float(value)


def parse_size(value: object) -> int:
    """Bytes, from a whole number of bytes or a string like ``"10MB"``.

    KB, MB and GB are powers of 1000; KiB, MiB and GiB powers of 1024.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        match = _SIZE.match(value.strip())
        if match is not None:
            unit = _SIZE_UNITS[(match.group(2) or "B").upper()]
            size = int(float(match.group(1)) * unit)
            if size > 0:
                return size
    raise ValueError(
        f'expected a size above 0 in bytes or like "10MB", got {_shown(value)}'
    )


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, (str, int, float)) else _type_name(value)


def parse_rule_codes(values: Iterable[str], where: str) -> tuple[str, ...]:
    """Validate rule codes and code prefixes, returned upper-cased.

    A prefix must match at least one known rule: a typo in a selection must
    not silently select or ignore nothing.
    """
    # Imported here: the rules import this module for AnalysisOptions.
    from authlint.rules import RULES

    known = {rule.code for rule in RULES}
    names = {rule.name: rule.code for rule in RULES}
    parsed = []
    for value in values:
        code = value.strip().upper()
        if not code:
            raise ConfigError(f"{where}: empty rule code")
        if _SELECTOR.fullmatch(code) and any(c.startswith(code) for c in known):
            parsed.append(code)
            continue

        # Close codes are not likely typos of each other, but a rule's name
        # in place of its code is a common slip.
        name = names.get(value.strip().lower())
        hint = f" (did you mean {name!r}?)" if name else ""
        kind = "rule code" if _FULL_CODE.fullmatch(code) else "rule code or prefix"
        raise ConfigError(f"{where}: unknown {kind} {value.strip()!r}{hint}")
    return tuple(parsed)


def _per_file_ignores(
    table: Mapping[str, Any], label: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    key = "per-file-ignores"
    value = _subtable(table, key, label, '"glob" = ["CODE", ...]')
    entries = []
    for pattern, codes in value.items():
        where = f"{label}: {TABLE_NAME} {key}.{_toml_key(pattern)}"
        if not pattern.strip():
            raise ConfigError(f"{where}: empty pattern")
        entries.append((pattern, parse_rule_codes(_string_list(codes, where), where)))
    return tuple(entries)


def _severity_overrides(
    table: Mapping[str, Any], label: str
) -> tuple[tuple[str, Severity], ...]:
    key = "severity"
    value = _subtable(table, key, label, 'CODE = "error" | "warning" | "info"')
    from authlint.rules import RULES_BY_CODE  # the rules import this module

    levels = [level.value for level in Severity]
    overrides = []
    for code, level in value.items():
        where = f"{label}: {TABLE_NAME} {key}.{_toml_key(code)}"
        if code.upper() not in RULES_BY_CODE:
            raise ConfigError(f"{where}: unknown rule code {code!r}")
        if level not in levels:
            choices = ", ".join(repr(choice) for choice in levels)
            raise ConfigError(f"{where}: expected one of {choices}, got {level!r}")
        overrides.append((code.upper(), Severity(level)))
    return tuple(sorted(overrides))


def _subtable(
    table: Mapping[str, Any], key: str, label: str, shape: str
) -> Mapping[str, Any]:
    """The table under ``key`` (empty when absent); ``shape`` shows an entry."""
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(
            f"{label}: {TABLE_NAME} {key}: expected a table of {shape}, "
            f"got {_type_name(value)}"
        )
    return value


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ConfigError(
            f'{where}: expected a list of strings, got a string (write ["{value}"])'
        )
    if not isinstance(value, list):
        what = _type_name(value)
        raise ConfigError(f"{where}: expected a list of strings, got {what}")
    if not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: expected a list of strings, got other items")
    return tuple(value)


def _parse_toml(raw: bytes, path: Path) -> dict[str, Any]:
    try:
        document: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
        return document
    except UnicodeDecodeError:
        raise ConfigError(f"{_display(path)}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{_display(path)}: invalid TOML: {error}") from None
    except RecursionError:
        # The TOML reader recurses into nested arrays and inline tables.
        raise ConfigError(
            f"{_display(path)}: invalid TOML: nested too deeply"
        ) from None


def _authlint_table(
    document: Mapping[str, Any], path: Path
) -> Mapping[str, Any] | None:
    tool = document.get("tool")
    if not isinstance(tool, dict) or "authlint" not in tool:
        return None
    table = tool["authlint"]
    if not isinstance(table, dict):
        raise ConfigError(
            f"{_display(path)}: {TABLE_NAME} must be a table, got {_type_name(table)}"
        )
    return table


def _display(path: Path) -> str:
    """A path as short as it is unambiguous: relative below the working directory."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith(os.pardir) else relative


def _did_you_mean(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'


def _type_name(value: Any) -> str:
    names: Mapping[type, str] = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


_KEYS: frozenset[str] = frozenset(
    {
        "select",
        "extend-select",
        "ignore",
        "per-file-ignores",
        "exclude",
        "extend-exclude",
        "authenticated-decorators",
        "authenticated-dependencies",
        "credential-checks",
        "permission-checks",
        "severity",
        "extra-leak-words",
        "allowed-messages",
        "jobs",
        "file-timeout",
        "max-file-size",
    }
)
