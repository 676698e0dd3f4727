"""Writes that touch several rows, change a state or send a task.

Functions are keyword-only and named entity then verb. Views and tasks call them; they
never import views. Tasks are sent with ``transaction.on_commit`` so a worker never sees
a row before it is committed, and a broker outage never loses work: the row state is
the source of truth and the sweeper re-sends whatever did not go out.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone
from django.utils.text import slugify

from claims.importers.seed import SeedArticle, SeedSource
from claims.links import link_domain
from claims.models import (
    Article,
    Citation,
    Claim,
    ClaimAppearance,
    Paragraph,
    Rating,
    RelatedLink,
    Report,
    Source,
    Verdict,
)

log = logging.getLogger(__name__)


def task_send(task, *args) -> None:
    """Send a task after commit. A broker outage is logged, never raised: the row
    state that asked for the task stays pending and the sweeper sends it later."""

    def send() -> None:
        try:
            task.apply_async(args=args)
        except Exception:  # kombu raises many types when the broker is unreachable
            log.warning("broker unreachable; %s%r left to the sweeper", task.name, args)

    transaction.on_commit(send)


def slug_unique(model, text: str, *, max_length: int = 80) -> str:
    base = slugify(text, allow_unicode=False)
    if len(base) > max_length:  # cut at a word boundary
        base = base[:max_length].rsplit("-", 1)[0]
    base = base.strip("-") or "item"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


# --- Articles -----------------------------------------------------------------------


def article_cache_touch(
    *, article_ids: Iterable[int] = (), claim_ids: Iterable[int] = (), source_ids=()
) -> int:
    """Bump the render version of every article that shows one of these articles, claims
    or sources, so its cached page is rebuilt on the next view. One UPDATE."""
    article_ids, claim_ids, source_ids = list(article_ids), list(claim_ids), list(source_ids)
    if not (article_ids or claim_ids or source_ids):
        return 0
    affected = Q(pk__in=article_ids)
    if claim_ids:
        affected |= Q(appearances__claim_id__in=claim_ids)
    if source_ids:
        affected |= Q(citations__source_id__in=source_ids)
        affected |= Q(appearances__claim__citations__source_id__in=source_ids)
    ids = Article.objects.filter(affected).values("pk")
    return Article.objects.filter(pk__in=Subquery(ids)).update(
        render_version=F("render_version") + 1
    )


def paragraph_anchors(texts: list[str]) -> list[str]:
    """Anchors derived from each paragraph's text, so they stay put when others move."""
    anchors, seen = [], set()
    for text in texts:
        base = "p-" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:8]
        anchor, n = base, 1
        while anchor in seen:
            n += 1
            anchor = f"{base}-{n}"
        seen.add(anchor)
        anchors.append(anchor)
    return anchors


@dataclass
class ArticleImport:
    article: Article
    status: str  # "imported", "updated" or "unchanged"
    duplicate_sources: list[str] = field(default_factory=list)


def source_get_or_create(*, seed: SeedSource) -> Source:
    source = Source.objects.filter(key=seed.key).first()
    if source is not None:
        return source
    state = Source.State.WAITING if seed.url else Source.State.NEEDS_URL
    source, _ = Source.objects.get_or_create(
        key=seed.key,
        defaults={
            "url": seed.url,
            "title": seed.title,
            "publisher": seed.publisher,
            "domain": link_domain(seed.url) if seed.url else "",
            "state": state,
            "next_check_at": timezone.now() if seed.url else None,
        },
    )
    return source


@transaction.atomic
def article_import(*, seed: SeedArticle, publish: bool = True) -> ArticleImport:
    """Create or update the article that ``seed`` describes. Idempotent: the same text
    again changes nothing; an edited text with the same title and byline updates the
    article in place, keeping the anchors of paragraphs that did not change."""
    content_hash = seed.content_hash
    article = (
        Article.objects.select_for_update()
        .filter(title=seed.title, byline=seed.byline)
        .order_by("id")
        .first()
    )
    if article is not None and article.content_hash == content_hash:
        return ArticleImport(article, "unchanged", seed.duplicate_sources)

    status = "updated" if article else "imported"
    if article is None:
        article = Article(
            title=seed.title, byline=seed.byline, slug=slug_unique(Article, seed.title)
        )
    article.language = seed.language
    article.content_hash = content_hash
    if publish and not article.published_at:
        article.status = Article.Status.PUBLISHED
        article.published_at = timezone.now()
    article.save()

    _article_paragraphs_set(article, seed.paragraphs)
    _article_sources_set(article, seed.sources)
    _article_related_set(article, seed.related)
    # Older articles that named this one only by headline now link to it.
    RelatedLink.objects.filter(target__isnull=True, headline__iexact=article.title).exclude(
        article=article
    ).update(target=article)
    return ArticleImport(article, status, seed.duplicate_sources)


