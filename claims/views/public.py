"""Public views. Thin: read through querysets, write through services."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from claims import services
from claims.forms import ReportForm
from claims.models import Article, Claim, Report, Verdict


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.published().only("title", "slug", "byline", "published_at")
    page = Paginator(articles, 20).get_page(request.GET.get("page"))
    return render(request, "claims/home.html", {"page": page})


def _article_context(article: Article) -> dict:
    """Everything the article page shows, in a fixed number of queries."""
    paragraphs = list(article.paragraphs.all())
    citations = list(article.citations.filter(claim__isnull=True).select_related("source"))
    related = list(article.related_links.select_related("target"))
    claims = list(
        Claim.objects.public()
        .filter(appearances__article=article)
        .distinct()
        .prefetch_related(
            Prefetch(
                "verdicts",
                queryset=Verdict.objects.published().select_related("rating"),
                to_attr="published_verdicts",
            )
        )
        .order_by("created_at", "id")
    )
    corrections = list(article.corrections.all())
    return {
        "article": article,
        "paragraphs": paragraphs,
        "citations": citations,
        "related": related,
        "claims": claims,
        "corrections": corrections,
    }


# Stands in for the reader's CSRF token in the cached blank form.
CSRF_SLOT = "csrf-token-slot-0d5c2a"


@dataclass
class ArticleContent:
    html: str  # the article region
    blank_form: str  # the empty report form, with CSRF_SLOT for the token
    paragraphs: list[tuple[str, int]]  # (anchor, position), for a bound report form


def _article_content(request: HttpRequest, article: Article) -> ArticleContent:
    """The rendered article region and blank report form, cached per render version
    and language: anything that changes what they show bumps ``Article.render_version``
    (see signals.py). Nothing reader-specific is cached but the CSRF slot."""
    key = article.page_cache_key
    content = cache.get(key)
    if content is None:
        context = _article_context(article)
        paragraphs = [(p.anchor, p.position) for p in context["paragraphs"]]
        html = render_to_string("claims/article_detail.html#article-content", context)
        form = ReportForm(article=article, paragraphs=paragraphs)
        blank_form = render_to_string(
            "claims/article_detail.html#report-form",
            {"article": article, "form": form, "csrf_token": CSRF_SLOT},
        )
        content = ArticleContent(html=str(html), blank_form=str(blank_form), paragraphs=paragraphs)
        cache.set(key, content, timeout=24 * 3600)
    return content


def _article_page(request, article, *, form=None) -> HttpResponse:
    content = _article_content(request, article)
    context = {"article": article, "content": mark_safe(content.html)}  # noqa: S308
    if form is None:
        blank_form = content.blank_form.replace(CSRF_SLOT, get_token(request))
        context["blank_form"] = mark_safe(blank_form)  # noqa: S308
    else:
        context["form"] = form
    return render(request, "claims/article_detail.html", context)


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    return _article_page(request, article)


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if request.method == "GET":
        return redirect(f"{article.get_absolute_url()}#report")
    paragraphs = list(article.paragraphs.values_list("anchor", "position"))
    form = ReportForm(request.POST, article=article, paragraphs=paragraphs)
    if form.is_valid():
        data = form.cleaned_data
        report = services.report_create(
            article=article,
            message=data["message"],
            quote=data["quote"],
            suggestion=data["suggestion"],
            paragraph=form.paragraph_obj,
            name=data["name"],
            email=data["email"],
            email_consent=data["email_consent"],
            language=get_language() or "nl",
            ip=request.META.get("REMOTE_ADDR", ""),
        )
        if request.htmx:
            form = ReportForm(article=article, paragraphs=paragraphs)
            return render(
                request,
                "claims/article_detail.html#report-form",
                {"article": article, "form": form, "sent": report},
            )
        messages.success(request, _("Thank you. Your report has been received."))
        return redirect(report)
    if request.htmx:
        return render(
            request, "claims/article_detail.html#report-form", {"article": article, "form": form}
        )
    return _article_page(request, article, form=form)


@require_GET
def report_track(request: HttpRequest, reference: str) -> HttpResponse:
    report = get_object_or_404(
        Report.objects.select_related("article", "duplicate_of"), reference=reference
    )
    corrections = list(report.corrections.all()) if report.state == Report.State.ACCEPTED else []
    return render(
        request, "claims/report_track.html", {"report": report, "corrections": corrections}
    )


@require_GET
def claim_detail(request: HttpRequest, slug: str) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.public(), slug=slug)
    verdict = claim.verdicts.published().select_related("rating").first()
    appearances = claim.appearances.select_related("article", "paragraph")
    citations = claim.citations.select_related("source")
    context = {
        "claim": claim,
        "verdict": verdict,
        "appearances": appearances,
        "citations": citations,
    }
    return render(request, "claims/claim_detail.html", context)


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    context = {
        "retention_days": settings.FACTCHECK_EMAIL_RETENTION_DAYS,
        "contact": settings.FACTCHECK_PRIVACY_CONTACT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME * 60),
    }
    return render(request, "claims/privacy.html", context)
