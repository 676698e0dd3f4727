"""The development email backend: each message is logged at INFO on ``factcheck.email``
(subject, recipients and body), so the worker's log shows the mail it sent instead of
stdout that Celery would redirect as a warning."""

from __future__ import annotations

import logging

from django.core.mail.backends.base import BaseEmailBackend

log = logging.getLogger("factcheck.email")


class LogEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            log.info(
                "email to %s: %s\n%s",
                ", ".join(message.recipients()),
                message.subject,
                message.body,
            )
            sent += 1
        return sent
