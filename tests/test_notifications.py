"""Assignment notifications reach a real worker, and the sweeper recovers lost ones."""

import time

import pytest

from claims import services
from claims.models import Notification
from tests.conftest import make_staff


def wait_until_sent(notification: Notification, worker, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.sent_at:
            return
        time.sleep(0.3)
    raise AssertionError(worker.output()[-2000:])


@pytest.mark.worker
def test_an_assignment_is_emailed_by_a_real_worker(celery_worker):
    editor, other = make_staff("editor", "Editor"), make_staff("editor2", "Editor")
    claim = services.claim_create(text="Een bewering om te controleren", created_by=editor).claim
    services.claim_assign(claim=claim, assignee=other, user=editor)  # sends after commit
    notification = Notification.objects.get(recipient=other)
    wait_until_sent(notification, celery_worker)
    # The row is claimed (sent_at) just before the email goes out on the console backend.
    deadline = time.monotonic() + 30
    while "Een bewering om te controleren" not in celery_worker.output():
        assert time.monotonic() < deadline, celery_worker.output()[-2000:]
        time.sleep(0.3)

    # A notification whose message was lost is found by the sweep and sent.
    lost = Notification.objects.create(recipient=other, claim=claim, message="Verloren bericht")
    Notification.objects.filter(pk=lost.pk).update(created_at=lost.created_at.replace(year=2020))
    assert services.notifications_sweep() == 1
    wait_until_sent(lost, celery_worker)
