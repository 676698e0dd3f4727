"""The article page with 50 claims, 30 sources and 10 corrections, against a bare view
that renders the same text from one query. DESIGN.md's bar: at most 2x."""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path
from django.utils.html import escape

from bench.common import interleaved, report

SLUG = "bench-article"


def bare_article(request, slug: str) -> HttpResponse:
    """One query for every text the article page shows, rendered with no template."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT 'h', a.title FROM claims_article a WHERE a.slug = %s
            UNION ALL
            SELECT 'p', p.text FROM claims_paragraph p
              JOIN claims_article a ON a.id = p.article_id WHERE a.slug = %s
            UNION ALL
            SELECT 'c', c.text FROM claims_claim c
              JOIN claims_claimappearance ap ON ap.claim_id = c.id
              JOIN claims_article a ON a.id = ap.article_id WHERE a.slug = %s
            UNION ALL
            SELECT 's', s.title FROM claims_source s
              JOIN claims_citation ci ON ci.source_id = s.id
              JOIN claims_article a ON a.id = ci.article_id WHERE a.slug = %s
            UNION ALL
            SELECT 'x', co.text FROM claims_correction co
              JOIN claims_article a ON a.id = co.article_id WHERE a.slug = %s
            """,
            [slug] * 5,
        )
        rows = cursor.fetchall()
    body = "".join(f"<{'p' if kind != 'h' else 'h1'}>{escape(text)}</p>" for kind, text in rows)
    return HttpResponse(f"<!doctype html><html><body>{body}</body></html>")


urlpatterns = [
    path("bare/<slug:slug>/", bare_article),
    path("", include("factcheck.urls")),
]


def build_article():
    from claims import services
    from claims.importers.seed import seed_read
    from claims.management.commands.demo import SEED
    from claims.models import Article, Correction, Rating, RatingScale, Source

    article = Article.objects.filter(slug=SLUG).first()
    if article is not None and article.appearances.count() == 50:
        return article  # built by an earlier run
    seed = seed_read(SEED.read_bytes(), max_bytes=2 * 1024 * 1024)
    seed.title = "Benchmark: " + seed.title
    article = services.article_import(seed=seed).article
    article.slug = SLUG
    article.save(update_fields=["slug"])
    scale, _ = RatingScale.objects.get_or_create(name="Bench", version=1)
    rating, _ = Rating.objects.get_or_create(
        scale=scale, code="true", defaults={"label_nl": "Waar", "label_en": "True", "value": 5}
    )
    paragraph = article.paragraphs.first()
    for n in range(50):
        claim = services.claim_create(
            text=f"Benchmarkbewering {n}", article=article, paragraph=paragraph, quote="Op dinsdag"
        ).claim
        services.verdict_publish(claim=claim, rating=rating, summary=f"Samenvatting {n}")
    for n in range(30 - article.citations.count()):
        url = f"https://bench.example.org/{n}"
        source, _ = Source.objects.get_or_create(
            key=url, defaults={"url": url, "title": f"Bron {n}", "state": "live"}
        )
        article.citations.get_or_create(source=source, claim=None, defaults={"position": 10 + n})
    for n in range(10):
        Correction.objects.create(article=article, text=f"Correctie {n}")
    return article


def run() -> None:
    from django.test.utils import override_settings

    article = build_article()
    client = Client()
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        page_url = article.get_absolute_url()
        bare_url = f"/bare/{SLUG}/"
        assert client.get(page_url).status_code == 200
        assert client.get(bare_url).status_code == 200
        page, bare = interleaved(
            lambda: client.get(page_url), lambda: client.get(bare_url), rounds=300
        )
    report(
        "article page (50 claims, 30 sources, 10 corrections) vs bare one-query view",
        page / bare,
        target="<= 2.0",
        detail=f"median {page * 1000:.2f} ms vs {bare * 1000:.2f} ms",
    )
