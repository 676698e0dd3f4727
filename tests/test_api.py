"""The public read API: only published data, only the fields on the public list, the
filters, cursor pages, conditional requests, the cache and its invalidation, rate limits
(anonymous and by key), a fixed number of queries per page, and a valid OpenAPI 3
schema with a reference page served from our own files."""

from __future__ import annotations

import json

import pytest
import yaml
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse
from openapi_spec_validator import validate

from claims import services
from claims.api.urls import router
from claims.models import Claim, PartnerKey, Source
from tests.opendata_data import newsroom

# Everything the API may show, per endpoint: dotted paths, "[]" for each list item.
SOURCE = {
    "id",
    "title",
    "publisher",
    "url",
    "domain",
    "state",
    "last_checked_at",
    "http_status",
    "final_url",
    "archived_url",
}
RATING_SCALE = {"id", "name", "version", "best_value", "worst_value"}
VERDICT = (
    {"id", "status", "summary", "explanation", "published_at", "citations", "citations[]"}
    | {"rating", *(f"rating.{f}" for f in ("code", "label_nl", "label_en", "value", "color"))}
    | {"rating.scale", *(f"rating.scale.{f}" for f in RATING_SCALE)}
)
TEXT_CHANGE = {"anchor", "before", "after"}
CLAIM = (
    {"slug", "url", "api_url", "text", "claimant", "claim_date", "language", "status"}
    | {"updated_at", "verdict", "earlier_verdicts", "appearances", "citations", "corrections"}
    | {f"verdict.{f}" for f in VERDICT}
    | {f"earlier_verdicts[].{f}" for f in VERDICT}
    | {"earlier_verdicts[]", "appearances[]", "citations[]", "corrections[]"}
    | {f"appearances[].{f}" for f in ("article", "paragraph", "quote", "url", "appeared_at")}
    | {f"appearances[].article.{f}" for f in ("slug", "title", "url")}
    | {f"citations[].{f}" for f in ("id", "position", "quote", "quote_status", "quote_score")}
    | {"citations[].source", *(f"citations[].source.{f}" for f in SOURCE)}
    | {f"corrections[].{f}" for f in ("id", "kind", "published_at", "url")}
)
ARTICLE = (
    {"slug", "url", "api_url", "title", "language", "byline", "published_at", "modified_at"}
    | {"updated_at", "paragraphs", "sources", "claims", "revisions", "corrections"}
    | {"paragraphs[]", "paragraphs[].anchor", "paragraphs[].text"}
    | {"sources[]", "sources[].position", "sources[].source"}
    | {f"sources[].source.{f}" for f in SOURCE}
    | {"claims[]", "claims[].slug", "claims[].text", "claims[].url"}
    | {"revisions[]", "revisions[].number", "revisions[].saved_at", "revisions[].title"}
    | {"revisions[].title.before", "revisions[].title.after", "revisions[].text_changes"}
    | {"revisions[].text_changes[]", *(f"revisions[].text_changes[].{f}" for f in TEXT_CHANGE)}
    | {"corrections[]", *(f"corrections[].{f}" for f in ("id", "url", "kind", "text"))}
    | {"corrections[].published_at", "corrections[].revision", "corrections[].text_changes"}
    | {"corrections[].text_changes[]"}
    | {f"corrections[].text_changes[].{f}" for f in TEXT_CHANGE}
)
CORRECTION = (
    {"id", "url", "kind", "text", "published_at", "article", "claim", "amends", "revision"}
    | {"text_changes", "text_changes[]", *(f"text_changes[].{f}" for f in TEXT_CHANGE)}
    | {"article.slug", "article.title", "article.url"}
    | {"claim.slug", "claim.text", "claim.url"}
)
SCALE = (
    {"id", "name", "version", "is_active", "best_value", "worst_value", "created_at"}
    | {"ratings", "ratings[]"}
    | {f"ratings[].{f}" for f in ("code", "label_nl", "label_en", "value", "color", "position")}
)
PUBLIC_FIELDS = {
    "article": ARTICLE,
    "claim": CLAIM,
    "correction": CORRECTION,
    "scale": SCALE,
}
PAGE = {"next", "previous", "results", "results[]"}


def field_paths(value, prefix: str = "") -> set[str]:
    """Every field path in a JSON value ("a.b", "a[].b")."""
    found = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found |= {path} | field_paths(inner, path)
    elif isinstance(value, list):
        for item in value:
            found |= {f"{prefix}[]"} | field_paths(item, f"{prefix}[]")
    return found


@pytest.fixture
def data(seed_article, seed_claim, scale, editor, second_editor):
    return newsroom(seed_article, seed_claim, scale, editor, second_editor)


