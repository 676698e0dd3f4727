"""Telling the reader: the email outbox, its sender, and retries through a mail outage.

The mail server here is real: a small SMTP server on a loopback port speaking the
protocol to Django's SMTP backend, and nothing listening on that port for the outage.
"""

from __future__ import annotations

import socketserver
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.utils import timezone

from claims import services
from claims.models import Report, ReportEmail
from tests.conftest import WorkerProcess, free_port, wait_for


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

    def handle(self):
        self.wfile.write(b"220 localhost test SMTP\r\n")
        lines, in_data, rcpt = [], False, []
        while line := self.rfile.readline():
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    self.server.messages.append(
                        (rcpt, message_from_bytes(b"".join(lines), policy=policy.default))
                    )
                    lines, rcpt = [], []
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            command = line[:4].upper()
            if command in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 localhost\r\n")
            elif command == b"RCPT":
                rcpt.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self.wfile.write(b"250 ok\r\n")
            elif command == b"DATA":
                in_data = True
                self.wfile.write(b"354 end with .\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@contextmanager
def smtp_server(port: int):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", port), SMTPHandler)
    server.daemon_threads = True
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def accepted_report(article, user, *, language="nl", email="lezer@example.org") -> Report:
    report = services.report_create(
        article=article,
        message="20% klopt niet",
        email=email,
        email_consent=True,
        language=language,
    )
    services.report_claim(report_id=report.pk, user=user)
    services.report_accept(report_id=report.pk, user=user, correction_text="Het is 18%.")
    return report


@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [
        ("nl", "Je melding is aanvaard", "We publiceerden deze correctie"),
        ("en", "Your report was accepted", "We published this correction"),
    ],
)
def test_the_email_is_in_the_readers_language(seed_article, reviewer, language, subject, phrase):
    report = accepted_report(seed_article, reviewer, language=language)
    email = ReportEmail.objects.get(report=report)

    assert services.report_email_send(email_id=email.pk) is True

    sent = mail.outbox[0]
    assert sent.to == ["lezer@example.org"]
    assert sent.subject.startswith(subject)
    assert phrase in sent.body and "Het is 18%." in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"


def test_sending_twice_sends_once(seed_article, reviewer):
    email = ReportEmail.objects.get(report=accepted_report(seed_article, reviewer))
    assert services.report_email_send(email_id=email.pk) is True
    assert services.report_email_send(email_id=email.pk) is False
    assert len(mail.outbox) == 1


def test_an_outcome_is_told_once(seed_article, reviewer):
    report = accepted_report(seed_article, reviewer)
    assert services.report_email_queue(report=report, kind="accepted") is None
    assert ReportEmail.objects.filter(report=report).count() == 1


def test_no_email_without_consent_or_after_erasure(seed_article, reviewer, settings):
    report = accepted_report(seed_article, reviewer)
    email = ReportEmail.objects.get(report=report)
    Report.objects.filter(pk=report.pk).update(email="", email_consent=False)

    assert services.report_email_send(email_id=email.pk) is False

    email.refresh_from_db()
    assert email.failed_at and "erased" in email.last_error
    assert mail.outbox == []
    silent = services.report_create(article=seed_article, message="zonder adres")
    assert services.report_email_queue(report=silent, kind="accepted") is None


def test_the_outbox_keeps_an_email_through_a_mail_server_outage(seed_article, reviewer, settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 3
    email = ReportEmail.objects.get(report=accepted_report(seed_article, reviewer))

    assert services.report_email_send(email_id=email.pk) is False  # nothing listens

    email.refresh_from_db()
    assert email.sent_at is None and email.failed_at is None and email.attempts == 1
    assert "Connection" in email.last_error
    assert email.next_attempt_at > timezone.now()  # backing off
    assert email.lease_until is None

    with smtp_server(port) as server:
        ReportEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        assert services.report_email_send(email_id=email.pk) is True

    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 2 and email.last_error == ""
    [(recipients, message)] = server.messages
    assert recipients == ["lezer@example.org"]
    assert "Je melding is aanvaard" in message["Subject"]


def test_the_outbox_gives_up_after_the_last_attempt(seed_article, reviewer, settings):
    settings.FACTCHECK_EMAIL_MAX_ATTEMPTS = 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    email = ReportEmail.objects.get(report=accepted_report(seed_article, reviewer))
    for _ in range(3):
        ReportEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        services.report_email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.attempts == 2 and email.failed_at is not None and email.sent_at is None


@pytest.mark.worker
def test_a_real_worker_retries_through_the_outage_via_the_sweeper(
    transactional_db, seed_article, reviewer, monkeypatch
):
    port = free_port()
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(port))
    worker = WorkerProcess().start()
    try:
        report = accepted_report(seed_article, reviewer)  # commits: the task goes out
        email = ReportEmail.objects.get(report=report)
        failed_once = ReportEmail.objects.filter(pk=email.pk, attempts=1).exclude(last_error="")
        wait_for(failed_once.exists, what="a failed first attempt", detail=worker.output)
        email.refresh_from_db()
        assert email.sent_at is None and "Connection" in email.last_error

        with smtp_server(port) as server:
            ReportEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
            assert services.report_emails_sweep() == 1
            wait_for(
                lambda: ReportEmail.objects.get(pk=email.pk).sent_at,
                what="the email to be sent",
                detail=worker.output,
            )
        assert [recipients for recipients, _ in server.messages] == [["lezer@example.org"]]
        assert services.report_emails_sweep() == 0
    finally:
        worker.kill()  # every assertion is made: no need to wait for a warm shutdown
