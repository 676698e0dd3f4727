"""What every area's admin shares: read-only records, https for URLs without a scheme,
and change history that is shown but never reverted."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from simple_history.admin import SimpleHistoryAdmin


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
