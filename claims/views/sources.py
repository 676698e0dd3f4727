"""The editors' source desk: find sources, attach or change a URL, fetch now, and watch
the state change live (htmx polling that stops with 286 when the fetch is done)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from claims import services
from claims.access import staff_view
from claims.forms.sources import SourceUrlForm
from claims.models import Memento, Snapshot, Source

TEMPLATE = "sources/source_detail.html"
POLL_DONE = 286  # htmx stops polling on this status


@staff_view("claims.fetch_source")
@require_GET
def source_list(request: HttpRequest) -> HttpResponse:
    sources = Source.objects.order_by("title", "id")
    state = request.GET.get("state", "")
    if state in Source.State.values:
        sources = sources.filter(state=state)
    query = request.GET.get("q", "").strip()[:200]
    if query:
        sources = sources.filter(
            Q(title__icontains=query) | Q(url__icontains=query) | Q(publisher__icontains=query)
        )
    page = Paginator(_with_copies(sources), 50).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "q": query, "states": Source.State.choices}
    return render(request, "sources/source_list.html", context)


def _with_copies(sources):
    """Each source with its number of captures and its newest archive request, in the
    same query (the list's query count stays fixed)."""
    captures = (
        Snapshot.objects.captures()
        .filter(source=OuterRef("pk"))
        .order_by()
        .values("source")
        .annotate(n=Count("pk"))
        .values("n")
    )
    newest = Memento.objects.filter(source=OuterRef("pk")).order_by("-created_at", "-id")
    return sources.annotate(
        capture_count=Subquery(captures),
        memento_state=Subquery(newest.values("state")[:1]),
        memento_error=Subquery(newest.values("error_code")[:1]),
        memento_at=Subquery(newest.values("memento_at")[:1]),
    )


def _detail_context(source: Source, **extra) -> dict:
    mementos = list(source.mementos.all()[:20])
    return {
        "source": source,
        "citations": source.citations.select_related("article", "claim"),
        "snapshots": source.snapshots.select_related("text")[:10],
        "captures": list(source.snapshots.captures().select_related("warc_revisit_of")[:20]),
        "mementos": mementos,
        "archive_on": services.archive_enabled(),
        "memento_open": any(memento.is_open for memento in mementos),
        "form": SourceUrlForm(initial={"url": source.url}),
        **extra,
    }


@staff_view("claims.fetch_source")
@require_GET
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=pk)
    if request.htmx and request.htmx.target == "source-state":
        status = 200 if source.is_busy else POLL_DONE
        return render(request, f"{TEMPLATE}#source-state", {"source": source}, status=status)
    return render(request, TEMPLATE, _detail_context(source))


@staff_view("claims.fetch_source")
@require_POST
def source_fetch(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=pk)
    services.source_fetch_now(source=source)
    source.refresh_from_db()
    if request.htmx:
        return render(request, f"{TEMPLATE}#source-state", {"source": source})
    return redirect("claims:source", pk=source.pk)


@staff_view("claims.fetch_source", "claims.change_source")
@require_POST
def source_url(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=pk)
    form = SourceUrlForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return render(request, f"{TEMPLATE}#url-form", {"source": source, "form": form})
        return render(request, TEMPLATE, _detail_context(source, form=form))
    kept = services.source_url_set(source=source, url=form.cleaned_data["url"])
    target = redirect("claims:source", pk=kept.pk)
    if request.htmx:
        return HttpResponseClientRedirect(target.url)
    return target
