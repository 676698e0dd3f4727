"""What the public may see, with everything a page of it needs prefetched: a fixed number
of queries whatever the number of rows (pinned in tests/test_api.py)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from claims.models import (
    Article,
    ArticleRevision,
    Citation,
    Claim,
    ClaimAppearance,
    Correction,
    Rating,
    RatingScale,
    Verdict,
)

PUBLIC_VERDICTS = [Verdict.Status.PUBLISHED, Verdict.Status.SUPERSEDED]


def corrections_public() -> QuerySet:
    """Corrections on published articles (their claim shown only while it is public)."""
    return Correction.objects.filter(article__status=Article.Status.PUBLISHED).select_related(
        "article", "claim", "revision"
    )


def claims_public() -> QuerySet:
    """Public claims with their published and earlier verdicts (and the citations each
    rests on), their appearances in published articles or elsewhere, their sources and
    their corrections."""
    return Claim.objects.public().prefetch_related(
        Prefetch(
            "verdicts",
            queryset=Verdict.objects.filter(status__in=PUBLIC_VERDICTS)
            .select_related("rating__scale")
            .prefetch_related(Prefetch("citations", queryset=Citation.objects.only("id")))
            .order_by("-published_at", "-id"),
            to_attr="public_verdicts",
        ),
        Prefetch(
            "appearances",
            queryset=ClaimAppearance.objects.filter(
                Q(article__isnull=True) | Q(article__status=Article.Status.PUBLISHED)
            )
            .select_related("article", "paragraph")
            .order_by("appeared_at", "created_at", "id"),
            to_attr="public_appearances",
        ),
        Prefetch(
            "citations",
            queryset=Citation.objects.select_related("source").order_by("position", "id"),
            to_attr="public_citations",
        ),
        Prefetch(
            "corrections",
            queryset=Correction.objects.filter(article__status=Article.Status.PUBLISHED).order_by(
                "-published_at", "-id"
            ),
            to_attr="public_corrections",
        ),
    )


def articles_public() -> QuerySet:
    """Published articles with their paragraphs, sources, public claims, the revisions
    made after publication (what readers saw change) and their corrections."""
    return Article.objects.published().prefetch_related(
        "paragraphs",
        Prefetch(
            "citations",
            queryset=Citation.objects.filter(claim__isnull=True)
            .select_related("source")
            .order_by("position", "id"),
            to_attr="public_citations",
        ),
        Prefetch(
            "appearances",
            queryset=ClaimAppearance.objects.filter(claim__in=Claim.objects.public())
            .select_related("claim", "paragraph")
            .order_by("claim__created_at", "claim_id", "id"),
            to_attr="public_appearances",
        ),
        Prefetch(
            "revisions",
            queryset=ArticleRevision.objects.order_by("number"),
            to_attr="all_revisions",
        ),
        Prefetch(
            "corrections",
            queryset=Correction.objects.select_related("revision").order_by("-published_at", "-id"),
            to_attr="public_corrections",
        ),
    )


def scales_public() -> QuerySet:
    return RatingScale.objects.prefetch_related(
        Prefetch("ratings", queryset=Rating.objects.order_by("position", "id"))
    ).order_by("name", "-version")
