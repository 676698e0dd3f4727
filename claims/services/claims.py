"""Claims and verdicts."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from claims.models import Article, Claim, ClaimAppearance, Paragraph, Rating, Verdict
from claims.services.core import slug_unique


@transaction.atomic
def claim_create(
    *,
    text: str,
    article: Article | None = None,
    paragraph: Paragraph | None = None,
    quote: str = "",
    claimant: str = "",
    claim_date=None,
    language: str = "nl",
    created_by=None,
) -> Claim:
    """Create a claim, anchored to the span of ``quote`` in ``paragraph`` when given."""
    claim = Claim.objects.create(
        text=text,
        slug=slug_unique(Claim, text, max_length=70),
        claimant=claimant,
        claim_date=claim_date,
        language=language,
        created_by=created_by,
    )
    if article is not None:
        start = end = None
        if paragraph is not None and quote and quote in paragraph.text:
            start = paragraph.text.index(quote)
            end = start + len(quote)
        ClaimAppearance.objects.create(
            claim=claim,
            article=article,
            paragraph=paragraph,
            start=start,
            end=end,
            quote=quote,
            appeared_at=article.published_at.date() if article.published_at else None,
        )
    return claim


@transaction.atomic
def verdict_publish(
    *, claim: Claim, rating: Rating, summary: str, explanation: str = "", author=None
) -> Verdict:
    """Publish a verdict straight away (the demo and imports). Editors' drafts and the
    second-editor approval of a changed verdict go through the editor desk."""
    now = timezone.now()
    previous = claim.verdicts.select_for_update().filter(status=Verdict.Status.PUBLISHED).first()
    if previous is not None:
        previous.status = Verdict.Status.SUPERSEDED
        previous.save(update_fields=["status"])
    verdict = Verdict.objects.create(
        claim=claim,
        rating=rating,
        summary=summary,
        explanation=explanation,
        author=author,
        approved_by=author,
        status=Verdict.Status.PUBLISHED,
        published_at=now,
        supersedes=previous,
    )
    claim.status = Claim.Status.PUBLISHED
    claim.save(update_fields=["status", "updated_at"])
    return verdict
