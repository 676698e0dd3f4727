"""Claims and verdicts: the editor desk's workflow, claim tracking (matching), the
check-worthy sentences suggested as claims, and ClaimReview in and out.

A verdict goes draft → in review → published. The first verdict of a claim may be
published by any editor who holds ``publish_verdict``; a verdict that *changes* a
published one needs a second editor (``approve_verdict``) who is not its author, and
publishing it supersedes the old verdict and publishes a Correction of type "verdict
change" on every article the claim appears in. Each step is recorded in the history of
the rows (django-simple-history), with the acting user and a reason.

Matching: candidates come from the database (the nearest texts by trigram distance on
PostgreSQL, through a GiST ``gist_trgm_ops`` index; a few words' ``icontains`` on
SQLite), each scored by ``claims.text.matching.match_score``; ``FACTCHECK_MATCH_SUGGEST``
and ``FACTCHECK_MATCH_LINK`` decide what becomes a suggestion and what is linked.

ClaimReview out follows Google's guidelines: the required ``url``, ``claimReviewed`` and
``reviewRating.alternateName``, and the recommended ``author`` (the newsroom),
``itemReviewed`` as a ``Claim`` with its ``author``, ``datePublished`` (when the claim
was made) and ``appearance``/``firstAppearance``, and ``ratingValue``, ``bestRating`` and
``worstRating`` when the rating lies on the scale. ClaimReview in (other publishers'
fact-checks) is stored as ExternalReview, apart from the newsroom's verdicts.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import nh3
from django.conf import settings
from django.contrib.postgres.search import TrigramDistance
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.importers.claimreview import ParsedReview, RecordError, claimreview_records
from claims.models import (
    Article,
    Citation,
    Claim,
    ClaimAppearance,
    ClaimMatch,
    ClaimSuggestion,
    Correction,
    EventKind,
    ExternalReview,
    Notification,
    Paragraph,
    Rating,
    RatingScale,
    Source,
    Verdict,
)
from claims.services.core import slug_unique, task_send
from claims.services.events import event_publish
from claims.services.sources import citations_quote_check, source_get_or_create, source_latest_text
from claims.text.links import site_url
from claims.text.matching import STOPWORDS, WORD_RE, ClaimText, match_score
from claims.text.worthiness import text_suggestions

log = logging.getLogger(__name__)

# What an explanation may contain: simple rich text and links, nothing that runs.
EXPLANATION_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote"}
EXPLANATION_ATTRIBUTES = {"a": {"href", "title"}}


def explanation_clean(html: str) -> str:
    """Sanitise an explanation (nh3): allowed tags only, links get rel=noopener."""
    return nh3.clean(
        html.strip(),
        tags=EXPLANATION_TAGS,
        attributes=EXPLANATION_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def _history(obj, user, reason: str) -> None:
    """Name the acting user and the reason in the history row the next save writes."""
    obj._history_user = user
    obj._change_reason = reason[:100]


def _require(user, permission: str) -> None:
    if user is None or not user.has_perm(permission):
        raise PermissionDenied(f"needs {permission}")


# --- Claims ---------------------------------------------------------------------------


def span_locate(paragraph: Paragraph, quote: str, start: int | None = None) -> tuple[int, int]:
    """The (start, end) of ``quote`` in the paragraph: at ``start`` when the text is there,
    else its first occurrence. Raises ValidationError when the quote is not in it."""
    if start is not None and paragraph.text[start : start + len(quote)] == quote:
        return start, start + len(quote)
    if quote and quote in paragraph.text:
        found = paragraph.text.index(quote)
        return found, found + len(quote)
    raise ValidationError(_("The selected text is not in that paragraph."))


@dataclass(frozen=True)
class ClaimCreated:
    """What ``claim_create`` did: made ``claim``, or (``linked``) found that an existing
    claim says the same and gave it this passage as another appearance."""

    claim: Claim
    linked: bool = False


@transaction.atomic
def claim_create(
    *,
    text: str,
    article: Article | None = None,
    paragraph: Paragraph | None = None,
    quote: str = "",
    start: int | None = None,
    claimant: str = "",
    claim_date=None,
    language: str = "nl",
    created_by=None,
    match: bool = False,
) -> ClaimCreated:
    """Create a claim, anchored to the span of ``quote`` in ``paragraph`` when given.

    With ``match``, an existing claim that says the same (score at or above
    ``FACTCHECK_MATCH_LINK``) gets this span as another appearance instead (``linked``);
    weaker matches are stored as suggestions for the editor."""
    text = " ".join(text.split())
    if match:
        existing = claim_match_best(text=text, claimant=claimant)
        if existing is not None:
            if article is not None:
                appearance_add(
                    claim=existing, article=article, paragraph=paragraph, quote=quote, start=start
                )
            return ClaimCreated(existing, linked=True)
    claim = Claim(
        text=text,
        slug=slug_unique(Claim, text, max_length=70),
        claimant=claimant,
        claim_date=claim_date,
        language=language,
        created_by=created_by,
    )
    _history(claim, created_by, "created")
    claim.save()
    if article is not None:
        appearance_add(claim=claim, article=article, paragraph=paragraph, quote=quote, start=start)
    if match:
        claim_matches_find(claim=claim)
    return ClaimCreated(claim)


def _suggestions_covered_drop(*, paragraph: Paragraph, start: int, end: int) -> int:
    """A claim was made from (part of) a suggested sentence: the suggestion is done.
    Open suggestions overlapping the span are dropped; decided ones keep their record."""
    deleted, _by_model = ClaimSuggestion.objects.filter(
        paragraph=paragraph, status=ClaimSuggestion.Status.NEW, start__lt=end, end__gt=start
    ).delete()
    return deleted


def appearance_add(
    *,
    claim: Claim,
    article: Article | None = None,
    paragraph: Paragraph | None = None,
    quote: str = "",
    start: int | None = None,
    url: str = "",
    appeared_at=None,
) -> ClaimAppearance:
    """Record where ``claim`` appears: a span of an article paragraph, or an outside URL.
    The same span twice is one appearance."""
    span_start = span_end = None
    if paragraph is not None and quote:
        with contextlib.suppress(ValidationError):
            span_start, span_end = span_locate(paragraph, quote, start)
    existing = ClaimAppearance.objects.filter(
        claim=claim, article=article, paragraph=paragraph, start=span_start, url=url
    ).first()
    if existing is not None:
        return existing
    if paragraph is not None and span_start is not None:
        _suggestions_covered_drop(paragraph=paragraph, start=span_start, end=span_end)
    return ClaimAppearance.objects.create(
        claim=claim,
        article=article,
        paragraph=paragraph,
        start=span_start,
        end=span_end,
        quote=quote,
        url=url,
        appeared_at=appeared_at
        or (article.published_at.date() if article and article.published_at else None),
    )


@transaction.atomic
def claim_update(*, claim: Claim, user, **fields) -> Claim:
    """Change the claim's text, claimant, date or language."""
    allowed = {"text", "claimant", "claim_date", "language"}
    if set(fields) - allowed:
        raise ValueError(f"cannot change {set(fields) - allowed}")
    for name, value in fields.items():
        setattr(claim, name, value)
    _history(claim, user, "edited")
    claim.save()
    return claim


