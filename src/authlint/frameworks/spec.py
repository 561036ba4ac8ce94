"""The shapes of framework vocabulary entries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResponseSpec:
    """How a response constructor or exception class carries its status.

    ``status`` is the fixed status of classes like ``HttpResponseForbidden``;
    otherwise the status is the argument at ``position`` or ``keyword``, and
    ``default`` when neither is given.
    """

    status: int | None = None
    position: int | None = None
    keyword: str | None = None
    default: int | None = None


def fixed(status: int) -> ResponseSpec:
    return ResponseSpec(status=status)


def argument(
    position: int | None, keyword: str | None, default: int | None = None
) -> ResponseSpec:
    return ResponseSpec(position=position, keyword=keyword, default=default)
