"""Events in the admin: webhook endpoints (registered here, their URL checked as any
source's), the delivery log with "send again", the events themselves, and readers who
follow (their addresses masked unless one may see reporters' addresses)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from claims import services
from claims.admin.common import HttpsUrls, ReadOnly
from claims.admin.reports import email_masked
from claims.models import (
    Event,
    EventKind,
    Follow,
    FollowEmail,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https", label=_("URL"))
    events = forms.MultipleChoiceField(
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Events"),
        help_text=_("The events this endpoint receives."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "format", "events", "active", "owner", "secret"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        refusal = services.webhook_url_refusal(url)
        if refusal:
            raise forms.ValidationError(
                _(
                    "This address may not be reached (%(code)s): webhooks go only to public "
                    "addresses, checked as every source is."
                ),
                params={"code": refusal},
            )
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(HttpsUrls, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "format", "active", "failure_count", "disabled_at"]
    list_filter = ["active", "format"]
    search_fields = ["name", "url"]
    readonly_fields = ["failure_count", "disabled_at", "disabled_reason", "created_at"]
    actions = ["switch_on"]

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.action(permissions=["change"], description=_("Switch on again"))
    def switch_on(self, request, queryset):
        for endpoint in queryset:
            services.webhook_endpoint_enable(endpoint=endpoint)
        self.message_user(request, _("Switched on; send the failed deliveries again."))


class ReadOnlyInline:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AttemptInline(ReadOnlyInline, admin.TabularInline):
    model = WebhookAttempt
    fields = ["number", "at", "status_code", "error", "detail", "response", "elapsed_ms"]
    readonly_fields = fields
    extra = 0


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly, admin.ModelAdmin):
    """The delivery log: every attempt, with "send again"."""

    list_display = [
        "event_kind",
        "endpoint",
        "created_at",
        "delivery_state",
        "attempts",
        "last_status",
        "next_attempt_at",
    ]
    list_filter = ["endpoint", "event__kind", "delivered_at", "failed_at"]
    list_select_related = ["event", "endpoint"]
    date_hierarchy = "created_at"
    fields = [
        "uid",
        "event",
        "endpoint",
        "created_at",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "failed_at",
        "last_status",
        "last_error",
        "payload",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["send_again"]

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("claims.view_webhookdelivery")

    @admin.display(description=_("event"), ordering="event__kind")
    def event_kind(self, delivery: WebhookDelivery) -> str:
        return delivery.event.kind

    @admin.display(description=_("state"))
    def delivery_state(self, delivery: WebhookDelivery) -> str:
        return {
            "delivered": _("delivered"),
            "failed": _("given up"),
            "pending": _("waiting"),
        }[delivery.state]

    @admin.display(description=_("payload"))
    def payload(self, delivery: WebhookDelivery):
        import json

        from django.utils.html import format_html

        text = json.dumps(delivery.event.payload, ensure_ascii=False, indent=2)
        return format_html("<pre>{}</pre>", text)

    @admin.action(permissions=["view"], description=_("Send again"))
    def send_again(self, request, queryset):
        if not request.user.has_perm("claims.change_webhookdelivery"):
            self.message_user(request, _("You may not send deliveries."), messages.ERROR)
            return
        n = services.webhook_deliveries_send_again(
            ids=queryset.values_list("pk", flat=True), user=request.user
        )
        self.message_user(
            request,
            ngettext(
                "%(n)s delivery goes out again now.",
                "%(n)s deliveries go out again now.",
                n,
            )
            % {"n": n},
        )


@admin.register(Event)
class EventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["kind", "created_at", "dispatched_at", "claim", "article"]
    list_filter = ["kind"]
    date_hierarchy = "created_at"
    fields = ["uid", "kind", "created_at", "dispatched_at", "claim", "article", "payload"]
    readonly_fields = fields
    list_select_related = ["claim", "article"]


class FollowEmailInline(ReadOnlyInline, admin.TabularInline):
    model = FollowEmail
    fields = ["kind", "subject", "created_at", "sent_at", "failed_at", "attempts", "last_error"]
    readonly_fields = fields
    extra = 0


@admin.register(Follow)
class FollowAdmin(ReadOnly, admin.ModelAdmin):
    """Readers who follow. Addresses are masked unless one may see reporters' addresses;
    one reader's follows are exported and erased on "A reporter's personal data"."""

    list_display = ["follower", "claim", "article", "language", "created_at", "confirmed_at"]
    list_filter = ["language", ("confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["claim", "article"]
    date_hierarchy = "created_at"
    fields = ["follower", "claim", "article", "language", "created_at", "confirmed_at"]
    readonly_fields = fields
    inlines = [FollowEmailInline]

    @admin.display(description=_("email"))
    def follower(self, follow: Follow) -> str:
        request = getattr(self, "_request", None)
        if request is not None and request.user.has_perm("claims.view_reporter_email"):
            return follow.email
        return email_masked(follow.email)

    def get_queryset(self, request):
        self._request = request
        return super().get_queryset(request)

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        if lookup.startswith(("email", "token")):  # no probing addresses or links by URL
            return False
        return super().lookup_allowed(lookup, value, request)
