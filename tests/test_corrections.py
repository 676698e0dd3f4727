"""Corrections: on the article, in the log, in the feeds and in the JSON-LD; append-only."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime

import extruct
import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Correction

LOG = reverse("claims:corrections")
RSS = reverse("claims:corrections_rss")
ATOM = reverse("claims:corrections_atom")


def at(year, month, day) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 12, 0))


@pytest.fixture
def corrections(seed_article):
    """Three corrections of different types in two months."""
    made = []
    for kind, text, when in [
        (Correction.Kind.CORRECTION, "Het is 18%, niet 20%.", at(2025, 11, 20)),
        (Correction.Kind.CLARIFICATION, "Witkoff is gezant sinds mei.", at(2025, 12, 3)),
        (Correction.Kind.SOURCE_REPLACED, "Bron vervangen door het origineel.", at(2025, 12, 5)),
    ]:
        # Back-dated at creation: a published correction never changes afterwards.
        made.append(
            Correction.objects.create(article=seed_article, text=text, kind=kind, published_at=when)
        )
    return made


def test_corrections_show_at_the_top_of_the_article_with_their_dates(
    reader, seed_article, corrections
):
    html = reader.get(seed_article.get_absolute_url()).content.decode()

    top = html.index('id="corrections-title"')
    assert top < html.index('class="article-body"')
    for correction in corrections:
        assert f'id="correction-{correction.pk}"' in html
    assert "20 november 2025" in html and "Verduidelijking" in html


def test_an_amendment_is_a_new_correction_that_says_so(reader, seed_article, corrections):
    first = corrections[0]
    amendment = services.correction_publish(
        article=seed_article, text="Het is 18,5%.", amends=first
    )

    html = reader.get(seed_article.get_absolute_url()).content.decode()
    assert Correction.objects.count() == 4
    assert Correction.objects.get(pk=first.pk).text == "Het is 18%, niet 20%."
    assert f'href="#correction-{first.pk}"' in html and "wijzigt de melding van" in html
    assert amendment.amends == first
    with pytest.raises(ValueError):
        services.correction_publish(
            article=services.article_import(seed=_other_seed()).article, text="x", amends=first
        )


def _other_seed():
    from claims.importers.seed import SeedArticle

    return SeedArticle(title="Ander", byline="", language="nl", paragraphs=["Tekst."])


def test_a_correction_is_never_changed_or_deleted(corrections):
    correction = corrections[0]
    correction.text = "anders"
    with pytest.raises(ValueError):
        correction.save()
    with pytest.raises(ValueError):
        correction.delete()


def test_postgres_refuses_changing_a_correction_even_by_raw_update(postgres, corrections):
    correction = corrections[0]
    with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
        Correction.objects.filter(pk=correction.pk).update(text="stiekem anders")
    with pytest.raises(DatabaseError, match="never deleted"), transaction.atomic():
        Correction.objects.filter(pk=correction.pk)._raw_delete(using="default")
    assert Correction.objects.get(pk=correction.pk).text == "Het is 18%, niet 20%."


def test_the_log_lists_every_correction_newest_first(reader, corrections):
    html = reader.get(LOG).content.decode()
    positions = [html.index(c.text) for c in reversed(corrections)]
    assert positions == sorted(positions)
    assert 'type="application/atom+xml"' in html


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"kind": "clarification"}, [1]),
        ({"month": "2025-12"}, [1, 2]),
        ({"month": "2025-11"}, [0]),
        ({"kind": "correction", "month": "2025-12"}, []),
        ({"kind": "bestaat-niet", "month": "2025-13"}, [0, 1, 2]),
    ],
    ids=["type", "month", "other-month", "both", "ignored"],
)
def test_the_log_filters_by_type_and_month(reader, corrections, params, shown):
    html = reader.get(LOG, params).content.decode()
    for n, correction in enumerate(corrections):
        assert (correction.text in html) == (n in shown)


def test_the_log_offers_its_months_and_answers_htmx_with_the_results(reader, corrections):
    html = reader.get(LOG).content.decode()
    assert '<option value="2025-12">december 2025</option>' in html
    assert '<option value="2025-11">november 2025</option>' in html
    fragment = reader.get(
        LOG, {"kind": "clarification"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="correction-results"
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="correction-results">')


def test_the_log_query_count_is_fixed(reader, seed_article, django_assert_num_queries):
    for n in range(25):
        services.correction_publish(article=seed_article, text=f"Correctie {n}")
    with django_assert_num_queries(3):  # months, count, page (with article, claim, amends)
        response = reader.get(LOG)
    assert response.content.decode().count('<li id="log-') == 25


def test_the_rss_feed_carries_the_corrections(reader, seed_article, corrections):
    response = reader.get(RSS)

    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 (our own feed)
    items = channel.findall("item")
    assert [i.findtext("description") for i in items] == [c.text for c in reversed(corrections)]
    assert items[0].findtext("link").endswith(corrections[2].get_absolute_url())
    assert items[0].findtext("category") == "Bron vervangen"
    only = ET.fromstring(reader.get(RSS, {"kind": "clarification"}).content)  # noqa: S314 (our own feed)
    assert [i.findtext("description") for i in only.iter("item")] == [corrections[1].text]


def test_the_atom_feed_carries_the_corrections(reader, corrections):
    response = reader.get(ATOM)

    assert response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(response.content).findall("a:entry", ns)  # noqa: S314 (our own feed)
    assert len(entries) == 3
    assert entries[-1].findtext("a:summary", namespaces=ns) == corrections[0].text
    assert entries[-1].findtext("a:updated", namespaces=ns).startswith("2025-11-20")


def test_the_article_json_ld_carries_each_correction(reader, seed_article, corrections):
    html = reader.get(seed_article.get_absolute_url()).content.decode()

    data = extruct.extract(html, syntaxes=["json-ld"], uniform=True)["json-ld"]
    assert len(data) == 1
    article = data[0]
    assert article["@type"] == "NewsArticle"
    assert article["headline"] == seed_article.title
    assert article["editor"] == {"@type": "Person", "name": "gaya ❤️ one"}
    comments = article["correction"]
    assert [c["@type"] for c in comments] == ["CorrectionComment"] * 3
    assert {c["text"] for c in comments} == {c.text for c in corrections}
    assert comments[-1]["datePublished"].startswith("2025-11-20")
    assert comments[-1]["url"].endswith(f"#correction-{corrections[0].pk}")


def test_the_json_ld_is_a_data_block_that_cannot_break_out(reader, seed_article):
    services.correction_publish(article=seed_article, text='</script><script>alert("x")</script>')
    html = reader.get(seed_article.get_absolute_url()).content.decode()
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(block)["correction"][0]["text"].startswith("</script>")
    assert "<script>alert" not in html


def test_a_correction_shows_on_the_tracking_page_of_the_reports_it_answers(
    reader, seed_article, reviewer
):
    report = services.report_create(article=seed_article, message="20% klopt niet")
    services.report_claim_next(user=reviewer)
    correction = services.report_accept(
        report_id=report.pk, user=reviewer, correction_text="Het is 18%."
    ).correction
    html = reader.get(report.get_absolute_url()).content.decode()
    assert "Correctie gepubliceerd" in html and correction.get_absolute_url() in html
