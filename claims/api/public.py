"""What the public may see, with everything a page of it needs prefetched: a fixed number
of queries whatever the number of rows (pinned in tests/test_api.py)."""

from __future__ import annotations

from types import SimpleNamespace

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

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
from claims.text.links import site_url

PUBLIC_VERDICTS = [Verdict.Status.PUBLISHED, Verdict.Status.SUPERSEDED]


def corrections_public() -> QuerySet:
    """Corrections on published articles (their claim shown only while it is public)."""
    return Correction.objects.filter(article__status=Article.Status.PUBLISHED).select_related(
        "article", "claim", "revision"
    )


def claims_public() -> QuerySet:
    """Public claims. What a page of them shows beside is read by ``claims_load``."""
    return Claim.objects.public()


def claims_load(claims: list[Claim]) -> list[Claim]:
    """Give each claim what its public page shows, for a whole page in five queries of
    plain rows (no model instances: on the API's busiest page, building them cost more
    than the database did): its published and earlier verdicts (with the citations each
    rests on), its appearances in published articles or elsewhere, its sources and its
    corrections, as ``public_verdicts``, ``public_appearances``, ``public_citations``
    and ``public_corrections``."""
    by_id = {claim.pk: claim for claim in claims}
    for claim in claims:
        claim.public_verdicts, claim.public_appearances = [], []
        claim.public_citations, claim.public_corrections = [], []
    if not by_id:
        return claims
    verdicts = {}
    for row in (
        Verdict.objects.filter(claim_id__in=by_id, status__in=PUBLIC_VERDICTS)
        .order_by("-published_at", "-id")
        .values(
            "id",
            "claim_id",
            "status",
            "summary",
            "explanation",
            "published_at",
            "rating__code",
            "rating__label_nl",
            "rating__label_en",
            "rating__value",
            "rating__color",
            "rating__scale_id",
            "rating__scale__name",
            "rating__scale__version",
            "rating__scale__best_value",
            "rating__scale__worst_value",
        )
    ):
        verdict = _row(row)
        verdict.rating = _row(row, "rating", pk="rating__scale_id")
        verdict.rating.scale = _row(row, "rating__scale", pk="rating__scale_id")
        verdict.citation_ids = []
        verdicts[verdict.pk] = verdict
        by_id[row["claim_id"]].public_verdicts.append(verdict)
    through = Verdict.citations.through.objects.filter(verdict_id__in=verdicts)
    for verdict_id, citation_id in through.order_by("citation_id").values_list(
        "verdict_id", "citation_id"
    ):
        verdicts[verdict_id].citation_ids.append(citation_id)
    for row in (
        ClaimAppearance.objects.filter(claim_id__in=by_id)
        .filter(Q(article__isnull=True) | Q(article__status=Article.Status.PUBLISHED))
        .order_by("appeared_at", "created_at", "id")
        .values(
            "id",
            "claim_id",
            "quote",
            "url",
            "appeared_at",
            "article_id",
            "article__slug",
            "article__title",
            "paragraph_id",
            "paragraph__anchor",
        )
    ):
        appearance = _row(row)
        appearance.anchor = row["paragraph__anchor"] or ""
        appearance.article = _row(row, "article", pk="article_id") if row["article_id"] else None
        by_id[row["claim_id"]].public_appearances.append(appearance)
    for row in (
        Citation.objects.with_evidence()
        .filter(claim_id__in=by_id)
        .order_by("position", "id")
        .values(
            "id",
            "claim_id",
            "position",
            "quote",
            "quote_status",
            "quote_score",
            "source_id",
            "source__title",
            "source__publisher",
            "source__url",
            "source__domain",
            "source__state",
            "source__last_checked_at",
            "source__last_status",
            "source__final_url",
            "memento_url",
            "evidence_snapshot_id",
        )
    ):
        citation = _row(row)
        citation.source = _row(row, "source", pk="source_id")
        citation.source.archive_url = citation_archived_url(citation)
        by_id[row["claim_id"]].public_citations.append(citation)
    for row in (
        Correction.objects.filter(claim_id__in=by_id, article__status=Article.Status.PUBLISHED)
        .order_by("-published_at", "-id")
        .values("id", "claim_id", "kind", "published_at")
    ):
        by_id[row["claim_id"]].public_corrections.append(_row(row))
    return claims


def citation_archived_url(citation) -> str:
    """The preserved copy a citation relies on (``Citation.objects.with_evidence()``):
    the web archive's memento, else our own capture page, else nothing."""
    if getattr(citation, "memento_url", ""):
        return citation.memento_url
    if getattr(citation, "evidence_snapshot_id", None):
        return site_url(reverse("claims:capture", args=[citation.evidence_snapshot_id]))
    return ""


def _row(row: dict, prefix: str = "", *, pk: str = "id") -> SimpleNamespace:
    """The fields of ``row`` under ``prefix`` (``rating__code`` → ``code``) as an object."""
    start = f"{prefix}__" if prefix else ""
    fields = {
        key.removeprefix(start): value
        for key, value in row.items()
        if key.startswith(start) and "__" not in key.removeprefix(start)
    }
    return SimpleNamespace(pk=row[pk], **fields)


def articles_public() -> QuerySet:
    """Published articles with their paragraphs, sources, public claims, the revisions
    made after publication (what readers saw change) and their corrections."""
    return Article.objects.published().prefetch_related(
        "paragraphs",
        Prefetch(
            "citations",
            queryset=Citation.objects.with_evidence()
            .filter(claim__isnull=True)
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
