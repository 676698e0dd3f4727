"""The public API's claims list (a page of 50, with verdicts, appearances, sources and
corrections) against a bare view that answers the same rows as JSON from one raw query.
DESIGN.md's bar: median at most 2x. The API side runs with its cache off, so every
request is served from the database; the cached answer is printed beside it."""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path

from bench.common import progress, report

N = 2000
PAGE = 50
PREFIX = "bench-api-"

PG_SQL = """
SELECT json_build_object(
  'slug', c.slug, 'text', c.text, 'claimant', c.claimant, 'claim_date', c.claim_date,
  'language', c.language, 'status', c.status, 'updated_at', c.updated_at,
  'verdicts', (SELECT json_agg(json_build_object(
      'status', v.status, 'summary', v.summary, 'explanation', v.explanation,
      'published_at', v.published_at, 'code', r.code, 'label_nl', r.label_nl,
      'label_en', r.label_en, 'value', r.value, 'color', r.color, 'scale', s.name,
      'version', s.version) ORDER BY v.published_at DESC)
    FROM claims_verdict v JOIN claims_rating r ON r.id = v.rating_id
    JOIN claims_ratingscale s ON s.id = r.scale_id
    WHERE v.claim_id = c.id AND v.status IN ('published', 'superseded')),
  'appearances', (SELECT json_agg(json_build_object(
      'slug', a.slug, 'title', a.title, 'quote', ap.quote, 'url', ap.url,
      'appeared_at', ap.appeared_at))
    FROM claims_claimappearance ap LEFT JOIN claims_article a ON a.id = ap.article_id
    WHERE ap.claim_id = c.id),
  'citations', (SELECT json_agg(json_build_object(
      'quote', ci.quote, 'quote_status', ci.quote_status, 'title', so.title, 'url', so.url,
      'state', so.state, 'last_checked_at', so.last_checked_at))
    FROM claims_citation ci JOIN claims_source so ON so.id = ci.source_id
    WHERE ci.claim_id = c.id),
  'corrections', (SELECT json_agg(json_build_object('id', co.id, 'kind', co.kind))
    FROM claims_correction co WHERE co.claim_id = c.id))
FROM claims_claim c
WHERE c.status IN ('published', 'needs_rereview')
ORDER BY c.updated_at DESC, c.id DESC
LIMIT %s
"""

SQLITE_SQL = (
    PG_SQL.replace("json_build_object", "json_object")
    .replace("json_agg", "json_group_array")
    .replace(" ORDER BY v.published_at DESC)", ")")
)


def bare_claims(request) -> HttpResponse:
    """The same rows from one raw query, written out as a JSON list."""
    sql = PG_SQL if connection.vendor == "postgresql" else SQLITE_SQL
    with connection.cursor() as cursor:
        cursor.execute(sql, [PAGE])
        rows = [row[0] for row in cursor.fetchall()]
    if rows and not isinstance(rows[0], str):  # psycopg decodes json; write it again
        import json

        rows = [json.dumps(row) for row in rows]
    return HttpResponse("[" + ",".join(rows) + "]", content_type="application/json")


urlpatterns = [
    path("bare/claims/", bare_claims),
    path("", include("factcheck.urls")),
]


