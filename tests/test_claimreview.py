"""ClaimReview in (importer, command) and out (own verdicts, feed, export)."""

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims import services
from claims.importers.claimreview import ParsedReview, RecordError, claimreview_records
from claims.models import ExternalReview
from tests.conftest import shared_file

# schema.org property names per type, as published on schema.org: the output may use no others.
SCHEMA_PROPERTIES = {
    "ClaimReview": {
        "@context", "@type", "url", "claimReviewed", "datePublished", "inLanguage",
        "author", "reviewRating", "reviewBody", "itemReviewed", "citation",
    },
    "Rating": {"@type", "ratingValue", "bestRating", "worstRating", "alternateName"},
    "Claim": {"@type", "author", "datePublished", "appearance", "firstAppearance"},
    "CreativeWork": {"@type", "url", "name", "archivedAt"},
    "Organization": {"@type", "name", "url"},
    "Person": {"@type", "name", "url"},
    "DataFeed": {"@context", "@type", "name", "url", "dateModified", "dataFeedElement"},
}  # fmt: skip


def schema_check(node) -> None:
    """Every object's properties are schema.org properties of its @type."""
    if isinstance(node, list):
        for item in node:
            schema_check(item)
        return
    if not isinstance(node, dict):
        return
    allowed = SCHEMA_PROPERTIES[node["@type"]]
    assert set(node) <= allowed, (node["@type"], set(node) - allowed)
    for value in node.values():
        schema_check(value)


