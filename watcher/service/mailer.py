"""Optional e-mail of warnings through the office's SMTP server (stdlib smtplib)."""

from __future__ import annotations

import logging
import os
import smtplib
from email.message import EmailMessage
from pathlib import Path

from watcher.service.config import EmailConfig

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 20


def send_mail(config: EmailConfig, subject: str, body: str) -> bool:
    """Send one plain-text message; False (and a log line) when the server cannot be reached."""
    message = EmailMessage()
    message["Subject"], message["From"] = subject, config.sender
    message["To"] = ", ".join(config.recipients)
    message.set_content(body)
    try:
        with smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS) as smtp:
            if config.starttls:
                smtp.starttls()
            if config.user:
                smtp.login(config.user, smtp_password(config))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning(
            "E-mail peringatan gagal dikirim lewat %s:%s: %s", config.host, config.port, exc
        )
        return False
    return True


def smtp_password(config: EmailConfig) -> str:
    """The SMTP password: from `sandi_berkas` (read at each send, so a changed password needs no
    restart; one trailing newline is not part of it) or the `sandi_env` variable; "" without."""
    if config.password_file:
        return Path(config.password_file).read_text(encoding="utf-8").removesuffix("\n")
    return os.environ.get(config.password_env, "") if config.password_env else ""
