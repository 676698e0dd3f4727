"""The Django admin: moderators' console. Issue-specific actions live beside each model."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
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
    ClaimMatch,
    ClaimSuggestion,
    Correction,
    ExternalReview,
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

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        services.article_suggest(article=form.instance)  # paragraphs may have changed


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
class SourceAdmin(SimpleHistoryAdmin):
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
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["source", "fetched_at", "status_code", "error_code", "title"]
    list_filter = ["error_code", "ok"]
    list_select_related = ["source"]
    date_hierarchy = "fetched_at"
    exclude = ["text"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["extracted_text"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("extracted text"))
    def extracted_text(self, obj):
        return obj.text.text if obj.text_id else ""


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
    fields = ["position", "code", "label_nl", "label_en", "value", "color", "aliases"]


@admin.register(RatingScale)
class RatingScaleAdmin(SimpleHistoryAdmin):
    """Editing a scale that verdicts already use saves a NEW version with the changes and
    makes it the active one; the old version and its ratings stay as they were, so every
    old verdict keeps the label it was given."""

    list_display = ["name", "version", "is_active", "best_value", "worst_value", "created_at"]
    list_filter = ["name", "is_active"]
    readonly_fields = ["version", "is_active"]
    inlines = [RatingInline]

    def save_model(self, request, obj, form, change) -> None:
        self._versioning = bool(change and obj.pk and services.rating_scale_in_use(obj))
        if not self._versioning:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        if not getattr(self, "_versioning", False):
            super().save_related(request, form, formsets, change)
            return
        ratings = []
        for formset in formsets:
            # Nothing of the old version is saved; the admin's change message reads these.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for rating_form in formset.forms:
                data = getattr(rating_form, "cleaned_data", None)
                if not data or data.get("DELETE"):
                    continue
                ratings.append({field: data[field] for field in RatingInline.fields})
        scale = RatingScale.objects.get(pk=form.instance.pk)
        new = services.rating_scale_version_create(
            scale=scale,
            fields={f: form.cleaned_data[f] for f in ("best_value", "worst_value")},
            ratings=ratings,
            user=request.user,
        )
        form.instance = new
        self.message_user(
            request,
            f"Verdicts use {scale}: your changes were saved as {new}; old verdicts keep "
            "their labels.",
        )

    def response_change(self, request, obj):
        if getattr(self, "_versioning", False):
            from django.shortcuts import redirect

            return redirect("admin:claims_ratingscale_changelist")
        return super().response_change(request, obj)


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


@admin.register(ClaimSuggestion)
class ClaimSuggestionAdmin(admin.ModelAdmin):
    list_display = ["text", "article", "score", "status"]
    list_filter = ["status"]
    list_select_related = ["article"]
    raw_id_fields = ["article", "paragraph", "claim", "decided_by"]


@admin.register(ExternalReview)
class ExternalReviewAdmin(admin.ModelAdmin):
    list_display = ["claim_reviewed", "publisher_name", "rating_text", "rating", "review_date"]
    list_filter = ["language", "rating"]
    search_fields = ["claim_reviewed", "url", "rating_text", "claimant"]
    raw_id_fields = ["claim", "rating"]
    readonly_fields = ["fingerprint", "raw", "warnings", "imported_from", "imported_at"]


@admin.register(ClaimMatch)
class ClaimMatchAdmin(admin.ModelAdmin):
    list_display = ["claim", "other_claim", "external_review", "score", "status"]
    list_filter = ["status"]
    raw_id_fields = ["claim", "other_claim", "external_review", "decided_by"]
