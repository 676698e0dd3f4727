"""Public views. Thin: read through querysets, write through services."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from claims import services
from claims.forms import ClaimFilterForm, ReportForm, ReportReplyForm, report_form_token
from claims.models import (
    Article,
    Claim,
    ClaimAppearance,
    Correction,
    ExternalReview,
    Rating,
    Report,
    Verdict,
)
from claims.services.reports import SPAM_HONEYPOT

log = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.published().only("title", "slug", "byline", "published_at")
    page = Paginator(articles, 20).get_page(request.GET.get("page"))
    return render(request, "claims/home.html", {"page": page})


def _article_json_ld(article: Article, corrections: list[Correction]) -> dict:
    """schema.org NewsArticle, with each correction as a CorrectionComment."""
    site = settings.SITE_URL.rstrip("/")
    url = site + article.get_absolute_url()
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
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": site + "/"},
    }
    if article.byline:
        data["editor"] = {"@type": "Person", "name": article.byline}
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": correction.published_at.isoformat(),
                "url": site + correction.get_absolute_url(),
            }
            for correction in corrections
        ]
    return {key: value for key, value in data.items() if value is not None}


def _article_context(article: Article) -> dict:
    """Everything the article page shows, in a fixed number of queries."""
    paragraphs = list(article.paragraphs.all())
    citations = list(article.citations.filter(claim__isnull=True).select_related("source"))
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
    for paragraph in paragraphs:
        paragraph.claim_spans = spans.get(paragraph.pk, [])
    corrections = list(article.corrections.select_related("amends"))
    return {
        "article": article,
        "paragraphs": paragraphs,
        "citations": citations,
        "related": related,
        "claims": claims,
        "corrections": corrections,
        "json_ld": _article_json_ld(article, corrections),
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


def _article_content(request: HttpRequest, article: Article) -> ArticleContent:
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
        html = render_to_string("claims/article_detail.html#article-content", context)
        form = ReportForm(
            article=article, paragraphs=paragraphs, claims=claims, started=STARTED_SLOT
        )
        blank_form = render_to_string(
            "claims/article_detail.html#report-form-body",
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


def _blank_form(request: HttpRequest, content: ArticleContent) -> str:
    """The cached blank report form with this reader's CSRF token and a fresh time stamp."""
    return mark_safe(_fill_slots(request, content.blank_form))  # noqa: S308


def _article_page(
    request, article, *, content=None, form=None, notice: str = "", status: int = 200
) -> HttpResponse:
    content = content or _article_content(request, article)
    if form is None and not notice and _is_cookieless_reader(request):
        return HttpResponse(_fill_slots(request, _article_shell(request, article, content)))
    context = {"article": article, "content": mark_safe(content.html), "notice": notice}  # noqa: S308
    if form is None:
        context["form_html"] = _blank_form(request, content)
    else:
        context["form"] = form
    return render(request, "claims/article_detail.html", context, status=status)


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
    shell = render_to_string("claims/article_detail.html", context, request=request)
    _LOCAL_SHELL.put(key, shell)
    return shell


def _fill_slots(request: HttpRequest, html: str) -> str:
    """This reader's CSRF token and a fresh time stamp for the form."""
    return html.replace(CSRF_SLOT, get_token(request)).replace(STARTED_SLOT, report_form_token())


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    services.article_view_count(article_id=article.pk)
    return _article_page(request, article)


def _rate_limited(request: HttpRequest, limits: list[tuple[str, object, str]]) -> bool:
    """django-ratelimit on the cache, counting this request. A cache outage lets the
    request through: a report is never lost to a broken counter."""
    try:
        return any(
            is_ratelimited(request, group=group, key=key, rate=rate, increment=True)
            for group, key, rate in limits
            if rate
        )
    except Exception:
        log.warning("rate-limit cache unreachable; request let through")
        return False


