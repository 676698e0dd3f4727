"""Each staff member's inbox (claims/views/inbox.py): what waits for them, and the count
in the navigation."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from claims import services
from claims.models import TextFix
from tests.conftest import make_staff

INBOX = reverse("claims:inbox")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def count_in_nav(html: str) -> int:
    found = re.search(r'href="/staff/inbox/">Inbox(?: <span class="count">(\d+))?', html)
    assert found, "no inbox link in the navigation"
    return int(found.group(1) or 0)


@pytest.fixture
def change(seed_claim, scale, editor):
    """A published verdict and a change to it, by ``editor``, sent for review."""
    ratings = scale.ratings
    services.verdict_publish(claim=seed_claim, rating=ratings.get(code="true"), summary="Ja.")
    return services.verdict_save(
        claim=seed_claim,
        rating=ratings.get(code="misleading"),
        summary="Misleidend, na nieuwe cijfers.",
        author=editor,
        submit=True,
    )


def test_a_verdict_change_waits_in_every_editors_inbox_but_its_authors(change, editor, db):
    others = [make_staff("redacteur2", "Editor"), make_staff("redacteur3", "Editor")]
    for other in others:
        html = client_of(other).get(INBOX).content.decode()
        assert "Misleidend, na nieuwe cijfers." in html  # the proposed version
        assert "Ja." in html  # beside the published one
        assert f'name="seen" value="{change.content_token()}"' in html
        assert count_in_nav(html) == 1
    own = client_of(editor).get(INBOX).content.decode()
    assert "Misleidend, na nieuwe cijfers." not in own
    assert "Er wacht geen oordeel op je." in own


def test_approving_from_the_inbox_publishes_and_empties_it(change, second_editor):
    client = client_of(second_editor)
    html = client.get(INBOX).content.decode()
    seen = re.search(r'name="seen" value="(\w+)"', html).group(1)
    client.post(reverse("claims:desk_verdict_review", args=[change.pk]), {"seen": seen})
    change.refresh_from_db()
    assert change.status == "published" and change.approved_by == second_editor
    assert count_in_nav(client.get(INBOX).content.decode()) == 0


def test_assigned_claims_and_the_held_report_are_in_the_inbox(seed_claim, editor, reviewer):
    other = make_staff("redacteur2", "Editor")
    services.claim_assign(claim=seed_claim, assignee=other, user=editor)
    html = client_of(other).get(INBOX).content.decode()
    assert seed_claim.get_desk_url() in html and count_in_nav(html) == 1

    report = services.report_create(article=seed_claim.appearances.get().article, message="X")
    services.report_claim_next(user=reviewer)
    html = client_of(reviewer).get(INBOX).content.decode()
    assert report.get_review_url() in html and count_in_nav(html) == 1
    assert "Oordelen die op je goedkeuring wachten" not in html  # not a reviewer's work


def test_a_proposed_text_fix_is_applied_from_the_editors_inbox(seed_article, editor, reviewer):
    paragraph = seed_article.paragraphs.get(position=3)
    fix = TextFix.objects.create(
        article=seed_article,
        anchor=paragraph.anchor,
        current_text=paragraph.text,
        text=paragraph.text.replace("sinds mei 2025", "sinds januari 2025"),
        correction_text="Witkoff is gezant sinds januari 2025.",
        proposed_by=reviewer,
    )
    client = client_of(editor)
    html = client.get(INBOX).content.decode()
    assert "sinds januari 2025" in html and count_in_nav(html) == 1
    assert "Tekstcorrecties voorgesteld" not in client_of(reviewer).get(INBOX).content.decode()

    client.post(reverse("claims:inbox_text_fix", args=[fix.pk]), {"text": fix.text})

    paragraph.refresh_from_db()
    assert "sinds januari 2025" in paragraph.text
    assert seed_article.corrections.get().revision is not None
    assert count_in_nav(client.get(INBOX).content.decode()) == 0


def test_the_desk_in_review_filter_finds_a_pending_verdict_change(change, second_editor):
    html = client_of(second_editor).get(reverse("claims:desk"), {"status": "in_review"})
    html = html.content.decode()
    assert change.claim.get_desk_url() in html
    assert 'value="in_review" selected>In beoordeling (1)</option>' in html
