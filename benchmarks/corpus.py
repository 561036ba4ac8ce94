"""Write a deterministic synthetic Python project for benchmarking.

The tree looks like a monorepo of web services: packages of Flask, FastAPI
and Django apps (models, schemas, services, utilities, tests) and plain
library modules. As in real projects (Django, netbox, saleor), only a few
percent of the files mention an HTTP denial at all (views, permission
helpers, API tests), and those files are longer than the rest, so they
hold 10-20% of the lines. Some views carry the mistakes authlint reports.

    python benchmarks/corpus.py OUT_DIR --files 5000 [--seed 1]

The same arguments always write the same files.
"""

from __future__ import annotations

import argparse
import random
import shutil
from collections.abc import Callable
from pathlib import Path

# Share of files that name a denial (a 401/403/404 status or exception).
AUTH_SHARE = 0.05
FILES_PER_PACKAGE = 24
# Share of views whose denial is one authlint reports.
MISTAKE_SHARE = 0.04

NOUNS = [
    "account",
    "invoice",
    "order",
    "report",
    "device",
    "site",
    "rack",
    "tenant",
    "project",
    "ticket",
    "payment",
    "shipment",
    "product",
    "category",
    "comment",
    "article",
    "member",
    "team",
    "budget",
    "contract",
    "asset",
    "vendor",
    "circuit",
    "region",
    "location",
    "cluster",
    "volume",
    "snapshot",
    "job",
    "schedule",
    "webhook",
    "token",
    "session",
    "profile",
    "address",
    "voucher",
]
VERBS = [
    "build",
    "load",
    "parse",
    "render",
    "compute",
    "collect",
    "merge",
    "split",
    "normalize",
    "validate",
    "export",
    "import_rows",
    "summarize",
    "refresh",
    "resolve",
    "encode",
    "decode",
    "group",
    "sort",
    "filter",
    "count",
    "flatten",
]
ADJECTIVES = [
    "active",
    "pending",
    "archived",
    "primary",
    "default",
    "public",
    "internal",
    "recent",
    "stale",
    "valid",
    "shared",
    "local",
    "remote",
    "cached",
    "total",
]
STDLIB = [
    "import os",
    "import re",
    "import json",
    "import logging",
    "import itertools",
    "import functools",
    "import datetime",
    "from pathlib import Path",
    "from collections import defaultdict",
    "from dataclasses import dataclass",
    "from typing import Any, Iterable, Optional",
    "import hashlib",
    "import csv",
]
FRAMEWORKS = ("flask", "fastapi", "django")


def write_corpus(root: Path, files: int, seed: int = 1) -> list[Path]:
    """Write ``files`` modules below ``root`` and return their paths."""
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(seed)
    # Exactly this many files name a denial, spread over the packages.
    auth_files = set(rng.sample(range(files), max(1, round(files * AUTH_SHARE))))
    written: list[Path] = []
    number = 0
    package = 0
    while number < files:
        framework = FRAMEWORKS[package % len(FRAMEWORKS)]
        noun = NOUNS[package % len(NOUNS)]
        # Not named after the framework: a package called ``flask`` would
        # stand in for the real one in every import.
        folder = root / f"{noun}_service_{package}" / f"{framework}_app"
        folder.mkdir(parents=True)
        init = folder / "__init__.py"
        init.write_text(f'"""The {noun} {framework} service."""\n')
        written.append(init)
        number += 1
        for slot in range(1, FILES_PER_PACKAGE):
            if number >= files:
                break
            if number in auth_files:
                name, text = _auth_module(rng, framework, slot)
            else:
                name, text = _plain_module(rng, slot)
            path = folder / name
            if path.exists():
                path = folder / f"{path.stem}_{slot}.py"
            path.write_text(text)
            written.append(path)
            number += 1
        package += 1
    return written


# Plain modules: no denial anywhere.


def _plain_module(rng: random.Random, slot: int) -> tuple[str, str]:
    noun = rng.choice(NOUNS)
    kind = rng.choice(["models", "utils", "services", "schemas", "tasks", "helpers"])
    parts = [f'"""{kind.capitalize()} for {noun} records."""', ""]
    parts += sorted(rng.sample(STDLIB, rng.randint(2, 6)))
    parts += ["", "logger = logging.getLogger(__name__)", ""]
    if "import logging" not in parts:
        parts.insert(2, "import logging")
    for _ in range(rng.randint(1, 4)):
        parts.append(
            f"{rng.choice(ADJECTIVES).upper()}_{noun.upper()}_LIMIT = "
            f"{rng.randint(2, 99)}"
        )
    parts.append("")
    builders: list[Callable[[random.Random, str], str]] = [
        _dataclass,
        _function,
        _class,
        _function,
    ]
    for _ in range(rng.randint(3, 9)):
        parts.append(rng.choice(builders)(rng, rng.choice(NOUNS)))
    return f"{kind}_{slot}.py", "\n".join(parts) + "\n"