@transaction.atomic
def claim_assign(*, claim: Claim, assignee, user) -> Claim:
    """Assign the claim to an editor (or to nobody) and notify them."""
    if assignee is not None and not assignee.has_perm("claims.change_claim"):
        raise ValidationError(_("Only editors can be assigned a claim."))
    if claim.assignee_id == (assignee.pk if assignee else None):
        return claim
    claim.assignee = assignee
    _history(claim, user, f"assigned to {assignee}" if assignee else "unassigned")
    claim.save(update_fields=["assignee", "updated_at"])
    if assignee is not None and assignee != user:
        notification_create(
            recipient=assignee,
            claim=claim,
            message=_("%(user)s assigned you the claim “%(claim)s”.")
            % {"user": user.get_username() if user else "Factcheck", "claim": claim.text[:200]},
        )
    return claim


@transaction.atomic
def citation_add(
    *, claim: Claim, source: Source | None = None, url: str = "", quote: str = "", user=None
) -> Citation:
    """Cite ``source``, or the source for ``url`` (created if new, and fetched), for the
    claim with the passage it relies on. Citing the same source again updates the quote.
    The quote is checked against the fetched text by the source pipeline; until then its
    status is "not checked". The claim's history says who cited what. Raises
    claims.text.links.BadLink for a URL we cannot keep."""
    if source is None:
        source = source_get_or_create(url=url)
    citation = Citation.objects.filter(claim=claim, source=source).first()
    quote = quote.strip()
    if citation is None:
        position = (claim.citations.aggregate(n=Max("position"))["n"] or 0) + 1
        citation = Citation.objects.create(
            claim=claim, source=source, quote=quote, position=position
        )
        _history(claim, user, f"source {source.pk} cited")
        claim.save(update_fields=["updated_at"])
    elif citation.quote != quote:
        citation.quote = quote
        citation.quote_status = Citation.QuoteStatus.NOT_CHECKED
        citation.quote_score = None
        citation.quote_checked_at = None
        citation.save()
        _history(claim, user, f"quoted passage of source {source.pk} changed")
        claim.save(update_fields=["updated_at"])
    if citation.quote and source.url:
        text = source_latest_text(source=source)
        if text:  # checked now against what was fetched; the next fetch checks again
            citations_quote_check(source=source, text=text)
            citation.refresh_from_db()
    _source_fetch_if_new(source)
    return citation


