"""python manage.py refresh_sources: enqueue due/all/one, or fetch here with --sync."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from claims.models import Source


def make(server, path: str, *, due: bool = True) -> Source:
    url = server.url(path)
    when = timezone.now() if due else timezone.now() + timedelta(days=3)
    return Source.objects.create(key=url, url=url, state="waiting", next_check_at=when)


def refresh(*args: str) -> str:
    out = StringIO()
    call_command("refresh_sources", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_sync_fetches_the_due_sources_here_and_sums_up(source_server, db):
    page, missing = make(source_server, "/page"), make(source_server, "/status/404")
    later = make(source_server, "/text", due=False)

    out = refresh("--sync")

    assert out.splitlines()[0] == "Fetched 2 sources: 1 live, 1 failing."
    assert "  http_4xx: 1" in out
    assert Source.objects.get(pk=page.pk).state == "live"
    assert Source.objects.get(pk=missing.pk).state == "failing"
    assert Source.objects.get(pk=later.pk).state == "waiting"


def test_sync_all_and_one(source_server, db):
    later = make(source_server, "/text", due=False)
    make(source_server, "/page", due=False)
    assert json.loads(refresh("--all", "--sync", "--json"))["outcomes"] == {"live": 2}
    assert json.loads(refresh("--source", str(later.pk), "--sync", "--json"))["sources"] == 1


def test_without_sync_the_fetches_go_to_the_queue(
    source_server, db, django_capture_on_commit_callbacks
):
    source = make(source_server, "/page", due=False)
    with django_capture_on_commit_callbacks() as sent:
        out = refresh("--all")
    assert out.strip() == "Sent 1 of 1 sources to the fetch queue."
    assert len(sent) == 1
    source.refresh_from_db()
    assert source.next_check_at <= timezone.now() and source.enqueued_at is not None


def test_an_unknown_source_is_an_error(db):
    with pytest.raises(CommandError):
        refresh("--source", "999")
