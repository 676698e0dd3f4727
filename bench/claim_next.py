"""Reviewer "claim next" with 1,000,000 reports in PostgreSQL. DESIGN.md's bar: median
under 5 ms, and 8 reviewers at once with zero double claims.

The rows are made by one INSERT ... SELECT over generate_series, in the benchmark's own
database: a fifth new, a few held by reviewers (some with expired leases), the rest
resolved, as a queue looks after a while. The figure is the median of
``services.report_claim_next`` (a claim, its history row and the commit), printed as a
ratio to reading one report by primary key in the same run; the EXPLAIN shows the
partial index that answers it.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from bench.common import interleaved, progress, report

TOTAL = 1_000_000
MARK = "bench-claim"
ROUNDS = 300
REVIEWERS = 8
CLAIMS_EACH = 50

BUILD = """
INSERT INTO claims_report (
    reference, article_id, quote, message, suggestion, evidence_urls, name, email,
    email_consent, language, ip_hash, state, assignee_id, lease_until, priority, queue_at,
    duplicate_count, reject_reason, resolution, reviewer_note, info_request, info_reply,
    processed_at, created_at, resolved_at
)
SELECT
    %(mark)s || '-' || n, %(article)s, '', 'Benchmarkmelding ' || n, '', '[]', '', '',
    false, CASE WHEN n %% 7 = 0 THEN 'en' ELSE 'nl' END, md5(n::text),
    CASE
        WHEN n %% 5 = 0 THEN 'new'
        WHEN n %% 997 = 1 THEN 'in_review'
        WHEN n %% 5 = 1 THEN 'accepted'
        WHEN n %% 5 = 2 THEN 'rejected'
        WHEN n %% 5 = 3 THEN 'duplicate'
        ELSE 'spam'
    END,
    CASE WHEN n %% 997 = 1 AND n %% 5 <> 0 THEN %(holder)s END,
    CASE WHEN n %% 997 = 1 AND n %% 5 <> 0
         THEN now() + CASE WHEN n %% 2 = 0 THEN interval '1 hour' ELSE interval '-1 hour' END
    END,
    n %% 9,
    now() - (n || ' seconds')::interval - (n %% 9 || ' hours')::interval,
    0, '', '', '', '', '',
    now(), now() - (n || ' seconds')::interval,
    CASE WHEN n %% 5 IN (1, 2, 3, 4) AND n %% 997 <> 1 THEN now() END
FROM generate_series(%(first)s, %(last)s) AS n
"""


def build(article, holder) -> int:
    from django.db import connection

    from claims.models import Report

    have = Report.objects.filter(reference__startswith=MARK + "-").count()
    if have >= TOTAL:
        return have
    started = time.monotonic()
    step = 100_000
    with connection.cursor() as cursor:
        for first in range(have + 1, TOTAL + 1, step):
            last = min(first + step - 1, TOTAL)
            cursor.execute(
                BUILD,
                {
                    "mark": MARK,
                    "article": article.pk,
                    "holder": holder.pk,
                    "first": first,
                    "last": last,
                },
            )
            progress(last, TOTAL, "rows ")
        cursor.execute("ANALYZE claims_report")
    print(f"  built {TOTAL - have} reports in {time.monotonic() - started:.0f} s", flush=True)
    return TOTAL


def explain(user) -> str:
    """EXPLAIN ANALYZE of the claim-next statement itself (rolled back)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from claims.services.reports import _claim_next_sql, _lease

    now = timezone.now()
    params = {"user": user.pk, "until": now + _lease(), "now": now}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + _claim_next_sql(), params)
        plan = "\n".join("    " + row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def run() -> None:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from bench.report_post import bench_article
    from claims import services
    from claims.models import Report

    if not settings.DATABASE_IS_POSTGRES:
        print(
            "claim next with 1,000,000 reports: skipped "
            "(set DATABASE_URL=postgres://... to run it)",
            flush=True,
        )
        return
    article = bench_article()
    users = [
        User.objects.get_or_create(username=f"bench-reviewer-{n}", defaults={"is_staff": True})[0]
        for n in range(REVIEWERS + 1)
    ]
    holder, reviewer, crew = users[0], users[1], users[1:]
    total = Report.objects.count()
    build(article, holder)
    total = Report.objects.count()
    new = Report.objects.filter(state=Report.State.NEW).count()

    def claim_and_resolve() -> None:
        claimed = services.report_claim_next(user=reviewer)
        Report.objects.filter(pk=claimed.pk).update(
            state=Report.State.REJECTED, resolved_at=timezone.now(), lease_until=None
        )

    times = []
    for n in range(ROUNDS):
        started = time.perf_counter()
        claimed = services.report_claim_next(user=reviewer)
        times.append(time.perf_counter() - started)
        Report.objects.filter(pk=claimed.pk).update(  # resolved outside the timing
            state=Report.State.REJECTED, resolved_at=timezone.now(), lease_until=None
        )
        progress(n + 1, ROUNDS, "claims ")
    claim_median = statistics.median(times)
    pk = Report.objects.filter(reference__startswith=MARK).values_list("pk", flat=True).first()
    _, lookup_median = interleaved(
        claim_and_resolve, lambda: Report.objects.get(pk=pk), rounds=100, warmup=5
    )
    report(
        f"claim next with {total:,} reports ({new:,} new) vs one primary-key read",
        claim_median / lookup_median,
        target="median < 5 ms",
        detail=f"median {claim_median * 1000:.2f} ms vs {lookup_median * 1000:.2f} ms",
    )

    # Eight reviewers at once: nobody gets a report another holds.
    start = threading.Barrier(REVIEWERS)
    claims: list[int] = []
    lock = threading.Lock()
    concurrent_times: list[float] = []

    def reviewer_work(user) -> None:
        try:
            start.wait()
            for _ in range(CLAIMS_EACH):
                began = time.perf_counter()
                claimed = services.report_claim_next(user=user)
                took = time.perf_counter() - began
                with lock:
                    claims.append(claimed.pk)
                    concurrent_times.append(took)
                services.report_reject(report_id=claimed.pk, user=user, reason="other")
        finally:
            connection.close()

    with ThreadPoolExecutor(REVIEWERS) as pool:
        list(pool.map(reviewer_work, crew))
    doubles = sum(n - 1 for n in Counter(claims).values() if n > 1)
    print(
        f"  {REVIEWERS} reviewers at once: {len(claims)} claims, {doubles} double claims, "
        f"median {statistics.median(concurrent_times) * 1000:.2f} ms",
        flush=True,
    )

    print(f"  EXPLAIN ANALYZE of claim next:\n{explain(reviewer)}", flush=True)
