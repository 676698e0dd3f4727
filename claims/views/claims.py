"""Claims: the public claim pages, the searchable claims index and the ClaimReview feed;
and the editor desk (articles → claims → sources → verdicts), for staff only.

Each desk view serves a whole page or, for htmx, the partial that changed (one template
per page, ``{% partialdef %}`` per region). Routine actions (accept a suggestion, cite a
source, save or approve a verdict, assign) never reload the page; without JavaScript the
same forms post and redirect back. Writes go through services, which also enforce the
object-level rules (an editor cannot approve their own verdict change).
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from claims import services
from claims.access import staff_view
from claims.forms.claims import (
    AppearanceForm,
    AssignForm,
    CitationForm,
    ClaimFilterForm,
    ClaimForm,
    ClaimFromSelectionForm,
    SuggestionAcceptForm,
    VerdictForm,
)
from claims.models import (
    Article,
    Citation,
    Claim,
    ClaimMatch,
    ClaimSuggestion,
    ExternalReview,
    Notification,
    Rating,
    Verdict,
)
from claims.text.links import site_url

# --- For readers ---------------------------------------------------------------------------


log = logging.getLogger(__name__)


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
    citations = list(claim.citations.select_related("source").with_evidence())
    elsewhere = list(ExternalReview.objects.filter(claim=claim).select_related("rating"))
    claim.published_verdicts = [verdict] if verdict else []
    claim.ordered_appearances = appearances
    claim.evidence_citations = citations
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
    template = "claims/claims_index.html"
    if request.htmx:
        template += "#claim-results"
    context = {"form": form, "page": page}
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


# --- The editor desk -----------------------------------------------------------------------


User = get_user_model()


def _partial(request: HttpRequest, template: str, name: str, context: dict) -> HttpResponse:
    return render(request, f"{template}#{name}" if request.htmx else template, context)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("You may not do that.")


# --- The desk's front page ------------------------------------------------------------


@staff_view("claims.change_claim")
@require_GET
def desk_index(request: HttpRequest) -> HttpResponse:
    """Claims by state and assignee; recent articles with their open suggestions."""
    status = request.GET.get("status", "")
    assignee = request.GET.get("assignee", "")
    claims = Claim.objects.select_related("assignee").order_by("-updated_at", "-id")
    if status == Claim.Status.IN_REVIEW:
        claims = claims.in_review()
    elif status in Claim.Status.values:
        claims = claims.filter(status=status)
    if assignee == "me":
        claims = claims.filter(assignee=request.user)
    elif assignee == "none":
        claims = claims.filter(assignee__isnull=True)
    elif assignee.isdigit() and int(assignee) < 2**63:  # a bigger number is nobody
        claims = claims.filter(assignee_id=int(assignee))
    if request.GET.get("q"):
        claims = claims.search(request.GET["q"])
    claims = claims.prefetch_related(
        Prefetch(
            "verdicts",
            queryset=Verdict.objects.exclude(status=Verdict.Status.SUPERSEDED).select_related(
                "rating"
            ),
            to_attr="open_verdicts",
        )
    )
    page = Paginator(claims, 30).get_page(request.GET.get("page"))
    template = "claims/desk/index.html"
    if request.htmx:
        return render(request, template + "#desk-claims", {"page": page})
    articles = Article.objects.annotate(
        claim_count=Count("appearances__claim", distinct=True),
        open_suggestions=Count(
            "suggestions", filter=Q(suggestions__status=ClaimSuggestion.Status.NEW), distinct=True
        ),
    ).order_by("-published_at", "-id")[:20]
    counts = dict(
        Claim.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    counts[Claim.Status.IN_REVIEW] = Claim.objects.in_review().count()
    context = {
        "page": page,
        "articles": articles,
        "statuses": [(value, label, counts.get(value, 0)) for value, label in Claim.Status.choices],
        "status": status,
        "assignee": assignee,
        "editors": AssignForm().fields["assignee"].queryset,
        "notifications": Notification.objects.filter(
            recipient=request.user, read_at__isnull=True
        ).select_related("claim")[:20],
    }
    return render(request, template, context)


@staff_view("claims.change_claim")
@require_POST
def desk_notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    Notification.objects.filter(pk=pk, recipient=request.user).update(read_at=timezone.now())
    if request.htmx:
        return HttpResponse("")
    return redirect("claims:desk")


# --- An article: suggestions and claims from selected text ----------------------------


def _article_desk_context(article: Article, **extra) -> dict:
    paragraphs = list(article.paragraphs.all())
    suggestions = list(article.suggestions.select_related("paragraph", "claim"))
    spans: dict[int, list] = {}
    for suggestion in suggestions:
        if suggestion.status == ClaimSuggestion.Status.NEW:
            spans.setdefault(suggestion.paragraph_id, []).append(suggestion)
    for paragraph in paragraphs:
        paragraph.claim_spans = spans.get(paragraph.pk, [])
    claims = list(
        Claim.objects.filter(appearances__article=article)
        .distinct()
        .select_related("assignee")
        .order_by("-created_at", "-id")
    )
    return {
        "article": article,
        "paragraphs": paragraphs,
        "suggestions": [s for s in suggestions if s.status == ClaimSuggestion.Status.NEW],
        "handled": [s for s in suggestions if s.status != ClaimSuggestion.Status.NEW],
        "claims": claims,
        "form": ClaimFromSelectionForm(article=article),
        "revisions": list(article.revisions.values("number")),
        **extra,
    }


@staff_view("claims.add_claim")
@require_http_methods(["GET", "POST"])
def desk_article(request: HttpRequest, slug: str) -> HttpResponse:
    """The article as editors work on it: select text to make a claim, or take a
    suggestion. POST recomputes the suggestions."""
    article = get_object_or_404(Article, slug=slug)
    if request.method == "POST":
        added = services.article_suggest(article=article)
        messages.info(request, _("%(n)s new suggestion(s).") % {"n": added})
        return redirect("claims:desk_article", slug=article.slug)
    return render(request, "claims/desk/article.html", _article_desk_context(article))


@staff_view("claims.add_claim")
@require_POST
def desk_claim_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A claim from the text the editor selected. A claim that is already tracked gets
    this span as another appearance instead."""
    article = get_object_or_404(Article, slug=slug)
    form = ClaimFromSelectionForm(request.POST, article=article)
    template = "claims/desk/article.html"
    if not form.is_valid():
        context = _article_desk_context(article, form=form, selection_open=True)
        return _partial(request, template, "claim-create", context)
    data = form.cleaned_data
    created = services.claim_create(
        text=data["text"],
        article=article,
        paragraph=form.paragraph_obj,
        quote=data["quote"],
        start=data.get("start"),
        claimant=data["claimant"],
        claim_date=data["claim_date"]
        or (article.published_at.date() if article.published_at else None),
        language=article.language,
        created_by=request.user,
        match=True,
    )
    if not request.htmx:
        return redirect(created.claim.get_desk_url())
    context = _article_desk_context(article, created=created.claim, tracked=created.linked)
    response = render(request, template + "#article-claims", context)
    response["HX-Trigger"] = "claim-created"
    return response


