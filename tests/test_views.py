"""Public pages: the home page, the article page and its "found an error?" form."""

import pytest
from django.conf import settings
from django.urls import reverse

from claims import services
from claims.models import (
    Article,
    Claim,
    Correction,
    Paragraph,
    Rating,
    RatingScale,
    Report,
    Source,
)
from tests.conftest import report_form_data


@pytest.fixture
def scale(db):
    scale = RatingScale.objects.create(name="Test", version=1)
    Rating.objects.create(scale=scale, code="true", label_nl="Waar", label_en="True", value=5)
    return scale


def report_url(article):
    return reverse("claims:report_create", kwargs={"slug": article.slug})


def test_home_lists_published_articles(reader, seed_article):
    Article.objects.create(title="Concept", slug="concept")  # a draft stays hidden
    response = reader.get(reverse("claims:home"))
    assert response.status_code == 200
    assert seed_article.title in response.content.decode()
    assert "Concept" not in response.content.decode()


def test_article_page_shows_the_seed_faithfully(reader, seed_article):
    response = reader.get(seed_article.get_absolute_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert f"<h1>{seed_article.title}</h1>" in html
    assert "gaya ❤️ one" in html
    for paragraph in seed_article.paragraphs.all():
        assert f'id="{paragraph.anchor}"' in html
        assert paragraph.text.replace("'", "&#x27;") in html
    assert html.count('class="state state-needs_url"') == 4
    assert "Steve Witkoff</a>" not in html  # no URL yet: plain text, not a link
    assert "Gratie Trump voor Honduras" in html
    assert "Heb je een fout of onnauwkeurigheid gevonden?" in html
    assert 'hx-post="' + report_url(seed_article) in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_source_states_are_shown(reader, seed_article):
    source = Source.objects.get(title="Steve Witkoff")
    source.url = "https://en.wikipedia.org/wiki/Steve_Witkoff"
    source.state = Source.State.DEAD
    source.save()
    html = reader.get(seed_article.get_absolute_url()).content.decode()
    assert 'href="https://en.wikipedia.org/wiki/Steve_Witkoff"' in html
    assert "Dood" in html


def test_both_languages_render(reader, seed_article):
    dutch = reader.get(seed_article.get_absolute_url()).content.decode()
    assert '<html lang="nl">' in dutch
    assert "Bronnen" in dutch and ">geen link</span>" in dutch  # not the desk's "Wacht op URL"

    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = reader.get(seed_article.get_absolute_url()).content.decode()
    assert '<html lang="en">' in english
    assert "Found an error or inaccuracy?" in english
    assert "Sources" in english and ">no link</span>" in english
    assert "Bronnen</h2>" not in english


def test_language_switch_sets_the_cookie(reader, seed_article):
    response = reader.post(
        reverse("set_language"), {"language": "en", "next": seed_article.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_article_page_query_count_is_fixed(reader, seed_article, scale, django_assert_num_queries):
    rating = scale.ratings.get()
    paragraph = seed_article.paragraphs.first()
    for n in range(50):
        claim = services.claim_create(
            text=f"Bewering {n}", article=seed_article, paragraph=paragraph, quote="Op dinsdag"
        ).claim
        services.verdict_publish(claim=claim, rating=rating, summary=f"Samenvatting {n}")
    for n in range(26):  # the seed brings 4 sources; 30 in all
        source = Source.objects.create(
            key=f"https://example.org/{n}", url=f"https://example.org/{n}", state="live"
        )
        seed_article.citations.create(source=source, position=10 + n)
    for n in range(10):
        Correction.objects.create(article=seed_article, text=f"Correctie {n}")

    with django_assert_num_queries(8):  # the article, then seven for what it shows
        cold = reader.get(seed_article.get_absolute_url()).content.decode()
    with django_assert_num_queries(1):  # the article; the rest comes from the cache
        warm = reader.get(seed_article.get_absolute_url()).content.decode()

    for html in (cold, warm):
        assert html.count('class="rating"') == 50
        assert html.count('class="state state-') == 30
        assert html.count('id="correction-') == 10
        assert html.count('<option value="p-') == 5


@pytest.mark.parametrize(
    "change",
    ["correction", "source_state", "verdict", "paragraph", "rating_label"],
)
def test_article_page_shows_changes_at_once(reader, seed_article, scale, change):
    paragraph = seed_article.paragraphs.first()
    claim = services.claim_create(
        text="Een bewering", article=seed_article, paragraph=paragraph
    ).claim
    services.verdict_publish(claim=claim, rating=scale.ratings.get(), summary="Klopt.")
    reader.get(seed_article.get_absolute_url())  # cached now

    if change == "correction":
        Correction.objects.create(article=seed_article, text="Nieuwe correctie")
        expected = "Nieuwe correctie"
    elif change == "source_state":
        source = Source.objects.get(title="Aktual24")
        source.url, source.state = "https://aktual24.ro/", Source.State.LIVE
        source.save()
        expected = "Bereikbaar"
    elif change == "verdict":
        rating = Rating.objects.create(
            scale=scale, code="false", label_nl="Onwaar", label_en="False", value=1
        )
        services.verdict_publish(claim=claim, rating=rating, summary="Toch niet.")
        expected = "Onwaar"
    elif change == "paragraph":
        paragraph.text = "Herschreven alinea."
        paragraph.save()
        expected = "Herschreven alinea."
    else:
        rating = scale.ratings.get()
        rating.label_nl = "Helemaal waar"
        rating.save()
        expected = "Helemaal waar"

    assert expected in reader.get(seed_article.get_absolute_url()).content.decode()


def test_report_post_without_javascript_stores_and_redirects(reader, seed_article):
    paragraph = seed_article.paragraphs.get(position=2)
    response = reader.post(
        report_url(seed_article),
        report_form_data(
            message="Het is 18%, niet 20%.", quote="circa 20%", paragraph=paragraph.anchor
        ),
        REMOTE_ADDR="203.0.113.9",
    )

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.message == "Het is 18%, niet 20%."
    assert report.paragraph == paragraph
    assert report.quote == "circa 20%"
    assert report.language == "nl"
    assert report.state == Report.State.NEW
    assert len(report.reference) >= 22
    assert "203.0.113.9" not in report.ip_hash and len(report.ip_hash) == 64

    page = reader.get(response["Location"]).content.decode()
    assert report.reference in page
    assert "Ontvangen" in page


def test_report_post_with_htmx_answers_with_the_reference(reader, seed_article):
    response = reader.post(
        report_url(seed_article),
        report_form_data(message="Spelfout in alinea 3."),
        HTTP_HX_REQUEST="true",
    )

    report = Report.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="report-form">')
    assert "<html" not in html
    assert report.reference in html
    assert report.get_absolute_url() in html


def test_references_are_unguessable(reader, seed_article):
    refs = {
        services.report_create(article=seed_article, message=f"m{n}").reference for n in range(50)
    }
    assert len(refs) == 50
    assert all(len(ref) >= 22 for ref in refs)
    assert not any(ref.isdigit() for ref in refs)


def test_references_start_with_a_letter_or_digit():
    # One in 32 raw URL-safe tokens starts with "-" or "_"; 2,000 draws catch a
    # regression with near certainty. Such a reference would be quoted as a formula
    # in CSV exports and read as an option on a command line.
    refs = [services.report_reference() for _ in range(2000)]
    assert all(ref[0].isalnum() for ref in refs)
    assert len(set(refs)) == 2000


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"message": ""}, "Vertel ons wat er niet klopt."),
        ({"message": "   "}, "Vertel ons wat er niet klopt."),
        ({"message": "x" * 5001}, "niet meer dan 5000 tekens"),
        ({"message": "ok", "quote": "q" * 1001}, "niet meer dan 1000 tekens"),
        ({"message": "ok", "email": "lezer@example.org"}, "Vink dit vakje aan"),
        ({"message": "ok", "email": "geen-adres"}, "geldig e-mailadres"),
        ({"message": "ok", "paragraph": "p-bestaatniet"}, "geldige keuze"),
    ],
    ids=["empty", "blank", "oversized", "long-quote", "no-consent", "bad-email", "bad-anchor"],
)
def test_bad_reports_are_refused_with_the_form_errors(reader, seed_article, data, error, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = reader.post(report_url(seed_article), report_form_data(**data), **headers)

    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert Report.objects.count() == 0
    assert ('<div id="report-form">' in html) and (("<html" in html) != htmx)


def test_email_is_kept_only_with_consent(reader, seed_article):
    reader.post(
        report_url(seed_article),
        report_form_data(message="ok", email="lezer@example.org", email_consent="on"),
    )
    report = Report.objects.get()
    assert (report.email, report.email_consent) == ("lezer@example.org", True)


def test_csrf_is_enforced_on_the_report_form(seed_article):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(report_url(seed_article), report_form_data(message="zonder token"))
    assert response.status_code == 403
    assert Report.objects.count() == 0


def test_tracking_page_never_shows_reviewer_notes(reader, seed_article):
    report = services.report_create(article=seed_article, message="Fout")
    Report.objects.filter(pk=report.pk).update(
        state=Report.State.REJECTED, resolution="De bron zegt 20%.", reviewer_note="GEHEIM"
    )
    html = reader.get(report.get_absolute_url()).content.decode()
    assert "De bron zegt 20%." in html
    assert "GEHEIM" not in html


def test_unknown_reference_is_404(reader, db):
    assert reader.get(reverse("claims:report_track", args=["nope"])).status_code == 404


def test_claim_page_shows_the_verdict(reader, seed_article, scale):
    paragraph = Paragraph.objects.filter(article=seed_article).first()
    claim = services.claim_create(text="Vijf uur", article=seed_article, paragraph=paragraph).claim
    services.verdict_publish(claim=claim, rating=scale.ratings.get(), summary="Klopt.")
    html = reader.get(claim.get_absolute_url()).content.decode()
    assert "Vijf uur" in html and "Waar" in html and "Klopt." in html
    assert Claim.objects.get().status == Claim.Status.PUBLISHED


def test_privacy_page_states_what_is_kept(reader, db, settings):
    settings.FACTCHECK_REPORT_EMAIL_RETENTION_DAYS = 45
    html = reader.get(reverse("claims:privacy")).content.decode()
    assert "45 dagen" in html
    assert "gezouten hash" in html


def test_readers_share_one_rendered_page_but_each_gets_their_own_token(
    seed_article, editor_client, settings
):
    """Cookieless readers get the page rendered once per process, with their own CSRF
    token and form time stamp filled in; logged-in staff get it rendered for them."""
    import re

    from django.test import Client

    from claims.views.articles import CSRF_SLOT, STARTED_SLOT

    settings.FACTCHECK_REPORT_MIN_FILL_SECONDS = 0
    url = seed_article.get_absolute_url()
    tokens = set()
    for n in range(2):
        client = Client(enforce_csrf_checks=True)
        html = client.get(url).content.decode()
        assert CSRF_SLOT not in html and STARTED_SLOT not in html
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
        started = re.search(r'name="started" value="([^"]+)"', html)[1]
        tokens.add(token)
        sent = client.post(
            report_url(seed_article),
            {"csrfmiddlewaretoken": token, "started": started, "message": f"Fout {n}."},
        )
        assert sent.status_code == 302
    assert len(tokens) == 2
    assert Report.objects.count() == 2

    assert reverse("claims:desk") in editor_client.get(url).content.decode()
    assert reverse("claims:desk") not in Client().get(url).content.decode()
