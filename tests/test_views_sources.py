"""The editors' source desk, the source details on public pages, and the admin actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Citation, Claim, Source


def make_source(url: str, **extra) -> Source:
    extra.setdefault("state", Source.State.WAITING)
    return Source.objects.create(key=url, url=url, domain="example.org", **extra)


def test_the_source_list_filters_by_state_in_a_fixed_number_of_queries(
    editor_client, django_assert_num_queries
):
    for n in range(30):
        make_source(f"https://example.org/{n}", title=f"Bron {n}", state="live")
    make_source("https://example.org/dood", title="Dode bron", state="dead")
    url = reverse("claims:sources")

    with django_assert_num_queries(7):  # session, user, perms (2), count, page, inbox count
        html = editor_client.get(url, {"state": "dead"}).content.decode()
    assert "Dode bron" in html and "Bron 1<" not in html
    with django_assert_num_queries(7):
        html = editor_client.get(url).content.decode()
    assert html.count('class="state state-') == 31


def test_the_source_page_shows_the_health_of_the_source(editor_client, source_server):
    source = make_source(source_server.url("/redirect/1"), title="Doorverwijzing")
    source.next_check_at = timezone.now()
    source.save()
    services.source_fetch(source_id=source.pk)

    html = editor_client.get(reverse("claims:source", args=[source.pk])).content.decode()

    assert "Bereikbaar" in html
    assert f'href="{source_server.url("/page")}"' in html  # the final URL
    assert "200" in html and "Testpagina voor bronnen" in html
    assert "every 2s" not in html  # nothing under way: no polling


def test_fetch_now_queues_the_fetch_and_starts_polling(
    editor_client, source_server, django_capture_on_commit_callbacks
):
    source = make_source(
        source_server.url("/page"), state="live", next_check_at=timezone.now() + timedelta(days=6)
    )
    with django_capture_on_commit_callbacks() as sent:
        response = editor_client.post(
            reverse("claims:source_fetch", args=[source.pk]), HTTP_HX_REQUEST="true"
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="source-state"')
    assert 'hx-trigger="every 2s"' in html
    assert len(sent) == 1
    source.refresh_from_db()
    assert source.next_check_at <= timezone.now()

    poll = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "source-state"}
    url = reverse("claims:source", args=[source.pk])
    queued = editor_client.get(url, **poll)
    assert queued.status_code == 200  # still queued: htmx keeps polling
    assert 'hx-trigger="every 2s"' in queued.content.decode()
    services.source_fetch(source_id=source.pk)  # what the worker does
    done = editor_client.get(url, **poll)
    assert done.status_code == 286  # htmx stops polling
    assert "every 2s" not in done.content.decode()


def test_fetch_now_without_javascript_redirects_back(editor_client):
    source = make_source("https://example.org/a")
    response = editor_client.post(reverse("claims:source_fetch", args=[source.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:source", args=[source.pk])


def test_an_editor_attaches_a_url(editor_client, django_capture_on_commit_callbacks):
    source = Source.objects.create(key="title:witkoff", title="Steve Witkoff")
    with django_capture_on_commit_callbacks() as sent:
        response = editor_client.post(
            reverse("claims:source_url", args=[source.pk]),
            {"url": "https://en.wikipedia.org/wiki/Steve_Witkoff"},
        )
    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.url, source.state) == ("https://en.wikipedia.org/wiki/Steve_Witkoff", "waiting")
    assert len(sent) == 1
    assert source.history.first().history_user.username == "editor"


def test_attaching_a_known_url_merges_and_goes_to_the_kept_source(editor_client):
    known = make_source("https://example.org/known", title="Bekend")
    bare = Source.objects.create(key="title:bekend", title="Bekend")
    response = editor_client.post(
        reverse("claims:source_url", args=[bare.pk]),
        {"url": "https://example.org/known"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Redirect"] == reverse("claims:source", args=[known.pk])
    assert not Source.objects.filter(pk=bare.pk).exists()


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("", "Vul het adres van de bron in."),
        ("ftp://example.org/x", "Vul een http- of https-adres in."),
        ("javascript:alert(1)", "Voer een geldige URL in."),
        ("http://127.0.0.1:8000/", "privénetwerk"),
        ("x" * 2100, "niet meer dan 2000 tekens"),
    ],
)
def test_a_bad_url_re_renders_the_form_with_the_error(editor_client, url, error):
    source = Source.objects.create(key="title:z", title="z")
    response = editor_client.post(
        reverse("claims:source_url", args=[source.pk]), {"url": url}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="url-form"')
    assert error in html
    source.refresh_from_db()
    assert source.url == ""


def test_changing_a_url_needs_the_change_permission(moderator_client, editor_client):
    source = Source.objects.create(key="title:q", title="Bron zonder adres")
    change = reverse("claims:source_url", args=[source.pk])
    # A moderator may open the source (and fetch it), but not edit it.
    page = moderator_client.get(reverse("claims:source", args=[source.pk]))
    assert page.status_code == 200 and "Bron zonder adres" in page.content.decode()
    assert moderator_client.post(change, {"url": "https://a.nl/"}).status_code == 403
    assert Source.objects.get(pk=source.pk).url == ""

    assert editor_client.post(change, {"url": "https://a.nl/"}).status_code == 302  # allowed
    assert Source.objects.get(pk=source.pk).url == "https://a.nl/"


def test_readers_see_state_check_time_status_final_url_and_quote(
    reader, seed_article, source_server
):
    source = seed_article.citations.filter(claim__isnull=True).first().source
    services.source_url_set(source=source, url=source_server.url("/redirect/0"))
    Citation.objects.filter(article=seed_article, source=source).update(
        quote="de werkloosheid blijft laag"
    )
    services.source_fetch(source_id=source.pk, force=True)

    html = reader.get(seed_article.get_absolute_url()).content.decode()

    assert "Bereikbaar" in html
    assert "gecontroleerd" in html and "HTTP 200" in html
    assert source_server.url("/page") in html  # where it redirects to now
    assert "Citaat gevonden in de bron" in html


def test_the_claim_page_shows_the_quote_check(reader, source_server, db):
    url = source_server.url("/page")
    source = make_source(url, next_check_at=timezone.now())
    claim = services.claim_create(text="Defensie krijgt er 2,1 miljard bij").claim
    claim.status = Claim.Status.PUBLISHED
    claim.save()
    Citation.objects.create(claim=claim, source=source, quote="iets dat er niet staat helemaal")
    services.source_fetch(source_id=source.pk)

    html = reader.get(claim.get_absolute_url()).content.decode()
    assert "Citaat niet gevonden in de bron" in html
    assert "HTTP 200" in html


# --- Admin ------------------------------------------------------------------------------


def test_admin_lists_sources_by_state_and_domain(editor_client):
    make_source("https://a.example.org/dood", title="Dode bron", state="dead")
    make_source("https://a.example.org/levend", title="Levende bron", state="live")
    Source.objects.create(
        key="https://b.example.com/",
        url="https://b.example.com/",
        domain="b.example.com",
        title="Elders",
        state="dead",
    )
    url = reverse("admin:claims_source_changelist")
    everything = editor_client.get(url).content.decode()
    assert all(title in everything for title in ("Dode bron", "Levende bron", "Elders"))
    dead = editor_client.get(url, {"state": "dead", "domain": "example.org"}).content.decode()
    assert "Dode bron" in dead
    assert "Levende bron" not in dead and "Elders" not in dead


def test_admin_actions_fetch_now_and_mark_permanently_dead(
    editor_client, django_capture_on_commit_callbacks
):
    client = editor_client
    source = make_source("https://example.org/x", next_check_at=timezone.now() + timedelta(days=3))
    url = reverse("admin:claims_source_changelist")
    with django_capture_on_commit_callbacks() as sent:
        client.post(url, {"action": "fetch_now", "_selected_action": [source.pk]})
    assert len(sent) == 1

    client.post(url, {"action": "mark_permanently_dead", "_selected_action": [source.pk]})
    source.refresh_from_db()
    assert (source.state, source.permanently_dead) == ("dead", True)


def test_snapshots_are_read_only_in_the_admin(editor_client, source_server):
    client = editor_client
    source = make_source(source_server.url("/page"), next_check_at=timezone.now())
    services.source_fetch(source_id=source.pk)
    snapshot = source.snapshots.get()
    change = reverse("admin:claims_snapshot_change", args=[snapshot.pk])
    page = client.get(change).content.decode()
    assert "2,1 miljard" in page  # the extracted text, read-only
    client.post(change, {"title": "Vervalst"})
    snapshot.refresh_from_db()
    assert snapshot.title == "Testpagina voor bronnen"
    assert (
        client.post(reverse("admin:claims_snapshot_delete", args=[snapshot.pk])).status_code == 403
    )
