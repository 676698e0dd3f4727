"""Reader reports in the admin: the moderators' console. Reports change state through
the review queue and the actions here, never by editing the form. Reporters' names and
addresses are shown only to holders of ``claims.view_reporter_email``; everyone else sees
them masked."""

from __future__ import annotations

import csv

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from claims import services
from claims.admin.common import HistoryAdmin, ReadOnly
from claims.models import (
    BlockedReporter,
    Correction,
    Report,
    ReportEmail,
)


def email_masked(email: str) -> str:
    """``jan@example.org`` as ``j•••@example.org``: enough to tell two reporters apart
    at a glance, not enough to write to them."""
    if not email:
        return ""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


class ReporterFilter(admin.SimpleListFilter):
    title = _("reporter")
    parameter_name = "reporter"

    def lookups(self, request, model_admin):
        return [("blocked", _("Blocked")), ("email", _("Left an email address"))]

    def queryset(self, request, queryset):
        if self.value() == "blocked":
            return queryset.filter(ip_hash__in=BlockedReporter.objects.values("ip_hash"))
        if self.value() == "email":
            return queryset.exclude(email="")
        return queryset


# The CSV export: no personal data unless the user may see reporters' addresses.
REPORT_CSV_FIELDS = [
    "reference",
    "created_at",
    "state",
    "article",
    "paragraph",
    "quote",
    "message",
    "suggestion",
    "evidence_urls",
    "language",
    "resolution",
    "resolved_at",
]
REPORT_CSV_PERSONAL = ["name", "email"]


