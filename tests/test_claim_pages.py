"""Public claim pages: the claim page with its ClaimReview, highlighted claims on the
article page, and the claims index with search and filters."""

import extruct
import pytest
from django.db import connection
from django.urls import reverse

from claims import services
from claims.models import Claim, ExternalReview


@pytest.fixture
def published(seed_claim, scale, editor, second_editor):
    """A claim with a source, a published verdict, and a later change."""

    source = services.source_get_or_create(title="CGTN", url="https://news.cgtn.com/a")
    citation = services.citation_add(claim=seed_claim, source=source, quote="about 20 percent")
    first = services.verdict_save(
        claim=seed_claim, rating=scale.ratings.get(code="true"), summary="Klopt.", author=editor
    )
    services.verdict_submit(verdict=first, user=editor)
    services.verdict_approve(verdict=first, user=editor, seen=first.content_token())
    change = services.verdict_save(
        claim=seed_claim,
        rating=scale.ratings.get(code="mostly-true"),
        summary="Schattingen liggen tussen 18 en 20 procent.",
        explanation='<p>Zie <a href="https://example.org/kaart">de kaart</a>.</p>',
        citations=[citation],
        author=editor,
    )
    services.verdict_submit(verdict=change, user=editor)
    services.verdict_approve(verdict=change, user=second_editor, seen=change.content_token())
    seed_claim.refresh_from_db()
    return seed_claim


def test_claim_page_shows_verdict_sources_appearances_and_history(reader, published):
    html = reader.get(published.get_absolute_url()).content.decode()
    assert "Grotendeels waar" in html and "Schattingen liggen tussen 18 en 20 procent." in html
    assert (
        '<a href="https://example.org/kaart" rel="noopener noreferrer nofollow">de kaart</a>'
        in html
    )
    assert 'href="https://news.cgtn.com/a"' in html and "about 20 percent" in html
    assert "Nog niet gecontroleerd" in html  # the source's state (waiting for a fetch)
    article = published.appearances.get().article
    assert article.get_absolute_url() + "#" in html
    assert "Geschiedenis van het oordeel" in html and "Klopt." in html and "vervangen" in html
    assert "Oordeel gewijzigd" in html or "Verdict change" in html or "gewijzigd van" in html


def test_claim_page_carries_exactly_one_claimreview(reader, published, settings):
    response = reader.get(published.get_absolute_url())
    html = response.content.decode()
    assert html.count('type="application/ld+json"') == 1
    data = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    assert len(data) == 1
    review = data[0]
    assert review["@type"] == "ClaimReview"
    assert review["url"] == settings.SITE_URL.rstrip("/") + published.get_absolute_url()
    assert review["claimReviewed"] == published.text
    assert review["reviewRating"]["alternateName"] == "Grotendeels waar"
    assert (review["reviewRating"]["ratingValue"], review["reviewRating"]["bestRating"]) == (4, 5)
    assert review["author"]["@type"] == "Organization"
    assert review["itemReviewed"]["@type"] == "Claim"
    assert review["itemReviewed"]["author"]["name"] == "Joeri Oesjakov"
    assert review["itemReviewed"]["datePublished"] == published.claim_date.isoformat()
    assert review["itemReviewed"]["firstAppearance"]["url"].endswith(
        published.appearances.get().public_url
    )


