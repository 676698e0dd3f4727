"""Evidence: our own capture page for readers (the captured text and its metadata, never
the captured HTML), and for staff a source's WARC, an article's WACZ and "archive now"."""

from __future__ import annotations

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from claims import services
from claims.access import staff_view, user_has_perms
from claims.models import Article, Memento, Snapshot, Source

STAFF_PERMISSION = "claims.fetch_source"


@require_GET
def capture_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One capture of a source: what we fetched, when, with what status and digest, and
    the text extracted from it. Readers see captures of sources that published work
    cites; staff see every capture."""
    captures = Snapshot.objects.select_related("source", "text", "warc_revisit_of")
    if user_has_perms(request.user, (STAFF_PERMISSION,)):
        captures = captures.captures()
    else:
        captures = captures.public()
    snapshot = get_object_or_404(captures, pk=pk)
    source = snapshot.source
    mementos = list(
        Memento.objects.filter(source=source, state=Memento.State.ARCHIVED).order_by("memento_at")
    )
    paragraphs = (snapshot.text.text if snapshot.text else "").splitlines()
    newer = source.snapshots.captures().filter(fetched_at__gt=snapshot.fetched_at)
    context = {
        "snapshot": snapshot,
        "source": source,
        "mementos": mementos,
        "paragraphs": [line for line in paragraphs if line.strip()],
        "newer": newer.exists(),
        "changed_since": newer.exclude(text_hash=snapshot.text_hash).exists(),
    }
    return render(request, "evidence/capture_detail.html", context)


@staff_view(STAFF_PERMISSION)
@require_GET
def source_warc(request: HttpRequest, pk: int) -> HttpResponse:
    """Every capture of the source as one WARC file (gzip members one after another)."""
    source = get_object_or_404(Source, pk=pk)
    if not services.source_warc_names(source=source):
        raise Http404(_("This source has no captures yet."))
    response = StreamingHttpResponse(
        services.source_warc_chunks(source=source), content_type="application/warc"
    )
    response["Content-Disposition"] = f'attachment; filename="source-{source.pk}.warc.gz"'
    return response


@staff_view(STAFF_PERMISSION)
@require_GET
def article_wacz(request: HttpRequest, slug: str) -> HttpResponse:
    """Every capture the article cites (itself or through its claims) as one WACZ."""
    article = get_object_or_404(Article, slug=slug)
    with services.article_wacz(article=article) as path:
        if path is None:
            raise Http404(_("Nothing this article cites has been captured yet."))
        # Opened before the temporary folder goes: the open file stays readable.
        handle = path.open("rb")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{article.slug}.wacz",
        content_type="application/wacz",
    )


@staff_view(STAFF_PERMISSION)
@require_POST
def source_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """An editor's "archive now": one request to the web archive (none while one is under
    way), sent after commit."""
    source = get_object_or_404(Source, pk=pk)
    if not services.archive_enabled():
        messages.error(request, _("Archiving is switched off on this site."))
    elif services.memento_request(source=source) is None:
        messages.error(request, _("This source has no URL to archive."))
    else:
        messages.success(request, _("The web archive will be asked for a copy."))
    return redirect("claims:source", pk=source.pk)
