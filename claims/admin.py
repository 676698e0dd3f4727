"""The Django admin: moderators' console. Issue-specific actions live beside each model."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from claims.models import (
    Article,
    Citation,
    Claim,
    ClaimAppearance,
    Correction,
    Paragraph,
    Rating,
    RatingScale,
    RelatedLink,
    Report,
    Snapshot,
    Source,
    Verdict,
)


class ParagraphInline(admin.TabularInline):
    model = Paragraph
    extra = 0
    fields = ["position", "anchor", "text"]
    readonly_fields = ["anchor"]


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    fk_name = "article"
    extra = 0
    autocomplete_fields = ["target"]


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "byline", "status", "language", "published_at"]
    list_filter = ["status", "language"]
    search_fields = ["title", "byline"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["content_hash", "page_views"]
    inlines = [ParagraphInline, RelatedLinkInline]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "domain", "state", "last_status", "last_checked_at"]
    list_filter = ["state", "domain"]
    search_fields = ["title", "publisher", "url"]
    readonly_fields = ["key", "lease_until", "enqueued_at", "last_checked_at", "last_status"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["source", "fetched_at", "status_code", "error_code", "title"]
    list_filter = ["error_code", "ok"]
    list_select_related = ["source"]
    date_hierarchy = "fetched_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ["source", "article", "claim", "quote_status", "quote_score"]
    list_filter = ["quote_status"]
    list_select_related = ["source", "article", "claim"]
    autocomplete_fields = ["source", "article", "claim"]


class AppearanceInline(admin.TabularInline):
    model = ClaimAppearance
    extra = 0
    raw_id_fields = ["article", "paragraph"]


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "claimant", "status", "assignee", "created_at"]
    list_filter = ["status", "language"]
    search_fields = ["text", "claimant"]
    date_hierarchy = "created_at"
    inlines = [AppearanceInline]
    list_select_related = ["assignee"]


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0


@admin.register(RatingScale)
class RatingScaleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "version", "is_active", "created_at"]
    inlines = [RatingInline]


@admin.register(Verdict)
class VerdictAdmin(SimpleHistoryAdmin):
    list_display = ["claim", "rating", "status", "author", "published_at"]
    list_filter = ["status", "rating__scale"]
    list_select_related = ["claim", "rating", "author"]
    search_fields = ["summary", "claim__text"]


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "article", "state", "priority", "created_at"]
    list_filter = ["state", "language"]
    search_fields = ["reference", "message"]
    date_hierarchy = "created_at"
    list_select_related = ["article"]
    readonly_fields = ["reference", "ip_hash", "created_at"]


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article", "kind", "published_at"]
    list_filter = ["kind"]
    date_hierarchy = "published_at"
    list_select_related = ["article"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
