"""Production refuses keys of low entropy at start, whatever their length: 32 zero bytes, one
character repeated, a short pattern repeated, a run of the alphabet. Keys drawn at random (the
way docs/deployment.md says to make them, raw, base64 or hex) always pass."""

from __future__ import annotations

import base64
import os
import secrets
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_settings import _production, _run


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


WEAK = {
    "DJANGO_SECRET_KEY": ["0" * 50, "k" * 60, "abcdef" * 9, string.ascii_lowercase * 2],
    "NIK_HMAC_KEY": ["0" * 32, "k" * 35, "abcdef" * 9, "0123456789abcdefghijklmnopqrstuvwxyz"],
    "AUDIT_KEY": ["0" * 32, "k" * 35, "abcdef" * 9],
    "NIK_ENCRYPTION_KEY": [
        b64(bytes(32)),
        b64(b"k" * 32),
        b64((b"abcdef" * 6)[:32]),
        b64(bytes(range(32))),
    ],
}


@pytest.mark.parametrize(
    ("name", "value"), [(name, value) for name, values in WEAK.items() for value in values]
)
def test_production_refuses_a_key_of_low_entropy_at_start(name, value):
    result = _run(_production(**{name: value}), "check")
    assert result.returncode != 0, (name, value)
    assert name.removesuffix("_KEY") in result.stderr and "entropy" in result.stderr


def test_a_weak_key_anywhere_in_a_keyring_is_refused():
    good = b64(os.urandom(32))
    ring = f"2026:{good},1:{b64(bytes(32))}"
    result = _run(_production(NIK_ENCRYPTION_KEYS=ring, NIK_ENCRYPTION_KEY=""), "check")
    assert result.returncode != 0 and "'1'" in result.stderr


def test_random_keys_written_the_usual_ways_pass():
    env = _production(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        NIK_HMAC_KEY=secrets.token_hex(32),
        NIK_ENCRYPTION_KEY=b64(os.urandom(32)),
    )
    assert _run(env, "check").returncode == 0


@settings(max_examples=300, deadline=None)
@given(piece=st.binary(min_size=1, max_size=24), extra=st.integers(min_value=0, max_value=40))
def test_any_piece_repeated_into_a_key_is_refused(piece, extra):
    from config.keystrength import key_weakness

    key = piece * (64 // len(piece) + 1) + piece[: extra % len(piece)]
    assert key_weakness(key) is not None


@settings(max_examples=300, deadline=None)
@given(alphabet=st.binary(min_size=1, max_size=7), size=st.integers(32, 200), data=st.data())
def test_a_key_of_seven_distinct_characters_or_fewer_is_refused(alphabet, size, data):
    from config.keystrength import key_weakness

    key = bytes(data.draw(st.lists(st.sampled_from(alphabet), min_size=size, max_size=size)))
    assert key_weakness(key) is not None


def test_urandom_keys_pass_every_time():
    from config.keystrength import key_weakness

    for _ in range(2000):
        assert key_weakness(os.urandom(32)) is None
        assert key_weakness(secrets.token_hex(32).encode()) is None
        assert key_weakness(secrets.token_urlsafe(50).encode()) is None
        assert key_weakness(base64.b64encode(os.urandom(32))) is None