def get_json(client: Client, url: str, **headers):
    response = client.get(url, HTTP_ACCEPT="application/json", **headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def endpoints():
    for prefix, _viewset, basename in router.registry:
        yield prefix, basename


def test_the_router_serves_exactly_the_endpoints_with_an_allow_list():
    assert {basename for _prefix, basename in endpoints()} == set(PUBLIC_FIELDS)


def test_every_endpoint_answers_only_public_fields_and_only_published_rows(reader, data):
    """The walk over every endpoint, list and detail, and every field in the answers."""
    for prefix, basename in endpoints():
        listed = get_json(reader, reverse(f"api:{basename}-list"))
        assert field_paths(listed) <= PAGE | {f"results[].{p}" for p in PUBLIC_FIELDS[basename]}
        assert listed["results"], f"{prefix}: nothing listed, so nothing was checked"
        allowed = {"[]"} | {f"[].{p}" for p in PUBLIC_FIELDS[basename]}
        unknown = field_paths(listed["results"]) - allowed
        assert not unknown, f"{prefix} shows fields that are not on the public list: {unknown}"
        for item in listed["results"]:
            key = item.get("slug") or item["id"]
            kwarg = "slug" if "slug" in item else "pk"
            detail = get_json(reader, reverse(f"api:{basename}-detail", kwargs={kwarg: key}))
            assert detail == item
            unknown = field_paths(detail) - PUBLIC_FIELDS[basename]
            assert not unknown, f"{prefix}/{key} shows {unknown}"

    text = json.dumps(
        [get_json(reader, reverse(f"api:{b}-list")) for _p, b in endpoints()], ensure_ascii=False
    )
    # Nothing unpublished, internal or about staff, anywhere.
    for secret in (
        data.draft_article.title,
        "Nog niet gepubliceerde tekst",
        data.draft_claim.text,
        "Concept.",
        data.hidden_claim.appearances.get().quote,
        "Niet publiek.",
        "Reader report abc",
        "Interne notitie",
        "editor2",
        '"editor"',
    ):
        assert secret not in text, secret


def test_unpublished_rows_are_not_found_one_by_one(reader, data):
    for url in (
        reverse("api:article-detail", kwargs={"slug": data.draft_article.slug}),
        reverse("api:claim-detail", kwargs={"slug": data.draft_claim.slug}),
        reverse("api:correction-detail", kwargs={"pk": data.draft_correction.pk}),
    ):
        assert reader.get(url, HTTP_ACCEPT="application/json").status_code == 404, url


def test_a_claim_shows_its_current_and_earlier_verdicts_sources_and_corrections(reader, data):
    claim = get_json(reader, reverse("api:claim-detail", kwargs={"slug": data.claim.slug}))
    assert claim["verdict"]["rating"]["code"] == "mostly-true"
    assert claim["verdict"]["status"] == "current"
    assert [v["rating"]["code"] for v in claim["earlier_verdicts"]] == ["true"]
    citation = claim["citations"][0]
    assert citation["source"]["url"] == "https://news.cgtn.com/a"
    assert citation["source"]["state"] == "not_checked"  # waiting for its first fetch
    assert citation["id"] in claim["verdict"]["citations"]
    assert claim["appearances"][0]["article"]["slug"] == data.article.slug
    assert claim["appearances"][0]["url"].endswith(f"#{claim['appearances'][0]['paragraph']}")
    kinds = {c["kind"] for c in claim["corrections"]}
    assert "verdict_change" in kinds


def test_an_article_shows_revisions_after_publication_without_the_internal_note(reader, data):
    article = get_json(reader, reverse("api:article-detail", kwargs={"slug": data.article.slug}))
    [revision] = article["revisions"]
    assert revision["text_changes"][0]["after"].endswith("(bijgewerkt)")
    correction = next(c for c in article["corrections"] if c["text"] == "Een zin is aangevuld.")
    assert correction["revision"] == revision["number"]
    assert article["modified_at"] >= article["published_at"]
    assert data.claim.slug in {c["slug"] for c in article["claims"]}
    assert data.draft_claim.slug not in {c["slug"] for c in article["claims"]}


def test_a_hidden_claim_shows_no_appearance_in_an_unpublished_article(reader, data):
    claim = get_json(reader, reverse("api:claim-detail", kwargs={"slug": data.hidden_claim.slug}))
    assert claim["appearances"] == []


def test_the_filters(reader, data):
    url = reverse("api:claim-list")

    def slugs(**params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return {c["slug"] for c in get_json(reader, f"{url}?{query}")["results"]}

    everything = {data.claim.slug, data.hidden_claim.slug}
    assert slugs() == everything
    assert slugs(rating="mostly-true") == {data.claim.slug}
    assert slugs(rating="true") == {data.hidden_claim.slug}
    assert slugs(language="en") == set()
    assert slugs(claimant="oesjakov") == {data.claim.slug}
    assert slugs(article=data.article.slug) == {data.claim.slug}
    assert slugs(article=data.draft_article.slug) == set()  # not published
    assert slugs(q="grondgebied") == {data.claim.slug}
    assert slugs(q="concept bewering") == {data.hidden_claim.slug}
    later = "2999-01-01T00:00:00Z"
    assert slugs(updated_since=later) == set()
    assert slugs(updated_since="2000-01-01T00:00:00Z") == everything
    corrections = get_json(reader, reverse("api:correction-list") + "?kind=verdict_change")
    assert {c["kind"] for c in corrections["results"]} == {"verdict_change"}
    bad = reader.get(f"{url}?updated_since=yesterday", HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and "updated_since" in bad.json()


def test_cursor_pages_cover_every_claim_once(reader, data, editor, scale):
    for n in range(7):
        claim = services.claim_create(text=f"Bewering nummer {n}", created_by=editor).claim
        services.verdict_publish(claim=claim, rating=scale.ratings.first(), summary="x")
    seen, url, pages = [], reverse("api:claim-list") + "?page_size=3&ordering=updated_at", 0
    while url:
        page = get_json(reader, url)
        seen += [c["slug"] for c in page["results"]]
        url, pages = page["next"], pages + 1
    assert len(seen) == len(set(seen)) == Claim.objects.public().count() == 9
    assert pages == 3


def test_the_claims_list_takes_a_fixed_number_of_queries(
    reader, data, editor, scale, django_assert_num_queries
):
    url = reverse("api:claim-list") + "?page_size=100"
    caches["default"].clear()
    # The data version; claims; verdicts; the citations they rest on; appearances;
    # citations with their sources; corrections.
    with django_assert_num_queries(7):
        get_json(reader, url)
    for n in range(10):
        claim = services.claim_create(text=f"Nog een bewering {n}", created_by=editor).claim
        services.citation_add(claim=claim, url=f"https://example.org/{n}")
        services.verdict_publish(claim=claim, rating=scale.ratings.first(), summary="x")
    caches["default"].clear()
    with django_assert_num_queries(7):
        assert len(get_json(reader, url)["results"]) == 12


def test_etag_and_last_modified_give_304_until_the_data_changes(reader, transactional_db, data):
    url = reverse("api:claim-detail", kwargs={"slug": data.claim.slug})
    first = reader.get(url, HTTP_ACCEPT="application/json")
    etag, modified = first["ETag"], first["Last-Modified"]
    again = reader.get(url, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    since = reader.get(url, HTTP_ACCEPT="application/json", HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 304

    services.claim_update(claim=data.claim, user=None, claimant="Iemand anders")
    changed = reader.get(url, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert json.loads(changed.content)["claimant"] == "Iemand anders"


def test_the_cache_serves_until_a_change_anywhere_bumps_the_version(reader, transactional_db, data):
    url = reverse("api:claim-detail", kwargs={"slug": data.claim.slug})
    before = get_json(reader, url)
    # A write that sends no signal and no bump: the cached answer is served.
    Claim.objects.filter(pk=data.claim.pk).update(claimant="Ongezien")
    assert get_json(reader, url)["claimant"] == before["claimant"]
    # A source found dead by a worker: the article cache touch bumps the version too,
    # once the transaction commits.
    with transaction.atomic():
        Source.objects.filter(pk=data.source.pk).update(state=Source.State.DEAD)
        services.article_cache_touch(source_ids=[data.source.pk])
        assert get_json(reader, url)["claimant"] == before["claimant"]
    fresh = get_json(reader, url)
    assert fresh["claimant"] == "Ongezien"
    assert fresh["citations"][0]["source"]["state"] == "dead"


def test_anonymous_clients_are_rate_limited_and_a_key_lifts_the_limit(reader, data, settings):
    settings.FACTCHECK_API_RATE_ANON = "3/m"
    settings.FACTCHECK_API_RATE_KEY = "6/m"
    url = reverse("api:scale-list")
    answers = [reader.get(url, HTTP_ACCEPT="application/json").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = reader.get(url, HTTP_ACCEPT="application/json")
    assert int(limited["Retry-After"]) > 0

    _key_row, key = PartnerKey.objects.create_key(name="Partner")
    with_key = [
        reader.get(url, HTTP_ACCEPT="application/json", HTTP_X_API_KEY=key).status_code
        for _ in range(7)
    ]
    assert with_key == [200] * 6 + [429]
    by_header = reader.get(url, HTTP_ACCEPT="application/json", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert by_header.status_code == 429  # the same key, counted together

    _own, own_key = PartnerKey.objects.create_key(name="Big partner", requests_per_minute=10)
    own_answers = [
        reader.get(url, HTTP_ACCEPT="application/json", HTTP_X_API_KEY=own_key).status_code
        for _ in range(11)
    ]
    assert own_answers == [200] * 10 + [429]


def test_a_wrong_or_revoked_key_is_refused_with_a_message(reader, data):
    url = reverse("api:scale-list")
    wrong = reader.get(url, HTTP_ACCEPT="application/json", HTTP_X_API_KEY="abc.def")
    assert wrong.status_code == 403 and "niet geldig" in wrong.json()["detail"]
    row, key = PartnerKey.objects.create_key(name="Old partner")
    assert reader.get(url, HTTP_X_API_KEY=key, HTTP_ACCEPT="application/json").status_code == 200
    row.revoked = True
    row.save()
    assert reader.get(url, HTTP_X_API_KEY=key, HTTP_ACCEPT="application/json").status_code == 403


def test_no_ip_is_kept_in_a_throttle_key(reader, data, settings, rf):
    from claims.api.throttles import AnonymousThrottle
    from claims.services import ip_hash

    settings.FACTCHECK_API_RATE_ANON = "100/m"
    request = rf.get(reverse("api:scale-list"), REMOTE_ADDR="203.0.113.9")
    key = AnonymousThrottle().get_cache_key(request, None)
    assert key == f"api-throttle:anon:{ip_hash('203.0.113.9')[:32]}"
    assert reader.get(reverse("api:scale-list"), REMOTE_ADDR="203.0.113.9").status_code == 200
    assert caches["counters"].get(key)  # the request was counted under the hashed key
    redis_keys = [k.decode() for k in _redis_keys(caches["counters"])]
    assert not any("203.0.113.9" in k for k in redis_keys)


def _redis_keys(cache) -> list:
    try:
        return list(cache.client.get_client().scan_iter("fc:*"))
    except AttributeError:
        return []


def test_the_api_takes_no_writes(reader, data):
    url = reverse("api:claim-list")
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(url, {}, HTTP_ACCEPT="application/json").status_code == 403  # CSRF
    assert reader.put(url, {}, content_type="application/json").status_code == 405


def test_the_schema_is_valid_openapi_3_and_lists_every_endpoint(reader, db):
    response = reader.get(reverse("api:schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for prefix, _basename in endpoints():
        assert f"/api/{prefix}/" in paths
        assert any(p.startswith(f"/api/{prefix}/{{") for p in paths)
    params = {p["name"] for p in schema["paths"]["/api/claims/"]["get"]["parameters"]}
    assert {"q", "language", "rating", "claimant", "article", "updated_since", "cursor"} <= params
    assert schema["info"]["license"]["name"] == "CC BY 4.0"
    # The schema's own fields are on the public list too.
    claim_fields = set(schema["components"]["schemas"]["Claim"]["properties"])
    assert claim_fields <= {p for p in CLAIM if "." not in p and "[" not in p}


def test_the_reference_page_uses_only_our_own_files(reader, db):
    page = reader.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html.split("<body", 1)[-1]
    assert "<script>" not in html.replace(" ", "")  # no inline script: the CSP holds


def test_the_browsable_api_answers_a_browser(reader, data):
    page = reader.get(reverse("api:claim-list"), HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and data.claim.text in page.content.decode()
    assert "cdn" not in page.content.decode().lower()


def test_every_answer_has_exactly_the_fields_its_schema_promises(reader, data):
    """The claim is written out by hand for speed: it must keep the declared shape."""
    schemas = yaml.safe_load(reader.get(reverse("api:schema")).content)["components"]["schemas"]

    def check(value, name: str) -> None:
        schema = schemas[name]
        if "properties" not in schema:  # an enum
            return
        assert set(value) == set(schema["properties"]), name
        for key, prop in schema["properties"].items():
            ref = prop.get("$ref") or (prop.get("allOf") or [{}])[0].get("$ref")
            items = prop.get("items", {}).get("$ref")
            if ref and value[key] is not None:
                check(value[key], ref.rsplit("/", 1)[-1])
            if items:
                for item in value[key]:
                    check(item, items.rsplit("/", 1)[-1])

    for _prefix, basename in endpoints():
        for item in get_json(reader, reverse(f"api:{basename}-list"))["results"]:
            check(item, basename.capitalize() if basename != "scale" else "Scale")
