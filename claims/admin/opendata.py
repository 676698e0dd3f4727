"""Open data in the admin: partners' API keys (shown once, when made; only a hash is
kept) and the dumps written."""

from __future__ import annotations

from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from claims.admin.common import ReadOnly
from claims.models import OpenDataDump, PartnerKey

# One kind of key: the partners' own (with a rate and a contact), not the library's.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


@admin.register(PartnerKey)
class PartnerKeyAdmin(APIKeyModelAdmin):
    list_display = [*APIKeyModelAdmin.list_display, "requests_per_minute", "contact"]
    search_fields = [*APIKeyModelAdmin.search_fields, "contact"]


@admin.register(OpenDataDump)
class OpenDataDumpAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["made_at", "folder", "license", "seconds"]
    fields = ["made_at", "folder", "license", "seconds", "files"]
    readonly_fields = fields
