"""XSS payloads in every user-facing text field are rendered escaped: on the public pages,
the staff pages and in the admin.

Each field gets its own payload (its name, then a script element and an attribute break),
written through the services and forms where they exist, so a leak names the field.
Every page is checked for the raw payloads; where a page shows a field, its escaped form
must be there too (so the check cannot pass on a page that shows nothing).
"""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from claims import services
from claims.importers.seed import seed_parse
from claims.models import (
    Article,
    Citation,
    Correction,
    ExternalReview,
    Paragraph,
    RelatedLink,
    Report,
    Source,
    Verdict,
)
from tests.conftest import report_form_data

SCRIPT = "<script>alert('x')</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
RAW = (SCRIPT, "<img src=x onerror=alert(1)>")


def payload(field: str) -> str:
    return f"{field}-{SCRIPT}{ATTRIBUTE}"


def shown(field: str) -> str:
    """The payload as an escaping template shows it."""
    return escape(payload(field))


SEED = f"""{payload("title")}
Bewerkt door: {payload("byline")}
Rusland bezet circa 20% van het land. {payload("paragraph")}
Een tweede alinea over de besprekingen in het Kremlin.
Bronnen
{payload("source.title")} - {payload("source.publisher")} (https://example.org/bron)
Lees meer nieuws over dit onderwerp:
{payload("related")}
Heb je een fout of onnauwkeurigheid gevonden?
"""


@pytest.fixture
def newsroom(db, editor, reviewer, scale, admin_user) -> dict:
    """An article, its claim, verdict, reports, correction and an outside review, every
    text field holding a payload."""
    article = services.article_import(seed=seed_parse(SEED)).article
    Article.objects.filter(pk=article.pk).update(status="published")
    article.refresh_from_db()
    paragraph = article.paragraphs.order_by("position").first()
    claim = services.claim_create(
        text=payload("claim"),
        article=article,
        paragraph=paragraph,
        quote="Rusland bezet circa 20% van het land.",
        claimant=payload("claimant"),
        claim_date=article.published_at.date(),
        created_by=editor,
    ).claim
    rating = scale.ratings.first()
    services.verdict_publish(
        claim=claim,
        rating=rating,
        summary=payload("summary"),
        explanation=f"<p>{payload('explanation')}</p>",
        author=editor,
    )
    source = Source.objects.get(citations__article=article)
    services.citation_add(claim=claim, source=source, quote=payload("citation"))
    claim.refresh_from_db()

    # A reader's report through the public form; the reviewer asks, the reader answers.
    reader = Client()
    response = reader.post(
        reverse("claims:report_create", kwargs={"slug": article.slug}),
        report_form_data(
            message=payload("message"),
            quote=payload("quote"),
            suggestion=payload("suggestion"),
            name=payload("name"),
            email="lezer@example.org",
            email_consent="on",
        ),
    )
    assert response.status_code in (200, 302), response.status_code
    asked = Report.objects.get(message=payload("message"))
    services.report_process(report_id=asked.pk)
    services.report_claim(report_id=asked.pk, user=reviewer)
    services.report_request_info(report_id=asked.pk, user=reviewer, question=payload("question"))
    asked.refresh_from_db()
    services.report_info_reply(report=asked, text=payload("reply"))

    # A second report, accepted with a correction, an outcome and a private note.
    accepted = services.report_create(
        article=article, message=payload("message2"), name=payload("name2")
    )
    services.report_process(report_id=accepted.pk)
    services.report_claim(report_id=accepted.pk, user=admin_user)
    correction = services.report_accept(
        report_id=accepted.pk,
        user=admin_user,
        correction_text=payload("correction"),
        resolution=payload("resolution"),
        reviewer_note=payload("note"),
    ).correction
    assert correction is not None

    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": payload("external.claim"),
        "url": "https://example.org/review",
        "author": {"@type": "Organization", "name": payload("external.author")},
        "itemReviewed": {"author": {"@type": "Person", "name": payload("external.claimant")}},
        "reviewRating": {"@type": "Rating", "alternateName": payload("external.rating")},
    }
    result = services.claimreview_import(data=json.dumps(review).encode(), origin="test")
    assert result.imported == 1, result.errors
    for report in (asked, accepted):
        report.refresh_from_db()
    return {
        "article": article,
        "claim": claim,
        "source": source,
        "asked": asked,
        "accepted": accepted,
        "correction": correction,
        "review": result.reviews[0],
    }