@staff_view("claims.add_claim")
@require_POST
def desk_suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept (optionally reworded) or dismiss a suggestion."""
    suggestion = get_object_or_404(ClaimSuggestion.objects.select_related("article"), pk=pk)
    article = suggestion.article
    error = ""
    if request.POST.get("action") == "dismiss":
        services.suggestion_dismiss(suggestion=suggestion, user=request.user)
    else:
        form = SuggestionAcceptForm(request.POST)
        if form.is_valid():
            try:
                services.suggestion_accept(
                    suggestion=suggestion,
                    user=request.user,
                    text=form.cleaned_data["text"],
                    claimant=form.cleaned_data["claimant"],
                )
            except ValidationError as exc:
                error = _error_text(exc)
        else:
            error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("claims:desk_article", slug=article.slug)
    context = _article_desk_context(article, suggestion_error=error)
    return render(request, "claims/desk/article.html#article-work", context)


# --- A claim --------------------------------------------------------------------------


def _claim_for_desk(pk: int) -> Claim:
    return get_object_or_404(Claim.objects.select_related("assignee", "created_by"), pk=pk)


def _claim_context(request: HttpRequest, claim: Claim, **extra) -> dict:
    draft = services.verdict_draft_for(claim)
    published = claim.verdicts.published().select_related("rating", "author", "approved_by").first()
    verdict_form = extra.pop("verdict_form", None)
    if verdict_form is None:
        initial = {}
        base = draft or published
        if base is not None:
            initial = {
                "rating": base.rating_id if base.rating.scale.is_active else None,
                "summary": base.summary,
                "explanation": base.explanation,
                "citations": list(base.citations.values_list("pk", flat=True)),
            }
        verdict_form = VerdictForm(initial=initial, claim=claim)
    history = sorted(
        [*claim.history.select_related("history_user")[:50], *_verdict_history(claim)],
        key=lambda h: h.history_date,
        reverse=True,
    )
    return {
        "claim": claim,
        "claim_form": extra.pop("claim_form", None) or ClaimForm(instance=claim),
        "appearances": claim.appearances.select_related("article", "paragraph"),
        "appearance_form": extra.pop("appearance_form", None) or AppearanceForm(),
        "citations": claim.citations.select_related("source"),
        "citation_form": extra.pop("citation_form", None) or CitationForm(),
        "draft": draft,
        "published": published,
        "can_publish": bool(draft) and services.verdict_can_publish(draft, request.user),
        "source_warnings": services.verdict_source_warnings(draft) if draft else [],
        "comparison": services.verdict_comparison(draft, published) if draft else [],
        "verdict_form": verdict_form,
        "assign_form": AssignForm(initial={"assignee": claim.assignee_id}),
        "matches": claim.matches.filter(status=ClaimMatch.Status.SUGGESTED).select_related(
            "other_claim", "external_review"
        ),
        "elsewhere": claim.external_reviews.all(),
        "history": history[:60],
        **extra,
    }


def _verdict_history(claim: Claim) -> list:
    return list(
        Verdict.history.filter(claim_id=claim.pk)
        .select_related("history_user", "rating")
        .order_by("-history_date")[:50]
    )


@staff_view("claims.change_claim")
@require_http_methods(["GET", "POST"])
def desk_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim as editors work on it; POST edits claimant, date, wording, language."""
    claim = _claim_for_desk(pk)
    template = "claims/desk/claim.html"
    if request.method == "GET":
        if request.htmx and request.GET.get("panel") == "verdict-citations":
            # The sources changed: the verdict form offers the new list, ticks kept.
            initial = {"citations": request.GET.getlist("citations")}
            form = VerdictForm(initial=initial, claim=claim)
            return render(
                request, template + "#verdict-citations", {"claim": claim, "verdict_form": form}
            )
        return render(request, template, _claim_context(request, claim))
    form = ClaimForm(request.POST, instance=Claim.objects.get(pk=claim.pk))
    saved = False
    if form.is_valid():
        services.claim_update(
            claim=claim,
            user=request.user,
            **{name: form.cleaned_data[name] for name in ClaimForm.Meta.fields},
        )
        saved = True
        if not request.htmx:
            return redirect(claim.get_desk_url())
        form = ClaimForm(instance=claim)
    context = _claim_context(request, claim, claim_form=form, claim_saved=saved)
    return _partial(request, template, "claim-fields", context)


