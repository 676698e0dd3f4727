"""Readers who follow a claim or an article: double opt-in by email, exactly one email
per event, one-click unsubscribe, addresses kept only while following and included in
the reporter-data export and erase; and each claim's Atom feed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Event, Follow, FollowEmail

LINK = re.compile(r"http://localhost:8000(/follow/[\w-]+/(?:stop/|unsubscribe/)?)")


def deliver(mailoutbox) -> list:
    """What the worker does: hand out every event, send every due email; the new mail."""
    before = len(mailoutbox)
    for event_id in Event.objects.filter(dispatched_at__isnull=True).values_list("pk", flat=True):
        services.event_dispatch(event_id=event_id)
    for email_id in FollowEmail.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
        services.follow_email_send(email_id=email_id)
    return mailoutbox[before:]


def change_verdict(claim, scale, code: str, summary: str):
    services.verdict_publish(claim=claim, rating=scale.ratings.get(code=code), summary=summary)


@pytest.fixture
def public_claim(seed_claim, scale, editor):
    change_verdict(seed_claim, scale, "true", "Klopt.")
    seed_claim.refresh_from_db()
    return seed_claim


def follow_and_confirm(reader: Client, claim, mailoutbox, email="lezer@example.org") -> Follow:
    response = reader.post(reverse("claims:claim_follow", args=[claim.slug]), {"email": email})
    assert response.status_code == 302
    [confirm] = deliver(mailoutbox)
    assert confirm.to == [email]
    assert "List-Unsubscribe" not in confirm.extra_headers  # not following yet
    path = LINK.search(confirm.body).group(1)
    page = reader.get(path)
    assert page.status_code == 200 and "Ja, stuur mij berichten" in page.content.decode()
    assert Follow.objects.get(email=email).confirmed_at is None  # opening the link is not enough
    assert reader.post(path).status_code == 200
    follow = Follow.objects.get(email=email)
    assert follow.confirmed_at is not None
    return follow


def test_a_reader_follows_confirms_and_gets_exactly_one_email_per_change_until_they_stop(
    reader, public_claim, scale, mailoutbox
):
    """The issue's "done when", with the outbox."""
    follow = follow_and_confirm(reader, public_claim, mailoutbox)

    change_verdict(public_claim, scale, "false", "Toch niet: het is minder.")
    [update] = deliver(mailoutbox)
    assert deliver(mailoutbox) == []  # dispatched and sent once, however often it runs
    services.events_sweep()
    assert deliver(mailoutbox) == []
    assert update.to == ["lezer@example.org"]
    assert "“Waar”" in update.body and "“Onwaar”" in update.body
    assert "Toch niet: het is minder." in update.body
    # The verdict change also published a correction on the article: not a second email.
    assert FollowEmail.objects.filter(follow=follow, kind="update").count() == 1

    stop = f"http://localhost:8000{follow.get_stop_url()}"
    unsubscribe = (
        f"http://localhost:8000{reverse('claims:follow_unsubscribe', args=[follow.token])}"
    )
    assert update.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert update.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert stop in update.body

    # The mail program's one-click POST: no cookie, no CSRF token.
    mail_program = Client(enforce_csrf_checks=True)
    answer = mail_program.post(
        unsubscribe.removeprefix("http://localhost:8000"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    assert not Follow.objects.filter(email="lezer@example.org").exists()  # the address is gone

    change_verdict(public_claim, scale, "half-true", "Half.")
    assert deliver(mailoutbox) == []


def test_unfollowing_before_a_queued_email_goes_out_stops_it(
    reader, public_claim, scale, mailoutbox
):
    follow = follow_and_confirm(reader, public_claim, mailoutbox)
    change_verdict(public_claim, scale, "false", "Nee.")
    services.event_dispatch(event_id=Event.objects.get().pk)
    assert FollowEmail.objects.filter(kind="update").count() == 1
    reader.post(follow.get_stop_url())
    assert not FollowEmail.objects.exists()
    assert deliver(mailoutbox) == []


def test_the_stop_page_asks_first_and_then_forgets_the_address(reader, public_claim, mailoutbox):
    follow = follow_and_confirm(reader, public_claim, mailoutbox)
    page = reader.get(follow.get_stop_url())
    assert "Stoppen met volgen" in page.content.decode()
    assert Follow.objects.filter(pk=follow.pk).exists()
    done = reader.post(follow.get_stop_url())
    assert done.status_code == 200 and "adres verwijderd" in done.content.decode()
    assert not Follow.objects.filter(pk=follow.pk).exists()
    assert reader.get(follow.get_stop_url()).status_code == 404
    assert reader.get(follow.get_confirm_url()).status_code == 404


def test_the_form_tells_nobody_whether_an_address_already_follows(reader, public_claim, mailoutbox):
    follow_and_confirm(reader, public_claim, mailoutbox)
    url = reverse("claims:claim_follow", args=[public_claim.slug])
    again = reader.post(url, {"email": "LEZER@example.org"}, HTTP_HX_REQUEST="true")
    fresh = reader.post(url, {"email": "ander@example.org"}, HTTP_HX_REQUEST="true")
    assert again.status_code == fresh.status_code == 200
    assert again.content == fresh.content  # the same answer either way
    assert [m.to for m in deliver(mailoutbox)] == [["ander@example.org"]]
    assert Follow.objects.filter(email="lezer@example.org").count() == 1  # one row, lower-cased


def test_a_bad_address_is_refused_kindly_and_a_bot_stores_nothing(reader, public_claim):
    url = reverse("claims:claim_follow", args=[public_claim.slug])
    bad = reader.post(url, {"email": "geen adres"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "Dit is geen e-mailadres" in bad.content.decode()
    long = reader.post(url, {"email": "a" * 250 + "@example.org"}, HTTP_HX_REQUEST="true")
    assert "254" in long.content.decode()
    bot = reader.post(url, {"email": "bot@example.org", "website": "http://spam"})
    assert bot.status_code == 302
    assert not Follow.objects.exists()


def test_following_is_rate_limited_per_ip(reader, public_claim, settings):
    settings.FACTCHECK_FOLLOW_RATE_PER_IP = "2/h"
    url = reverse("claims:claim_follow", args=[public_claim.slug])
    for n in range(2):
        assert reader.post(url, {"email": f"l{n}@example.org"}).status_code == 302
    limited = reader.post(url, {"email": "l3@example.org"}, HTTP_HX_REQUEST="true")
    assert "even" in limited.content.decode() and Follow.objects.count() == 2


def test_asking_again_resends_the_confirmation_at_most_every_ten_minutes(
    reader, public_claim, mailoutbox
):
    url = reverse("claims:claim_follow", args=[public_claim.slug])
    reader.post(url, {"email": "lezer@example.org"})
    reader.post(url, {"email": "lezer@example.org"})
    assert len(deliver(mailoutbox)) == 1
    FollowEmail.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    reader.post(url, {"email": "lezer@example.org"})
    assert len(deliver(mailoutbox)) == 1


def test_unconfirmed_addresses_are_forgotten(reader, public_claim, settings):
    reader.post(
        reverse("claims:claim_follow", args=[public_claim.slug]), {"email": "x@example.org"}
    )
    assert services.follows_forget_unconfirmed() == 0
    later = timezone.now() + timedelta(days=settings.FACTCHECK_FOLLOW_CONFIRM_DAYS, minutes=1)
    assert services.follows_forget_unconfirmed(now=later) >= 1
    assert not Follow.objects.exists() and not FollowEmail.objects.exists()


def test_article_followers_hear_of_corrections_and_new_verdicts_in_their_language(
    reader, seed_article, seed_claim, scale, editor, mailoutbox
):
    reader.post("/i18n/setlang/", {"language": "en"})
    reader.post(
        reverse("claims:article_follow", args=[seed_article.slug]), {"email": "a@example.org"}
    )
    [confirm] = deliver(mailoutbox)
    assert "confirm" in confirm.subject
    reader.post(LINK.search(confirm.body).group(1))

    change_verdict(seed_claim, scale, "true", "Correct.")
    services.correction_publish(article=seed_article, text="We fixed a name.")
    mails = deliver(mailoutbox)
    assert len(mails) == 2
    assert "a verdict was published" in mails[0].subject and "“True”" in mails[0].body
    assert "a correction was published" in mails[1].subject and "We fixed a name." in mails[1].body


def test_nothing_can_be_followed_before_it_is_public(reader, seed_claim, seed_article):
    url = reverse("claims:claim_follow", args=[seed_claim.slug])  # no verdict yet
    assert reader.post(url, {"email": "x@example.org"}).status_code == 404
    seed_article.status = "draft"
    seed_article.save()
    url = reverse("claims:article_follow", args=[seed_article.slug])
    assert reader.post(url, {"email": "x@example.org"}).status_code == 404
    assert not Follow.objects.exists()


def test_the_reporter_data_tools_export_and_erase_follows(
    reader, public_claim, mailoutbox, moderator, seed_article
):
    follow_and_confirm(reader, public_claim, mailoutbox)
    report = services.report_create(
        article=seed_article, message="Fout", email="Lezer@example.org", email_consent=True
    )
    exported = services.reporter_data_export(email="lezer@example.org")
    [following] = exported["following"]
    assert following["following"] == "claim" and following["title"] == public_claim.text
    assert following["confirmed_at"] and following["emails_sent"]

    client = Client()
    client.force_login(moderator)
    here = reverse("admin:claims_report_reporter_data")
    page = client.get(here, {"email": "lezer@example.org"})
    assert public_claim.text[:30] in page.content.decode()
    client.post(here, {"email": "lezer@example.org", "confirm": "on", "action": "erase"})
    assert not Follow.objects.exists()
    report.refresh_from_db()
    assert report.email == ""


def test_only_follows_of_that_address_are_erased(reader, public_claim, mailoutbox):
    follow_and_confirm(reader, public_claim, mailoutbox, email="een@example.org")
    follow_and_confirm(reader, public_claim, mailoutbox, email="twee@example.org")
    assert services.reporter_data_erase(email="een@example.org", user=None) == 0  # no reports
    assert list(Follow.objects.values_list("email", flat=True)) == ["twee@example.org"]


def test_the_admin_masks_followers_addresses(public_claim, reader, mailoutbox, editor):
    follow_and_confirm(reader, public_claim, mailoutbox)
    admin = User.objects.create_user("staf", "staf@example.org", "pw", is_staff=True)
    admin.user_permissions.add(
        *__import__(
            "django.contrib.auth.models", fromlist=["Permission"]
        ).Permission.objects.filter(codename__in=["view_follow"])
    )
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("admin:claims_follow_changelist")).content.decode()
    assert "l•••@example.org" in page and "lezer@example.org" not in page
    probe = client.get(reverse("admin:claims_follow_changelist") + "?email__startswith=l")
    assert probe.status_code in (302, 400) or "l•••" not in probe.content.decode()


def test_each_claim_has_an_atom_feed_of_its_verdicts_and_corrections(reader, public_claim, scale):
    change_verdict(public_claim, scale, "false", "Toch niet.")
    feed = reader.get(reverse("claims:claim_atom", args=[public_claim.slug]))
    assert feed["Content-Type"].startswith("application/atom+xml")
    xml = feed.content.decode()
    assert xml.count("<entry>") == 3  # two verdicts and the verdict-change correction
    assert "Toch niet." in xml and "Klopt." in xml
    page = reader.get(public_claim.get_absolute_url()).content.decode()
    assert reverse("claims:claim_atom", args=[public_claim.slug]) in page
    assert 'id="follow"' in page


def test_a_draft_claim_has_no_feed(reader, seed_claim):
    assert reader.get(reverse("claims:claim_atom", args=[seed_claim.slug])).status_code == 404
