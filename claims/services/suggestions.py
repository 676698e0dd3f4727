"""Claim suggestions: check-worthy sentences of an article, for the editor to accept,
edit or dismiss (the rules are in ``claims/suggestions.py``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import Article, Claim, ClaimSuggestion
from claims.suggestions import text_suggestions


@transaction.atomic
def article_suggest(*, article: Article) -> int:
    """(Re)compute the suggestions of every paragraph. Idempotent: a sentence already
    suggested keeps its row and the editor's decision; a suggestion whose sentence is gone
    is dropped unless the editor acted on it. Returns how many are new."""
    min_score = settings.FACTCHECK_SUGGEST_MIN_SCORE
    existing = {
        (s.paragraph_id, s.start, s.end): s for s in ClaimSuggestion.objects.filter(article=article)
    }
    keep, new = set(), []
    for paragraph in article.paragraphs.all():
        for found in text_suggestions(paragraph.text, min_score=min_score):
            key = (paragraph.pk, found.start, found.end)
            keep.add(key)
            row = existing.get(key)
            if row is None:
                new.append(
                    ClaimSuggestion(
                        article=article,
                        paragraph=paragraph,
                        start=found.start,
                        end=found.end,
                        text=found.text,
                        score=found.score,
                        reasons=found.reasons,
                    )
                )
            elif (row.text, row.score, row.reasons) != (found.text, found.score, found.reasons):
                row.text, row.score, row.reasons = found.text, found.score, found.reasons
                row.save(update_fields=["text", "score", "reasons"])
    stale = [
        row.pk
        for key, row in existing.items()
        if key not in keep and row.status == ClaimSuggestion.Status.NEW
    ]
    ClaimSuggestion.objects.filter(pk__in=stale).delete()
    ClaimSuggestion.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def suggestion_accept(
    *, suggestion: ClaimSuggestion, user, text: str = "", claimant: str = ""
) -> Claim:
    """Turn a suggestion into a claim anchored to the sentence's span (the editor may
    reword the claim; the appearance keeps the sentence as published)."""
    from claims.services.claims import claim_create

    suggestion = ClaimSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != ClaimSuggestion.Status.NEW:
        raise ValidationError(_("This suggestion was already handled."))
    article = suggestion.article
    claim = claim_create(
        text=text.strip() or suggestion.text,
        article=article,
        paragraph=suggestion.paragraph,
        quote=suggestion.text,
        start=suggestion.start,
        claimant=claimant,
        language=article.language,
        claim_date=article.published_at.date() if article.published_at else None,
        created_by=user,
        match=True,
    )
    suggestion.status = ClaimSuggestion.Status.ACCEPTED
    suggestion.claim = claim
    suggestion.decided_by = user
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "claim", "decided_by", "decided_at"])
    return claim


def suggestion_dismiss(*, suggestion: ClaimSuggestion, user) -> ClaimSuggestion:
    ClaimSuggestion.objects.filter(pk=suggestion.pk, status=ClaimSuggestion.Status.NEW).update(
        status=ClaimSuggestion.Status.DISMISSED, decided_by=user, decided_at=timezone.now()
    )
    suggestion.refresh_from_db()
    return suggestion
