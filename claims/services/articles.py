"""Articles: import from the seed format, publishing, and counting page views.

A view is counted in the "counters" cache (an atomic increment, no SQL on the page), and
a beat task moves the counts into ``Article.page_views`` every few minutes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims.importers.seed import SeedArticle, SeedSource
from claims.models import Article, Citation, Correction, Paragraph, RelatedLink
from claims.services.claims import article_suggest
from claims.services.core import slug_unique
from claims.services.sources import source_get_or_create
from claims.text.links import site_url

log = logging.getLogger(__name__)


def articles_publish(*, ids: Iterable[int], user, publish: bool = True) -> int:
    """Publish articles (the first publication date stays when one is republished), or
    take them off the site. Each change is saved with its history row. Returns how many
    changed."""
    wanted = Article.Status.PUBLISHED if publish else Article.Status.DRAFT
    changed = 0
    for article in Article.objects.filter(pk__in=list(ids)).exclude(status=wanted):
        article.status = wanted
        if publish and not article.published_at:
            article.published_at = timezone.now()
        article._history_user = user
        article._change_reason = "published" if publish else "unpublished"
        article.save(update_fields=["status", "published_at", "updated_at"])
        changed += 1
    return changed


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
    article_suggest(article=article)
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
    sources = [
        source_get_or_create(url=seed.url, title=seed.title, publisher=seed.publisher)
        for seed in seeds
    ]
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


def newsarticle_for_article(article: Article, corrections: list[Correction]) -> dict:
    """schema.org NewsArticle, with each correction as a CorrectionComment."""
    url = site_url(article.get_absolute_url())
    modified = max([article.updated_at, *(c.published_at for c in corrections)])
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": article.language,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": modified.isoformat(),
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": site_url("/")},
    }
    if article.byline:
        data["editor"] = {"@type": "Person", "name": article.byline}
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": correction.published_at.isoformat(),
                "url": site_url(correction.get_absolute_url()),
            }
            for correction in corrections
        ]
    return {key: value for key, value in data.items() if value is not None}


# --- Page views ----------------------------------------------------------------------


def _views_key(article_id: int) -> str:
    return f"article-views:{article_id}"


def article_view_count(*, article_id: int) -> None:
    """Count one view of the article page. Never raises: a cache outage costs a count."""
    key, counters = _views_key(article_id), caches["counters"]
    try:
        if not counters.add(key, 1, timeout=None):
            counters.incr(key)
    except Exception:
        log.debug("cache unreachable; view of article %s not counted", article_id)


def article_views_flush(*, batch: int = 500) -> int:
    """Move the counted views into ``Article.page_views``; returns the views moved.

    Each count is read, added to the row, then taken off the counter by the same
    amount, so views counted meanwhile stay for the next flush."""
    moved = 0
    ids = Article.objects.published().order_by("pk").values_list("pk", flat=True)
    page: list[int] = []
    for article_id in ids.iterator(chunk_size=batch):
        page.append(article_id)
        if len(page) == batch:
            moved += _flush_page(page)
            page = []
    if page:
        moved += _flush_page(page)
    return moved


def _flush_page(article_ids: list[int]) -> int:
    counters = caches["counters"]
    counts = counters.get_many([_views_key(pk) for pk in article_ids])
    moved = 0
    for key, count in counts.items():
        if not count:
            continue
        article_id = int(key.rsplit(":", 1)[1])
        Article.objects.filter(pk=article_id).update(page_views=F("page_views") + count)
        counters.decr(key, count)
        moved += count
    return moved
