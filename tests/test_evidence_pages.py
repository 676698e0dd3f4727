"""Evidence on the pages: every public link to a cited source is a Robust Link, a dead
or changed source's claim page links the copy the verdict relied on, our capture page
shows the captured text (never the captured HTML), and staff see the archive coverage."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Citation, Memento, Snapshot, Source

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class Links(HTMLParser):
    """Every <a> of a page, with its attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


def links_to(html: str, url: str) -> list[dict]:
    return [a for a in Links(html).links if a.get("href") == url]


def fetched(server, path: str) -> Source:
    url = server.url(path)
    source = Source.objects.create(
        key=url, url=url, title=f"Bron {path}", state="waiting", next_check_at=timezone.now()
    )
    services.source_fetch(source_id=source.pk)
    return source


def publish(claim, scale, sources, editor):
    citations = [services.citation_add(claim=claim, source=s, user=editor) for s in sources]
    services.verdict_publish(
        claim=claim,
        rating=scale.ratings.get(code="true"),
        summary="Klopt.",
        citations=citations,
        author=editor,
    )
    return citations


def test_every_source_link_on_a_published_claim_page_is_a_robust_link(
    reader, seed_claim, scale, editor, source_server
):
    plain, archived = fetched(source_server, "/page"), fetched(source_server, "/text")
    when = timezone.now() - timedelta(minutes=1)
    memento_url = "https://web.archive.org/web/20250102030405/" + archived.url
    Memento.objects.create(
        source=archived,
        url=archived.url,
        state="archived",
        memento_url=memento_url,
        memento_at=when,
    )
    publish(seed_claim, scale, [plain, archived], editor)

    html = reader.get(seed_claim.get_absolute_url()).content.decode()

    capture = Snapshot.objects.get(source=plain)
    for source, version in ((plain, capture.get_absolute_url()), (archived, memento_url)):
        (link,) = links_to(html, source.url)
        assert link["data-originalurl"] == source.url
        assert link["data-versionurl"] == version
        assert ISO_Z.match(link["data-versiondate"]), link
    (plain_link,) = links_to(html, plain.url)
    assert plain_link["data-versiondate"] == capture.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    # the no-JS fallback beside each link, and the script that enhances it
    assert len(links_to(html, capture.get_absolute_url())) == 1
    assert len(links_to(html, memento_url)) == 1
    assert 'src="/static/js/robust-links.js"' in html

    review = services.claimreview_for_claim(seed_claim)
    archived_at = {work["url"]: work["archivedAt"] for work in review["citation"]}
    assert archived_at[plain.url].endswith(capture.get_absolute_url())
    assert archived_at[archived.url][0] == memento_url


def test_a_dead_source_links_the_copy_the_verdict_relied_on(
    reader, seed_claim, scale, editor, source_server, settings
):
    source = fetched(source_server, "/changing")
    relied_on = Snapshot.objects.get(source=source)
    publish(seed_claim, scale, [source], editor)
    Snapshot.objects.filter(pk=relied_on.pk).update(fetched_at=timezone.now() - timedelta(days=2))
    services.source_fetch(source_id=source.pk, force=True)  # a newer copy, after the verdict
    services.source_mark_dead(source=source)

    html = reader.get(seed_claim.get_absolute_url()).content.decode()

    assert "Deze bron is niet meer bereikbaar." in html
    date = timezone.localtime(timezone.now() - timedelta(days=2)).strftime("%-d %B %Y")
    assert "Het oordeel steunde op de kopie van" in html
    copy = [a for a in Links(html).links if "archived-copy" in a.get("class", "")]
    assert [a["href"] for a in copy] == [relied_on.get_absolute_url()]
    assert relied_on.fetched_at.strftime("%Y") in html and date.split()[-1] in html

    page = reader.get(relied_on.get_absolute_url())
    assert page.status_code == 200
    assert "Het kabinet maakte dinsdag bekend dat de uitgaven aan defensie" in page.content.decode()