def _dataclass(rng: random.Random, noun: str) -> str:
    title = noun.capitalize()
    fields = rng.sample(ADJECTIVES, rng.randint(2, 6))
    lines = [
        "",
        "",
        "@dataclass",
        f"class {title}Record:",
        f'    """One {noun}."""',
        "",
    ]
    lines += [f"    {field}: int = 0" for field in fields]
    lines += [
        "",
        "    def as_dict(self) -> dict:",
        "        return {",
        *(f'            "{field}": self.{field},' for field in fields),
        "        }",
        "",
        "    def total(self) -> int:",
        f"        return sum([{', '.join(f'self.{field}' for field in fields)}])",
    ]
    return "\n".join(lines)


def _function(rng: random.Random, noun: str) -> str:
    verb = rng.choice(VERBS)
    adjective = rng.choice(ADJECTIVES)
    body = [
        "",
        "",
        f"def {verb}_{noun}s(items: Iterable[dict], limit: int = "
        f"{rng.randint(5, 90)}) -> list:",
        f'    """{verb.capitalize()} the {adjective} {noun}s, at most ``limit``."""',
        "    result = []",
        "    seen = set()",
        "    for index, item in enumerate(items):",
        "        if index >= limit:",
        "            break",
        f'        key = item.get("{noun}_id") or item.get("id")',
        "        if key in seen:",
        '            logger.debug("skipping duplicate %s", key)',
        "            continue",
        "        seen.add(key)",
    ]
    for _ in range(rng.randint(1, 5)):
        field = rng.choice(ADJECTIVES)
        body += [
            f'        if item.get("{field}"):',
            f'            item["{field}_count"] = len(str(item["{field}"]))',
            "        else:",
            f'            item.setdefault("{field}", None)',
        ]
    body += [
        "        try:",
        '            value = json.loads(item.get("payload") or "{}")',
        "        except ValueError:",
        "            value = {}",
        '        result.append({"key": key, "value": value, **item})',
        "    return sorted(result, key=lambda row: str(row['key']))",
    ]
    return "\n".join(body)


def _class(rng: random.Random, noun: str) -> str:
    title = noun.capitalize()
    lines = [
        "",
        "",
        f"class {title}Repository:",
        f'    """Keeps {noun}s in memory, indexed by id."""',
        "",
        "    def __init__(self) -> None:",
        "        self._items: dict = {}",
        "        self._by_group = defaultdict(list)",
    ]
    for verb in rng.sample(VERBS, rng.randint(2, 6)):
        lines += [
            "",
            f"    def {verb}(self, key: str, value: Optional[Any] = None) -> Any:",
            "        if value is None:",
            "            return self._items.get(key)",
            "        self._items[key] = value",
            "        self._by_group[str(key)[:2]].append(key)",
            f'        logger.info("{verb} %s", key)',
            "        return value",
        ]
    return "\n".join(lines)


# Modules that name a denial: views, permission helpers and API tests.


def _auth_module(rng: random.Random, framework: str, slot: int) -> tuple[str, str]:
    kind = rng.choice(["views", "views", "permissions", "test_api"])
    if kind == "test_api":
        return f"test_api_{slot}.py", _api_tests(rng)
    header, view = {
        "flask": (_FLASK_HEADER, _flask_view),
        "fastapi": (_FASTAPI_HEADER, _fastapi_view),
        "django": (_DJANGO_HEADER, _django_view),
    }[framework]
    parts = [header]
    for _ in range(rng.randint(8, 16)):
        parts.append(view(rng, rng.choice(NOUNS)))
        # Views sit among helpers that name no status.
        parts.append(_function(rng, rng.choice(NOUNS)))
    return f"{kind}_{slot}.py", "\n".join(parts) + "\n"


def _sometimes_wrong(
    rng: random.Random, wrong: list[str], right: list[str]
) -> list[str]:
    """One view in 25 gets its denial wrong."""
    return wrong if rng.random() < MISTAKE_SHARE else right


_FLASK_HEADER = '''"""HTTP endpoints."""

import json
import logging
from typing import Iterable

from flask import Blueprint, abort, g, jsonify, request
from flask_login import current_user, login_required

bp = Blueprint("api", __name__)
logger = logging.getLogger(__name__)'''


