"""Articles: import from the seed format, publishing, and counting page views.

A view is counted in the "counters" cache (an atomic increment, no SQL on the page), and
a beat task moves the counts into ``Article.page_views`` every few minutes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from claims.importers.seed import SeedArticle, SeedSource
from claims.models import (
    Article,
    ArticleRevision,
    Citation,
    Claim,
    ClaimAppearance,
    Correction,
    Paragraph,
    RelatedLink,
)
from claims.services.claims import article_suggest, span_locate
from claims.services.core import slug_unique
from claims.services.sources import source_get_or_create
from claims.text.diff import word_diff_text
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


def paragraph_anchor(text: str, taken: set[str]) -> str:
    """An anchor derived from the paragraph's text (so it stays put when others move),
    made unique against ``taken``, which it joins."""
    base = "p-" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:8]
    anchor, n = base, 1
    while anchor in taken:
        n += 1
        anchor = f"{base}-{n}"
    taken.add(anchor)
    return anchor


def paragraph_anchors(texts: list[str]) -> list[str]:
    """Anchors derived from each paragraph's text, so they stay put when others move."""
    taken: set[str] = set()
    return [paragraph_anchor(text, taken) for text in texts]


def paragraph_texts(texts: Iterable[str]) -> list[str]:
    """Paragraph texts as stored: spaces tidied, empty ones dropped."""
    return [" ".join(text.split()) for text in texts if text and text.strip()]


@dataclass
class ArticleImport:
    article: Article
    status: str  # "imported", "updated" or "unchanged"
    duplicate_sources: list[str] = field(default_factory=list)


@transaction.atomic
def article_import(
    *, seed: SeedArticle, publish: bool = True, published_at=None, user=None
) -> ArticleImport:
    """Create or update the article that ``seed`` describes. Idempotent: the same text
    again changes nothing; an edited text with the same title and byline updates the
    article in place as a revision (``article_revise``), keeping the anchors of its
    paragraphs. ``published_at`` is the article's own publication date; without it a
    published article gets the moment of its first import (``import_articles`` says so)."""
    content_hash = seed.content_hash
    article = (
        Article.objects.select_for_update()
        .filter(title=seed.title, byline=seed.byline)
        .order_by("id")
        .first()
    )
    if article is not None and article.content_hash == content_hash:
        return ArticleImport(article, "unchanged", seed.duplicate_sources)

    if article is not None:
        article_revise(
            article_id=article.pk,
            user=user,
            paragraphs=seed.paragraphs,
            related=seed.related,
            published_at=published_at,
            note=_imported_again(),
        )
        article = Article.objects.get(pk=article.pk)
        status = "updated"
    else:
        article = Article(
            title=seed.title,
            byline=seed.byline,
            slug=slug_unique(Article, seed.title),
            published_at=published_at,
        )
        status = "imported"
    article.language = seed.language
    article.content_hash = content_hash
    if publish and article.status != Article.Status.PUBLISHED and not article.published_at:
        article.published_at = timezone.now()
    if publish:
        article.status = Article.Status.PUBLISHED
    article.save()
    if status == "imported":
        _article_paragraphs_revise(article, paragraph_texts(seed.paragraphs))
        _article_related_set(article, seed.related)
    _article_sources_set(article, seed.sources)
    # Older articles that named this one only by headline now link to it.
    RelatedLink.objects.filter(target__isnull=True, headline__iexact=article.title).exclude(
        article=article
    ).update(target=article)
    article_suggest(article=article)
    return ArticleImport(article, status, seed.duplicate_sources)


