"""Corrections: public and append-only. An amendment is a new correction that says so."""

from __future__ import annotations

from django.db import transaction

from claims.models import Article, Claim, Correction, Report


@transaction.atomic
def correction_publish(
    *,
    article: Article,
    text: str,
    kind: str = Correction.Kind.CORRECTION,
    claim: Claim | None = None,
    reports: list[Report] | tuple = (),
    amends: Correction | None = None,
    created_by=None,
) -> Correction:
    """Publish a correction on ``article`` (and ``claim``), answering ``reports``."""
    if amends is not None and amends.article_id != article.pk:
        raise ValueError("An amendment belongs to the same article as what it amends.")
    correction = Correction.objects.create(
        article=article,
        claim=claim,
        kind=kind,
        text=text,
        amends=amends,
        created_by=created_by,
    )
    if reports:
        correction.reports.set(reports)
    return correction
