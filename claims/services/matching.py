"""Claim tracking: find the claims (and other publishers' reviews) that say the same thing.

Candidates come from the database: the nearest texts by trigram distance on PostgreSQL
(a GiST ``gist_trgm_ops`` index, migration 0004), a few words' ``icontains`` on SQLite.
Each candidate is scored by ``claims.matching.match_score``; ``FACTCHECK_MATCH_SUGGEST``
and ``FACTCHECK_MATCH_LINK`` decide what becomes a suggestion and what is linked.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import TrigramDistance
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from claims.matching import STOPWORDS, WORD_RE, ClaimText, match_score
from claims.models import Citation, Claim, ClaimMatch, ExternalReview, Verdict

CANDIDATES = 30


def _candidates(queryset: QuerySet, field: str, text: str) -> QuerySet:
    if connection.vendor == "postgresql":
        # The nearest texts by trigram distance: a K-nearest-neighbour scan of the GiST
        # index (migration 0004) that stops after CANDIDATES rows.
        return queryset.annotate(distance=TrigramDistance(field, text)).order_by("distance")
    words = sorted(set(ClaimText.of(text).words), key=len, reverse=True)[:3]
    if not words:
        return queryset.none()
    query = Q()
    for word in words:
        query |= Q(**{f"{field}__icontains": word})
    return queryset.filter(query)


FULLTEXT_CANDIDATES = 20
FULLTEXT_WORDS = 3


def _fulltext_candidates(queryset: QuerySet, text: str) -> QuerySet:
    """Claims that contain all of the longest (rarest-looking) words of ``text``, best
    ranked first: catches rewordings whose trigram distance is large (PostgreSQL only).
    All, not any: an OR of common words matches thousands of rows to rank."""
    from django.contrib.postgres.search import SearchQuery

    words = {w for w in WORD_RE.findall(text.casefold()) if len(w) > 3 and w not in STOPWORDS}
    words = sorted(words, key=len, reverse=True)[:FULLTEXT_WORDS]
    if not words:
        return queryset.none()
    terms = SearchQuery(" & ".join(f"{w}:*" for w in words), config="simple", search_type="raw")
    return queryset.search_terms(terms)


def claim_match_candidates(
    *, text: str, claimant: str = "", exclude: int | None = None
) -> list[tuple[Claim, float]]:
    """Existing claims scored against ``text``, best first, at or above the lower threshold."""
    target = ClaimText.of(text, claimant)
    queryset = Claim.objects.exclude(pk=exclude) if exclude else Claim.objects.all()
    queryset = queryset.only("id", "text", "claimant", "slug", "status")
    found = {c.pk: c for c in _candidates(queryset, "text", text)[:CANDIDATES]}
    if connection.vendor == "postgresql":
        for claim in _fulltext_candidates(queryset, text)[:FULLTEXT_CANDIDATES]:
            found.setdefault(claim.pk, claim)
    scored = [(c, match_score(target, ClaimText.of(c.text, c.claimant))) for c in found.values()]
    scored = [(c, s) for c, s in scored if s >= settings.FACTCHECK_MATCH_SUGGEST]
    return sorted(scored, key=lambda pair: -pair[1])


def claim_match_best(*, text: str, claimant: str = "") -> Claim | None:
    """The existing claim that is the same claim (at or above the higher threshold)."""
    for claim, score in claim_match_candidates(text=text, claimant=claimant):
        if score >= settings.FACTCHECK_MATCH_LINK:
            return claim
    return None


def external_match_candidates(
    *, text: str, claimant: str = ""
) -> list[tuple[ExternalReview, float]]:
    target = ClaimText.of(text, claimant)
    queryset = _candidates(ExternalReview.objects.all(), "claim_reviewed", text)
    scored = [
        (r, match_score(target, ClaimText.of(r.claim_reviewed, r.claimant)))
        for r in queryset[:CANDIDATES]
    ]
    scored = [(r, s) for r, s in scored if s >= settings.FACTCHECK_MATCH_SUGGEST]
    return sorted(scored, key=lambda pair: -pair[1])


def _match_store(claim: Claim, score: float, **target) -> ClaimMatch:
    status = (
        ClaimMatch.Status.LINKED
        if score >= settings.FACTCHECK_MATCH_LINK
        else ClaimMatch.Status.SUGGESTED
    )
    match, created = ClaimMatch.objects.get_or_create(
        claim=claim, **target, defaults={"score": score, "status": status}
    )
    if not created and match.status == ClaimMatch.Status.SUGGESTED and match.score != score:
        match.score, match.status = score, status
        match.save(update_fields=["score", "status"])
    return match


@transaction.atomic
def claim_matches_find(*, claim: Claim) -> list[ClaimMatch]:
    """Store the claims and external reviews that may say the same as ``claim``. A review
    at or above the higher threshold is linked to the claim ("already checked elsewhere")."""
    matches = []
    for other, score in claim_match_candidates(
        text=claim.text, claimant=claim.claimant, exclude=claim.pk
    ):
        matches.append(_match_store(claim, min(score, 0.999), other_claim=other))
    for review, score in external_match_candidates(text=claim.text, claimant=claim.claimant):
        match = _match_store(claim, score, external_review=review)
        if match.status == ClaimMatch.Status.LINKED and review.claim_id is None:
            ExternalReview.objects.filter(pk=review.pk).update(claim=claim)
        matches.append(match)
    return matches


@transaction.atomic
def external_review_match(*, review: ExternalReview) -> list[ClaimMatch]:
    """Match an imported review against the newsroom's claims."""
    matches = []
    for claim, score in claim_match_candidates(
        text=review.claim_reviewed, claimant=review.claimant
    ):
        match = _match_store(claim, score, external_review=review)
        matches.append(match)
        if match.status == ClaimMatch.Status.LINKED and review.claim_id is None:
            review.claim = claim
            ExternalReview.objects.filter(pk=review.pk).update(claim=claim)
    return matches


@transaction.atomic
def claim_match_decide(*, match: ClaimMatch, same: bool, user) -> ClaimMatch:
    """The editor's answer to "possibly the same claim". For another claim that is the same,
    the newer draft claim is merged into the older one (its appearances and sources move);
    for another publisher's review, the review is linked to the claim."""
    match.status = ClaimMatch.Status.LINKED if same else ClaimMatch.Status.DISMISSED
    match.decided_by = user
    match.save(update_fields=["status", "decided_by"])
    if not same:
        return match
    if match.external_review_id:
        ExternalReview.objects.filter(pk=match.external_review_id).update(claim=match.claim)
    elif match.other_claim_id:
        claim_merge(claim=match.claim, into=match.other_claim, user=user)
    return match


def claim_merge(*, claim: Claim, into: Claim, user) -> Claim:
    """Fold ``claim`` into ``into``: one claim with all the appearances. Only a claim that
    has no published verdict can be folded away."""
    if claim.verdicts.filter(status=Verdict.Status.PUBLISHED).exists():
        raise ValidationError(_("A claim with a published verdict cannot be merged away."))
    for appearance in claim.appearances.all():
        appearance.claim = into
        appearance.save(update_fields=["claim"])
    for citation in claim.citations.exclude(source__in=into.citations.values("source")):
        citation.claim = into
        citation.save(update_fields=["claim"])
    claim.suggestions.update(claim=into)
    ExternalReview.objects.filter(claim=claim).update(claim=into)
    Citation.objects.filter(claim=claim).delete()
    claim.delete()
    return into
