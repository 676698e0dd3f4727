"""The Django admin: moderators' console. Issue-specific actions live beside each model."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from claims import services
from claims.models import (
    Article,
    BlockedReporter,
    Citation,
    Claim,
    ClaimAppearance,
    Correction,
    Paragraph,
    Rating,
    RatingScale,
    RelatedLink,
    Report,
    ReportEmail,
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
    list_display = ["reference", "article", "state", "priority", "assignee", "created_at"]
    list_filter = ["state", "language", "reject_reason"]
    search_fields = ["reference", "message"]
    date_hierarchy = "created_at"
    list_select_related = ["article", "assignee"]
    readonly_fields = ["reference", "ip_hash", "created_at", "queue_at", "lease_until"]
    actions = ["block_reporters"]

    def get_exclude(self, request, obj=None):
        """Reporters' names and addresses only for those who may see them."""
        if request.user.has_perm("claims.view_reporter_email"):
            return None
        return ["name", "email"]

    def has_block_reporter_permission(self, request) -> bool:
        return request.user.has_perm("claims.block_reporter")

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


@admin.register(BlockedReporter)
class BlockedReporterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reason", "blocked_by", "created_at"]
    search_fields = ["ip_hash", "reason"]
    readonly_fields = ["ip_hash", "blocked_by", "created_at"]

    def has_add_permission(self, request):
        return False  # blocked from a report: only the hash of its IP is known


@admin.register(ReportEmail)
class ReportEmailAdmin(admin.ModelAdmin):
    """The outbox, read-only: what went out, what waits, what failed and why."""

    list_display = ["report", "kind", "created_at", "attempts", "sent_at", "failed_at"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter), "failed_at"]
    list_select_related = ["report"]
    readonly_fields = [f.name for f in ReportEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
