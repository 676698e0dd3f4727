"""ClaimReview out (the newsroom's verdicts as schema.org markup, one per claim page and a
DataFeed of all) and in (other publishers' fact-checks stored as ExternalReview).

Out follows Google's ClaimReview guidelines: the required ``url``, ``claimReviewed`` and
``reviewRating.alternateName``, and the recommended ``author`` (the newsroom),
``itemReviewed`` as a ``Claim`` with its ``author``, ``datePublished`` (when the claim
was made) and ``appearance``/``firstAppearance``, and ``ratingValue``, ``bestRating`` and
``worstRating`` when the rating lies on the scale.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from claims.importers.claimreview import ParsedReview, RecordError, claimreview_records
from claims.models import Claim, ClaimAppearance, ExternalReview, Rating, Verdict

SCHEMA = "https://schema.org"


def site_url(path: str = "") -> str:
    return settings.SITE_URL.rstrip("/") + path


def _number(value: float | int | None):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _prune(data: dict) -> dict:
    """Drop empty values, so no field is published blank."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


# --- Out: the newsroom's own ----------------------------------------------------------


def claims_for_claimreview():
    """Published claims with everything their ClaimReview needs, in three queries."""
    return (
        Claim.objects.public()
        .prefetch_related(
            Prefetch(
                "verdicts",
                queryset=Verdict.objects.published().select_related("rating__scale"),
                to_attr="published_verdicts",
            ),
            Prefetch(
                "appearances",
                queryset=ClaimAppearance.objects.select_related("article", "paragraph").order_by(
                    "appeared_at", "created_at", "id"
                ),
                to_attr="ordered_appearances",
            ),
        )
        .order_by("-updated_at", "-id")
    )


def claimreview_for_claim(claim: Claim) -> dict | None:
    """The ClaimReview of a published claim (from ``claims_for_claimreview()``)."""
    verdicts = getattr(claim, "published_verdicts", None)
    if verdicts is None:
        verdicts = list(claim.verdicts.published().select_related("rating__scale"))
    if not verdicts:
        return None
    verdict = verdicts[0]
    rating = verdict.rating
    appearances = getattr(claim, "ordered_appearances", None)
    if appearances is None:
        appearances = list(
            claim.appearances.select_related("article", "paragraph").order_by(
                "appeared_at", "created_at", "id"
            )
        )
    urls = []
    for appearance in appearances:
        url = appearance.public_url
        if url and appearance.article_id:
            url = site_url(url)
        if url and url not in urls:
            urls.append(url)
    work = [{"@type": "CreativeWork", "url": url} for url in urls]
    review_rating = {"@type": "Rating", "alternateName": rating.label_for(claim.language)}
    if rating.value_in_bounds:
        review_rating |= {
            "ratingValue": rating.value,
            "bestRating": rating.scale.best_value,
            "worstRating": rating.scale.worst_value,
        }
    item = _prune(
        {
            "@type": "Claim",
            "author": _prune({"@type": "Person", "name": claim.claimant})
            if claim.claimant
            else None,
            "datePublished": claim.claim_date.isoformat() if claim.claim_date else None,
            "appearance": work,
            "firstAppearance": work[0] if work else None,
        }
    )
    return _prune(
        {
            "@context": SCHEMA,
            "@type": "ClaimReview",
            "url": site_url(claim.get_absolute_url()),
            "claimReviewed": claim.text,
            "datePublished": timezone.localdate(verdict.published_at).isoformat(),
            "inLanguage": claim.language,
            "author": {
                "@type": "Organization",
                "name": settings.FACTCHECK_PUBLISHER_NAME,
                "url": site_url("/"),
            },
            "reviewRating": review_rating,
            "reviewBody": verdict.summary,
            "itemReviewed": item,
        }
    )


def claimreview_feed(reviews: Iterable[dict]) -> dict:
    """A schema.org DataFeed of ClaimReviews."""
    return {
        "@context": SCHEMA,
        "@type": "DataFeed",
        "name": f"{settings.FACTCHECK_PUBLISHER_NAME} ClaimReview",
        "url": site_url(),
        "dateModified": timezone.now().isoformat(timespec="seconds"),
        "dataFeedElement": list(reviews),
    }


def claimreview_feed_own() -> dict:
    reviews = (claimreview_for_claim(c) for c in claims_for_claimreview())
    return claimreview_feed(r for r in reviews if r is not None)


# --- Out: what was imported -----------------------------------------------------------


