"""Reader reports in the admin: the moderators' console. Reports change state through
the review queue and the actions here, never by editing the form. Reporters' names and
addresses are shown only to holders of ``claims.view_reporter_email``; everyone else sees
them masked."""

from __future__ import annotations

import csv

from django.conf import settings
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
        choices = [("blocked", _("Address blocked now"))]
        if request.user.has_perm("claims.view_reporter_email"):
            choices.append(("email", _("Left an email address")))
        return choices

    def queryset(self, request, queryset):
        if self.value() == "blocked":
            return queryset.filter(ip_hash__in=BlockedReporter.objects.active().values("ip_hash"))
        if self.value() == "email" and request.user.has_perm("claims.view_reporter_email"):
            return queryset.exclude(email="")
        return queryset


# The reporter's own fields: nobody without view_reporter_email may look them up,
# filter, order or search by them (?email__startswith=j would spell an address out).
REPORTER_FIELDS = frozenset({"email", "name", "ip_hash", "email_consent"})
# Lookups that run a pattern the user wrote: never from the query string (a bad
# pattern errors in the database; a slow one ties it up).
PATTERN_LOOKUPS = frozenset({"regex", "iregex", "search", "trigram_similar", "unaccent"})


def lookup_refused(lookup: str, *, may_see_reporter: bool) -> bool:
    parts = lookup.split("__")
    if PATTERN_LOOKUPS.intersection(parts):
        return True
    return not may_see_reporter and bool(REPORTER_FIELDS.intersection(parts))


