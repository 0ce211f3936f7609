"""Sending e-mail through the SMTP server configured with LMS_MAIL_*; nothing is sent when it is unset."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send_messages(messages: list[tuple[str, str, str]]) -> int:
    """Send (to, subject, body) messages over one SMTP connection; returns how many were sent."""
    if not messages or not mail_configured():
        return 0
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        for to, subject, body in messages:
            message = EmailMessage()
            message["From"] = config["MAIL_FROM"]
            message["To"] = to
            message["Subject"] = subject
            message["Message-ID"] = make_msgid(domain="congdanso")
            message.set_content(body)
            smtp.send_message(message)
    return len(messages)
