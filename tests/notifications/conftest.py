"""A real SMTP server for the notification tests (aiosmtpd, on a free port of this machine),
Django's SMTP backend pointed at it, and the field world with an address for every account."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field
from email import policy

import pytest
from aiosmtpd.controller import Controller

from tests.fieldwork.world import fieldwork_objects_add


@dataclass
class Received:
    to: list[str]
    subject: str
    body: str
    message_id: str


@dataclass
class Inbox:
    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(
            Received(
                to=list(envelope.rcpt_tos),
                subject=str(message["Subject"]),
                body=message.get_body(preferencelist=("plain",)).get_content(),
                message_id=str(message["Message-ID"]),
            )
        )
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.to]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """An SMTP server in a thread of this process: (inbox, port)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def smtp(settings, smtp_server) -> Inbox:
    """Django sends through the real server (its SMTP backend, not the test's memory box)."""
    inbox, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return inbox


def address(username: str) -> str:
    return f"{username}@contoh.go.id"


@pytest.fixture
def field(world, eager):
    """The shared world with the field objects (tests/fieldwork/world.py) and an address for
    every account. Nothing made here notifies anyone: its events were never committed."""
    fieldwork_objects_add(world)
    for user in world.users.values():
        user.email = address(user.username)
        user.save(update_fields=["email"])
    return world
