"""Claims and verdicts: the editor desk's workflow.

A verdict goes draft → in review → published. The first verdict of a claim may be
published by any editor who holds ``publish_verdict``; a verdict that *changes* a
published one needs a second editor (``approve_verdict``) who is not its author, and
publishing it supersedes the old verdict and publishes a Correction of type "verdict
change" on every article the claim appears in. Each step is recorded in the history of
the rows (django-simple-history), with the acting user and a reason.
"""

from __future__ import annotations

import contextlib
import logging

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import (
    Article,
    Citation,
    Claim,
    ClaimAppearance,
    Correction,
    Notification,
    Paragraph,
    Rating,
    RatingScale,
    Source,
    Verdict,
)
from claims.services.core import slug_unique, task_send
from claims.services.corrections import correction_publish

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
) -> Claim:
    """Create a claim, anchored to the span of ``quote`` in ``paragraph`` when given.

    With ``match``, an existing claim that says the same (score at or above
    ``FACTCHECK_MATCH_LINK``) gets this span as another appearance instead, and is
    returned; weaker matches are stored as suggestions for the editor."""
    from claims.services.matching import claim_match_best, claim_matches_find

    text = " ".join(text.split())
    if match:
        existing = claim_match_best(text=text, claimant=claimant)
        if existing is not None:
            if article is not None:
                appearance_add(claim=existing, article=article, paragraph=paragraph, quote=quote)
            return existing
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
    return claim


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
def citation_add(*, claim: Claim, source: Source, quote: str = "", user=None) -> Citation:
    """Cite ``source`` for the claim with the passage it relies on. Citing the same source
    again updates the quote. The quote is checked against the fetched text by the source
    pipeline; until then its status is "not checked"."""
    citation = Citation.objects.filter(claim=claim, source=source).first()
    quote = quote.strip()
    if citation is None:
        position = (claim.citations.aggregate(n=Max("position"))["n"] or 0) + 1
        return Citation.objects.create(claim=claim, source=source, quote=quote, position=position)
    if citation.quote != quote:
        citation.quote = quote
        citation.quote_status = Citation.QuoteStatus.NOT_CHECKED
        citation.quote_score = None
        citation.quote_checked_at = None
        citation.save()
    return citation


def citation_remove(*, citation: Citation) -> None:
    if citation.verdicts.filter(status=Verdict.Status.PUBLISHED).exists():
        raise ValidationError(_("A published verdict rests on this source; it stays."))
    citation.delete()


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
) -> Verdict:
    """Write or rewrite the claim's draft verdict. A verdict in review goes back to draft
    when it is edited: what the second editor approves is what they saw."""
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


def verdict_can_publish(verdict: Verdict, user) -> bool:
    """The object-level rule: who may publish this verdict."""
    if user is None or not user.has_perm("claims.publish_verdict"):
        return False
    if verdict.status != Verdict.Status.IN_REVIEW:
        return False
    if _is_change(verdict):
        return user.has_perm("claims.approve_verdict") and user.pk != verdict.author_id
    return True


def _is_change(verdict: Verdict) -> bool:
    return (
        verdict.claim.verdicts.published().exclude(pk=verdict.pk).exists()
        or verdict.supersedes_id is not None
    )


@transaction.atomic
def verdict_approve(*, verdict: Verdict, user) -> Verdict:
    """In review → published. A change to a published verdict needs ``approve_verdict``
    and a user who is not its author; it supersedes the old verdict and publishes a
    "verdict change" correction on each article the claim appears in."""
    verdict = Verdict.objects.select_for_update().select_related("claim").get(pk=verdict.pk)
    _require(user, "claims.publish_verdict")
    if verdict.status != Verdict.Status.IN_REVIEW:
        raise ValidationError(_("Only a verdict in review can be published."))
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
    if previous is not None:
        _verdict_change_announce(claim, previous, verdict, user=user)
    return verdict


def _verdict_change_announce(claim: Claim, old: Verdict, new: Verdict, *, user) -> None:
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
            body += "\n\n" + settings.SITE_URL.rstrip("/") + notification.claim.get_desk_url()
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