def assert_escaped(html: str, fields: list[str], where: str) -> None:
    leaks = [raw for raw in RAW if raw in html]
    assert leaks == [], f"{where}: raw payload in the page"
    missing = [field for field in fields if shown(field) not in html]
    assert missing == [], f"{where}: these fields are not shown escaped"


def test_the_payloads_are_stored_as_typed(newsroom):
    """The setup reached every field (so the page checks below check something)."""
    article, claim = newsroom["article"], newsroom["claim"]
    assert (article.title, article.byline) == (payload("title"), payload("byline"))
    assert Paragraph.objects.filter(article=article, text__contains=payload("paragraph")).exists()
    assert RelatedLink.objects.filter(headline=payload("related")).exists()
    assert (newsroom["source"].title, newsroom["source"].publisher) == (
        payload("source.title"),
        payload("source.publisher"),
    )
    assert (claim.text, claim.claimant) == (payload("claim"), payload("claimant"))
    verdict = Verdict.objects.get(claim=claim)
    assert verdict.summary == payload("summary")
    assert "<script" not in verdict.explanation and "onerror" not in verdict.explanation
    assert Citation.objects.filter(quote=payload("citation")).exists()
    asked, accepted = newsroom["asked"], newsroom["accepted"]
    assert (asked.quote, asked.suggestion, asked.name) == (
        payload("quote"),
        payload("suggestion"),
        payload("name"),
    )
    assert (asked.info_request, asked.info_reply) == (payload("question"), payload("reply"))
    assert (accepted.resolution, accepted.reviewer_note) == (payload("resolution"), payload("note"))
    assert Correction.objects.get().text == payload("correction")
    assert ExternalReview.objects.get().claim_reviewed == payload("external.claim")


def public_pages(newsroom) -> dict[str, tuple[str, list[str]]]:
    article, claim = newsroom["article"], newsroom["claim"]
    return {
        "home": (reverse("claims:home"), ["title"]),
        "article": (
            article.get_absolute_url(),
            ["title", "byline", "paragraph", "source.title", "related", "correction"],
        ),
        "claim": (claim.get_absolute_url(), ["claim", "claimant", "summary", "title"]),
        "claims": (reverse("claims:claims"), ["claim", "claimant"]),
        "corrections": (reverse("claims:corrections"), ["correction", "title"]),
        "tracking (asked)": (
            newsroom["asked"].get_absolute_url(),
            ["message", "suggestion", "reply", "title"],
        ),
        "tracking (accepted)": (
            newsroom["accepted"].get_absolute_url(),
            ["message2", "resolution", "title"],
        ),
    }


def test_public_pages_show_every_payload_escaped(newsroom, reader):
    for where, (url, fields) in public_pages(newsroom).items():
        response = reader.get(url)
        assert response.status_code == 200, where
        assert_escaped(response.content.decode(), fields, where)


def test_the_cached_article_page_stays_escaped_after_a_change(newsroom, reader, editor):
    """The article region is cached per render version: the second view is the cache,
    the third a new render after the claim changed."""
    article = newsroom["article"]
    first = reader.get(article.get_absolute_url()).content.decode()
    second = reader.get(article.get_absolute_url()).content.decode()
    services.claim_update(claim=newsroom["claim"], user=editor, claimant=payload("edited"))
    article.refresh_from_db()
    third = reader.get(article.get_absolute_url()).content.decode()
    for where, html in (("first", first), ("cached", second), ("rebuilt", third)):
        assert_escaped(html, ["title", "byline", "paragraph", "source.title"], where)


def test_the_private_report_fields_never_reach_the_public_pages(newsroom, reader):
    for where, (url, _fields) in public_pages(newsroom).items():
        html = reader.get(url).content.decode()
        for private in ("name", "name2", "note", "external.claimant"):
            assert payload(private) not in html and shown(private) not in html, (where, private)


FEED_HTML = {  # the elements a feed reader renders as HTML, and those it shows as text
    "claims:corrections_rss": ("channel/item/description", "channel/item/title"),
    "claims:corrections_atom": ("atom:entry/atom:summary", "atom:entry/atom:title"),
}


