"""Users: moderators manage accounts, without handing out more than they hold."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.utils.translation import gettext_lazy as _


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
