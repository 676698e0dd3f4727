"""Articles: import from the seed format, and the page cache's render version."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone

from claims.importers.seed import SeedArticle, SeedSource
from claims.links import link_domain
from claims.models import Article, Citation, Paragraph, RelatedLink, Source
from claims.services.core import slug_unique
from claims.services.suggestions import article_suggest


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