def claimreview_for_external(review: ExternalReview) -> dict:
    """An imported review as ClaimReview again, keeping what it said."""
    authors = [
        _prune(
            {"@type": a.get("type") or "Organization", "name": a.get("name"), "url": a.get("url")}
        )
        for a in review.authors
    ]
    rating = _prune(
        {
            "@type": "Rating",
            "alternateName": review.rating_text,
            "ratingValue": _number(review.rating_value),
            "bestRating": _number(review.best_rating),
            "worstRating": _number(review.worst_rating),
        }
    )
    appearances = [{"@type": "CreativeWork", "url": url} for url in review.appearance_urls]
    item = _prune(
        {
            "@type": "Claim",
            "author": _prune({"@type": review.claimant_type or "Person", "name": review.claimant})
            if review.claimant
            else None,
            "datePublished": review.claim_date.isoformat() if review.claim_date else None,
            "appearance": appearances,
            "firstAppearance": {"@type": "CreativeWork", "url": review.first_appearance_url}
            if review.first_appearance_url
            else None,
        }
    )
    return _prune(
        {
            "@context": SCHEMA,
            "@type": "ClaimReview",
            "url": review.url,
            "claimReviewed": review.claim_reviewed,
            "datePublished": review.review_date.isoformat() if review.review_date else None,
            "inLanguage": review.language,
            "author": authors[0] if len(authors) == 1 else authors,
            "reviewRating": rating,
            "itemReviewed": item,
        }
    )


# --- In -------------------------------------------------------------------------------


@dataclass
class ClaimReviewImport:
    imported: int = 0
    updated: int = 0
    linked: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reviews: list[ExternalReview] = field(default_factory=list)


def rating_text_fold(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def rating_for_text(text: str, ratings: list[Rating] | None = None) -> Rating | None:
    """The local rating another publisher's textual rating maps to: a label or an alias
    of a rating on an active scale, compared without case and punctuation."""
    folded = rating_text_fold(text)
    if not folded:
        return None
    if ratings is None:
        ratings = list(Rating.objects.filter(scale__is_active=True).select_related("scale"))
    for rating in ratings:
        names = [rating.label_nl, rating.label_en, *rating.aliases.splitlines()]
        if folded in {rating_text_fold(n) for n in names if n.strip()}:
            return rating
    return None


def review_fingerprint(parsed: ParsedReview) -> str:
    key = f"{parsed.url}\n{' '.join(parsed.claim_reviewed.split())}"
    return hashlib.sha256(key.encode()).hexdigest()


def claimreview_import(
    *, data: bytes, origin: str = "", base_url: str = "", on_progress=None
) -> ClaimReviewImport:
    """Store every ClaimReview in ``data`` as an ExternalReview (the same URL and claim
    again updates the row), map its rating, and match it to local claims.
    ``on_progress(done, total)``, if given, is told how far it is before each record
    and once at the end."""
    from claims.services.matching import external_review_match

    result = ClaimReviewImport()
    ratings = list(Rating.objects.filter(scale__is_active=True).select_related("scale"))
    records = list(claimreview_records(data, base_url=base_url))
    for done, record in enumerate(records):
        if on_progress is not None:
            on_progress(done, len(records))
        if isinstance(record, RecordError):
            result.errors.append(str(record))
            continue
        result.warnings.extend(f"{record.where}: {w}" for w in record.warnings)
        with transaction.atomic():
            review, created = ExternalReview.objects.update_or_create(
                fingerprint=review_fingerprint(record),
                defaults={
                    "url": record.url[:2000],
                    "claim_reviewed": record.claim_reviewed,
                    "authors": record.authors,
                    "claimant": record.claimant[:500],
                    "claimant_type": record.claimant_type[:40],
                    "claim_date": record.claim_date,
                    "review_date": record.review_date,
                    "appearance_urls": record.appearance_urls,
                    "first_appearance_url": record.first_appearance_url[:2000],
                    "rating_text": record.rating_text[:500],
                    "rating_value": record.rating_value,
                    "best_rating": record.best_rating,
                    "worst_rating": record.worst_rating,
                    "language": record.language,
                    "rating": rating_for_text(record.rating_text, ratings),
                    "raw": record.raw,
                    "warnings": record.warnings,
                    "imported_from": origin[:2000],
                },
            )
            external_review_match(review=review)
        result.imported += created
        result.updated += not created
        result.linked += review.claim_id is not None
        result.reviews.append(review)
    if on_progress is not None:
        on_progress(len(records), len(records))
    return result
