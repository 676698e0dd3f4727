"""Evidence in the admin: requests to the web archive, to look at (the workflow writes
them; editors ask for a copy on the source page)."""

from __future__ import annotations

from django.contrib import admin

from claims.admin.common import ReadOnly
from claims.models import Memento


@admin.register(Memento)
class MementoAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["url", "state", "reason", "memento_at", "error_code", "attempts", "created_at"]
    list_filter = ["state", "reason", "error_code"]
    search_fields = ["url", "source__title", "job_id"]
    list_select_related = ["source"]
    date_hierarchy = "created_at"
    raw_id_fields = ["source", "snapshot"]