def _imported_again() -> str:
    """The revision note of a re-import, in the newsroom's language, as editors write theirs."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(_("imported again from its file"))


# --- Revisions ------------------------------------------------------------------------


# How alike an old and a new paragraph must be (difflib ratio) to count as the same
# paragraph changed in place, keeping its anchor, rather than one removed and one added.
SAME_PARAGRAPH = 0.5


@dataclass(frozen=True)
class ArticleRevised:
    """What ``article_revise`` did: the revision it recorded (None when nothing changed),
    the anchors of the paragraphs whose text changed or that were added or removed, and
    the claims sent to "needs re-review" because their passage is gone."""

    revision: ArticleRevision | None
    changed_anchors: list[str] = field(default_factory=list)
    claims_rereview: list[int] = field(default_factory=list)


def article_state(article: Article) -> dict:
    """The article as a revision records it."""
    return {
        "title": article.title,
        "byline": article.byline,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "paragraphs": [
            {"anchor": p.anchor, "text": p.text} for p in article.paragraphs.order_by("position")
        ],
        "related": list(
            article.related_links.order_by("position").values_list("headline", flat=True)
        ),
    }


@transaction.atomic
def article_revise(
    *,
    article_id: int,
    user,
    title: str | None = None,
    paragraphs: list[str] | None = None,
    note: str = "",
    byline: str | None = None,
    related: list[str] | None = None,
    published_at=None,
) -> ArticleRevised:
    """Change an article's text and record it as one ArticleRevision: who, when, the note
    and the whole text before and after. ``paragraphs`` is the whole ordered list of
    paragraph texts; a paragraph keeps its row and anchor when its text is unchanged,
    moved, or changed in place, so links and reports that name it still find it.
    Claims anchored to a passage are found again in the new text; a published claim
    whose passage is gone goes to "needs re-review" with the reason. Nothing changed:
    no revision. Arguments left None keep what the article has."""
    note = " ".join(note.split())
    if not note:
        raise ValidationError(_("Say what changed: the note is part of the record."))
    article = Article.objects.select_for_update().get(pk=article_id)
    before = article_state(article)
    if title is not None:
        title = " ".join(title.split())
        if not title:
            raise ValidationError(_("An article needs a title."))
        article.title = title[:300]
    if byline is not None:
        article.byline = " ".join(byline.split())[:200]
    if published_at is not None:
        article.published_at = published_at
    if paragraphs is not None:
        paragraphs = paragraph_texts(paragraphs)
        if not paragraphs:
            raise ValidationError(_("An article needs at least one paragraph."))
        _article_paragraphs_revise(article, paragraphs)
    if related is not None:
        _article_related_set(article, [" ".join(h.split())[:300] for h in related if h.strip()])
    after = article_state(article)
    if after == before:
        return ArticleRevised(None)

    changes = _paragraph_changes(before["paragraphs"], after["paragraphs"])
    number = (article.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    revision = ArticleRevision.objects.create(
        article=article,
        number=number,
        note=note[:500],
        before=before,
        after=after,
        changes=changes,
        created_by=user,
    )
    article._history_user = user
    article._change_reason = f"text changed: version {number}"
    article.save()  # a new render version: the cached page is rebuilt
    rereview = _claims_relocate(article, revision)
    if changes:
        article_suggest(article=article)
    return ArticleRevised(revision, [c["anchor"] for c in changes], rereview)


def _article_paragraphs_revise(article: Article, texts: list[str]) -> None:
    """Make the article's paragraphs ``texts``, in order, keeping rows (and anchors)
    where a text is unchanged or moved (the same text), or changed in place (the most
    similar text left over, word by word, difflib ratio at least ``SAME_PARAGRAPH``)."""
    old = list(article.paragraphs.order_by("position"))
    rows: list[Paragraph | None] = [None] * len(texts)
    unused = {p.pk: p for p in old}
    for n, text in enumerate(texts):  # unchanged or moved: the same text
        same = next((p for p in unused.values() if p.text == text), None)
        if same is not None:
            rows[n] = unused.pop(same.pk)
    for n, text in enumerate(texts):  # changed in place: the most similar one left
        if rows[n] is not None or not unused:
            continue
        words = text.split()
        scored = [
            (
                SequenceMatcher(None, p.text.split(), words, autojunk=False).ratio(),
                -abs(p.position - 1 - n),
                p,
            )
            for p in unused.values()
        ]
        score, _distance, best = max(scored, key=lambda s: (s[0], s[1]))
        if score >= SAME_PARAGRAPH:
            rows[n] = unused.pop(best.pk)
    article.paragraphs.filter(pk__in=list(unused)).delete()
    # Out of the way first: (article, position) is unique.
    article.paragraphs.update(position=F("position") + 10_000)
    taken = {row.anchor for row in rows if row is not None}
    for position, (row, text) in enumerate(zip(rows, texts, strict=True), start=1):
        if row is None:
            anchor = paragraph_anchor(text, taken)
            Paragraph.objects.create(article=article, position=position, anchor=anchor, text=text)
        else:
            row.position, row.text = position, text
            row.save(update_fields=["position", "text"])


def _paragraph_changes(before: list[dict], after: list[dict]) -> list[dict]:
    """Each paragraph whose text changed, was added or was removed, in article order."""
    old = {p["anchor"]: p["text"] for p in before}
    new = {p["anchor"]: p["text"] for p in after}
    changes = [
        {"anchor": p["anchor"], "before": old.get(p["anchor"], ""), "after": p["text"]}
        for p in after
        if old.get(p["anchor"]) != p["text"]
    ]
    changes += [
        {"anchor": p["anchor"], "before": p["text"], "after": ""}
        for p in before
        if p["anchor"] not in new
    ]
    return changes


def _claims_relocate(article: Article, revision: ArticleRevision) -> list[int]:
    """Find each claim's passage again after a revision: in its own paragraph, else
    anywhere in the article. A passage that no longer occurs loses its anchor, and a
    published claim goes to "needs re-review" with the reason."""
    paragraphs = list(article.paragraphs.order_by("position"))
    appearances = ClaimAppearance.objects.filter(article=article).exclude(quote="")
    lost: dict[int, str] = {}
    for appearance in appearances.select_related("paragraph"):
        own = [appearance.paragraph] if appearance.paragraph_id else []
        for paragraph in [*own, *paragraphs]:
            if appearance.quote in paragraph.text:
                span = span_locate(paragraph, appearance.quote, appearance.start)
                if (appearance.paragraph_id, appearance.start, appearance.end) != (
                    paragraph.pk,
                    *span,
                ):
                    appearance.paragraph = paragraph
                    appearance.start, appearance.end = span
                    appearance.save(update_fields=["paragraph", "start", "end"])
                break
        else:
            if appearance.start is not None or appearance.paragraph_id is not None:
                appearance.paragraph, appearance.start, appearance.end = None, None, None
                appearance.save(update_fields=["paragraph", "start", "end"])
            lost.setdefault(appearance.claim_id, appearance.quote)
    if not lost:
        return []
    changed = []
    for claim in Claim.objects.select_for_update().filter(
        pk__in=lost, status=Claim.Status.PUBLISHED
    ):
        with translation.override(settings.LANGUAGE_CODE):
            reason = _(
                "The passage “%(quote)s” is no longer in the article “%(article)s” "
                "(version %(number)s: %(note)s)."
            ) % {
                "quote": lost[claim.pk][:200],
                "article": article.title,
                "number": revision.number,
                "note": revision.note,
            }
        claim.status = Claim.Status.NEEDS_REREVIEW
        claim.rereview_reason = reason
        claim._history_user = revision.created_by
        claim._change_reason = f"its passage is gone from the article in version {revision.number}"
        claim.save(update_fields=["status", "rereview_reason", "updated_at"])
        changed.append(claim.pk)
    return changed


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


def article_modified_at(article: Article, corrections: list[Correction]):
    """When the article last changed for its readers after publication: its newest
    revision or correction (None when neither came after it was published)."""
    if article.published_at is None:
        return None
    last_revision = article.revisions.aggregate(at=Max("created_at"))["at"]
    moments = [c.published_at for c in corrections]
    if last_revision is not None:
        moments.append(last_revision)
    later = [m for m in moments if m > article.published_at]
    return max(later) if later else None


def newsarticle_for_article(
    article: Article, corrections: list[Correction], *, modified_at=None
) -> dict:
    """schema.org NewsArticle, with each correction as a CorrectionComment (saying what
    the text said and says now when it explains a change to the text). ``dateModified``
    is the newest revision or correction after publication."""
    url = site_url(article.get_absolute_url())
    published = article.published_at
    modified = modified_at or published
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": article.language,
        "datePublished": published.isoformat() if published else None,
        "dateModified": modified.isoformat() if modified else None,
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": site_url("/")},
    }
    if article.byline:
        data["editor"] = {"@type": "Person", "name": article.byline}
    if corrections:
        with translation.override(article.language):
            data["correction"] = [
                {
                    "@type": "CorrectionComment",
                    "text": correction_plain_text(correction),
                    "datePublished": correction.published_at.isoformat(),
                    "url": site_url(correction.get_absolute_url()),
                }
                for correction in corrections
            ]
    return {key: value for key, value in data.items() if value is not None}


def correction_plain_text(correction: Correction) -> str:
    """A correction in plain words, with the text change it explains (feeds, JSON-LD)."""
    parts = [correction.text]
    for change in correction.text_changes:
        if change["before"] and change["after"]:
            parts.append(
                _("Earlier text: %(change)s.")
                % {"change": word_diff_text(change["before"], change["after"])}
            )
    return " ".join(parts)


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
