"""Reviewers claiming at once: 8 threads, 200 reports, each claimed exactly once.

On PostgreSQL (CI) the candidates are locked with FOR UPDATE SKIP LOCKED, so no thread
waits for another; on SQLite the IMMEDIATE transactions take turns. Either way the
compare-and-set UPDATE must change exactly one row, and history records every claim.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.utils import timezone

from claims import services
from claims.models import Report
from tests.conftest import make_staff

REVIEWERS = 8
REPORTS = 200


def test_eight_reviewers_claim_two_hundred_reports_exactly_once(transactional_db, seed_article):
    now = timezone.now()
    Report.objects.bulk_create(
        Report(
            reference=services.report_reference(),
            article=seed_article,
            message=f"melding {n}",
            created_at=now,
            queue_at=now - timezone.timedelta(seconds=n),
            processed_at=now,
        )
        for n in range(REPORTS)
    )
    ids = set(Report.objects.values_list("pk", flat=True))
    reviewers = [make_staff(f"reviewer{n}", "Reviewer") for n in range(REVIEWERS)]
    start = threading.Barrier(REVIEWERS)

    def work(user) -> list[int]:
        claimed = []
        try:
            start.wait()
            while (report := services.report_claim_next(user=user)) is not None:
                assert report.assignee_id == user.pk
                claimed.append(report.pk)
                services.report_reject(report_id=report.pk, user=user, reason="other")
        finally:
            connection.close()
        return claimed

    with ThreadPoolExecutor(REVIEWERS) as pool:
        results = list(pool.map(work, reviewers))

    claims = [pk for claimed in results for pk in claimed]
    assert len(claims) == REPORTS and set(claims) == ids  # every one, none twice
    assert Report.objects.filter(state=Report.State.REJECTED).count() == REPORTS
    history = Counter(
        Report.history.filter(history_change_reason="claimed").values_list("id", flat=True)
    )
    assert set(history) == ids and set(history.values()) == {1}
    resolvers = dict(Report.objects.values_list("pk", "assignee_id"))
    for user, claimed in zip(reviewers, results, strict=True):
        assert all(resolvers[pk] == user.pk for pk in claimed)
    if connection.vendor == "postgresql":
        assert sum(1 for claimed in results if claimed) >= 2  # the work was shared
