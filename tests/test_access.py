"""The URLconf walk: every URL is either public by name, or a staff view that refuses an
anonymous visitor (redirect to login) and a user without its permission (403).

Adding a URL that is neither in PUBLIC nor wrapped in ``claims.access.staff_view`` fails
this test, so no staff page can ship without its permission check.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import logged_in

# URL names anyone may open. Everything else must be a staff view.
PUBLIC = {
    "healthz",
    "set_language",
    "login",
    "logout",
    "claims:home",
    "claims:article",
    "claims:report_create",
    "claims:report_track",
    "claims:report_reply",
    "claims:claim",
    "claims:privacy",
    "claims:claims",
    "claims:claimreview_feed",
    "claims:capture",  # readers see captures of what published work cites (tested)
    "claims:corrections",
    "claims:corrections_rss",
    "claims:corrections_atom",
    # Open data and integrations: the read-only API, feeds, dumps, following.
    "claims:claim_atom",
    "claims:claim_follow",
    "claims:article_follow",
    "claims:follow_confirm",
    "claims:follow_stop",
    "claims:follow_unsubscribe",
    "claims:open_data",
    "claims:open_data_file",
    "claims:open_data_dated_file",
    "api:api-root",
    "api:schema",
    "api:docs",
    "api:article-list",
    "api:article-detail",
    "api:claim-list",
    "api:claim-detail",
    "api:correction-list",
    "api:correction-detail",
    "api:scale-list",
    "api:scale-detail",
}

SAMPLE = {
    "slug": "x",
    "string": "x",
    "int": 1,
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def walk(patterns=None, namespace=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # the admin checks itself (test_admin_refuses_anonymous_and_...)
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield namespace, entry


def url_entries():
    entries = []
    for namespace, pattern in walk():
        name = f"{namespace}{pattern.name}" if pattern.name else None
        kwargs = {
            key: SAMPLE[type(conv).__name__.removesuffix("Converter").lower()]
            for key, conv in pattern.pattern.converters.items()
        }
        entries.append((name, pattern, kwargs))
    return entries


ENTRIES = url_entries()


def test_every_url_pattern_has_a_name():
    assert [str(p.pattern) for name, p, _ in ENTRIES if name is None] == []


@pytest.mark.parametrize(("name", "pattern", "kwargs"), ENTRIES, ids=[e[0] or "?" for e in ENTRIES])
def test_every_url_is_public_or_a_protected_staff_view(name, pattern, kwargs, db):
    permissions = getattr(pattern.callback, "staff_permissions", None)
    if name in PUBLIC:
        assert permissions is None, f"{name} is listed as public but is a staff view"
        return
    assert permissions, f"{name} is neither public nor wrapped in claims.access.staff_view"

    url = reverse(name, kwargs=kwargs)
    nobody = User.objects.create_user("staff-without-role", is_staff=True)
    holder = User.objects.create_user("staff-with-the-permissions", is_staff=True)
    holder.user_permissions.add(*(permission(dotted) for dotted in permissions))
    for method in ("get", "post"):
        anonymous = getattr(Client(), method)(url)
        assert anonymous.status_code == 302, (name, method)
        assert anonymous["Location"].startswith(reverse("login")), (name, method)

        assert getattr(logged_in(nobody), method)(url).status_code == 403, (name, method)

        # The same request by someone holding exactly those permissions gets through to
        # the view (which may well find no object 1, or want another method).
        allowed = getattr(logged_in(holder), method)(url)
        assert allowed.status_code != 403, (name, method)
        assert not allowed.get("Location", "").startswith(reverse("login")), (name, method)


def permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_admin_refuses_anonymous_and_non_staff_and_opens_for_staff(db):
    from django.conf import settings

    index = "/" + settings.ADMIN_PATH
    assert Client().get(index).status_code == 302
    reader = User.objects.create_user("lezer", password="x")
    assert logged_in(reader).get(index).status_code == 302

    staff = logged_in(User.objects.create_user("staf", password="x", is_staff=True))
    assert staff.get(index).status_code == 200
