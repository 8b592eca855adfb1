"""Fixtures of the decision's tests: the engine's case (tests/verification/conftest.py)."""

from __future__ import annotations

from tests.verification.conftest import case, election, outside_region  # noqa: F401
