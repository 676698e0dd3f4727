"""Fuzzing: arbitrary bytes and text never make the seed importer raise anything but
its own error type, and never make the ClaimReview importer raise at all (a bad record
becomes a RecordError, the rest still imports)."""

import dataclasses
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from claims import services
from claims.importers.claimreview import ParsedReview, RecordError, claimreview_records
from claims.importers.seed import SeedFormatError, seed_parse, seed_read
from claims.models import ExternalReview

HEADINGS = st.sampled_from(
    [
        "Bewerkt door: x",
        "Edited by:",
        "Bronnen",
        "Sources:",
        "Lees meer nieuws over dit onderwerp:",
        "Heb je een fout of onnauwkeurigheid gevonden?",
        "https://example.org/x",
        "Titel - Uitgever (https://example.org/a)",
        "(http://[::1)",
        "",
        " - ",
    ]
)
LINES = st.lists(st.one_of(HEADINGS, st.text(max_size=80)), max_size=30)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_seed_format_errors(data):
    try:
        article = seed_read(data, max_bytes=1000)
    except SeedFormatError as error:
        assert "\n" not in str(error)
    else:
        assert article.title and article.paragraphs


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(LINES, st.sampled_from(["\n", "\r\n", "\r"]))
def test_arbitrary_layouts_raise_only_seed_format_errors(lines, newline):
    try:
        article = seed_parse(newline.join(lines))
    except SeedFormatError:
        return
    assert article.title.strip() == article.title
    assert all(p.strip() for p in article.paragraphs)
    assert len({s.key for s in article.sources}) == len(article.sources)


# --- ClaimReview --------------------------------------------------------------------

# Keys from the real ClaimReview vocabulary (and the wrappers the importer unwraps), so
# the generated objects reach deep into the parser instead of failing at the first check.
CLAIMREVIEW_KEYS = st.sampled_from(
    [
        "@type",
        "@context",
        "@graph",
        "claimReviewed",
        "reviewRating",
        "ratingValue",
        "bestRating",
        "worstRating",
        "alternateName",
        "author",
        "itemReviewed",
        "appearance",
        "firstAppearance",
        "datePublished",
        "url",
        "claimReview",
        "text",
        "claimreview",
        "fixture_url",
        "dataFeedElement",
        "item",
        "publisher",
        "name",
        "sameAs",
        "inLanguage",
    ]
)
CLAIMREVIEW_WORDS = st.sampled_from(
    [
        "ClaimReview",
        "claimreview",
        "DataFeed",
        "DataFeedItem",
        "Claim",
        "Rating",
        "Organization",
        "https://schema.org",
        "https://example.org/a",
        "//example.org/b",
        "example.org/c",
        "/relative",
        "2024-02-30",
        "2024-01-01T10:00:00",
        "0001-01-01",
        "99999999999999999999",
        "3,5",
        "http://[::1",
        "mailto:x@example.org",
    ]
)
# Values JSON can carry that a database cannot store as they are.
UNSTORABLE = st.sampled_from(["a\x00b", "\ud800", float("nan"), float("-inf"), 10**400])
JSON_LEAVES = st.one_of(
    UNSTORABLE,
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    CLAIMREVIEW_WORDS,
)


def review_like(children):
    """An object that passes the first checks (a ClaimReview @type, a claimReviewed), so
    the fuzzing reaches the fields behind them; every field may hold anything."""
    fields = ["@context", "url", "author", "publisher", "itemReviewed", "reviewRating"]
    fields += ["datePublished", "inLanguage", "name", "sameAs"]
    optional = {key: st.one_of(CLAIMREVIEW_WORDS, children) for key in fields}
    return st.fixed_dictionaries(
        {
            "@type": st.one_of(st.sampled_from(["ClaimReview", "claimreview"]), children),
            "claimReviewed": st.one_of(st.text(min_size=1, max_size=20), children),
        },
        optional=optional,
    )


JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(CLAIMREVIEW_KEYS, CLAIMREVIEW_KEYS, st.text(max_size=8)),
            st.one_of(CLAIMREVIEW_WORDS, children),
            max_size=6,
        ),
        review_like(children),
    ),
    max_leaves=40,
)