def real_records() -> list[dict]:
    lines = shared_file("data", "claimreview", "real_claimreviews.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def real_bytes() -> bytes:
    return shared_file("data", "claimreview", "real_claimreviews.jsonl").read_bytes()


# --- In -------------------------------------------------------------------------------


def test_every_real_record_parses_and_odd_fields_become_warnings():
    records = list(claimreview_records(real_bytes()))
    assert len(records) == 51
    assert all(isinstance(r, ParsedReview) for r in records), [
        str(r) for r in records if isinstance(r, RecordError)
    ]
    warnings = "\n".join(w for r in records for w in r.warnings)
    for odd in [
        "@type is a list",
        "has no scheme; https assumed",
        "is relative; resolved against https://www.estadao.com.br/",
        "ratingValue given as text",
        "no ratingValue",
        "no @context",
        "claimReviewed is a list; joined",
        "claimReviewed is long",
        "reviewRating @type ['rating'] is not spelled Rating",
        "itemReviewed.author.name is a list; joined",
    ]:
        assert odd in warnings, odd
    aos = next(r for r in records if "aosfatos" in r.url)
    assert aos.url.startswith("https://aosfatos.org/noticias/")
    assert aos.authors == [{"type": "Person", "name": "Luiz Fernando Menezes"}]
    long = next(r for r in records if "polygraph" in r.url)
    assert len(long.claim_reviewed) > 600  # never cut


def test_import_command_imports_every_real_record_and_exits_0(db):
    out = StringIO()
    call_command(
        "import_claimreview",
        str(shared_file("data", "claimreview", "real_claimreviews.jsonl")),
        "--json",
        stdout=out,
    )
    summary = json.loads(out.getvalue())
    # 51 records; two pages were also in an index file (same URL and claim): one row each.
    assert (summary["imported"], summary["updated"], summary["failed"]) == (49, 2, 0)
    assert summary["warnings"] > 51
    assert ExternalReview.objects.count() == 49
    again = StringIO()
    call_command(
        "import_claimreview",
        str(shared_file("data", "claimreview", "real_claimreviews.jsonl")),
        "--json",
        stdout=again,
    )
    assert json.loads(again.getvalue())["imported"] == 0
    assert ExternalReview.objects.count() == 49


def _fold(value) -> str:
    if isinstance(value, list):
        return ", ".join(_fold(v) for v in value)
    return " ".join(str(value).split())


def _names(author) -> list[str]:
    authors = author if isinstance(author, list) else [author]
    return [_fold(a.get("name", "")) for a in authors if isinstance(a, dict) and a.get("name")]


def test_export_round_trips_what_was_imported(db, tmp_path):
    services.claimreview_import(data=real_bytes())
    out = tmp_path / "external.json"
    call_command("export_claimreview", "--external", "--out", str(out), stderr=StringIO())
    feed = json.loads(out.read_text())
    assert feed["@type"] == "DataFeed"
    exported = {(e.get("url"), e["claimReviewed"]): e for e in feed["dataFeedElement"]}
    for line in real_records():
        original = line["claimreview"]
        parsed = next(
            r for r in claimreview_records(json.dumps(line).encode()) if isinstance(r, ParsedReview)
        )
        element = exported[(parsed.url, parsed.claim_reviewed)]
        assert element["claimReviewed"] == _fold(original["claimReviewed"])
        if original.get("url", "").startswith("http"):
            assert element["url"] == original["url"]
        else:  # relative or scheme-less: made absolute, path kept
            assert element["url"].startswith("https://")
            assert element["url"].endswith(original["url"].lstrip("/").split("/", 1)[-1])
        assert _names(element.get("author", [])) == _names(original.get("author", []))
        rating = original.get("reviewRating") or {}
        if rating.get("alternateName"):
            assert element["reviewRating"]["alternateName"] == _fold(rating["alternateName"])
        item_author = (original.get("itemReviewed") or {}).get("author") or {}
        if item_author.get("name"):
            assert element["itemReviewed"]["author"]["name"] == _fold(item_author["name"])


@pytest.mark.parametrize(
    ("name", "count", "claim_fragment"),
    [
        ("datacommons_feed_item.meedan.json", 1, "Henriette Reker"),
        ("google_factcheck_api_claim.meedan.json", 1, "کانپور"),
        ("schemaorg_ClaimReview_examples.txt", 2, "3,000 homicides"),
    ],
)
def test_the_other_shared_files_import(db, name, count, claim_fragment):
    result = services.claimreview_import(data=shared_file("data", "claimreview", name).read_bytes())
    assert (result.imported, result.errors) == (count, [])
    assert ExternalReview.objects.filter(claim_reviewed__contains=claim_fragment).exists()


def test_factcheck_api_items_keep_claimant_and_rating(db):
    data = shared_file("data", "claimreview", "google_factcheck_api_claim.meedan.json").read_bytes()
    services.claimreview_import(data=data)
    review = ExternalReview.objects.get()
    assert review.claimant == "FB User-Harshit Pandey"
    assert review.rating_text == "False" and review.language == "ur"
    assert review.publisher_name == "vishvasnews.com"


@pytest.mark.parametrize(
    "page", ["afp.html", "africa_check.html", "newtral_fact_check.html", "tfc_taiwan.html"]
)
def test_html_pages_with_json_ld_import(db, page):
    data = shared_file("data", "html", "factcheck_pages", page).read_bytes()
    result = services.claimreview_import(data=data)
    assert result.imported == 1 and result.errors == []


def test_bad_records_get_one_error_line_each_and_the_rest_imports(db, tmp_path):
    good = {"@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": "Goed",
            "url": "https://example.org/goed", "author": {"@type": "Organization", "name": "X"},
            "reviewRating": {"@type": "Rating", "alternateName": "False"}}  # fmt: skip
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                "{not json",
                json.dumps({"@type": "NewsArticle", "headline": "Nee"}),
                json.dumps({"@type": "ClaimReview", "url": "https://example.org/leeg"}),
                json.dumps({**good, "url": "https://example.org/twee", "claimReviewed": "Twee"}),
            ]
        )
    )
    out, err = StringIO(), StringIO()
    call_command("import_claimreview", str(path), stdout=out, stderr=err)
    errors = err.getvalue().splitlines()
    assert errors == [
        f"{path}: error: line 2: not JSON (Expecting property name enclosed in double quotes)",
        f"{path}: error: line 3: @type is 'NewsArticle', not ClaimReview",
        f"{path}: error: line 4: no claimReviewed",
    ]
    assert ExternalReview.objects.count() == 2
    assert "2 imported" in out.getvalue()


