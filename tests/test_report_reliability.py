"""Reports survive a broker outage: stored in the request, processed by a real worker
once the broker is back and the sweeper has re-sent their follow-up."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from claims import services
from claims.models import Report
from tests.conftest import report_form_data, wait_for

pytestmark = pytest.mark.worker


def test_reports_accepted_while_the_broker_is_down_are_processed_once_it_is_back(
    celery_worker, seed_article, reader, broker_unreachable
):
    url = reverse("claims:report_create", kwargs={"slug": seed_article.slug})
    for n in range(4):
        response = reader.post(
            url,
            report_form_data(message=f"Broker ligt eruit, melding {n}"),
            REMOTE_ADDR=f"203.0.113.{n}",
            **({"HTTP_HX_REQUEST": "true"} if n % 2 else {}),
        )
        assert response.status_code in (200, 302)
    reports = Report.objects.all()
    assert reports.count() == 4
    assert all(r.reference in reader.get(r.get_absolute_url()).content.decode() for r in reports)

    time.sleep(2)  # the worker is up, but no message reached it
    assert Report.objects.filter(processed_at__isnull=True).count() == 4

    broker_unreachable()  # the broker is back; beat's sweeper runs
    assert services.reports_sweep(older_than_seconds=0) == 4

    wait_for(
        lambda: not Report.objects.filter(processed_at__isnull=True).exists(),
        what="the follow-up of the four reports",
        detail=celery_worker.output,
    )
    assert services.reports_sweep(older_than_seconds=0) == 0
    assert "report_process_task" in celery_worker.output()