@admin.register(Report)
class ReportAdmin(HistoryAdmin):
    """Reports change state through the review queue and these actions, never by
    editing the form, so every change keeps its history and its rules."""

    list_display = [
        "reference",
        "article",
        "state",
        "priority",
        "assignee",
        "reporter_masked",
        "created_at",
    ]
    list_filter = ["state", ReporterFilter, "language", "reject_reason"]
    date_hierarchy = "created_at"
    list_select_related = ["article", "assignee"]
    fields = [
        "reference",
        "article",
        "paragraph",
        "quote",
        "message",
        "suggestion",
        "evidence_urls",
        "reporter_masked",
        "email_consent",
        "language",
        "ip_hash",
        "state",
        "assignee",
        "duplicate_of",
        "reject_reason",
        "resolution",
        "info_request",
        "info_reply",
        "priority",
        "reviewer_note",
        "created_at",
        "resolved_at",
        "email_erased_at",
    ]
    readonly_fields = [name for name in fields if name != "reviewer_note"]
    search_fields = ["reference", "message"]  # and by address, for those who may see it
    actions = ["mark_spam", "mark_not_spam", "block_reporters", "export_csv"]
    change_list_template = "admin/claims/report/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False  # readers file reports through the public form

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the record of what readers said stays; personal data is erased

    def get_search_fields(self, request):
        # Searching by address would tell whoever may not see addresses that one exists.
        if request.user.has_perm("claims.view_reporter_email"):
            return [*self.search_fields, "email", "name"]
        return self.search_fields

    def get_list_display(self, request):
        return self._reporter_shown(request, self.list_display)

    def get_fields(self, request, obj=None):
        return self._reporter_shown(request, self.fields)

    def get_readonly_fields(self, request, obj=None):
        return self._reporter_shown(request, self.readonly_fields)

    @staticmethod
    def _reporter_shown(request, names: list[str]) -> list[str]:
        """The reporter in full for those who may see addresses, else masked."""
        if not request.user.has_perm("claims.view_reporter_email"):
            return list(names)
        return ["reporter_full" if name == "reporter_masked" else name for name in names]

    @admin.display(description=_("reporter"))
    def reporter_full(self, obj) -> str:
        if not (obj.name or obj.email):
            return "–"
        return f"{obj.name} <{obj.email}>" if obj.name else obj.email

    @admin.display(description=_("reporter"))
    def reporter_masked(self, obj) -> str:
        if not (obj.name or obj.email):
            return "–"
        return email_masked(obj.email) or "•••"

    def has_block_reporter_permission(self, request) -> bool:
        return request.user.has_perm("claims.block_reporter")

    @admin.action(permissions=["change"], description=_("Mark as spam"))
    def mark_spam(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        n = services.reports_mark_spam(ids=ids, user=request.user)
        self.message_user(
            request,
            _(
                "%(n)s of %(total)s reports marked as spam. Accepted reports and "
                "duplicates keep their state."
            )
            % {"n": n, "total": len(ids)},
            messages.SUCCESS,
        )

    @admin.action(permissions=["change"], description=_("Mark as not spam"))
    def mark_not_spam(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        n = services.reports_mark_not_spam(ids=ids, user=request.user)
        self.message_user(
            request,
            _("%(n)s reports put back in the queue.") % {"n": n},
            messages.SUCCESS,
        )

    @admin.action(permissions=["block_reporter"], description=_("Block the reporters"))
    def block_reporters(self, request, queryset):
        hashes = set(queryset.exclude(ip_hash="").values_list("ip_hash", flat=True))
        filed = sum(
            services.reporter_block(ip_hash=hashed, user=request.user, reason="admin")
            for hashed in hashes
        )
        self.message_user(
            request,
            ngettext(
                "%(n)d reporter blocked; %(filed)d waiting reports filed as spam.",
                "%(n)d reporters blocked; %(filed)d waiting reports filed as spam.",
                len(hashes),
            )
            % {"n": len(hashes), "filed": filed},
            messages.SUCCESS,
        )

    @admin.action(permissions=["view"], description=_("Export as CSV"))
    def export_csv(self, request, queryset):
        columns = list(REPORT_CSV_FIELDS)
        if request.user.has_perm("claims.view_reporter_email"):
            columns += REPORT_CSV_PERSONAL
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="reports-{stamp}.csv"'
        response.write("\ufeff")  # so spreadsheet programs read UTF-8
        writer = csv.writer(response)
        writer.writerow(columns)
        reports = queryset.select_related("article", "paragraph").order_by("created_at")
        for report in reports.iterator(chunk_size=500):
            writer.writerow([_csv_cell(report, column) for column in columns])
        return response

    def get_urls(self):
        from django.urls import path

        from claims.views.reports import reporter_data

        view = self.admin_site.admin_view(reporter_data)
        return [
            path("reporter-data/", view, name="claims_report_reporter_data"),
            *super().get_urls(),
        ]


def _csv_cell(report: Report, column: str) -> str:
    value = getattr(report, column)
    if column == "article":
        return value.title
    if column == "paragraph":
        return value.anchor if value else ""
    if column == "evidence_urls":
        return " ".join(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    # A cell that starts like a formula would run in a spreadsheet: quote it.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@admin.register(BlockedReporter)
class BlockedReporterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reason", "blocked_by", "created_at"]
    search_fields = ["ip_hash", "reason"]
    list_filter = ["blocked_by"]
    date_hierarchy = "created_at"
    list_select_related = ["blocked_by"]
    readonly_fields = ["ip_hash", "blocked_by", "created_at"]

    def has_add_permission(self, request):
        return False  # blocked from a report: only the hash of its IP is known


@admin.register(ReportEmail)
class ReportEmailAdmin(ReadOnly, admin.ModelAdmin):
    """The outbox, read-only: what went out, what waits, what failed and why."""

    list_display = ["report", "kind", "created_at", "attempts", "sent_at", "failed_at"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter), "failed_at"]
    search_fields = ["report__reference", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["report"]
    readonly_fields = [f.name for f in ReportEmail._meta.fields]


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article", "claim", "kind", "published_at"]
    list_filter = ["kind"]
    search_fields = ["text", "article__title"]
    date_hierarchy = "published_at"
    list_select_related = ["article", "claim"]
    autocomplete_fields = ["article", "claim", "amends", "reports"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
