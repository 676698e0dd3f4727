"""Sources, their snapshots and citations in the admin."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from claims import services
from claims.admin.common import HistoryAdmin, ReadOnly
from claims.models import (
    Citation,
    Snapshot,
    Source,
)


class DomainFilter(admin.SimpleListFilter):
    """The busiest domains only: a plain list filter on domain would list thousands."""

    title = _("domain")
    parameter_name = "domain"

    def lookups(self, request, model_admin):
        top = (
            Source.objects.exclude(domain="")
            .values("domain")
            .annotate(n=Count("id"))
            .order_by("-n", "domain")[:30]
        )
        return [(row["domain"], f"{row['domain']} ({row['n']})") for row in top]

    def queryset(self, request, queryset):
        return queryset.filter(domain=self.value()) if self.value() else queryset


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = [
        "__str__",
        "domain",
        "state",
        "last_status",
        "last_error",
        "last_checked_at",
        "next_check_at",
    ]
    list_filter = ["state", DomainFilter, "permanently_dead", "last_error"]
    search_fields = ["title", "publisher", "url", "domain"]
    # The URL is changed on the editors' source page (services.source_url_set), which
    # keeps one source per normalised URL and merges when needed; sources are created by
    # imports and citations, not here.
    readonly_fields = [
        "key",
        "url",
        "domain",
        "state",
        "lease_until",
        "enqueued_at",
        "next_check_at",
        "last_checked_at",
        "last_status",
        "final_url",
        "last_error",
        "failure_count",
        "first_failed_at",
        "last_failed_at",
        "permanently_dead",
    ]
    actions = ["fetch_now", "mark_permanently_dead"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request) -> bool:
        return False

    def has_fetch_permission(self, request) -> bool:
        return request.user.has_perm("claims.fetch_source")

    @admin.action(description=_("Fetch now"), permissions=["fetch"])
    def fetch_now(self, request, queryset):
        sent = services.sources_fetch_now(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(n)s sources sent to the fetch queue.") % {"n": len(sent)})

    @admin.action(description=_("Mark permanently dead"), permissions=["change"])
    def mark_permanently_dead(self, request, queryset):
        sources = list(queryset.exclude(url=""))
        for source in sources:
            services.source_mark_dead(source=source)
        self.message_user(
            request, _("%(n)s sources marked permanently dead.") % {"n": len(sources)}
        )


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["source", "fetched_at", "status_code", "error_code", "title", "warc_digest"]
    list_filter = ["error_code", "ok"]
    search_fields = ["source__url", "title"]
    list_select_related = ["source"]
    date_hierarchy = "fetched_at"
    exclude = ["text"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["extracted_text"]

    @admin.display(description=_("extracted text"))
    def extracted_text(self, obj):
        return obj.text.text if obj.text_id else ""


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ["source", "article", "claim", "quote_status", "quote_score"]
    list_filter = ["quote_status"]
    search_fields = ["source__title", "source__url", "quote"]
    list_select_related = ["source", "article", "claim"]
    autocomplete_fields = ["source", "article", "claim"]
