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


@dataclass(frozen=True)
class Slot:
    """Where a call carries one of its parts: a position, a keyword, or both."""

    position: int | None = None
    keyword: str | None = None


@dataclass(frozen=True)
class BodySpec:
    """Where a response constructor or exception class carries what the
    client reads: the message, extra headers and the ``WWW-Authenticate``
    challenge.

    ``default_message`` is what the client sees when no message is given;
    ``challenged`` means the framework itself adds ``WWW-Authenticate`` to a
    401 made this way.
    """

    message: Slot | None = None
    headers: Slot | None = None
    challenge: Slot | None = None
    default_message: str | None = None
    challenged: bool = False


def body(
    position: int | None,
    keyword: str | None,
    *,
    headers: Slot | None = None,
    challenge: Slot | None = None,
    default_message: str | None = None,
    challenged: bool = False,
) -> BodySpec:
    return BodySpec(
        Slot(position, keyword), headers, challenge, default_message, challenged
    )
