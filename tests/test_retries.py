"""The client analysis' building blocks: status sets, conditions, test files."""

from __future__ import annotations

import libcst as cst
import pytest

from authlint.analysis.retries import client_facts
from authlint.analysis.status_sets import SAMPLE, NameScope, StatusReader
from authlint.analysis.symbols import ModuleSymbols

HEADER = "import requests\nimport httpx\nfrom http import HTTPStatus\n"


def _reader() -> StatusReader:
    return StatusReader(ModuleSymbols(cst.parse_module(HEADER)))


def _condition(text: str) -> tuple[frozenset[int], bool] | None:
    found = _reader().condition(cst.parse_expression(text), NameScope())
    return None if found is None else (found.statuses, found.pure)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("r.status_code == 403", frozenset({403})),
        ("r.status_code in (401, HTTPStatus.FORBIDDEN)", frozenset({401, 403})),
        ("r.status_code == requests.codes.forbidden", frozenset({403})),
        ("r.status_code == httpx.codes.UNAUTHORIZED", frozenset({401})),
        ("400 <= r.status_code < 500", frozenset(s for s in SAMPLE if 400 <= s < 500)),
        ("r.status_code in range(500, 600)", frozenset({500, 502, 503})),
        ("not r.ok", frozenset(s for s in SAMPLE if s >= 400)),
        ("e.response.status_code not in (200, 201)", SAMPLE - {200}),
        ("int(resp.status) >= 500", frozenset({500, 502, 503})),
    ],
)
def test_condition_statuses(text: str, expected: frozenset[int]) -> None:
    found = _condition(text)
    assert found is not None
    assert found[0] == expected


def test_a_condition_on_something_else_narrows_but_is_not_pure() -> None:
    assert _condition("r.status_code == 403 and attempt < 3") == (
        frozenset({403}),
        False,
    )


@pytest.mark.parametrize(
    "text", ["attempt < 3", "job.state == 'done'", "len(items) == 403"]
)
def test_conditions_without_a_status_are_not_status_checks(text: str) -> None:
    assert _condition(text) is None


def test_members_follow_module_constants_and_set_operations() -> None:
    source = HEADER + "AUTH = {401, 403}\nRETRY = [*AUTH, 429] + [503]\n"
    reader = StatusReader(ModuleSymbols(cst.parse_module(source)))
    members = reader.members(cst.parse_expression("RETRY"), NameScope())
    assert members == frozenset({401, 403, 429, 503})


def test_a_test_file_has_no_client_facts() -> None:
    source = (
        "import requests\n"
        "def get(url):\n"
        "    for attempt in range(3):\n"
        "        r = requests.get(url)\n"
        "        if r.status_code == 403:\n"
        "            continue\n"
        "        return r\n"
    )
    module = cst.parse_module(source)
    assert client_facts(ModuleSymbols(module, path="tests/test_x.py")).loops == []
    loops = client_facts(ModuleSymbols(module, path="app/client.py")).loops
    assert [loop.retried.statuses for loop in loops] == [frozenset({403})]