@staff_view("claims.change_claim")
@require_POST
def desk_claim_assign(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_for_desk(pk)
    form = AssignForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.claim_assign(
                claim=claim, assignee=form.cleaned_data["assignee"], user=request.user
            )
        except ValidationError as exc:
            error = _error_text(exc)
    else:
        error = _("Choose an editor.")
    if not request.htmx:
        return redirect(claim.get_desk_url())
    context = _claim_context(request, claim, assign_error=error, assign_saved=not error)
    return render(request, "claims/desk/claim.html#assignment", context)


@staff_view("claims.add_claimappearance")
@require_POST
def desk_appearances(request: HttpRequest, pk: int) -> HttpResponse:
    """Record another place the claim was made, outside the newsroom's articles."""
    claim = _claim_for_desk(pk)
    form = AppearanceForm(request.POST)
    if form.is_valid():
        services.appearance_add(
            claim=claim, url=form.cleaned_data["url"], appeared_at=form.cleaned_data["appeared_at"]
        )
        if not request.htmx:
            return redirect(claim.get_desk_url())
        form = None
    context = _claim_context(request, claim, appearance_form=form)
    return _partial(request, "claims/desk/claim.html", "appearances", context)


@staff_view("claims.add_citation")
@require_POST
def desk_citations(request: HttpRequest, pk: int) -> HttpResponse:
    """Cite a source for the claim, with the passage it relies on."""
    claim = _claim_for_desk(pk)
    form = CitationForm(request.POST)
    if form.is_valid():
        services.citation_add(
            claim=claim,
            source=form.cleaned_data["source"],
            url=form.cleaned_data["url"],
            quote=form.cleaned_data["quote"],
            user=request.user,
        )
        if not request.htmx:
            return redirect(claim.get_desk_url())
        form = None
    context = _claim_context(request, claim, citation_form=form)
    response = _partial(request, "claims/desk/claim.html", "claim-sources", context)
    if form is None:
        response["HX-Trigger"] = "sources-changed"
    return response


@staff_view("claims.change_citation")
@require_POST
def desk_citation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    citation = get_object_or_404(
        Citation.objects.select_related("claim"), pk=pk, claim__isnull=False
    )
    claim = citation.claim
    error = ""
    try:
        services.citation_remove(citation=citation, user=request.user)
    except ValidationError as exc:
        error = _error_text(exc)
    if not request.htmx:
        return redirect(claim.get_desk_url())
    context = _claim_context(request, claim, citation_error=error)
    response = render(request, "claims/desk/claim.html#claim-sources", context)
    response["HX-Trigger"] = "sources-changed"
    return response


@staff_view("claims.add_verdict")
@require_POST
def desk_verdict(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the draft verdict, and with ``action=submit`` send it for review."""
    claim = _claim_for_desk(pk)
    form = VerdictForm(request.POST, claim=claim)
    context_extra: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.verdict_save(
                claim=claim,
                rating=data["rating"],
                summary=data["summary"],
                explanation=data["explanation"],
                citations=data["citations"],
                author=request.user,
                submit=request.POST.get("action") == "submit",
            )
            context_extra["verdict_saved"] = True
        except (ValidationError, PermissionDenied) as exc:
            context_extra["verdict_error"] = _error_text(exc)
            context_extra["verdict_form"] = form
    else:
        context_extra["verdict_form"] = form
    claim.refresh_from_db()
    if not request.htmx:
        return redirect(claim.get_desk_url())
    context = _claim_context(request, claim, **context_extra)
    return render(request, "claims/desk/claim.html#verdict-panel", context)


@staff_view("claims.publish_verdict")
@require_POST
def desk_verdict_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish (approve) a verdict in review, or send it back with a note."""
    verdict = get_object_or_404(Verdict.objects.select_related("claim"), pk=pk)
    claim = verdict.claim
    extra: dict = {}
    try:
        if request.POST.get("action") == "return":
            services.verdict_return(
                verdict=verdict, user=request.user, note=request.POST.get("note", "")[:200]
            )
        else:
            services.verdict_approve(
                verdict=verdict, user=request.user, seen=request.POST.get("seen", "")
            )
            extra["verdict_published"] = True
    except (ValidationError, PermissionDenied) as exc:
        extra["verdict_error"] = _error_text(exc)
    claim.refresh_from_db()
    if not request.htmx:
        if "verdict_error" in extra:
            messages.error(request, extra["verdict_error"])
        elif extra.get("verdict_published"):
            messages.success(request, _("The verdict is published."))
        return redirect(f"{claim.get_desk_url()}#verdict-panel")
    return render(
        request, "claims/desk/claim.html#verdict-panel", _claim_context(request, claim, **extra)
    )


@staff_view("claims.change_claim")
@require_POST
def desk_match(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor's answer to "possibly the same claim"."""
    match = get_object_or_404(ClaimMatch.objects.select_related("claim", "other_claim"), pk=pk)
    claim = match.claim
    same = request.POST.get("action") == "same"
    try:
        services.claim_match_decide(match=match, same=same, user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    if not Claim.objects.filter(pk=claim.pk).exists():  # merged into the other claim
        target = match.other_claim.get_desk_url()
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    if not request.htmx:
        return redirect(claim.get_desk_url())
    return render(request, "claims/desk/claim.html#claim-matches", _claim_context(request, claim))


# --- A claim's Atom feed ----------------------------------------------------------------


class ClaimAtomFeed(Feed):
    """One claim's verdicts (the current one and those it replaced) and its corrections,
    newest first: what a reader who follows it in a feed reader wants to hear of."""

    feed_type = Atom1Feed

    def get_object(self, request, slug: str) -> Claim:
        return get_object_or_404(Claim.objects.public(), slug=slug)

    def title(self, claim: Claim) -> str:
        return _("Claim: %(claim)s") % {"claim": claim.text[:150]}

    def subtitle(self, claim: Claim) -> str:
        return _("Verdicts and corrections on this claim, newest first.")

    def link(self, claim: Claim) -> str:
        return claim.get_absolute_url()

    def items(self, claim: Claim) -> list:
        verdicts = claim.verdicts.filter(
            status__in=[Verdict.Status.PUBLISHED, Verdict.Status.SUPERSEDED]
        ).select_related("rating")
        corrections = claim.corrections.filter(article__status=Article.Status.PUBLISHED)
        items = [*verdicts, *corrections.select_related("article")]
        return sorted(items, key=lambda item: (item.published_at, item.pk), reverse=True)[:50]

    def item_title(self, item) -> str:
        if isinstance(item, Verdict):
            return _("Verdict: %(rating)s") % {"rating": item.rating.label}
        return f"{item.get_kind_display()}: {item.article.title}"

    def item_description(self, item) -> str:
        text = item.summary if isinstance(item, Verdict) else services.correction_plain_text(item)
        return linebreaksbr(text, autoescape=True)

    def item_link(self, item) -> str:
        if isinstance(item, Verdict):
            return f"{item.claim.get_absolute_url()}#verdict-{item.pk}"
        return item.get_absolute_url()

    def item_guid(self, item) -> str:
        return site_url(self.item_link(item))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at
