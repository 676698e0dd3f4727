"""The newsroom dashboard for staff: server-rendered SVG charts with their numbers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from claims import services, stats
from claims.access import staff_view


@staff_view("claims.view_dashboard")
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    coverage = stats.archive_coverage()
    charts = [
        # id, title, what each bar is, what it counts, the bars
        (
            "waiting",
            _("Reports waiting, by age"),
            _("waiting"),
            _("reports"),
            stats.reports_waiting_by_age(),
        ),
        (
            "resolve",
            _("Median hours to resolve a report, per week"),
            _("week of"),
            _("hours"),
            stats.median_hours_to_resolve_per_week(),
        ),
        (
            "verdicts",
            _("Published verdicts by rating"),
            _("rating"),
            _("verdicts"),
            stats.verdicts_by_rating(),
        ),
        ("sources", _("Sources by state"), _("state"), _("sources"), stats.sources_by_state()),
        (
            "archive",
            _("Copies of the sources of published claims"),
            _("copy"),
            _("citations"),
            stats.archive_coverage_bars(coverage),
        ),
        (
            "corrections",
            _("Corrections per month"),
            _("month"),
            _("corrections"),
            stats.corrections_per_month(),
        ),
    ]
    context = {
        "charts": [
            {"id": key, "title": title, "each": each, "unit": unit, "chart": stats.bar_chart(bars)}
            for key, title, each, unit, bars in charts
        ],
        "dead_sources": stats.newest_dead_sources(),
        "coverage": coverage,
        "opendata": services.opendata_freshness(),
    }
    return render(request, "dashboard.html", context)