def _flask_view(rng: random.Random, noun: str) -> str:
    title = noun.capitalize()
    check = _sometimes_wrong(
        rng,
        # A credential failure answered with 403: what AUT101 reports.
        ['    if "Authorization" not in request.headers:', "        abort(403)"],
        [
            "    if not current_user.is_authenticated:",
            "        abort(401)",
            f"    if {noun}.owner_id != current_user.id:",
            "        abort(403)",
        ],
    )
    return "\n".join(
        [
            "",
            "",
            f'@bp.route("/{noun}s/<int:{noun}_id>", methods=["GET", "PUT"])',
            "@login_required",
            f"def {noun}_detail_{rng.randint(1, 9999)}({noun}_id):",
            f"    {noun} = {title}.query.get({noun}_id)",
            f"    if {noun} is None:",
            "        abort(404)",
            *check,
            '    if request.method == "PUT":',
            "        data = request.get_json() or {}",
            "        for key, value in data.items():",
            f"            setattr({noun}, key, value)",
            f"        {noun}.save()",
            f"    return jsonify({noun}.to_dict())",
        ]
    )


_FASTAPI_HEADER = '''"""HTTP endpoints."""

import json
import logging
from typing import Iterable

from fastapi import APIRouter, Depends, HTTPException, status

from .deps import get_current_user, get_session

router = APIRouter()
logger = logging.getLogger(__name__)'''


def _fastapi_view(rng: random.Random, noun: str) -> str:
    title = noun.capitalize()
    # A permission failure answered with 401: what AUT102 reports.
    wrong = rng.random() < MISTAKE_SHARE
    code = "401_UNAUTHORIZED" if wrong else "403_FORBIDDEN"
    denial = [
        f"    if {noun}.owner_id != user.id and not user.is_superuser:",
        "        raise HTTPException(",
        f"            status_code=status.HTTP_{code},",
        '            detail="Not enough privileges",',
        "        )",
    ]
    return "\n".join(
        [
            "",
            "",
            f'@router.get("/{noun}s/{{item_id}}")',
            f"async def read_{noun}_{rng.randint(1, 9999)}(",
            "    item_id: int,",
            "    user=Depends(get_current_user),",
            "    session=Depends(get_session),",
            "):",
            f"    {noun} = await session.get({title}, item_id)",
            f"    if {noun} is None:",
            '        raise HTTPException(status_code=404, detail="Not found")',
            *denial,
            f"    return {noun}",
        ]
    )


_DJANGO_HEADER = '''"""HTTP views."""

import json
import logging
from typing import Iterable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404

logger = logging.getLogger(__name__)'''


def _django_view(rng: random.Random, noun: str) -> str:
    title = noun.capitalize()
    check = _sometimes_wrong(
        rng,
        [
            "    if not request.user.is_authenticated:",
            "        return HttpResponseForbidden()",
        ],
        [
            f'    if not request.user.has_perm("app.view_{noun}", {noun}):',
            "        raise PermissionDenied",
        ],
    )
    return "\n".join(
        [
            "",
            "",
            "@login_required",
            f"def {noun}_view_{rng.randint(1, 9999)}(request, pk):",
            f"    {noun} = get_object_or_404({title}, pk=pk)",
            *check,
            "    data = {",
            f'        "id": {noun}.pk,',
            f'        "name": str({noun}),',
            f'        "created": {noun}.created.isoformat(),',
            "    }",
            "    return JsonResponse(data)",
        ]
    )


def _api_tests(rng: random.Random) -> str:
    parts = ['"""API tests."""', "", "import pytest", ""]
    for _ in range(rng.randint(15, 30)):
        noun = rng.choice(NOUNS)
        code = rng.choice([200, 401, 403, 404])
        parts += [
            "",
            f"def test_{noun}_{rng.choice(VERBS)}_{rng.randint(1, 9999)}"
            "(client, user):",
            f"    client.force_login(user) if {code} != 401 else None",
            f'    response = client.get("/api/{noun}s/1/")',
            f"    assert response.status_code == {code}",
            "    if response.status_code == 200:",
            '        assert response.json()["id"] == 1',
        ]
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write (replaced)")
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    paths = write_corpus(args.out, args.files, args.seed)
    lines = sum(path.read_bytes().count(b"\n") for path in paths)
    print(f"wrote {len(paths)} files, {lines} lines to {args.out}")


if __name__ == "__main__":
    main()
