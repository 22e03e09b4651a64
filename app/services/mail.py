"""Sending e-mail through the SMTP server the environment names (config.py: MAIL_*), with the standard library.

`settings_from(config)` is None when no server is configured; callers say so rather than pretend to send.
A `Postbox` holds one connection for a run of messages (`flask reminders send`); `send_in_background` sends one
message on a thread of its own, so that a web request answers in the same time whether or not it sends.
"""

import logging
import smtplib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from types import TracebackType

from app.services.errors import ServiceError

log = logging.getLogger(__name__)


class MailError(ServiceError):
    """The SMTP server could not be reached or refused a message."""


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    use_tls: bool  # STARTTLS after connecting
    use_ssl: bool  # TLS from the first byte
    username: str
    password: str
    sender: str
    timeout: float = 20


def settings_from(config: Mapping) -> MailSettings | None:
    """The SMTP set-up in the app's configuration, or None when MAIL_SERVER or MAIL_FROM is missing."""
    server, sender = config.get("MAIL_SERVER") or "", config.get("MAIL_FROM") or ""
    if not server or not sender:
        return None
    use_tls, use_ssl = bool(config.get("MAIL_USE_TLS")), bool(config.get("MAIL_USE_SSL"))
    port = int(config.get("MAIL_PORT") or 0) or (465 if use_ssl else 587 if use_tls else 25)
    return MailSettings(
        server=server,
        port=port,
        use_tls=use_tls,
        use_ssl=use_ssl,
        username=config.get("MAIL_USERNAME") or "",
        password=config.get("MAIL_PASSWORD") or "",
        sender=sender,
        timeout=float(config.get("MAIL_TIMEOUT_SECONDS") or 20),
    )


def message(settings: MailSettings, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from the configured sender."""
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies are not sent back
    mail.set_content(body)
    return mail


class Postbox:
    """One SMTP connection, opened on the first message; `with Postbox(settings) as box: box.send(message)`."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Postbox":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.use_ssl:
            smtp = smtplib.SMTP_SSL(s.server, s.port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
            if s.use_tls:
                smtp.starttls(context=context)
        if s.username:
            smtp.login(s.username, s.password)
        return smtp

    def send(self, mail: EmailMessage) -> None:
        """Hand the message to the server; MailError when it cannot be (the connection is then dropped)."""
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            refused = self._smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise MailError(f"The mail server {self.settings.server}:{self.settings.port} refused: {error}") from error
        if refused:
            raise MailError(f"The mail server refused {', '.join(refused)}")

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def send_in_background(settings: MailSettings, mail: EmailMessage) -> threading.Thread:
    """Send one message on its own thread (errors are logged, never shown to whoever asked)."""

    def run() -> None:
        try:
            with Postbox(settings) as box:
                box.send(mail)
        except MailError as error:
            log.error("e-mail to %s not sent: %s", mail["To"], error.message)

    thread = threading.Thread(target=run, name="send-mail", daemon=True)
    thread.start()
    return thread