def claimreview_consume(data: bytes) -> list[ParsedReview | RecordError]:
    """Every record the parser yields (it must not raise), each checked for what the
    import prints and stores: a review with its claim as one line of text, or an error
    as one line; each record named once ("record 2", "line 5", "script 1[3]")."""
    records = list(claimreview_records(data, base_url="https://example.org/base/"))
    for record in records:
        assert isinstance(record, ParsedReview | RecordError), record
        assert record.where and "\n" not in record.where, record
        if isinstance(record, ParsedReview):
            assert record.claim_reviewed == " ".join(record.claim_reviewed.split()) != ""
            assert all(isinstance(w, str) and "\n" not in w for w in record.warnings)
        else:
            assert record.message and "\n" not in str(record), record
    places = [record.where for record in records]
    assert len(places) == len(set(places)), places
    return records


def placeless(records: list) -> list:
    """The records without their place, which depends on the wrapping."""
    return [dataclasses.replace(record, where="") for record in records]


def claimreview_serialise(value, shape: str) -> bytes:
    text = json.dumps(value)
    if shape == "json lines":
        text = "\n".join(json.dumps(item) for item in value) if isinstance(value, list) else text
    elif shape == "html":
        text = f'<html><script type="application/ld+json">{text}</script></html>'
    return text.encode()


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(JSON_VALUES, st.sampled_from(["json", "json lines", "html"]))
# What hypothesis found, shrunk: a Fact Check Tools item whose review is not an object,
@example({"claimReview": [None], "text": None}, "json")
# a url urllib refuses to split, and one such as the base for the others,
@example({"@type": "ClaimReview", "claimReviewed": "0", "url": "http://[::1"}, "json")
@example({"claimreview": {"claimReviewed": "0", "url": "/a"}, "fixture_url": "http://[::1"}, "json")
# an appearance that is one number, not a list, and a wrapper URL that is not text.
@example({"@type": "ClaimReview", "claimReviewed": "0", "itemReviewed": {"appearance": 0}}, "json")
@example({"claimreview": {"claimReviewed": "0", "url": "/a"}, "fixture_url": 0}, "json")
def test_arbitrary_json_gives_only_reviews_or_record_errors(value, shape):
    records = claimreview_consume(claimreview_serialise(value, shape))
    # Counts add up: a JSON list gives the records of its items, and the same items as
    # JSON Lines give the same records. (Unless the list as a whole is not JSON that a
    # database can store: then it is read line by line, and its one line is the error.)
    read_whole = not any(record.where.startswith("line") for record in records)
    if shape == "json" and isinstance(value, list) and value and read_whole:
        as_lines = claimreview_consume(claimreview_serialise(value, "json lines"))
        assert placeless(as_lines) == placeless(records)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(st.binary(max_size=500), st.text(max_size=300).map(str.encode)))
@example(b"[" * 100_000)  # too deep for json.loads: RecursionError, not a ValueError
@example(b'<script type="application/ld+json">' + b"[" * 100_000 + b"</script>")
def test_arbitrary_bytes_and_text_give_only_reviews_or_record_errors(data):
    records = claimreview_consume(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or not text.strip():  # one error for the whole file, nothing else
        assert [(type(r), r.where) for r in records] == [(RecordError, "file")]
    else:
        assert all(r.where != "file" for r in records)


@pytest.mark.django_db
@settings(
    max_examples=120,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(JSON_VALUES, st.sampled_from(["json", "json lines", "html"]))
# What it found, shrunk: PostgreSQL refuses NUL in text and jsonb, NaN in jsonb; SQLite's
# JSON_VALID refuses NaN; no database encodes a lone surrogate.
@example({"@type": "ClaimReview", "claimReviewed": "a\x00b"}, "json")
@example({"@type": "ClaimReview", "claimReviewed": "a", "sameAs": "\x00"}, "json")
@example({"@type": "ClaimReview", "claimReviewed": "\ud800"}, "json")
@example({"@type": "ClaimReview", "claimReviewed": "a", "name": float("nan")}, "json")
@example(
    {"@type": "ClaimReview", "claimReviewed": "a", "reviewRating": {"ratingValue": 1e400}}, "json"
)
def test_importing_arbitrary_json_stores_every_review_or_reports_its_error(value, shape):
    """The parser yields records and never raises; nothing the importer has its own error
    type for, so the service must not raise either: every record is stored or listed."""
    data = claimreview_serialise(value, shape)
    records = claimreview_consume(data)
    result = services.claimreview_import(data=data, origin="fuzz", base_url="https://example.org/")
    stored = result.imported + result.updated
    assert stored == sum(isinstance(r, ParsedReview) for r in records)
    assert len(result.errors) == sum(isinstance(r, RecordError) for r in records)
    assert ExternalReview.objects.filter(pk__in=[r.pk for r in result.reviews]).count() == len(
        {r.pk for r in result.reviews}
    )