def csv_safe(value) -> str:
    """A CSV cell that cannot run as a formula in a spreadsheet: a cell that starts
    like one (=, +, -, @, a tab or a carriage return) is quoted with an apostrophe.
    Every cell goes through it, the newsroom's fields too (an article title)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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

    # What a moderator scans at 1280 px: state, when it came in, the article, what the
    # reader wrote and who (masked), each column kept narrow (see admin.css).
    list_display = [
        "reference_short",
        "state",
        "created_at",
        "article_short",
        "message_excerpt",
        "reporter_masked",
        "assignee",
    ]
    list_display_links = ["reference_short"]
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
    actions = ["release_blocked", "mark_spam", "mark_not_spam", "block_reporters", "export_csv"]
    change_list_template = "admin/claims/report/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False  # readers file reports through the public form

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the record of what readers said stays; personal data is erased

    def lookup_allowed(self, lookup, value, request=None):
        may_see = bool(request and request.user.has_perm("claims.view_reporter_email"))
        if lookup_refused(lookup, may_see_reporter=may_see):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_ordering(self, request):
        return ["-created_at", "-id"]

    @admin.display(description=_("reference"), ordering="reference")
    def reference_short(self, obj) -> str:
        return obj.reference[:8]

    @admin.display(description=_("article"), ordering="article__title")
    def article_short(self, obj) -> str:
        title = obj.article.title
        return title if len(title) <= 48 else title[:47].rstrip() + "…"

    @admin.display(description=_("what is wrong"))
    def message_excerpt(self, obj) -> str:
        return obj.message_excerpt

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
            ngettext(
                "%(n)s of %(total)s report marked as spam. Accepted reports and "
                "duplicates keep their state.",
                "%(n)s of %(total)s reports marked as spam. Accepted reports and "
                "duplicates keep their state.",
                len(ids),
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
            ngettext(
                "%(n)s report put back in the queue.", "%(n)s reports put back in the queue.", n
            )
            % {"n": n},
            messages.SUCCESS,
        )

    @admin.action(permissions=["block_reporter"], description=_("Release from the blocked list"))
    def release_blocked(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        n = services.reports_release_blocked(ids=ids, user=request.user)
        self.message_user(
            request,
            ngettext(
                "%(n)d report released into the queue.",
                "%(n)d reports released into the queue.",
                n,
            )
            % {"n": n},
            messages.SUCCESS,
        )

    @admin.action(permissions=["block_reporter"], description=_("Block the reporters"))
    def block_reporters(self, request, queryset):
        """Two steps: first what each address was used for lately (a shared network
        blocks many readers at once), then, confirmed, the block."""
        from django.template.response import TemplateResponse

        hashes = sorted(set(queryset.exclude(ip_hash="").values_list("ip_hash", flat=True)))
        if request.POST.get("confirm") != "yes":
            summaries = [services.reporter_address_summary(ip_hash=h) for h in hashes]
            context = {
                **self.admin_site.each_context(request),
                "title": _("Block these reporters?"),
                "opts": self.model._meta,
                "summaries": summaries,
                "queryset": queryset,
                "action": "block_reporters",
                "days": settings.FACTCHECK_BLOCK_DAYS,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/claims/report/block_confirm.html", context)
        held = sum(
            services.reporter_block(
                ip_hash=hashed, user=request.user, reason="blocked by a moderator"
            )
            for hashed in hashes
        )
        self.message_user(
            request,
            ngettext(
                "%(n)d reporter blocked for %(days)d days; %(held)d waiting reports held.",
                "%(n)d reporters blocked for %(days)d days; %(held)d waiting reports held.",
                len(hashes),
            )
            % {"n": len(hashes), "held": held, "days": settings.FACTCHECK_BLOCK_DAYS},
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
        value = value.title
    elif column == "paragraph":
        value = value.anchor if value else ""
    elif column == "evidence_urls":
        value = " ".join(value)
    return csv_safe(value)


@admin.register(BlockedReporter)
class BlockedReporterAdmin(admin.ModelAdmin):
    """Blocked addresses (by hash): when each block ends, and what the address was used
    for lately. Reports held by a block are in the report list, filter "Held: address
    blocked", where moderators release them."""

    list_display = ["__str__", "reason_shown", "blocked_by", "created_at", "expires_at", "active"]
    search_fields = ["reason"]
    list_filter = ["blocked_by"]
    date_hierarchy = "created_at"
    list_select_related = ["blocked_by"]
    readonly_fields = ["ip_hash", "blocked_by", "created_at", "address_summary"]
    fields = ["ip_hash", "reason", "blocked_by", "created_at", "expires_at", "address_summary"]
    actions = ["lift"]

    def has_add_permission(self, request):
        return False  # blocked from a report: only the hash of its IP is known

    @admin.display(description=_("reason"), ordering="reason")
    def reason_shown(self, obj) -> str:
        return block_reason(obj.reason)

    @admin.display(description=_("active"), boolean=True)
    def active(self, obj) -> bool:
        return obj.is_active

    @admin.display(description=_("used lately"))
    def address_summary(self, obj) -> str:
        summary = services.reporter_address_summary(ip_hash=obj.ip_hash)
        return address_summary_text(summary)

    @admin.action(permissions=["change"], description=_("Lift the block now"))
    def lift(self, request, queryset):
        n = sum(
            services.reporter_unblock(ip_hash=h, user=request.user)
            for h in queryset.values_list("ip_hash", flat=True)
        )
        self.message_user(
            request,
            ngettext("%(n)d block lifted.", "%(n)d blocks lifted.", n) % {"n": n},
            messages.SUCCESS,
        )


def block_reason(reason: str) -> str:
    """A block's reason in the page's language (services write it in English)."""
    import re

    match = re.fullmatch(r"report (\d+)", reason or "")
    if match:
        return _("from report #%(pk)s") % {"pk": match.group(1)}
    if reason in ("admin", "blocked by a moderator"):
        return str(_("blocked by a moderator"))
    return reason


def address_summary_text(summary) -> str:
    """What one address was used for lately, in a moderator's words."""
    return (
        ngettext(
            "%(reports)d report in the last %(days)d days",
            "%(reports)d reports in the last %(days)d days",
            summary.reports,
        )
        % {"reports": summary.reports, "days": summary.days}
        + ": "
        + ngettext(
            "%(n)d reporter who left a name or address",
            "%(n)d different reporters who left a name or address",
            summary.reporters,
        )
        % {"n": summary.reporters}
        + ", "
        + ngettext("%(n)d report without", "%(n)d reports without", summary.anonymous)
        % {"n": summary.anonymous}
    )


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