def _report_limits(article: Article) -> list[tuple[str, object, str]]:
    return [
        ("report-ip", "ip", settings.FACTCHECK_REPORT_RATE_PER_IP),
        (
            "report-article",
            lambda group, request: str(article.pk),
            settings.FACTCHECK_REPORT_RATE_PER_ARTICLE,
        ),
    ]


RATE_LIMITED = gettext_lazy(
    "You have sent several reports in a short time. Please wait a little while and "
    "send this one again; what you wrote is still here."
)


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if request.method == "GET":
        return redirect(f"{article.get_absolute_url()}#report")
    content = _article_content(request, article)
    form = ReportForm(
        request.POST, article=article, paragraphs=content.paragraphs, claims=content.claims
    )
    if not form.is_valid():
        return _report_form_answer(request, article, content, form)
    if _rate_limited(request, _report_limits(article)):
        return _report_form_answer(request, article, content, form, notice=str(RATE_LIMITED))
    data = form.cleaned_data
    report = services.report_create(
        article=article,
        message=data["message"],
        quote=data["quote"],
        suggestion=data["suggestion"],
        paragraph=form.paragraph_obj,
        claim=form.claim_obj,
        evidence_urls=data["evidence_urls"],
        name=data["name"],
        email=data["email"],
        email_consent=data["email_consent"],
        language=get_language() or "nl",
        ip=request.META.get("REMOTE_ADDR", ""),
        spam_note=SPAM_HONEYPOT if form.is_bot else "",
    )
    if request.htmx:  # the reference, and a blank form for another report
        context = {"article": article, "sent": report, "form_html": _blank_form(request, content)}
        return render(request, "claims/article_detail.html#report-form", context)
    messages.success(request, _("Thank you. Your report has been received."))
    return redirect(report)


def _report_form_answer(request, article, content, form, *, notice: str = "") -> HttpResponse:
    """A refused report: the form again with what the reader wrote and why. htmx swaps
    only 2xx answers, so the fragment is 200; the full page says 429 when rate-limited."""
    if request.htmx:
        return render(
            request,
            "claims/article_detail.html#report-form",
            {"article": article, "form": form, "notice": notice},
        )
    status = 429 if notice else 200
    return _article_page(request, article, content=content, form=form, notice=notice, status=status)


def _report_track_page(request, report: Report, *, reply_form=None, status=200) -> HttpResponse:
    """The reader's view of their report: its state and the public outcome (for a
    duplicate, the original's), never reviewer notes or who handled it."""
    decided = report
    if report.state == Report.State.DUPLICATE and report.duplicate_of is not None:
        decided = report.duplicate_of
    corrections = []
    if decided.state == Report.State.ACCEPTED:
        corrections = list(decided.corrections.select_related("article"))
    if report.state == Report.State.WAITING and reply_form is None:
        reply_form = ReportReplyForm()
    context = {
        "report": report,
        "decided": decided,
        "corrections": corrections,
        "reply_form": reply_form if report.state == Report.State.WAITING else None,
    }
    return render(request, "claims/report_track.html", context, status=status)


@require_GET
def report_track(request: HttpRequest, reference: str) -> HttpResponse:
    report = get_object_or_404(
        Report.objects.select_related("article", "duplicate_of"), reference=reference
    )
    return _report_track_page(request, report)


@require_POST
def report_reply(request: HttpRequest, reference: str) -> HttpResponse:
    """The reader answers the reviewer's question on the tracking page."""
    report = get_object_or_404(
        Report.objects.select_related("article", "duplicate_of"), reference=reference
    )
    if report.state != Report.State.WAITING:
        messages.info(request, _("This report is no longer waiting for an answer."))
        return redirect(report)
    form = ReportReplyForm(request.POST)
    if not form.is_valid():
        return _report_track_page(request, report, reply_form=form)
    if _rate_limited(request, [("report-reply", "ip", settings.FACTCHECK_REPORT_RATE_PER_IP)]):
        form.add_error(None, RATE_LIMITED)
        return _report_track_page(request, report, reply_form=form, status=429)
    services.report_info_reply(report=report, text=form.cleaned_data["reply"])
    messages.success(request, _("Thank you. Your answer has been added to your report."))
    return redirect(report)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused CSRF token (an expired session, a form left open for days). In an htmx
    fragment the page reloads with a fresh token instead of swapping an error page in;
    a plain POST gets the friendly ``403_csrf.html``."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(status=403, headers={"HX-Refresh": "true"})
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason)


