"""Test-suite settings shared by every test module."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Generated-input tests stay small in CI; run them harder locally with
# ``python -m pytest --hypothesis-profile=long``.
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=2_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("ci")
