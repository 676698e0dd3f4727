"""The public article page: the newsroom's text with its checked claims, sources and
corrections, and the "found an error?" form under it, cached per render version."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from claims import services
from claims.access import staff_view
from claims.forms.articles import ArticleForm
from claims.forms.reports import ReportForm, report_form_token
from claims.models import (
    Article,
    ArticleRevision,
    Claim,
    ClaimAppearance,
    Verdict,
)

log = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.published().only("title", "slug", "byline", "published_at")
    page = Paginator(articles, 20).get_page(request.GET.get("page"))
    return render(request, "articles/home.html", {"page": page})


def _article_context(article: Article) -> dict:
    """Everything the article page shows, in a fixed number of queries."""
    paragraphs = list(article.paragraphs.all())
    citations = list(
        article.citations.filter(claim__isnull=True).select_related("source").with_evidence()
    )
    related = list(article.related_links.select_related("target"))
    appearances = list(
        ClaimAppearance.objects.filter(article=article, claim__in=Claim.objects.public())
        .select_related("claim")
        .prefetch_related(
            Prefetch(
                "claim__verdicts",
                queryset=Verdict.objects.published().select_related("rating"),
                to_attr="published_verdicts",
            )
        )
        .order_by("claim__created_at", "claim_id", "id")
    )
    claims = list({a.claim_id: a.claim for a in appearances}.values())
    spans: dict[int, list[ClaimAppearance]] = {}
    for appearance in appearances:
        if appearance.paragraph_id and appearance.start is not None:
            spans.setdefault(appearance.paragraph_id, []).append(appearance)
    corrections = list(article.corrections.select_related("amends", "revision"))
    corrected = {}  # anchor -> the newest correction that explains a change to it
    for correction in reversed(corrections):  # oldest first, so the newest wins
        for anchor in correction.anchors:
            corrected[anchor] = correction
    for paragraph in paragraphs:
        paragraph.claim_spans = spans.get(paragraph.pk, [])
        paragraph.correction = corrected.get(paragraph.anchor)
    modified_at = services.article_modified_at(article, corrections)
    return {
        "article": article,
        "paragraphs": paragraphs,
        "citations": citations,
        "related": related,
        "claims": claims,
        "corrections": corrections,
        "modified_at": modified_at,
        "json_ld": services.newsarticle_for_article(article, corrections, modified_at=modified_at),
    }


# Stand in for the reader's CSRF token and form time stamp in the cached blank form.
CSRF_SLOT = "csrf-token-slot-0d5c2a"
STARTED_SLOT = "report-started-slot-7f3e19"


@dataclass
class ArticleContent:
    html: str  # the article region
    blank_form: str  # the empty report form, with the slots above
    paragraphs: list[tuple[str, int]]  # (anchor, position), for a bound report form
    claims: list[tuple[int, str]]  # (id, text) of the public claims, likewise


class _LocalLRU:
    """A small per-process, thread-safe LRU of rendered pieces. An entry never goes
    stale: its key carries the render version (bumped by every change) and the
    article's creation time (so another database never shares a key)."""

    def __init__(self, size: int = 64) -> None:
        self.size, self.lock, self.items = size, threading.Lock(), OrderedDict()

    def get(self, key: str):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: str, value) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


# Recent article content in front of the shared cache, and for cookieless readers the
# whole page with slots for what is theirs.
_LOCAL_CONTENT = _LocalLRU()
_LOCAL_SHELL = _LocalLRU()


def article_content(request: HttpRequest, article: Article) -> ArticleContent:
    """The rendered article region and blank report form, cached per render version
    and language: anything that changes what they show bumps ``Article.render_version``
    (see signals.py). Nothing reader-specific is cached but the slots. A cache outage
    costs a render, never the page."""
    key = f"{article.page_cache_key}:{article.created_at.timestamp()}"
    content = _LOCAL_CONTENT.get(key)
    if content is not None:
        return content
    try:
        content = cache.get(key)
    except Exception:
        log.warning("cache unreachable; rendering article %s uncached", article.pk)
        content = None
    if content is None:
        context = _article_context(article)
        paragraphs = [(p.anchor, p.position) for p in context["paragraphs"]]
        claims = [(c.pk, c.text) for c in context["claims"]]
        html = render_to_string("articles/article_detail.html#article-content", context)
        form = ReportForm(
            article=article, paragraphs=paragraphs, claims=claims, started=STARTED_SLOT
        )
        blank_form = render_to_string(
            "articles/article_detail.html#report-form-body",
            {"article": article, "form": form, "csrf_token": CSRF_SLOT},
        )
        content = ArticleContent(
            html=str(html), blank_form=str(blank_form), paragraphs=paragraphs, claims=claims
        )
        try:
            cache.set(key, content, timeout=24 * 3600)
        except Exception:
            log.warning("cache unreachable; article %s not cached", article.pk)
    _LOCAL_CONTENT.put(key, content)
    return content