def _article_paragraphs_set(article: Article, texts: list[str]) -> None:
    anchors = paragraph_anchors(texts)
    existing = {p.anchor: p for p in article.paragraphs.all()}
    article.paragraphs.exclude(anchor__in=anchors).delete()
    # Move kept paragraphs out of the way first: (article, position) is unique.
    for n, kept in enumerate(article.paragraphs.filter(anchor__in=anchors)):
        kept.position = 10_000 + n
        kept.save(update_fields=["position"])
    for position, (anchor, text) in enumerate(zip(anchors, texts, strict=True), start=1):
        paragraph = existing.get(anchor)
        if paragraph is None:
            Paragraph.objects.create(article=article, position=position, anchor=anchor, text=text)
        else:
            paragraph.position = position
            paragraph.save(update_fields=["position"])


def _article_sources_set(article: Article, seeds: list[SeedSource]) -> None:
    sources = [source_get_or_create(seed=seed) for seed in seeds]
    keep = [source.pk for source in sources]
    article.citations.filter(claim__isnull=True).exclude(source__in=keep).delete()
    for position, source in enumerate(sources, start=1):
        Citation.objects.update_or_create(
            article=article, source=source, claim=None, defaults={"position": position}
        )


def _article_related_set(article: Article, headlines: list[str]) -> None:
    article.related_links.all().delete()
    targets = {
        a.title.casefold(): a
        for a in Article.objects.filter(title__in=headlines).exclude(pk=article.pk)
    }
    RelatedLink.objects.bulk_create(
        RelatedLink(
            article=article,
            position=position,
            headline=headline,
            target=targets.get(headline.casefold()),
        )
        for position, headline in enumerate(headlines, start=1)
    )


# --- Reader reports -----------------------------------------------------------------


def ip_hash(ip: str) -> str:
    """A salted hash of the reader's IP. The IP itself is never stored."""
    salt = settings.FACTCHECK_IP_SALT.encode()
    return hashlib.blake2b(ip.encode(), key=salt[:64], digest_size=32).hexdigest()


def report_reference() -> str:
    """An unguessable tracking reference: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def report_create(
    *,
    article: Article,
    message: str,
    quote: str = "",
    suggestion: str = "",
    paragraph: Paragraph | None = None,
    claim=None,
    evidence_urls: list[str] | None = None,
    name: str = "",
    email: str = "",
    email_consent: bool = False,
    language: str = "nl",
    ip: str = "",
) -> Report:
    """Store a reader's report. It is committed before any task is sent, so it
    survives a broker outage; its follow-up work is ``processed_at IS NULL``."""
    from claims import tasks

    with transaction.atomic():
        report = Report.objects.create(
            reference=report_reference(),
            article=article,
            claim=claim,
            paragraph=paragraph,
            quote=quote,
            message=message,
            suggestion=suggestion,
            evidence_urls=evidence_urls or [],
            name=name,
            email=email if email_consent else "",
            email_consent=bool(email and email_consent),
            language=language,
            ip_hash=ip_hash(ip) if ip else "",
        )
        task_send(tasks.report_process_task, report.pk)
    return report


def report_process(*, report_id: int) -> bool:
    """Follow-up work on a new report: set its queue priority. Safe to run twice."""
    report = Report.objects.filter(pk=report_id, processed_at__isnull=True).first()
    if report is None:
        return False
    duplicates = Report.objects.filter(
        article_id=report.article_id, state__in=[Report.State.NEW, Report.State.IN_REVIEW]
    ).count()
    priority = min(duplicates, 100) + (10 if report.claim_id else 0)
    changed = Report.objects.filter(pk=report_id, processed_at__isnull=True).update(
        priority=priority, processed_at=timezone.now()
    )
    return bool(changed)


def reports_sweep(*, older_than_seconds: int = 60, limit: int = 500) -> int:
    """Re-send the follow-up task of reports that still wait for it."""
    from claims import tasks

    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    ids = list(
        Report.objects.filter(processed_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for report_id in ids:
        try:
            tasks.report_process_task.delay(report_id)
        except Exception:
            log.warning("broker unreachable; the sweep stops and runs again later")
            break
    return len(ids)


# --- Claims and verdicts ------------------------------------------------------------


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
