"""Template context that every staff page needs: the number in the inbox link."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def inbox(request) -> dict:
    """``inbox_count``, counted only when a page shows it (staff pages)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}

    def count() -> int:
        from claims.views.inbox import inbox_count

        return inbox_count(user)

    return {"inbox_count": SimpleLazyObject(count)}