def _source_fetch_if_new(source: Source) -> None:
    """A URL source never checked is fetched right away (its task sent on commit), not
    at the next due-check: the editor wants to see it live, and the page would show a
    "next check" that had passed."""
    from claims.services.sources import sources_fetch_now

    if source.url and source.state == Source.State.WAITING and source.last_checked_at is None:
        sources_fetch_now(ids=[source.pk])


@transaction.atomic
def citation_remove(*, citation: Citation, user=None) -> None:
    if citation.verdicts.filter(status=Verdict.Status.PUBLISHED).exists():
        raise ValidationError(_("A published verdict rests on this source; it stays."))
    claim = citation.claim
    source_id = citation.source_id
    citation.delete()
    if claim is not None:
        _history(claim, user, f"source {source_id} no longer cited")
        claim.save(update_fields=["updated_at"])


# --- Verdicts -------------------------------------------------------------------------


def verdict_draft_for(claim: Claim) -> Verdict | None:
    """The claim's verdict being worked on (draft or in review), if any."""
    return (
        claim.verdicts.filter(status__in=[Verdict.Status.DRAFT, Verdict.Status.IN_REVIEW])
        .order_by("-created_at", "-id")
        .first()
    )


def _citations_own(claim: Claim, citations) -> set[int]:
    """The ids of ``citations``, all of which must be the claim's own."""
    citation_ids = {c.pk for c in citations}
    if citation_ids - set(claim.citations.values_list("pk", flat=True)):
        raise ValidationError(_("A verdict rests only on the claim's own sources."))
    return citation_ids


@transaction.atomic
def verdict_save(
    *,
    claim: Claim,
    rating: Rating,
    summary: str,
    explanation: str = "",
    citations=(),
    author,
    submit: bool = False,
) -> Verdict:
    """Write or rewrite the claim's draft verdict, and with ``submit`` send it for review
    in the same transaction. A verdict in review goes back to draft when it is edited:
    what the second editor approves is what they saw."""
    _require(author, "claims.add_verdict")
    if not RatingScale.objects.filter(pk=rating.scale_id, is_active=True).exists():
        raise ValidationError(_("That rating belongs to an old version of the scale."))
    citation_ids = _citations_own(claim, citations)
    verdict = verdict_draft_for(claim)
    published = claim.verdicts.published().first()
    if verdict is None:
        verdict = Verdict(claim=claim, author=author, supersedes=published)
        reason = "draft written"
    else:
        reason = "draft edited"
        verdict.author = author
    verdict.rating = rating
    verdict.summary = " ".join(summary.split())
    verdict.explanation = explanation_clean(explanation)
    verdict.status = Verdict.Status.DRAFT
    verdict.approved_by = None
    _history(verdict, author, reason)
    verdict.save()
    verdict.citations.set(citation_ids)
    if submit:
        verdict = verdict_submit(verdict=verdict, user=author)
    return verdict


@transaction.atomic
def verdict_submit(*, verdict: Verdict, user) -> Verdict:
    """Draft → in review: ready for publication (or for a second editor's approval)."""
    _require(user, "claims.add_verdict")
    verdict = Verdict.objects.select_for_update().get(pk=verdict.pk)
    if verdict.status != Verdict.Status.DRAFT:
        raise ValidationError(_("Only a draft can be sent for review."))
    verdict.status = Verdict.Status.IN_REVIEW
    _history(verdict, user, "sent for review")
    verdict.save(update_fields=["status"])
    claim = verdict.claim
    if claim.status == Claim.Status.DRAFT:
        claim.status = Claim.Status.IN_REVIEW
        _history(claim, user, "verdict in review")
        claim.save(update_fields=["status", "updated_at"])
    return verdict


