"""Claim matching: the score table, the two thresholds, and tracking in the database."""

import pytest
from django.conf import settings

from claims import services
from claims.models import Claim, ClaimMatch, ExternalReview
from claims.text.matching import ClaimText, match_score
from tests.conftest import shared_file

LINK, SUGGEST = "link", "suggest"

# a, claimant a, b, claimant b, expected: LINK (same claim), SUGGEST (possibly), None
PAIRS = [
    (
        "Rusland bezet circa 20% van het Oekraïense grondgebied, inclusief de Krim.", "",
        "Rusland bezet circa 20% van het Oekraïense grondgebied, inclusief de Krim.", "",
        LINK,
    ),
    (
        "Het 28-puntenplan werd op 23 november 2025 in Genève herzien naar 19 punten.",
        "Trump-regering",
        "Op 23 november 2025 werd het 28-puntenplan in Genève herzien tot 19 punten.",
        "Trump-regering",
        LINK,
    ),
    (
        "Op 2 december 2025 spraken Poetin en Witkoff bijna vijf uur in het Kremlin.", "Kremlin",
        "Poetin en Witkoff spraken op 2 december 2025 vijf uur lang in het Kremlin.", "Kremlin",
        LINK,
    ),
    (
        "Rusland bezet circa 20% van het Oekraïense grondgebied.", "",
        "Rusland bezet ongeveer 20 procent van het Oekraïense grondgebied.", "",
        SUGGEST,
    ),
    ("Crime went up 20% last year.", "Trump", "Crime rose by 20 percent in the last year.",
     "Donald Trump", SUGGEST),
    ("Crime went up 20% last year.", "", "Unemployment went up 20% last year.", "", SUGGEST),
    (
        "Rusland bezet circa 20% van het Oekraïense grondgebied.", "",
        "Rusland bezet circa 18% van het Oekraïense grondgebied.", "",
        None,  # different numbers: a different claim
    ),
    ("The vaccine causes autism.", "", "Vaccines do not cause autism, study shows.", "", None),
    (
        "Rusland bezet circa 20% van het Oekraïense grondgebied.", "",
        "Het 28-puntenplan werd in Genève herzien naar 19 punten.", "",
        None,
    ),
    (
        "Steve Witkoff maakte zijn zesde reis naar Rusland in 2025.", "Witte Huis",
        "Steve Witkoff maakte zijn zesde reis naar Rusland in 2025.", "Kremlin",
        LINK,  # the same words from another mouth are still the same claim
    ),
]  # fmt: skip


def expected_band(score: float):
    if score >= settings.FACTCHECK_MATCH_LINK:
        return LINK
    if score >= settings.FACTCHECK_MATCH_SUGGEST:
        return SUGGEST
    return None


@pytest.mark.parametrize(
    ("a", "ca", "b", "cb", "band"), PAIRS, ids=[p[0][:30] + "~" + p[2][:20] for p in PAIRS]
)
def test_pair_table(a, ca, b, cb, band):
    score = match_score(ClaimText.of(a, ca), ClaimText.of(b, cb))
    assert expected_band(score) == band, score
    assert score == match_score(ClaimText.of(b, cb), ClaimText.of(a, ca))  # symmetric


def test_thresholds_are_settings(settings):
    a = ClaimText.of("Crime went up 20% last year.")
    b = ClaimText.of("Unemployment went up 20% last year.")
    score = match_score(a, b)
    settings.FACTCHECK_MATCH_SUGGEST = score + 0.01
    assert expected_band(score) is None


def test_a_recurring_claim_becomes_another_appearance(seed_article, editor, db):
    first = services.claim_create(
        text="Het 28-puntenplan werd op 23 november 2025 in Genève herzien naar 19 punten.",
        claimant="Trump-regering",
        match=True,
    ).claim
    paragraph = seed_article.paragraphs.get(position=5)
    again = services.claim_create(
        text="Op 23 november 2025 werd het 28-puntenplan in Genève herzien tot 19 punten.",
        claimant="Trump-regering",
        article=seed_article,
        paragraph=paragraph,
        quote="op 23 november 2025 in Genève herzien naar 19 punten",
        match=True,
    ).claim
    assert again == first and Claim.objects.count() == 1
    appearance = first.appearances.get()
    assert appearance.paragraph == paragraph and appearance.start is not None


def test_a_possible_match_is_suggested_and_the_editor_merges(seed_article, editor, db):
    old = services.claim_create(
        text="Crime went up 20% last year.", claimant="Mayor", match=True
    ).claim
    new = services.claim_create(
        text="Crime rose by 20 percent in the last year.",
        claimant="Mayor",
        article=seed_article,
        paragraph=seed_article.paragraphs.first(),
        quote="Op dinsdag",
        match=True,
    ).claim
    assert new != old
    match = ClaimMatch.objects.get(claim=new)
    assert (match.other_claim, match.status) == (old, ClaimMatch.Status.SUGGESTED)
    services.claim_match_decide(match=match, same=True, user=editor)
    assert not Claim.objects.filter(pk=new.pk).exists()
    assert old.appearances.get().article == seed_article


def test_imported_reviews_link_to_the_same_claim_and_suggest_similar_ones(db):
    claim = services.claim_create(
        text="Putin predijo el 11-S en una entrevista de 1998.", match=True
    ).claim
    other = services.claim_create(
        text="Lula da Silva fue arrestado en 1980 por lavado de dinero."
    ).claim
    data = (
        b'{"@type": "ClaimReview", "@context": "https://schema.org", "url": "https://x.example/1",'
        b' "claimReviewed": "Putin predijo el 11-S en una entrevista de 1998.",'
        b' "reviewRating": {"@type": "Rating", "alternateName": "Falso"}}\n'
        b'{"@type": "ClaimReview", "@context": "https://schema.org", "url": "https://x.example/2",'
        b' "claimReviewed": "El expresidente Lula da Silva fue detenido en 1980 por lavado'
        b' de dinero.",'
        b' "reviewRating": {"@type": "Rating", "alternateName": "Falso"}}\n'
    )
    result = services.claimreview_import(data=data)
    assert result.linked == 1
    assert ExternalReview.objects.get(url="https://x.example/1").claim == claim
    suggested = ExternalReview.objects.get(url="https://x.example/2")
    assert suggested.claim is None
    match = ClaimMatch.objects.get(external_review=suggested)
    assert (match.claim, match.status) == (other, ClaimMatch.Status.SUGGESTED)
    services.claim_match_decide(match=match, same=True, user=None)
    suggested.refresh_from_db()
    assert suggested.claim == other


def test_real_reviews_match_a_local_claim_that_says_the_same(db):
    claim = services.claim_create(
        text="La orquesta sinfónica del ejército de Corea del Norte interpreta Killing in The "
        "Name de Rage Against the Machine.",
    ).claim
    data = shared_file("data", "claimreview", "real_claimreviews.jsonl").read_bytes()
    services.claimreview_import(data=data)
    linked = ExternalReview.objects.filter(claim=claim)
    assert linked.count() == 1 and "newtral.es/orquesta" in linked.get().url
