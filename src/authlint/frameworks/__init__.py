"""Framework vocabulary as data: what each library's names mean."""

from __future__ import annotations

from authlint.frameworks import django, drf, flask, starlette
from authlint.frameworks.spec import BodySpec, ResponseSpec

RESPONSES: dict[str, ResponseSpec] = {
    **flask.RESPONSES,
    **starlette.RESPONSES,
    **django.RESPONSES,
    **drf.RESPONSES,
}

STATUS_MODULES = starlette.STATUS_MODULES + drf.STATUS_MODULES

BODIES: dict[str, BodySpec] = {
    **flask.BODIES,
    **starlette.BODIES,
    **django.BODIES,
    **drf.BODIES,
}