@transaction.atomic
def verdict_return(*, verdict: Verdict, user, note: str = "") -> Verdict:
    """In review → draft, with the reviewing editor's note in the history."""
    _require(user, "claims.publish_verdict")
    verdict = Verdict.objects.select_for_update().get(pk=verdict.pk)
    if verdict.status != Verdict.Status.IN_REVIEW:
        raise ValidationError(_("Only a verdict in review can be sent back."))
    verdict.status = Verdict.Status.DRAFT
    _history(verdict, user, f"sent back: {note}" if note else "sent back")
    verdict.save(update_fields=["status"])
    return verdict


def verdict_comparison(draft: Verdict, published: Verdict | None) -> list[dict]:
    """What a reviewing editor compares, row by row: the published verdict (if any) and
    the one proposed. Each row: ``label``, ``before``, ``after``, ``changed`` and ``html``
    (the explanation is sanitised HTML)."""

    def cited(verdict: Verdict | None) -> list[str]:
        if verdict is None:
            return []
        citations = verdict.citations.select_related("source").order_by("position", "id")
        return [f"{c.source.label} — “{c.quote}”" if c.quote else c.source.label for c in citations]

    rows = [
        (_("Rating"), lambda v: v.rating.label, False),
        (_("Summary"), lambda v: v.summary, False),
        (_("Explanation"), lambda v: v.explanation, True),
        (_("Rests on"), lambda v: "\n".join(cited(v)), False),
    ]
    comparison = []
    for label, value, html in rows:
        before = value(published) if published is not None else ""
        after = value(draft)
        comparison.append(
            {
                "label": label,
                "before": before,
                "after": after,
                "changed": before != after,
                "html": html,
            }
        )
    return comparison


def verdict_can_publish(verdict: Verdict, user) -> bool:
    """The object-level rule: who may publish this verdict."""
    if user is None or not user.has_perm("claims.publish_verdict"):
        return False
    if verdict.status != Verdict.Status.IN_REVIEW:
        return False
    if _is_change(verdict):
        return user.has_perm("claims.approve_verdict") and user.pk != verdict.author_id
    return True


def verdict_source_warnings(verdict: Verdict) -> list[Source]:
    """The sources this verdict rests on that readers may not be able to check: failing,
    dead, or not checked yet (no link, or never fetched). The desk shows them beside
    the publish button, by name."""
    risky = {Source.State.FAILING, Source.State.DEAD, Source.State.NEEDS_URL}
    return [
        citation.source
        for citation in verdict.citations.select_related("source").order_by("position")
        if citation.source.state in risky
        or citation.source.permanently_dead
        or citation.source.last_checked_at is None
    ]


def _is_change(verdict: Verdict) -> bool:
    return (
        verdict.claim.verdicts.published().exclude(pk=verdict.pk).exists()
        or verdict.supersedes_id is not None
    )


@transaction.atomic
def verdict_approve(*, verdict: Verdict, user, seen: str) -> Verdict:
    """In review → published, bound to the version the approver saw: ``seen`` is the
    ``content_token()`` of the verdict on their page, and a verdict changed since is
    refused (they look again). A change to a published verdict needs ``approve_verdict``
    and a user who is not its author; it supersedes the old verdict and publishes a
    "verdict change" correction on each article the claim appears in."""
    verdict = Verdict.objects.select_for_update().select_related("claim").get(pk=verdict.pk)
    _require(user, "claims.publish_verdict")
    if verdict.status != Verdict.Status.IN_REVIEW:
        raise ValidationError(_("Only a verdict in review can be published."))
    if seen != verdict.content_token():
        raise ValidationError(
            _(
                "This verdict was changed after you opened it. Look at the version shown "
                "now, and approve it if it is right."
            ),
            code="stale",
        )
    if _is_change(verdict):
        _require(user, "claims.approve_verdict")
        if user.pk == verdict.author_id:
            raise PermissionDenied("an editor cannot approve their own verdict change")
    return _verdict_make_public(verdict, user=user)


