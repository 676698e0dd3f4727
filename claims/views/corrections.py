"""The public corrections log (HTML, filterable by type and month) and its RSS/Atom feeds."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from claims.models import Correction

PAGE_SIZE = 30


def corrections_filtered(params) -> tuple[object, dict]:
    """Published corrections, newest first, filtered by ``kind`` and ``month``
    (``YYYY-MM``, in the site's time zone). Unknown values are ignored."""
    corrections = Correction.objects.select_related("article", "claim", "amends").filter(
        article__status="published"
    )
    chosen = {"kind": "", "month": ""}
    kind = params.get("kind", "")
    if kind in Correction.Kind.values:
        corrections = corrections.filter(kind=kind)
        chosen["kind"] = kind
    month = params.get("month", "")
    year, _sep, number = month.partition("-")
    if year.isdigit() and number.isdigit() and 1 <= int(number) <= 12 and len(year) == 4:
        corrections = corrections.filter(
            published_at__year=int(year), published_at__month=int(number)
        )
        chosen["month"] = month
    return corrections.order_by("-published_at", "-id"), chosen


@require_GET
def correction_list(request: HttpRequest) -> HttpResponse:
    corrections, chosen = corrections_filtered(request.GET)
    page = Paginator(corrections, PAGE_SIZE).get_page(request.GET.get("page"))
    months = (
        Correction.objects.filter(article__status="published")
        .annotate(month=TruncMonth("published_at"))
        .values_list("month", flat=True)
        .distinct()
        .order_by("-month")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "chosen": chosen,
        "kinds": Correction.Kind.choices,
        "months": list(months),
        "query": query.urlencode(),
    }
    template = "claims/correction_list.html"
    if request.htmx and request.htmx.target == "correction-results":
        template += "#correction-results"
    return render(request, template, context)


class CorrectionsFeed(Feed):
    """RSS 2.0: the newest corrections, optionally of one type (``?kind=``)."""

    limit = 50

    def get_object(self, request, *args, **kwargs):
        # The feed instance serves every request: the filters travel as the "object".
        return request.GET.copy()

    def title(self) -> str:
        return _("%(site)s: corrections") % {"site": settings.SITE_NAME}

    def description(self) -> str:
        return _("Corrections, clarifications and changed verdicts, newest first.")

    def link(self) -> str:
        return reverse("claims:corrections")

    def items(self, params):
        corrections, _chosen = corrections_filtered(params)
        return corrections[: self.limit]

    def item_title(self, item: Correction) -> str:
        return f"{item.get_kind_display()}: {item.article.title}"

    def item_description(self, item: Correction) -> str:
        # RSS descriptions and Atom's type="html" summaries are HTML to the feed reader:
        # the text is escaped (and its lines kept) as on the corrections page.
        return linebreaksbr(item.text, autoescape=True)

    def item_link(self, item: Correction) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Correction) -> str:
        return f"{settings.SITE_URL.rstrip('/')}{item.get_absolute_url()}"

    def item_pubdate(self, item: Correction):
        return item.published_at

    def item_updateddate(self, item: Correction):
        return item.published_at

    def item_categories(self, item: Correction) -> list[str]:
        return [item.get_kind_display()]


class CorrectionsAtomFeed(CorrectionsFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()