def test_json_ld_cannot_break_out_of_its_script(reader, seed_article, scale):
    claim = services.claim_create(
        text="</script><script>alert(1)</script> & meer", article=seed_article
    ).claim
    services.verdict_publish(claim=claim, rating=scale.ratings.get(code="false"), summary="Nee.")
    html = reader.get(claim.get_absolute_url()).content.decode()
    block = html.split('type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and "\\u003C/script\\u003E" in block


def test_draft_claims_have_no_public_page(reader, seed_claim):
    assert reader.get(seed_claim.get_absolute_url()).status_code == 404


def test_already_checked_elsewhere(reader, published):
    ExternalReview.objects.create(
        fingerprint="x",
        url="https://factcheck.example/20",
        claim_reviewed="Russia occupies about 20% of Ukraine.",
        authors=[{"type": "Organization", "name": "AFP"}],
        rating_text="Mostly true",
        claim=published,
    )
    html = reader.get(published.get_absolute_url()).content.decode()
    assert (
        "Elders al gecontroleerd" in html
        and "AFP" in html
        and "https://factcheck.example/20" in html
    )


def test_article_page_highlights_each_claim_and_links_to_it(reader, published, seed_article):
    html = reader.get(seed_article.get_absolute_url()).content.decode()
    url = published.get_absolute_url()
    title = published.text.replace("'", "&#x27;")
    link = f'<a class="claim-mark" href="{url}" data-claim="{published.pk}" title="{title}"><mark>'
    assert link + "de circa 20% van het Oekraïense grondgebied</mark></a>" in html
    draft = services.claim_create(
        text="Niet gepubliceerd",
        article=seed_article,
        paragraph=seed_article.paragraphs.first(),
        quote="Op dinsdag",
    ).claim
    html = reader.get(seed_article.get_absolute_url()).content.decode()
    assert draft.get_absolute_url() not in html  # drafts are not highlighted


# --- The claims index -----------------------------------------------------------------


@pytest.fixture
def many_claims(seed_article, scale):
    rows = [
        ("Rusland bezet circa 20% van Oekraïne.", "Oesjakov", "mostly-true", "nl", "2025-12-02"),
        (
            "Het 28-puntenplan werd herzien naar 19 punten.",
            "Trump-regering",
            "true",
            "nl",
            "2025-11-23",
        ),
        ("Witkoff reisde zes keer naar Rusland.", "Witte Huis", "false", "nl", "2025-12-01"),
        ("Crime went up 20% last year.", "Mayor Smith", "false", "en", "2024-05-01"),
    ]
    claims = []
    for text, claimant, code, language, when in rows:
        claim = services.claim_create(
            text=text, claimant=claimant, language=language, claim_date=when, article=seed_article
        ).claim
        services.verdict_publish(claim=claim, rating=scale.ratings.get(code=code), summary="s")
        claims.append(claim)
    services.claim_create(text="Concept over Rusland", article=seed_article)  # not public
    return claims


def index(reader, **params):
    return reader.get(reverse("claims:claims"), params).content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [0, 1, 2, 3]),
        ({"q": "Rusland"}, [0, 2]),
        ({"q": "oesjakov"}, [0]),  # the claimant is searched too
        ({"q": "20% Oekraïne"}, [0]),
        ({"rating": "false"}, [2, 3]),
        ({"claimant": "trump"}, [1]),
        ({"language": "en"}, [3]),
        ({"date_from": "2025-12-01"}, [0, 2]),
        ({"date_to": "2025-01-01"}, [3]),
        ({"q": "Rusland", "rating": "false"}, [2]),
    ],
)
def test_search_and_filters(reader, many_claims, params, expected):
    html = index(reader, **params)
    found = [n for n, claim in enumerate(many_claims) if claim.get_absolute_url() in html]
    assert found == expected
    assert "Concept over Rusland" not in html


def test_search_ranks_and_pages_in_fixed_queries(reader, many_claims, django_assert_num_queries):
    with django_assert_num_queries(4):  # ratings for the filter, count, page, verdicts
        html = reader.get(
            reverse("claims:claims"), {"q": "Rusland"}, HTTP_HX_REQUEST="true"
        ).content.decode()
    assert html.lstrip().startswith('<section id="claim-results"')
    assert "2 beweringen" in html


def test_bad_filter_values_are_ignored_not_errors(reader, many_claims):
    response = reader.get(reverse("claims:claims"), {"date_from": "gisteren", "rating": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    found = [n for n, claim in enumerate(many_claims) if claim.get_absolute_url() in html]
    assert found == [0, 1, 2, 3]  # as with no filter at all
    assert "4 beweringen" in html


@pytest.mark.postgres
def test_postgres_search_uses_the_gin_index(postgres, many_claims):
    queryset = Claim.objects.search("Rusland")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = queryset.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "claim_search" in plan, plan
