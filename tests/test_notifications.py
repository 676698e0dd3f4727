"""Assignment notifications reach a real worker, and the sweeper recovers lost ones."""

import pytest

from claims import services
from claims.models import Notification
from tests.conftest import wait_for


def sent(notification: Notification):
    return Notification.objects.get(pk=notification.pk).sent_at


@pytest.mark.worker
def test_an_assignment_is_emailed_by_a_real_worker(celery_worker, editor, second_editor):
    claim = services.claim_create(text="Een bewering om te controleren", created_by=editor).claim
    services.claim_assign(claim=claim, assignee=second_editor, user=editor)  # after commit
    notification = Notification.objects.get(recipient=second_editor)
    wait_for(lambda: sent(notification), what="the notification", detail=celery_worker.output)
    # The row is claimed (sent_at) just before the email goes out on the console backend.
    wait_for(
        lambda: "Een bewering om te controleren" in celery_worker.output(),
        what="the email on the worker's console",
        detail=celery_worker.output,
    )

    # A notification whose message was lost is found by the sweep and sent.
    lost = Notification.objects.create(
        recipient=second_editor, claim=claim, message="Verloren bericht"
    )
    Notification.objects.filter(pk=lost.pk).update(created_at=lost.created_at.replace(year=2020))
    assert services.notifications_sweep() == 1
    wait_for(lambda: sent(lost), what="the lost notification", detail=celery_worker.output)
