"""Every list keeps its filters when the page turns ({% pager %}, claims/templatetags/pager.py)."""

from __future__ import annotations

import re
from html import unescape

from django.test import Client
from django.urls import reverse

from claims import services
from claims.models import Claim, Source

NEXT_LINK = re.compile(r'<a href="(\?[^"]*)" rel="next">')


def next_page(client: Client, url: str, params: dict) -> tuple[str, str]:
    """The next-page link of the first page, and the second page it leads to."""
    first = client.get(url, params).content.decode()
    link = unescape(NEXT_LINK.search(first).group(1))
    return link, client.get(url + link).content.decode()


def test_the_desk_keeps_state_assignee_and_search_across_pages(db, editor, seed_article):
    for n in range(32):
        claim = services.claim_create(text=f"Bewering over Genève nummer {n}").claim
        services.claim_assign(claim=claim, assignee=editor, user=editor)
    unassigned = services.claim_create(text="Bewering over Genève zonder redacteur").claim
    published = services.claim_create(text="Gepubliceerde bewering over Genève").claim
    Claim.objects.filter(pk=published.pk).update(status=Claim.Status.PUBLISHED)
    client = Client()
    client.force_login(editor)

    link, second = next_page(
        client, reverse("claims:desk"), {"status": "draft", "assignee": "me", "q": "Genève"}
    )

    assert "status=draft" in link and "assignee=me" in link and "q=Gen" in link
    assert "page=2" in link
    assert "Genève nummer" in second
    assert unassigned.get_desk_url() not in second
    assert published.get_desk_url() not in second


def test_the_sources_list_keeps_state_and_search_across_pages(db, editor):
    for n in range(55):
        Source.objects.create(
            key=f"https://nos.nl/{n}",
            url=f"https://nos.nl/{n}",
            title=f"NOS {n:02}",
            state=Source.State.DEAD,
        )
    live = Source.objects.create(
        key="https://nos.nl/live",
        url="https://nos.nl/live",
        title="NOS leeft",
        state=Source.State.LIVE,
    )
    other = Source.objects.create(
        key="https://rtl.nl/dood",
        url="https://rtl.nl/dood",
        title="RTL dood",
        state=Source.State.DEAD,
    )
    client = Client()
    client.force_login(editor)

    link, second = next_page(client, reverse("claims:sources"), {"state": "dead", "q": "NOS"})

    assert "state=dead" in link and "q=NOS" in link and "page=2" in link
    assert "NOS 5" in second
    assert reverse("claims:source", args=[live.pk]) not in second
    assert reverse("claims:source", args=[other.pk]) not in second


def test_the_claims_index_keeps_its_filters_across_pages(db, seed_article, scale):
    rating = scale.ratings.get(code="false")
    for n in range(23):
        claim = services.claim_create(text=f"Bewering over Rusland nummer {n}", language="nl").claim
        services.verdict_publish(claim=claim, rating=rating, summary="Onjuist.")
    english = services.claim_create(text="Claim about Russia number one", language="en").claim
    services.verdict_publish(claim=english, rating=rating, summary="False.")
    reader = Client()

    link, second = next_page(
        reader, reverse("claims:claims"), {"language": "nl", "rating": "false"}
    )

    assert "language=nl" in link and "rating=false" in link and "page=2" in link
    assert "Rusland nummer" in second
    assert english.get_absolute_url() not in second
