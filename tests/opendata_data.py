"""Data for the open-data and integration tests (the API, dumps, webhooks, following):
made through the real services, with something unpublished beside everything public, so
a test can see that only the public part comes out."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from claims import services
from claims.importers.seed import seed_read
from claims.models import Article, Claim, Correction, Source


@dataclass
class Newsroom:
    article: Article  # published: the seed
    claim: Claim  # public, with a changed verdict (one earlier), a source, corrections
    draft_article: Article  # never published
    draft_claim: Claim  # in the seed article, but only a draft verdict
    hidden_claim: Claim  # public, but appearing only in the draft article
    source: Source
    correction: Correction  # on the published article, with a text change
    draft_correction: Correction  # on the draft article


def newsroom(seed_article, seed_claim, scale, editor, second_editor) -> Newsroom:
    true, mostly = scale.ratings.get(code="true"), scale.ratings.get(code="mostly-true")
    source = services.source_get_or_create(title="CGTN", url="https://news.cgtn.com/a")
    citation = services.citation_add(claim=seed_claim, source=source, quote="about 20 percent")
    services.verdict_publish(claim=seed_claim, rating=true, summary="Klopt.", author=editor)
    change = services.verdict_save(
        claim=seed_claim,
        rating=mostly,
        summary="Schattingen liggen tussen 18 en 20 procent.",
        explanation="<p>Zie de kaart.</p>",
        citations=[citation],
        author=editor,
        submit=True,
    )
    services.verdict_approve(verdict=change, user=second_editor, seen=change.content_token())
    # An internal re-review note that quotes a reader never reaches the public.
    Claim.objects.filter(pk=seed_claim.pk).update(rereview_reason="Reader report abc: secret")

    paragraphs = [p.text for p in seed_article.paragraphs.order_by("position")]
    paragraphs[0] = paragraphs[0] + " (bijgewerkt)"
    correction = services.article_correct(
        article_id=seed_article.pk,
        user=editor,
        note="Interne notitie: niet publiek",
        correction_text="Een zin is aangevuld.",
        paragraphs=paragraphs,
    ).correction

    seed = seed_read(
        b"Conceptartikel\n\nBewerkt door: Redactie\n\nNog niet gepubliceerde tekst.\n",
        max_bytes=100_000,
    )
    draft_article = services.article_import(seed=seed, publish=False).article
    hidden_claim = services.claim_create(
        text="Een bewering die alleen in een concept staat.",
        article=draft_article,
        paragraph=draft_article.paragraphs.first(),
        quote="Nog niet gepubliceerde tekst",
        created_by=editor,
    ).claim
    services.verdict_publish(claim=hidden_claim, rating=true, summary="Waar.", author=editor)
    draft_correction = Correction.objects.create(article=draft_article, text="Niet publiek.")

    draft_claim = services.claim_create(
        text="Een bewering zonder gepubliceerd oordeel.",
        article=seed_article,
        created_by=editor,
    ).claim
    services.verdict_save(claim=draft_claim, rating=true, summary="Concept.", author=editor)
    seed_claim.refresh_from_db()
    assert seed_article.published_at < timezone.now()
    return Newsroom(
        article=Article.objects.get(pk=seed_article.pk),
        claim=seed_claim,
        draft_article=draft_article,
        draft_claim=draft_claim,
        hidden_claim=hidden_claim,
        source=source,
        correction=correction,
        draft_correction=draft_correction,
    )
