"""The newsroom dashboard's figures: each is one query, whatever the number of rows."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from claims.models import Correction, Report, Source, Verdict

OPEN = [Report.State.NEW, Report.State.IN_REVIEW]
AGE_BUCKETS = [
    ("lt_1h", _("under an hour"), timedelta(hours=1)),
    ("lt_1d", _("1 to 24 hours"), timedelta(days=1)),
    ("lt_7d", _("1 to 7 days"), timedelta(days=7)),
    ("older", _("over a week"), None),
]


@dataclass
class Bar:
    label: str
    value: float | None  # None: nothing to measure (no bar; the table says so)
    color: str = "#0b5cad"
    short: str = ""  # under the bar, where the full label would not fit


def reports_waiting_by_age(now=None) -> list[Bar]:
    now = now or timezone.now()
    counts, lower = {}, None
    for key, _label, upper in AGE_BUCKETS:
        cond = Q()
        if upper is not None:
            cond &= Q(created_at__gt=now - upper)
        if lower is not None:
            cond &= Q(created_at__lte=now - lower)
        counts[key] = Count("pk", filter=cond)
        lower = upper
    row = Report.objects.filter(state__in=OPEN).aggregate(**counts)
    return [Bar(str(label), row[key]) for key, label, _upper in AGE_BUCKETS]


def median_hours_to_resolve_per_week(weeks: int = 12, now=None) -> list[Bar]:
    now = now or timezone.now()
    start = (now - timedelta(weeks=weeks - 1)).date()
    start -= timedelta(days=start.weekday())  # Monday
    rows = Report.objects.filter(
        resolved_at__date__gte=start, state__in=[Report.State.ACCEPTED, Report.State.REJECTED]
    ).values_list("created_at", "resolved_at")
    by_week: dict = {}
    for created, resolved in rows:
        monday = timezone.localdate(resolved) - timedelta(
            days=timezone.localdate(resolved).weekday()
        )
        by_week.setdefault(monday, []).append((resolved - created).total_seconds() / 3600)
    bars = []
    for n in range(weeks):
        monday = start + timedelta(weeks=n)
        hours = by_week.get(monday)
        bars.append(
            Bar(
                date_format(monday, "j F Y"),
                round(statistics.median(hours), 1) if hours else None,
                short=date_format(monday, "j M"),
            )
        )
    return bars


def verdicts_by_rating() -> list[Bar]:
    rows = (
        Verdict.objects.published()
        .values("rating__label_nl", "rating__label_en", "rating__color", "rating__value")
        .annotate(n=Count("pk"))
        .order_by("-rating__value", "rating__label_nl")
    )
    from django.utils.translation import get_language

    english = get_language() == "en"
    return [
        Bar(r["rating__label_en"] if english else r["rating__label_nl"], r["n"], r["rating__color"])
        for r in rows
    ]


# The four states of a checked source, then the two that still need work: a source
# without a URL cannot be watched, and one waiting (or being fetched) is not checked yet.
SOURCE_BARS = [  # label, colour, states, short label under the bar
    (Source.State.LIVE.label, "#1f7a3a", [Source.State.LIVE], ""),
    (Source.State.FAILING.label, "#8a5a00", [Source.State.FAILING], ""),
    (Source.State.DEAD.label, "#b3261e", [Source.State.DEAD], ""),
    (Source.State.CHANGED.label, "#6a3d9a", [Source.State.CHANGED], ""),
    (Source.State.NEEDS_URL.label, "#6b6b6b", [Source.State.NEEDS_URL], _("no URL")),
    (
        _("Not checked yet"),
        "#9a9a9a",
        [Source.State.WAITING, Source.State.FETCHING],
        _("not yet"),
    ),
]


def sources_by_state() -> list[Bar]:
    counts = dict(
        Source.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    return [
        Bar(str(label), sum(counts.get(state, 0) for state in states), color, str(short))
        for label, color, states, short in SOURCE_BARS
    ]


def newest_dead_sources(limit: int = 5) -> list[Source]:
    return list(
        Source.objects.filter(state=Source.State.DEAD).order_by("-last_failed_at", "-pk")[:limit]
    )


def corrections_per_month(months: int = 12, now=None) -> list[Bar]:
    now = timezone.localtime(now or timezone.now())
    first = now.date().replace(day=1)
    for _month in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    counts = {
        row["month"].date() if hasattr(row["month"], "date") else row["month"]: row["n"]
        for row in Correction.objects.filter(published_at__date__gte=first)
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(n=Count("pk"))
    }
    bars, month = [], first
    for _month in range(months):
        bars.append(
            Bar(date_format(month, "F Y"), counts.get(month, 0), short=date_format(month, "M"))
        )
        month = (month + timedelta(days=32)).replace(day=1)
    return bars


@dataclass
class BarGeometry:
    label: str
    short: str
    value: float | None
    color: str
    x: float
    label_x: float
    y: float
    width: float
    height: float


def bar_chart(bars: list[Bar], *, width: int = 480, height: int = 160) -> dict:
    """Geometry for a server-rendered SVG bar chart (no chart service, no JavaScript)."""
    top = max((bar.value or 0 for bar in bars), default=0) or 1
    slot = width / max(len(bars), 1)
    plot = height - 20  # room for labels
    geometry = [
        BarGeometry(
            bar.label,
            bar.short or bar.label,
            bar.value,
            bar.color,
            x=round(n * slot + slot * 0.15, 1),
            label_x=round(n * slot + slot / 2, 1),
            y=round(plot - plot * (bar.value or 0) / top, 1),
            width=round(slot * 0.7, 1),
            height=round(plot * (bar.value or 0) / top, 1),
        )
        for n, bar in enumerate(bars)
    ]
    return {"bars": geometry, "width": width, "height": height, "label_y": height - 4}


@dataclass
class ArchiveCoverage:
    """Citations of public claims by the copy their source has."""

    total: int
    memento: int  # the web archive has a copy (whether or not we have one too)
    capture_only: int  # only our own WARC capture

    @property
    def none(self) -> int:
        return self.total - self.memento - self.capture_only


def archive_coverage() -> ArchiveCoverage:
    """One query: the citations of public claims, with a memento, with only our capture."""
    from django.db.models import Exists, OuterRef

    from claims.models import Citation, Claim, Memento, Snapshot

    has_memento = Exists(
        Memento.objects.filter(source=OuterRef("source"), state=Memento.State.ARCHIVED)
    )
    has_capture = Exists(Snapshot.objects.captures().filter(source=OuterRef("source")))
    row = (
        Citation.objects.filter(claim__in=Claim.objects.public())
        .annotate(has_memento=has_memento, has_capture=has_capture)
        .aggregate(
            total=Count("pk"),
            memento=Count("pk", filter=Q(has_memento=True)),
            capture_only=Count("pk", filter=Q(has_memento=False, has_capture=True)),
        )
    )
    return ArchiveCoverage(row["total"], row["memento"], row["capture_only"])


def archive_coverage_bars(coverage: ArchiveCoverage | None = None) -> list[Bar]:
    coverage = coverage or archive_coverage()
    return [
        Bar(str(_("In the web archive")), coverage.memento, "#1f7a3a", str(_("archive"))),
        Bar(str(_("Only our own copy")), coverage.capture_only, "#8a5a00", str(_("ours"))),
        Bar(str(_("No copy yet")), coverage.none, "#b3261e", str(_("none"))),
    ]