def _verdict_make_public(verdict: Verdict, *, user) -> Verdict:
    claim = Claim.objects.select_for_update().get(pk=verdict.claim_id)
    previous = (
        claim.verdicts.select_for_update()
        .filter(status=Verdict.Status.PUBLISHED)
        .exclude(pk=verdict.pk)
        .select_related("rating")
        .first()
    )
    if previous is not None:
        previous.status = Verdict.Status.SUPERSEDED
        _history(previous, user, f"superseded by verdict {verdict.pk}")
        previous.save(update_fields=["status"])
    verdict.status = Verdict.Status.PUBLISHED
    verdict.published_at = timezone.now()
    verdict.approved_by = user
    verdict.supersedes = previous
    _history(verdict, user, "published")
    verdict.save()
    claim.status = Claim.Status.PUBLISHED
    claim.rereview_reason = ""
    _history(claim, user, "verdict published")
    claim.save(update_fields=["status", "rereview_reason", "updated_at"])
    event_publish(
        kind=EventKind.VERDICT_CHANGED if previous else EventKind.VERDICT_PUBLISHED,
        claim=claim,
        verdict=verdict,
        previous=previous,
    )
    if previous is not None:
        _verdict_change_announce(claim, previous, verdict, user=user)
    return verdict


def _verdict_change_announce(claim: Claim, old: Verdict, new: Verdict, *, user) -> None:
    # Reports (corrections) sit above claims in the services' import order.
    from claims.services.reports import correction_publish

    old_label, new_label = (
        old.rating.label_for(claim.language),
        new.rating.label_for(claim.language),
    )
    text = _("The verdict on “%(claim)s” changed from “%(old)s” to “%(new)s”: %(summary)s") % {
        "claim": claim.text,
        "old": old_label,
        "new": new_label,
        "summary": new.summary,
    }
    articles = Article.objects.filter(appearances__claim=claim).distinct()
    for article in articles:
        correction_publish(
            article=article,
            claim=claim,
            kind=Correction.Kind.VERDICT_CHANGE,
            text=text,
            created_by=user,
        )


@transaction.atomic
def verdict_publish(
    *,
    claim: Claim,
    rating: Rating,
    summary: str,
    explanation: str = "",
    citations=(),
    author=None,
) -> Verdict:
    """Publish a verdict straight away (the demo and imports), resting on ``citations``
    of the claim. Editors' drafts and the second-editor approval of a changed verdict go
    through the editor desk."""
    citation_ids = _citations_own(claim, citations)
    verdict = Verdict(
        claim=claim,
        rating=rating,
        summary=summary,
        explanation=explanation_clean(explanation),
        author=author,
    )
    _history(verdict, author, "draft written")
    verdict.save()
    verdict.citations.set(citation_ids)
    return _verdict_make_public(verdict, user=author)


# --- Rating scales --------------------------------------------------------------------


def rating_scale_in_use(scale: RatingScale) -> bool:
    return Verdict.objects.filter(rating__scale=scale).exists()


@transaction.atomic
def rating_scale_version_create(
    *, scale: RatingScale, fields: dict, ratings: list[dict], user=None
) -> RatingScale:
    """A new version of ``scale`` with ``fields`` and ``ratings``; it becomes the active
    one. The old version keeps its ratings, so old verdicts keep the label they got."""
    latest = RatingScale.objects.filter(name=scale.name).aggregate(v=Max("version"))["v"] or 0
    RatingScale.objects.filter(name=scale.name, is_active=True).update(is_active=False)
    new = RatingScale(
        name=scale.name,
        version=latest + 1,
        is_active=True,
        best_value=fields.get("best_value", scale.best_value),
        worst_value=fields.get("worst_value", scale.worst_value),
    )
    _history(new, user, f"new version of {scale}")
    new.save()
    for position, data in enumerate(ratings):
        data = {k: v for k, v in data.items() if k not in {"id", "scale", "DELETE"}}
        data.setdefault("position", position)
        Rating.objects.create(scale=new, **data)
    return new


# --- Notifications --------------------------------------------------------------------


def notification_create(*, recipient, message: str, claim: Claim | None = None) -> Notification:
    """Tell a staff member something: shown on their desk, and emailed by a task."""
    from claims import tasks

    notification = Notification.objects.create(recipient=recipient, claim=claim, message=message)
    task_send(tasks.notification_send_task, notification.pk)
    return notification


def notification_send(*, notification_id: int) -> bool:
    """Email one notification. Claims the row first, so running twice sends once."""
    claimed = Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient", "claim").get(pk=notification_id)
    email = notification.recipient.email
    if email:
        body = notification.message
        if notification.claim_id:
            body += "\n\n" + site_url(notification.claim.get_desk_url())
        try:
            send_mail("Factcheck: " + notification.message[:80], body, None, [email])
        except Exception:
            Notification.objects.filter(pk=notification_id).update(sent_at=None)
            raise
    return True