def build_claims() -> int:
    from django.utils import timezone

    from claims import services
    from claims.models import (
        Article,
        Citation,
        Claim,
        ClaimAppearance,
        Rating,
        RatingScale,
        Source,
        Verdict,
    )

    have = Claim.objects.filter(slug__startswith=PREFIX).count()
    if have >= N:
        return have
    Claim.objects.filter(slug__startswith=PREFIX).delete()
    scale, _ = RatingScale.objects.get_or_create(name="Bench API", version=1)
    rating, _ = Rating.objects.get_or_create(
        scale=scale,
        code="mostly-true",
        defaults={"label_nl": "Grotendeels waar", "label_en": "Mostly true", "value": 4},
    )
    article = Article.objects.published().first()
    if article is None:
        from claims.importers.seed import seed_read
        from claims.management.commands.demo import SEED

        seed = seed_read(SEED.read_bytes(), max_bytes=2 * 1024 * 1024)
        article = services.article_import(seed=seed).article
    paragraph = article.paragraphs.first()
    sources = [
        Source.objects.get_or_create(
            key=f"https://bench-api.example.org/{n}",
            defaults={
                "url": f"https://bench-api.example.org/{n}",
                "title": f"Bron {n}",
                "state": "live",
                "domain": "bench-api.example.org",
            },
        )[0]
        for n in range(50)
    ]
    now = timezone.now()
    for start in range(0, N, 500):
        claims = Claim.objects.bulk_create(
            Claim(
                text=f"Benchmarkbewering {n}: de prijzen stegen met {n % 97} procent",
                slug=f"{PREFIX}{n}",
                claimant="Minister" if n % 2 else "Kremlin",
                status=Claim.Status.PUBLISHED,
            )
            for n in range(start, min(start + 500, N))
        )
        Verdict.objects.bulk_create(
            Verdict(
                claim=c,
                rating=rating,
                summary=f"Samenvatting {c.slug}",
                explanation="<p>Uitleg.</p>",
                status=Verdict.Status.PUBLISHED,
                published_at=now,
            )
            for c in claims
        )
        ClaimAppearance.objects.bulk_create(
            ClaimAppearance(claim=c, article=article, paragraph=paragraph, quote="Op dinsdag")
            for c in claims
        )
        Citation.objects.bulk_create(
            Citation(claim=c, source=sources[i % len(sources)], quote="citaat", position=1)
            for i, c in enumerate(claims)
        )
        progress(min(start + 500, N), N, "claims ")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Claim.objects.filter(slug__startswith=PREFIX).count()


def timed(subject, baseline, rounds: int, warmup: int = 10) -> tuple[list[float], list[float]]:
    for _ in range(warmup):
        subject()
        baseline()
    a, b = [], []
    for n in range(rounds):
        for fn in (subject, baseline) if n % 2 else (baseline, subject):
            start = time.perf_counter()
            fn()
            (a if fn is subject else b).append(time.perf_counter() - start)
        progress(n + 1, rounds)
    return a, b


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run() -> None:
    from django.test.utils import override_settings

    from claims import services

    total = build_claims()
    services.public_data_touch()  # answers cached by an earlier run are not this run's
    client = Client()
    api_url = f"/api/claims/?page_size={PAGE}"
    with override_settings(
        ROOT_URLCONF=__name__,
        DEBUG=False,
        ALLOWED_HOSTS=["testserver"],
        FACTCHECK_API_RATE_ANON=None,
        FACTCHECK_API_CACHE_SECONDS=0,
    ):
        api = client.get(api_url, HTTP_ACCEPT="application/json")
        bare = client.get("/bare/claims/")
        assert api.status_code == bare.status_code == 200, api.content[:300]
        assert len(api.json()["results"]) == len(bare.json()) == PAGE
        subject, baseline = timed(
            lambda: client.get(api_url, HTTP_ACCEPT="application/json"),
            lambda: client.get("/bare/claims/"),
            rounds=200,
        )
    median_api, median_bare = statistics.median(subject), statistics.median(baseline)
    report(
        f"API claims list, a page of {PAGE} of {total:,} ({connection.vendor}) vs one raw query",
        median_api / median_bare,
        target="<= 2.0",
        detail=(
            f"median {median_api * 1000:.1f} ms vs {median_bare * 1000:.1f} ms; "
            f"p95 {p95(subject) * 1000:.1f} ms vs {p95(baseline) * 1000:.1f} ms "
            f"(p95 ratio {p95(subject) / p95(baseline):.2f})"
        ),
    )
    with override_settings(
        ROOT_URLCONF=__name__,
        DEBUG=False,
        ALLOWED_HOSTS=["testserver"],
        FACTCHECK_API_RATE_ANON=None,
    ):
        cached, baseline = timed(
            lambda: client.get(api_url, HTTP_ACCEPT="application/json"),
            lambda: client.get("/bare/claims/"),
            rounds=200,
        )
    report(
        "API claims list from its cache vs one raw query",
        statistics.median(cached) / statistics.median(baseline),
        target="informational",
        detail=f"median {statistics.median(cached) * 1000:.2f} ms",
    )
