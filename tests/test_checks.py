"""Settings that must agree are refused at start by a system check (verification/checks.py)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from verification.checks import verification_leases_check


def test_defaults_pass_the_lease_check():
    assert verification_leases_check() == []


def test_chunk_lease_shorter_than_the_task_time_limit_is_refused(settings):
    settings.CELERY_TASK_TIME_LIMIT = 3600
    settings.JOB_LEASE_SECONDS = {**settings.JOB_LEASE_SECONDS, "verification_chunk": 900}
    errors = verification_leases_check()
    assert [e.id for e in errors] == ["verification.E001"]
    assert "3600" in errors[0].msg and "900" in errors[0].msg
    with pytest.raises(SystemCheckError, match="JOB_LEASE_SECONDS verification_chunk"):
        call_command("check")


def test_lease_equal_to_the_time_limit_is_refused_too(settings):
    settings.CELERY_TASK_TIME_LIMIT = 3600
    settings.JOB_LEASE_SECONDS = {**settings.JOB_LEASE_SECONDS, "verification_chunk": 3600}
    assert [e.id for e in verification_leases_check()] == ["verification.E001"]


def test_broker_visibility_timeout_shorter_than_the_task_time_limit_is_refused(settings):
    settings.CELERY_TASK_TIME_LIMIT = 3600
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 1800}
    assert [e.id for e in verification_leases_check()] == ["verification.E002"]
