"""The Django admin: the moderators' console.

Every model is listed with filters and search; history is read-only (see
SIMPLE_HISTORY_REVERT_DISABLED). Workflow changes (claiming reports, verdict approval)
happen on the staff pages, where their object-level rules live; the admin's actions call
the same services. Reporters' names and addresses are shown only to users holding
``claims.view_reporter_email``; everyone else sees them masked.
"""

import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
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
    Notification,
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

admin.site.site_header = _("Factcheck administration")
admin.site.site_title = _("Factcheck administration")
admin.site.index_title = _("Moderation")


class ReadOnly:
    """A record to look at, not to edit: written by the workflow that owns it."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class HttpsUrls:
    """A URL typed without a scheme means https (Django 6's default; saying so here
    also keeps Django 5.2 from warning about the change)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class HistoryAdmin(HttpsUrls, SimpleHistoryAdmin):
    """Change history to read, never to revert. SIMPLE_HISTORY_REVERT_DISABLED only hides
    the revert button: django-simple-history still saves an old version POSTed to its
    history form, so that POST is refused here."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ParagraphInline(admin.TabularInline):
    model = Paragraph
    extra = 0
    fields = ["position", "anchor", "text"]
    readonly_fields = ["anchor"]


class RelatedLinkInline(HttpsUrls, admin.TabularInline):
    model = RelatedLink
    fk_name = "article"
    extra = 0
    autocomplete_fields = ["target"]


@admin.register(Article)
class ArticleAdmin(HistoryAdmin):
    list_display = ["title", "byline", "status", "language", "published_at", "page_views"]
    list_filter = ["status", "language"]
    search_fields = ["title", "byline"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    # Publishing goes through the actions, so the date and the history stay right.
    readonly_fields = ["status", "published_at", "content_hash", "page_views"]
    autocomplete_fields = ["editor"]
    inlines = [ParagraphInline, RelatedLinkInline]
    actions = ["publish", "unpublish"]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        services.article_suggest(article=form.instance)  # paragraphs may have changed

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("claims.publish_article")

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        n = services.articles_publish(ids=ids, user=request.user)
        self.message_user(request, _("%(n)s articles published.") % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("Take off the site"), permissions=["publish"])
    def unpublish(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        n = services.articles_publish(ids=ids, user=request.user, publish=False)
        self.message_user(
            request, _("%(n)s articles taken off the site.") % {"n": n}, messages.SUCCESS
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
    list_display = ["source", "fetched_at", "status_code", "error_code", "title"]
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


class AppearanceInline(HttpsUrls, admin.TabularInline):
    model = ClaimAppearance
    extra = 0
    raw_id_fields = ["article", "paragraph"]


@admin.register(Claim)
class ClaimAdmin(HistoryAdmin):
    list_display = ["__str__", "claimant", "status", "assignee", "created_at"]
    list_filter = ["status", "language"]
    search_fields = ["text", "claimant"]
    date_hierarchy = "created_at"
    inlines = [AppearanceInline]
    list_select_related = ["assignee"]
    autocomplete_fields = ["assignee", "created_by"]


@admin.register(Rating)
class RatingAdmin(ReadOnly, admin.ModelAdmin):
    """Ratings are edited with their scale (a new version once verdicts use it)."""

    list_display = ["label_nl", "label_en", "code", "value", "scale"]
    list_filter = ["scale"]
    list_select_related = ["scale"]
    search_fields = ["label_nl", "label_en", "code"]


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0
    fields = ["position", "code", "label_nl", "label_en", "value", "color", "aliases"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "color":  # the browser's colour picker
            kwargs["widget"] = forms.TextInput(attrs={"type": "color"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(RatingScale)
class RatingScaleAdmin(HistoryAdmin):
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
            _(
                "Verdicts use %(scale)s: your changes were saved as %(new)s; old verdicts "
                "keep their labels."
            )
            % {"scale": scale, "new": new},
        )

    def response_change(self, request, obj):
        if getattr(self, "_versioning", False):
            from django.shortcuts import redirect

            return redirect("admin:claims_ratingscale_changelist")
        return super().response_change(request, obj)


@admin.register(Verdict)
class VerdictAdmin(ReadOnly, HistoryAdmin):
    """Read-only: verdicts are written, approved and published on the editor desk, which
    holds the rule that nobody approves their own change."""

    list_display = ["claim", "rating", "status", "author", "approved_by", "published_at"]
    list_filter = ["status", "rating__scale"]
    list_select_related = ["claim", "rating", "author", "approved_by"]
    search_fields = ["summary", "claim__text"]
    date_hierarchy = "published_at"


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

        from claims.views.reporter_data import reporter_data

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


@admin.register(ClaimSuggestion)
class ClaimSuggestionAdmin(admin.ModelAdmin):
    list_display = ["text", "article", "score", "status"]
    list_filter = ["status"]
    search_fields = ["text", "article__title"]
    list_select_related = ["article"]
    raw_id_fields = ["paragraph"]
    autocomplete_fields = ["article", "claim", "decided_by"]


@admin.register(ExternalReview)
class ExternalReviewAdmin(HttpsUrls, admin.ModelAdmin):
    list_display = ["claim_reviewed", "publisher_name", "rating_text", "rating", "review_date"]
    list_filter = ["language", "rating"]
    search_fields = ["claim_reviewed", "url", "rating_text", "claimant"]
    date_hierarchy = "review_date"
    list_select_related = ["rating"]
    autocomplete_fields = ["claim", "rating"]
    readonly_fields = ["fingerprint", "raw", "warnings", "imported_from", "imported_at"]


@admin.register(ClaimMatch)
class ClaimMatchAdmin(admin.ModelAdmin):
    list_display = ["claim", "other_claim", "external_review", "score", "status"]
    list_filter = ["status"]
    search_fields = ["claim__text", "other_claim__text", "external_review__claim_reviewed"]
    list_select_related = ["claim", "other_claim", "external_review"]
    autocomplete_fields = ["claim", "other_claim", "decided_by"]
    raw_id_fields = ["external_review"]


@admin.register(Notification)
class NotificationAdmin(ReadOnly, admin.ModelAdmin):
    """Read-only: what editors were told (claim assignments), and whether it reached them."""

    list_display = ["recipient", "message", "created_at", "read_at", "sent_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter), ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["message", "recipient__username"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]


# --- Users: moderators manage accounts, without handing out more than they hold ------


def _holds_all(user, permissions) -> bool:
    if user.is_superuser:
        return True
    held = user.get_all_permissions()
    return all(f"{p.content_type.app_label}.{p.codename}" in held for p in permissions)


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """A moderator adds and changes accounts, but only gives roles whose permissions they
    hold themselves, never superuser status or single permissions, and never changes an
    account that holds more than they do (a password reset would take it over)."""

    list_display = ["username", "email", "roles", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active", "is_superuser", "groups"]
    date_hierarchy = "date_joined"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj) -> str:
        return ", ".join(sorted(group.name for group in obj.groups.all()))

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["is_superuser", "user_permissions", "last_login", "date_joined"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            groups = Group.objects.prefetch_related("permissions__content_type")
            allowed = [g.pk for g in groups if _holds_all(request.user, g.permissions.all())]
            kwargs["queryset"] = Group.objects.filter(pk__in=allowed)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser:
            return True
        if obj.is_superuser:
            return False
        theirs = Permission.objects.filter(group__user=obj) | Permission.objects.filter(user=obj)
        return _holds_all(request.user, theirs.select_related("content_type").distinct())