@require_GET
def claim_detail(request: HttpRequest, slug: str) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.public(), slug=slug)
    verdicts = list(
        claim.verdicts.filter(status__in=[Verdict.Status.PUBLISHED, Verdict.Status.SUPERSEDED])
        .select_related("rating__scale")
        .prefetch_related("citations__source")
        .order_by("-published_at", "-id")
    )
    verdict = next((v for v in verdicts if v.status == Verdict.Status.PUBLISHED), None)
    appearances = list(
        claim.appearances.select_related("article", "paragraph").order_by(
            "appeared_at", "created_at", "id"
        )
    )
    citations = list(claim.citations.select_related("source"))
    elsewhere = list(ExternalReview.objects.filter(claim=claim).select_related("rating"))
    claim.published_verdicts = [verdict] if verdict else []
    claim.ordered_appearances = appearances
    context = {
        "claim": claim,
        "verdict": verdict,
        "history": [v for v in verdicts if v is not verdict],
        "appearances": appearances,
        "citations": citations,
        "elsewhere": elsewhere,
        "claimreview": services.claimreview_for_claim(claim),
        "corrections": list(claim.corrections.all()),
    }
    return render(request, "claims/claim_detail.html", context)


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    context = {
        "retention_days": settings.FACTCHECK_REPORT_EMAIL_RETENTION_DAYS,
        "contact": settings.FACTCHECK_PRIVACY_CONTACT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME * 60),
    }
    return render(request, "claims/privacy.html", context)


CLAIMS_PER_PAGE = 20


@require_GET
def claims_index(request: HttpRequest) -> HttpResponse:
    """Every published claim, with full-text search and filters."""
    form = ClaimFilterForm(request.GET or None, ratings=_rating_choices())
    claims = Claim.objects.public()
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            claims = claims.search(data["q"])
        if data["rating"]:
            claims = claims.filter(
                verdicts__status=Verdict.Status.PUBLISHED, verdicts__rating__code=data["rating"]
            )
        if data["status"]:
            claims = claims.filter(status=data["status"])
        if data["claimant"]:
            claims = claims.filter(claimant__icontains=data["claimant"])
        if data["date_from"]:
            claims = claims.filter(claim_date__gte=data["date_from"])
        if data["date_to"]:
            claims = claims.filter(claim_date__lte=data["date_to"])
        if data["language"]:
            claims = claims.filter(language=data["language"])
        if not data["q"]:
            claims = claims.order_by("-claim_date", "-created_at", "-id")
    claims = claims.prefetch_related(
        Prefetch(
            "verdicts",
            queryset=Verdict.objects.published().select_related("rating"),
            to_attr="published_verdicts",
        )
    )
    page = Paginator(claims, CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "claims/claims_index.html"
    if request.htmx:
        template += "#claim-results"
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, template, context)


def _rating_choices() -> list[tuple[str, str]]:
    """One choice per rating code on an active scale, labelled in the reader's language."""
    seen: dict[str, str] = {}
    for rating in Rating.objects.filter(scale__is_active=True).order_by("scale__name", "position"):
        seen.setdefault(rating.code, rating.label)
    return list(seen.items())


@require_GET
def claimreview_feed(request: HttpRequest) -> JsonResponse:
    """Every published ClaimReview as a schema.org DataFeed."""
    response = JsonResponse(
        services.claimreview_feed_own(), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"
    return response