def notifications_sweep(*, older_than_seconds: int = 60, limit: int = 500) -> int:
    """Re-send notifications whose task was lost."""
    from claims import tasks

    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    ids = list(
        Notification.objects.filter(sent_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for notification_id in ids:
        try:
            tasks.notification_send_task.delay(notification_id)
        except Exception:
            log.warning("broker unreachable; the notification sweep runs again later")
            break
    return len(ids)


# --- Claim tracking: matching --------------------------------------------------------------


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


@transaction.atomic
def claim_merge(*, claim: Claim, into: Claim, user) -> Claim:
    """Fold ``claim`` into ``into``: one claim with all the appearances. Only a claim that
    has no published verdict can be folded away. Both histories say who merged them."""
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
    _history(into, user, f"claim {claim.pk} merged into this one")
    into.save(update_fields=["updated_at"])
    _history(claim, user, f"merged into claim {into.pk}")
    claim.delete()
    return into


# --- Suggestions: check-worthy sentences ---------------------------------------------------


@transaction.atomic
def article_suggest(*, article: Article) -> int:
    """(Re)compute the suggestions of every paragraph. Idempotent: a sentence already
    suggested keeps its row and the editor's decision; a suggestion whose sentence is gone
    is dropped unless the editor acted on it. Returns how many are new."""
    min_score = settings.FACTCHECK_SUGGEST_MIN_SCORE
    existing = {
        (s.paragraph_id, s.start, s.end): s for s in ClaimSuggestion.objects.filter(article=article)
    }
    claimed: dict[int, list[tuple[int, int]]] = {}  # spans that are claims already
    for paragraph_id, start, end in ClaimAppearance.objects.filter(
        article=article, paragraph__isnull=False, start__isnull=False
    ).values_list("paragraph_id", "start", "end"):
        claimed.setdefault(paragraph_id, []).append((start, end if end is not None else start))
    keep, new = set(), []
    for paragraph in article.paragraphs.all():
        for found in text_suggestions(paragraph.text, min_score=min_score):
            if any(s < found.end and found.start < e for s, e in claimed.get(paragraph.pk, [])):
                continue  # already a claim: nothing to suggest
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
                        claimant=found.claimant,
                    )
                )
            elif (row.text, row.score, row.reasons, row.claimant) != (
                found.text,
                found.score,
                found.reasons,
                found.claimant,
            ):
                row.text, row.score, row.reasons = found.text, found.score, found.reasons
                row.claimant = found.claimant
                row.save(update_fields=["text", "score", "reasons", "claimant"])
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
    suggestion = ClaimSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != ClaimSuggestion.Status.NEW:
        raise ValidationError(_("This suggestion was already handled."))
    article = suggestion.article
    # Decided first, so the claim's appearance (which drops open suggestions it covers)
    # leaves this one to record what became of it.
    ClaimSuggestion.objects.filter(pk=suggestion.pk).update(status=ClaimSuggestion.Status.ACCEPTED)
    created = claim_create(
        text=text.strip() or suggestion.text,
        article=article,
        paragraph=suggestion.paragraph,
        quote=suggestion.text,
        start=suggestion.start,
        claimant=claimant.strip() or suggestion.claimant,
        language=article.language,
        claim_date=article.published_at.date() if article.published_at else None,
        created_by=user,
        match=True,
    )
    claim = created.claim
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


# --- ClaimReview ---------------------------------------------------------------------------


SCHEMA = "https://schema.org"


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
            Prefetch(
                "citations",
                queryset=Citation.objects.select_related("source").with_evidence(),
                to_attr="evidence_citations",
            ),
        )
        .order_by("-updated_at", "-id")
    )


def _claimreview_citations(claim: Claim) -> list[dict]:
    """The sources the verdict rests on as schema.org CreativeWorks, each with the copies
    it can still be read in (``archivedAt``: the web archive's memento, our capture page)."""
    citations = getattr(claim, "evidence_citations", None)
    if citations is None:
        citations = list(claim.citations.select_related("source").with_evidence())
    works = []
    for citation in citations:
        source = citation.source
        if not source.url:
            continue
        copies = [citation.memento_url] if citation.memento_url else []
        if citation.capture_url:
            copies.append(site_url(citation.capture_url))
        work = {"@type": "CreativeWork", "url": source.url, "name": source.title or None}
        if copies:
            work["archivedAt"] = copies[0] if len(copies) == 1 else copies
        works.append(_prune(work))
    return works


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
            "citation": _claimreview_citations(claim),
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
