"""Claims, rating scales, verdicts (read-only), suggestions, other publishers' reviews,
possible matches and notifications in the admin."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from claims import services
from claims.admin.common import HistoryAdmin, HttpsUrls, ReadOnly
from claims.models import (
    Claim,
    ClaimAppearance,
    ClaimMatch,
    ClaimSuggestion,
    ExternalReview,
    Notification,
    Rating,
    RatingScale,
    Verdict,
)


class AppearanceInline(HttpsUrls, admin.TabularInline):
    model = ClaimAppearance
    extra = 0
    raw_id_fields = ["article", "paragraph"]


@admin.register(Claim)
class ClaimAdmin(HistoryAdmin):
    """A claim's status and re-review reason change only through the desk's services:
    leaving "needs re-review" takes a published verdict, approved as the desk requires."""

    list_display = ["__str__", "claimant", "status", "assignee", "created_at"]
    readonly_fields = ["status", "rereview_reason"]
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

    # One ModelAdmin serves every request (and thread): what this save decided travels on
    # the request's own scale object, never on ``self``.

    def save_model(self, request, obj, form, change) -> None:
        obj.versioning = bool(change and obj.pk and services.rating_scale_in_use(obj))
        if not obj.versioning:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        if not getattr(form.instance, "versioning", False):
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
        self.message_user(
            request,
            _(
                "Verdicts use %(scale)s: your changes were saved as %(new)s; old verdicts "
                "keep their labels."
            )
            % {"scale": scale, "new": new},
        )

    def response_change(self, request, obj):
        if getattr(obj, "versioning", False):
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