def test_nothing_importable_exits_1(db, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("<html><body>no markup</body></html>")
    with pytest.raises(CommandError):
        call_command("import_claimreview", str(path), stdout=StringIO(), stderr=StringIO())


def test_a_url_is_fetched_through_the_fetch_module(db, settings):
    root = shared_file("data", "html", "factcheck_pages")
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        url = f"http://127.0.0.1:{port}/africa_check.html"
        with pytest.raises(CommandError, match="refused_address"):
            call_command("import_claimreview", url, stdout=StringIO())
        settings.FACTCHECK_FETCH_ALLOW = [f"127.0.0.1:{port}"]
        out = StringIO()
        call_command("import_claimreview", url, "--json", stdout=out)
    finally:
        server.shutdown()
    assert json.loads(out.getvalue())["imported"] == 1
    assert ExternalReview.objects.get().imported_from == url


def test_textual_ratings_map_to_the_local_scale(db, scale):
    false = scale.ratings.get(code="false")
    false.aliases = "Falso\nFaux\nIncorrect"
    false.save()
    services.claimreview_import(data=real_bytes())
    mapped = dict(ExternalReview.objects.values_list("rating_text", "rating__code"))
    assert mapped["False"] == "false"  # the English label itself
    assert mapped["Falso"] == "false" and mapped["Faux"] == "false"
    assert mapped["Misleading"] == "misleading"
    assert mapped["證據不足"] is None  # no mapping configured for "insufficient evidence"


# --- Out ------------------------------------------------------------------------------


@pytest.fixture
def published_claim(seed_claim, scale, editor):
    services.verdict_publish(
        claim=seed_claim,
        rating=scale.ratings.get(code="mostly-true"),
        summary="Bijna.",
        author=editor,
    )
    seed_claim.refresh_from_db()
    return seed_claim


def test_own_claimreview_has_googles_required_and_recommended_fields(published_claim, settings):
    review = services.claimreview_for_claim(published_claim)
    schema_check(review)
    site = settings.SITE_URL.rstrip("/")
    assert review["url"] == site + published_claim.get_absolute_url()
    assert review["claimReviewed"] == published_claim.text
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Grotendeels waar",
        "ratingValue": 4,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert review["author"] == {
        "@type": "Organization",
        "name": settings.FACTCHECK_PUBLISHER_NAME,
        "url": site + "/",
    }
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Person", "name": "Joeri Oesjakov"}
    assert item["datePublished"] == published_claim.claim_date.isoformat()  # the claim's date
    appearance = published_claim.appearances.get()
    expected = site + appearance.article.get_absolute_url() + "#" + appearance.paragraph.anchor
    assert item["appearance"] == [{"@type": "CreativeWork", "url": expected}]
    assert item["firstAppearance"] == {"@type": "CreativeWork", "url": expected}


def test_a_rating_off_the_scale_keeps_only_its_name(seed_claim, scale, editor):
    services.verdict_publish(
        claim=seed_claim, rating=scale.ratings.get(code="unproven"), summary="?"
    )
    rating = services.claimreview_for_claim(seed_claim)["reviewRating"]
    assert rating == {"@type": "Rating", "alternateName": "Onbewezen"}


def test_the_feed_lists_every_published_claimreview(
    reader, published_claim, seed_article, scale, django_assert_num_queries
):
    draft = services.claim_create(text="Nog niet gecontroleerd", article=seed_article).claim
    for n in range(5):
        claim = services.claim_create(text=f"Bewering nummer {n}", article=seed_article).claim
        services.verdict_publish(claim=claim, rating=scale.ratings.get(code="true"), summary="Ja.")
    with django_assert_num_queries(4):  # claims, verdicts, appearances, cited sources
        response = reader.get(reverse("claims:claimreview_feed"))
    feed = response.json()
    assert response["Content-Type"].startswith("application/ld+json")
    schema_check(feed)
    claimed = [e["claimReviewed"] for e in feed["dataFeedElement"]]
    assert len(claimed) == 6 and published_claim.text in claimed and draft.text not in claimed


def test_export_command_writes_the_own_feed(published_claim):
    out = StringIO()
    call_command("export_claimreview", stdout=out)
    feed = json.loads(out.getvalue())
    assert [e["claimReviewed"] for e in feed["dataFeedElement"]] == [published_claim.text]


def test_json_that_quotes_a_script_tag_is_read_as_json_not_as_a_page():
    record = {"@type": "ClaimReview", "claimReviewed": "Zegt <script>alert(1)</script>"}
    for data in (json.dumps(record), json.dumps([record]), json.dumps(record) + "\n{}"):
        records = list(claimreview_records(data.encode()))
        assert isinstance(records[0], ParsedReview), records
        assert records[0].claim_reviewed == record["claimReviewed"]
