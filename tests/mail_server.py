"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), collecting what it is sent.

It listens on the first free port from 8325 up (this suite's own range), and can be told to refuse every
message after the next `accept` ones, as a mail server that goes away half-way through a run would.
"""

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

PORTS = range(8325, 8400)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 8325 and 8399")


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        return self.message.get_content().replace("\r\n", "\n")

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()


@dataclass
class Mailbox:
    """What the server accepted, in order. `refuse_after(n)`: accept n more messages, then answer 451."""

    messages: list[Received] = field(default_factory=list)
    accept: int | None = None
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.accept is not None:
            if self.accept <= 0:
                return "451 4.3.0 Mailbox temporarily unavailable"
            self.accept -= 1
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def refuse_after(self, count: int) -> None:
        self.accept = count

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.recipients]

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        """Wait until `count` messages have arrived (for e-mail sent on a background thread)."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        return self.messages


def start() -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    for _ in range(5):  # another process may take the port between the probe and the bind
        controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
        try:
            controller.start()
        except Exception:  # noqa: BLE001  (taken meanwhile: try the next free port)
            continue
        return controller, mailbox
    raise RuntimeError("could not start the test SMTP server")
