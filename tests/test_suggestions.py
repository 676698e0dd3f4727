"""Check-worthiness rules (claims/text/worthiness.py) and suggestions on import."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from claims import services
from claims.importers.seed import seed_read
from claims.models import Claim, ClaimSuggestion
from claims.text.worthiness import sentence_score, sentence_spans, text_suggestions
from tests.conftest import shared_file

MIN = settings.FACTCHECK_SUGGEST_MIN_SCORE

# sentence, suggested?, rules that must fire
TABLE = [
    ("Op dinsdag 2 december 2025 vond in het Kremlin een bijeenkomst plaats.", True, {"date"}),
    ("De besprekingen duurden bijna vijf uur.", True, {"quantity", "approximation"}),
    ("Rusland bezet circa 20% van het Oekraïense grondgebied.", True, {"percentage"}),
    ("Het plan werd herzien naar 19 punten, meldde een woordvoerder.", True, {"attribution"}),
    ("Volgens de minister stegen de prijzen met 12 procent.", True, {"attribution"}),
    ("Het werkloosheidscijfer is hoger dan ooit, zei de minister.", True, {"comparison"}),
    ("Dit was zijn zesde reis in 2025.", True, {"ordinal", "date"}),
    ("Crime went up 20% last year, the mayor said.", True, {"percentage", "attribution"}),
    ("According to the report, 3,000 people lost their jobs in March 2024.", True, {"date"}),
    ("It is the largest protest since 1989, organisers claimed.", True, {"comparison"}),
    ("De sfeer was goed en iedereen was tevreden over de dag.", False, set()),
    ("The weather was pleasant and everyone enjoyed the afternoon.", False, set()),
    ("Hoeveel mensen waren er in 2020 aanwezig?", False, set()),
    ("Vier!", False, set()),
]


@pytest.mark.parametrize(("sentence", "suggested", "rules"), TABLE, ids=[t[0][:40] for t in TABLE])
def test_rule_table(sentence, suggested, rules):
    score, reasons = sentence_score(sentence)
    assert (score >= MIN) == suggested, (score, reasons)
    assert rules <= set(reasons)


def test_sentences_are_split_with_offsets_and_abbreviations_kept():
    text = "Dr. Jansen zei dat het 5% was. Dat klopt niet! Of wel? Het is ca. 3 km lang."
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Dr. Jansen zei dat het 5% was.",
        "Dat klopt niet!",
        "Of wel?",
        "Het is ca. 3 km lang.",
    ]


def test_a_dangling_closing_quote_joins_its_sentence():
    text = ",,Het paard heeft alles gegeven. '' Daarna ging hij naar huis."
    first_start, first_end = sentence_spans(text)[0]
    assert text[first_start:first_end].endswith("''")


SEED_MUST_SUGGEST = [
    "Op dinsdag 2 december 2025",  # the date of the meeting
    "bijna vijf uur durende besprekingen",  # its length
    "19 tot 27 punten",
    "circa 20% van het Oekraïense grondgebied",
    "sinds mei 2025",
    "zesde in 2025",
    "op 23 november 2025 in Genève herzien naar 19 punten",
]


def test_the_seed_import_yields_the_expected_suggestions(seed_article):
    texts = list(
        ClaimSuggestion.objects.filter(article=seed_article).values_list("text", flat=True)
    )
    for passage in SEED_MUST_SUGGEST:
        assert any(passage in text for text in texts), passage
    assert "De volgende fase van Amerikaans-Russische contacten" not in " ".join(texts)
    for suggestion in ClaimSuggestion.objects.filter(article=seed_article):
        assert suggestion.paragraph.text[suggestion.start : suggestion.end] == suggestion.text


def test_reimporting_keeps_suggestions_and_decisions(seed_article, seed_bytes, editor):
    last = seed_article.paragraphs.order_by("position").last()
    kept = list(ClaimSuggestion.objects.exclude(paragraph=last).values_list("pk", flat=True))
    dismissed = ClaimSuggestion.objects.exclude(paragraph=last).first()
    services.suggestion_dismiss(suggestion=dismissed, user=editor)

    edited = seed_bytes.replace(
        b"Pokrovsk, voortduren.",
        "Pokrovsk, voortduren. Bij de gevechten vielen volgens Oekraïne 12 doden.".encode(),
    )
    services.article_import(seed=seed_read(edited, max_bytes=10**6))
    services.article_import(seed=seed_read(edited, max_bytes=10**6))

    # Unchanged paragraphs keep their suggestion rows; the edited one is a new paragraph.
    assert set(kept) <= set(ClaimSuggestion.objects.values_list("pk", flat=True))
    assert ClaimSuggestion.objects.get(pk=dismissed.pk).status == ClaimSuggestion.Status.DISMISSED
    assert (
        ClaimSuggestion.objects.filter(
            text="Bij de gevechten vielen volgens Oekraïne 12 doden."
        ).count()
        == 1
    )


def dutch_news() -> list[Path]:
    return sorted(shared_file("data", "dutch_news", "ud_alpino").glob("*.txt"))


def test_dutch_news_suggestions_are_factual_sentences():
    paths = dutch_news()
    assert len(paths) >= 5
    suggested, skipped = [], []
    for path in paths:
        for paragraph in path.read_text().split("\n\n"):
            found = text_suggestions(paragraph, min_score=MIN)
            suggested.extend(s.text for s in found)
            chosen = {(s.start, s.end) for s in found}
            skipped.extend(
                paragraph[a:b] for a, b in sentence_spans(paragraph) if (a, b) not in chosen
            )
    assert 0.1 < len(suggested) / (len(suggested) + len(skipped)) < 0.7
    # Checkable statements from the papers are found ...
    assert any("0,07 punt" in s for s in suggested)
    assert any("zegt de Italiaanse franciscaan Alberto Tosini" in s for s in suggested)
    # ... questions and exclamations are not.
    assert not any(s.rstrip("'\" ").endswith("?") for s in suggested)
    assert "Vier!" in skipped and "Droom over?" in skipped


def test_accepting_a_suggestion_makes_a_claim_on_its_span(seed_article, editor):
    suggestion = ClaimSuggestion.objects.get(article=seed_article, text__contains="circa 20%")
    claim = services.suggestion_accept(
        suggestion=suggestion,
        user=editor,
        text="Rusland bezet circa 20% van Oekraïne.",
        claimant="Oesjakov",
    )
    appearance = claim.appearances.get()
    assert claim.text == "Rusland bezet circa 20% van Oekraïne."
    assert (appearance.paragraph, appearance.start, appearance.end) == (
        suggestion.paragraph,
        suggestion.start,
        suggestion.end,
    )
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.claim) == (ClaimSuggestion.Status.ACCEPTED, claim)
    with pytest.raises(ValidationError):
        services.suggestion_accept(suggestion=suggestion, user=editor)
    assert Claim.objects.count() == 1


# --- Issue 12: idioms, event names, claimants, what is a claim already ---------------


@pytest.mark.parametrize(
    "sentence",
    [
        "De oppositie wil de misstanden aan de kaak stellen tijdens het debat in de Kamer.",
        "Trainer Koeman stelde dezelfde spelers op als in de vorige wedstrijd tegen Italië.",
        "Op Roze Zaterdag liepen weer veel mensen mee door de straten van de stad.",
        "De winkels waren op Goede Vrijdag gewoon open in het centrum van de stad.",
    ],
)
def test_idioms_and_event_names_are_not_suggested(sentence):
    score, reasons = sentence_score(sentence)
    assert score < MIN, (score, reasons)
    assert "attribution" not in reasons and "date" not in reasons


@pytest.mark.parametrize(
    ("sentence", "claimant"),
    [
        ("Oesjakov merkte op dat er geen territoriale concessies waren bereikt.", "Oesjakov"),
        ("Volgens minister Bruins stijgt het aantal met 12 procent.", "Bruins"),
        ("'Het gaat goed', zei Poetin op 3 mei tegen journalisten.", "Poetin"),
        ("Trump said prices rose 20 percent last year.", "Trump"),
        ("Hij zei dat het aantal met 20 procent steeg.", ""),  # a pronoun names nobody
    ],
)
def test_the_claimant_comes_from_the_reporting_verb(sentence, claimant):
    from claims.text.worthiness import sentence_claimant

    assert sentence_claimant(sentence) == claimant


def test_a_sentence_that_is_a_claim_is_not_suggested_and_a_claim_drops_its_suggestion(
    seed_article, editor
):
    services.article_suggest(article=seed_article)
    suggestion = seed_article.suggestions.filter(text__contains="Oesjakov merkte op").get()
    assert suggestion.claimant == "Oesjakov"
    paragraph = suggestion.paragraph
    # An editor makes a claim from part of the sentence by selecting it on the desk.
    services.claim_create(
        text="Er zijn geen territoriale concessies bereikt.",
        article=seed_article,
        paragraph=paragraph,
        quote="er geen territoriale concessies waren bereikt",
        created_by=editor,
    )
    assert not ClaimSuggestion.objects.filter(pk=suggestion.pk).exists()
    services.article_suggest(article=seed_article)  # recomputed: still not suggested
    assert not seed_article.suggestions.filter(text__contains="Oesjakov merkte op").exists()


def test_an_accepted_suggestion_fills_in_the_claimant(seed_article, editor):
    services.article_suggest(article=seed_article)
    suggestion = seed_article.suggestions.filter(text__contains="Oesjakov merkte op").get()
    claim = services.suggestion_accept(suggestion=suggestion, user=editor)
    assert claim.claimant == "Oesjakov"
    suggestion.refresh_from_db()
    assert suggestion.status == ClaimSuggestion.Status.ACCEPTED and suggestion.claim == claim
    assert not seed_article.suggestions.filter(status=ClaimSuggestion.Status.NEW).filter(
        text__contains="Oesjakov merkte op"
    )


LABELLED = Path(__file__).parent / "data" / "worthiness_nl.tsv"


def labelled_sentences() -> list[tuple[int, str, str]]:
    rows = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        label, origin, sentence = line.split("\t", 2)
        rows.append((int(label), origin, sentence))
    return rows


def test_precision_on_labelled_dutch_news_sentences(capsys):
    """Of the sentences suggested, how many a person labelled check-worthy. The figure
    is printed (pytest -s); the floor keeps the rules from getting noisier."""
    rows = labelled_sentences()
    suggested = [(label, s) for label, _origin, s in rows if sentence_score(s)[0] >= MIN]
    true = sum(label for label, _s in suggested)
    precision = true / len(suggested)
    positives = sum(label for label, _o, _s in rows)
    recall = true / positives
    with capsys.disabled():
        print(
            f"\nworthiness on {len(rows)} labelled sentences: {len(suggested)} suggested, "
            f"precision {precision:.2f}, recall {recall:.2f}"
        )
    assert len(rows) >= 60
    assert precision >= 0.7