def test_the_capture_page_shows_the_text_and_its_facts_never_the_html(
    reader, seed_claim, scale, editor, source_server
):
    source_server.pages["/hostile"] = (
        200,
        "text/html; charset=utf-8",
        b"<!doctype html><html lang='nl'><head><title>Vijandige pagina</title>"
        b"<script>alert('captured')</script></head><body><article><h1>Vijandige pagina</h1>"
        b"<p>Een alinea met genoeg woorden om als hoofdtekst te gelden, over de begroting "
        b"van volgend jaar en wat de minister daarover zei.</p>"
        b"<img src=x onerror=alert(2)></article></body></html>",
    )
    source = fetched(source_server, "/hostile")
    publish(seed_claim, scale, [source], editor)
    capture = Snapshot.objects.get(source=source)

    response = reader.get(capture.get_absolute_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert "Een alinea met genoeg woorden" in html
    assert capture.warc_digest in html and ">200<" in html
    assert capture.fetched_at.astimezone(timezone.get_current_timezone()).strftime("%H:%M") in html
    assert "alert(" not in html and "onerror" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_captures_of_unpublished_work_stay_private(client, seed_claim, editor, source_server):
    source = fetched(source_server, "/page")
    services.citation_add(claim=seed_claim, source=source, user=editor)  # a draft claim
    capture = Snapshot.objects.get(source=source)

    assert client.get(capture.get_absolute_url()).status_code == 404
    client.force_login(editor)
    assert client.get(capture.get_absolute_url()).status_code == 200


def test_article_source_links_are_robust_links_too(reader, seed_article, source_server):
    source = fetched(source_server, "/page")
    Citation.objects.create(article=seed_article, source=source, position=99)
    capture = Snapshot.objects.get(source=source)

    html = reader.get(seed_article.get_absolute_url()).content.decode()

    (link,) = links_to(html, source.url)
    assert link["data-versionurl"] == capture.get_absolute_url()
    assert link["data-originalurl"] == source.url and ISO_Z.match(link["data-versiondate"])
    for other in Citation.objects.filter(article=seed_article, claim__isnull=True):
        if other.source.url:  # the seed's own sources: never fetched, still robust
            (seed_link,) = links_to(html, other.source.url)
            assert "data-originalurl" in seed_link and "data-versiondate" in seed_link


def test_the_dashboard_shows_the_archive_coverage(
    client, moderator, seed_claim, scale, editor, source_server
):
    archived, ours = fetched(source_server, "/page"), fetched(source_server, "/text")
    url = "https://example.org/nooit-opgehaald"
    never = Source.objects.create(key=url, url=url, state="waiting")
    Memento.objects.create(
        source=archived,
        url=archived.url,
        state="archived",
        memento_url="https://web.archive.org/web/1/x",
        memento_at=timezone.now(),
    )
    publish(seed_claim, scale, [archived, ours, never], editor)
    client.force_login(moderator)

    html = client.get(reverse("claims:dashboard")).content.decode()

    assert "Kopieën van de bronnen van gepubliceerde beweringen" in html
    assert "33% in het webarchief, 33% alleen in onze eigen kopie" in html
    rows = re.findall(r"<tr><th scope=\"row\">([^<]+)</th><td>(\d+)</td></tr>", html)
    assert ("In het webarchief", "1") in rows and ("Alleen onze eigen kopie", "1") in rows
    assert ("Nog geen kopie", "1") in rows


def test_archive_now_asks_once_and_says_when_archiving_is_off(
    client, editor, source_server, settings, django_capture_on_commit_callbacks
):
    settings.FACTCHECK_ARCHIVE_SPN_URL = "https://archive.invalid"
    source = fetched(source_server, "/page")
    client.force_login(editor)
    url = reverse("claims:source_archive", args=[source.pk])

    with django_capture_on_commit_callbacks() as sent:
        client.post(url)
        client.post(url)
    assert list(source.mementos.values_list("state", "reason")) == [("pending", "missing")]
    assert len(sent) == 1
    page = client.get(reverse("claims:source", args=[source.pk])).content.decode()
    assert "Er loopt een verzoek." in page

    settings.FACTCHECK_ARCHIVE_SPN_URL = ""
    response = client.post(url, follow=True)
    assert "Archiveren is op deze site uitgeschakeld." in response.content.decode()


@pytest.mark.parametrize("state", ["dead", "changed"])
def test_a_source_without_any_copy_says_so(reader, seed_claim, scale, editor, state, db):
    url = f"https://example.org/{state}"
    source = Source.objects.create(key=url, url=url, state=state)
    publish(seed_claim, scale, [source], editor)
    html = reader.get(seed_claim.get_absolute_url()).content.decode()
    assert "We hebben er geen kopie van." in html
    (link,) = links_to(html, url)
    assert "data-versionurl" not in link and ISO_Z.match(link["data-versiondate"])
