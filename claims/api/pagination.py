"""Cursor pagination: pages stay apart while rows are added, at any depth."""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Cursor pagination: stable under inserts, at any depth. ``page_size`` up to 200."""

    page_size = settings.FACTCHECK_API_PAGE_SIZE
    max_page_size = settings.FACTCHECK_API_PAGE_MAX
    page_size_query_param = "page_size"
    ordering = ("-updated_at", "-id")

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        last = ordering[-1].lstrip("-")
        if last != "id":  # a unique last key keeps pages apart when times are equal
            ordering = (*ordering, "-id" if ordering[-1].startswith("-") else "id")
        return ordering


class ByPublished(Cursor):
    ordering = ("-published_at", "-id")


class ById(Cursor):
    ordering = ("name", "-version", "id")
