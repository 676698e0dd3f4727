"""An article's reach, for the report queue's priority: page views when they are
tracked, otherwise how recently the article was published.

A view is counted in the "counters" cache (an atomic increment, no SQL on the page), and
a beat task moves the counts into ``Article.page_views`` every few minutes.
"""

from __future__ import annotations

import logging
import math

from django.core.cache import caches
from django.db.models import F
from django.utils import timezone

from claims.models import Article

log = logging.getLogger(__name__)

REACH_POINTS_MAX = 6


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


def article_reach_points(article: Article, *, now=None) -> int:
    """0 to 6 points: 2 per tenfold of page views (10, 100, 1000+), or, with no views
    tracked, 4 for an article published in the last day and 2 in the last week."""
    if article.page_views > 0:
        return min(REACH_POINTS_MAX, 2 * int(math.log10(article.page_views)))
    if article.published_at is None:
        return 0
    age = (now or timezone.now()) - article.published_at
    if age <= timezone.timedelta(days=1):
        return 4
    if age <= timezone.timedelta(days=7):
        return 2
    return 0
