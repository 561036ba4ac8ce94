"""The cross-module index: the project's own denial helpers and exceptions."""

from __future__ import annotations


class ProjectIndex:
    pass