def article_blank_form(request: HttpRequest, content: ArticleContent) -> str:
    """The cached blank report form with this reader's CSRF token and a fresh time stamp."""
    return mark_safe(_fill_slots(request, content.blank_form))  # noqa: S308


def article_page_render(
    request, article, *, content=None, form=None, notice: str = "", status: int = 200
) -> HttpResponse:
    content = content or article_content(request, article)
    if form is None and not notice and _is_cookieless_reader(request):
        return HttpResponse(_fill_slots(request, _article_shell(request, article, content)))
    context = {"article": article, "content": mark_safe(content.html), "notice": notice}  # noqa: S308
    if form is None:
        context["form_html"] = article_blank_form(request, content)
    else:
        context["form"] = form
    return render(request, "articles/article_detail.html", context, status=status)


def _is_cookieless_reader(request: HttpRequest) -> bool:
    """A reader with no session and no pending messages, on the bare article URL: every
    such reader gets the same page but for the CSRF token and the form's time stamp."""
    cookies = request.COOKIES  # no session cookie: not logged in, no stored messages
    return not (
        request.GET
        or settings.SESSION_COOKIE_NAME in cookies
        or CookieStorage.cookie_name in cookies
    )


def _article_shell(request: HttpRequest, article: Article, content: ArticleContent) -> str:
    key = f"{article.page_cache_key}:{article.created_at.timestamp()}:{request.path}"
    shell = _LOCAL_SHELL.get(key)
    if shell is not None:
        return shell
    context = {
        "article": article,
        "content": mark_safe(content.html),  # noqa: S308
        "form_html": mark_safe(content.blank_form),  # noqa: S308
        "csrf_token": CSRF_SLOT,
    }
    shell = render_to_string("articles/article_detail.html", context, request=request)
    _LOCAL_SHELL.put(key, shell)
    return shell


def _fill_slots(request: HttpRequest, html: str) -> str:
    """This reader's CSRF token and a fresh time stamp for the form."""
    return html.replace(CSRF_SLOT, get_token(request)).replace(STARTED_SLOT, report_form_token())


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    services.article_view_count(article_id=article.pk)
    return article_page_render(request, article)


# --- The desk: editing the text, and its versions ---------------------------------------


@staff_view("claims.change_article")
@require_http_methods(["GET", "POST"])
def desk_article_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit title, byline, publication date, paragraphs and "read more" headlines. Each
    save is one revision; a notice for readers makes it a public correction too."""
    article = get_object_or_404(Article, slug=slug)
    paragraphs = list(article.paragraphs.order_by("position"))
    form = ArticleForm(request.POST) if request.method == "POST" else None
    error = ""
    if form is not None and form.is_valid():
        data = form.cleaned_data
        changes = {
            "title": data["title"],
            "byline": data["byline"],
            "paragraphs": data["text"],
            "related": data["related"],
            "published_at": data["published_at"],
        }
        try:
            if data["correction_kind"]:
                done = services.article_correct(
                    article_id=article.pk,
                    user=request.user,
                    note=data["note"],
                    correction_text=data["correction_text"],
                    correction_kind=data["correction_kind"],
                    **changes,
                )
                revision = done.revision
            else:
                revision = services.article_revise(
                    article_id=article.pk, user=request.user, note=data["note"], **changes
                ).revision
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if revision is None:
                messages.info(request, _("Nothing changed; no new version was saved."))
            else:
                messages.success(request, _("Saved as version %(n)s.") % {"n": revision.number})
            return redirect("claims:desk_article", slug=article.slug)
    context = {
        "article": article,
        "form": form or ArticleForm.for_article(article, paragraphs),
        "error": error,
        "revisions": article.revisions.select_related("created_by")[:50],
    }
    return render(request, "articles/desk_edit.html", context)


@staff_view("claims.view_article")
@require_GET
def desk_revision(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """One earlier version of the article as staff keep it: who, when, why, and every
    paragraph that changed, with what it said and says now."""
    article = get_object_or_404(Article, slug=slug)
    revision = get_object_or_404(
        ArticleRevision.objects.select_related("created_by"), article=article, number=number
    )
    before, after = revision.before, revision.after
    fields = [
        (_("Title"), before["title"], after["title"]),
        (_("Edited by"), before["byline"], after["byline"]),
        (_("Published"), _when(before["published_at"]), _when(after["published_at"])),
        (_("Read more"), "\n".join(before["related"]), "\n".join(after["related"])),
    ]
    context = {
        "article": article,
        "revision": revision,
        "fields": [(label, old, new) for label, old, new in fields if old != new],
        "corrections": revision.corrections.all(),
        "previous": article.revisions.filter(number=number - 1).first(),
        "next": article.revisions.filter(number=number + 1).first(),
    }
    return render(request, "articles/desk_revision.html", context)


def _when(value: str | None) -> str:
    """A stored ISO date as the page shows dates."""
    if not value:
        return ""
    return date_format(timezone.localtime(datetime.fromisoformat(value)), "j F Y H:i")
