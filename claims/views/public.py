"""Public views. Thin: read through querysets, write through services."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from claims import services
from claims.forms import ClaimFilterForm, ReportForm
from claims.models import (
    Article,
    Claim,
    ClaimAppearance,
    ExternalReview,
    Rating,
    Report,
    Verdict,
)


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
        "retention_days": settings.FACTCHECK_EMAIL_RETENTION_DAYS,
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