@pytest.mark.parametrize("feed", FEED_HTML)
def test_feeds_give_the_reader_escaped_html(newsroom, reader, feed):
    """An RSS description and an Atom html summary are HTML once the XML is read: the
    correction must arrive there escaped, not as markup a feed reader runs."""
    html_path, text_path = FEED_HTML[feed]
    root = ElementTree.fromstring(reader.get(reverse(feed)).content)  # noqa: S314 - our own feed
    namespaces = {"atom": "http://www.w3.org/2005/Atom"}
    (description,) = [e.text for e in root.findall(html_path, namespaces)]
    assert_escaped(description, ["correction"], feed)
    (title,) = [e.text for e in root.findall(text_path, namespaces)]
    assert title.endswith(payload("title"))  # text, not HTML: the XML escaping is enough
    if feed.endswith("atom"):
        assert root.find(text_path, namespaces).get("type", "text") == "text"


def test_the_claimreview_feed_is_json_that_no_browser_renders(newsroom, reader):
    response = reader.get(reverse("claims:claimreview_feed"))
    assert response["Content-Type"].startswith("application/ld+json")
    assert response["X-Content-Type-Options"] == "nosniff"
    (review,) = json.loads(response.content)["dataFeedElement"]
    assert review["claimReviewed"] == payload("claim")


def test_staff_pages_show_every_payload_escaped(newsroom, admin_client):
    article, claim, source = newsroom["article"], newsroom["claim"], newsroom["source"]
    asked, accepted = newsroom["asked"], newsroom["accepted"]
    pages = {
        "desk": (reverse("claims:desk"), ["claim"]),
        "desk article": (
            reverse("claims:desk_article", kwargs={"slug": article.slug}),
            ["title", "paragraph", "claim"],
        ),
        "desk claim": (
            reverse("claims:desk_claim", kwargs={"pk": claim.pk}),
            ["claim", "claimant", "summary", "source.title", "citation"],
        ),
        "sources": (reverse("claims:sources"), ["source.title"]),
        "source": (reverse("claims:source", kwargs={"pk": source.pk}), ["source.title"]),
        "report queue": (reverse("claims:report_queue"), ["message"]),
        "report review (asked)": (
            reverse("claims:report_review", kwargs={"pk": asked.pk}),
            ["message", "quote", "suggestion", "name", "question", "reply"],
        ),
        "report review (accepted)": (
            reverse("claims:report_review", kwargs={"pk": accepted.pk}),
            ["message2", "name2", "resolution", "note"],
        ),
        "dashboard": (reverse("claims:dashboard"), []),
    }
    for where, (url, fields) in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, where
        assert_escaped(response.content.decode(), fields, where)


ADMIN_MODELS = {
    "article": ("article", ["title", "byline"]),
    "source": ("source", ["source.title", "source.publisher"]),
    "claim": ("claim", ["claim", "claimant"]),
    "verdict": ("verdict", ["summary"]),
    "report": ("asked", ["message", "quote", "suggestion", "name", "question", "reply"]),
    "correction": ("correction", ["correction"]),
    "externalreview": ("review", ["external.claim", "external.rating"]),
}


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_the_admin_shows_every_payload_escaped(newsroom, admin_client, model):
    key, fields = ADMIN_MODELS[model]
    obj = newsroom.get(key) or Verdict.objects.get(claim=newsroom["claim"])
    changelist = admin_client.get(reverse(f"admin:claims_{model}_changelist"))
    assert changelist.status_code == 200
    assert_escaped(changelist.content.decode(), [], f"{model} changelist")
    change = admin_client.get(reverse(f"admin:claims_{model}_change", args=[obj.pk]))
    assert change.status_code == 200
    assert_escaped(change.content.decode(), fields, f"{model} change page")
    history = admin_client.get(reverse(f"admin:claims_{model}_history", args=[obj.pk]))
    assert_escaped(history.content.decode(), [], f"{model} history")


def test_the_admin_shows_the_article_inlines_escaped(newsroom, admin_client):
    article = newsroom["article"]
    url = reverse("admin:claims_article_change", args=[article.pk])
    html = admin_client.get(url).content.decode()
    assert_escaped(html, ["title"], "article change page")
    for model, field in (("paragraph", "paragraph"), ("relatedlink", "related")):
        if shown(field) not in html:  # not an inline: then it has its own admin
            obj = (Paragraph if model == "paragraph" else RelatedLink).objects.filter(
                article=article
            )[0]
            page = admin_client.get(reverse(f"admin:claims_{model}_change", args=[obj.pk]))
            assert_escaped(page.content.decode(), [], model)


def test_a_raw_payload_is_caught(newsroom):
    """The check itself fails on an unescaped page and on a field that is not shown."""
    with pytest.raises(AssertionError):
        assert_escaped(f"<p>{payload('title')}</p>", [], "raw")
    with pytest.raises(AssertionError):
        assert_escaped("<p></p>", ["title"], "missing")
