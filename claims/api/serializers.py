"""The one public shape of each thing the newsroom publishes, for the API and the
open-data dumps alike. Every field is listed by name: nothing reaches the public by
being added to a model (tests/test_api.py walks every field against its allow list).

Left out on purpose: staff (authors, approvers, assignees), internal notes (revision
notes, re-review reasons, which quote reader reports), readers' reports and anything
about them, and anything unpublished (drafts, verdicts in review, revisions made before
publication, appearances in unpublished articles)."""

from __future__ import annotations

import functools

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.api.public import citation_archived_url, claims_load
from claims.models import (
    Article,
    Citation,
    Claim,
    ClaimAppearance,
    Correction,
    Rating,
    RatingScale,
    Source,
    Verdict,
)
from claims.services.events import SOURCE_PUBLIC_STATES as SOURCE_STATES
from claims.text.links import site_url


def api_url(name: str, **kwargs) -> str:
    return site_url(reverse(f"api:{name}", kwargs=kwargs))


class ScaleRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = RatingScale
        fields = ["id", "name", "version", "best_value", "worst_value"]


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["code", "label_nl", "label_en", "value", "color", "position"]


class VerdictRatingSerializer(serializers.ModelSerializer):
    scale = ScaleRefSerializer(read_only=True)

    class Meta:
        model = Rating
        fields = ["code", "label_nl", "label_en", "value", "color", "scale"]


class ScaleSerializer(serializers.ModelSerializer):
    """A rating scale version. Editing a scale in use makes a new version; old verdicts
    keep the version (and label) they were given."""

    ratings = RatingSerializer(many=True, read_only=True)

    class Meta:
        model = RatingScale
        fields = [
            "id",
            "name",
            "version",
            "is_active",
            "best_value",
            "worst_value",
            "created_at",
            "ratings",
        ]


class SourceSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    archived_url = serializers.SerializerMethodField()
    http_status = serializers.IntegerField(source="last_status", read_only=True)

    class Meta:
        model = Source
        fields = [
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
        ]

    @extend_schema_field(serializers.ChoiceField(choices=sorted(set(SOURCE_STATES.values()))))
    def get_state(self, source: Source) -> str:
        return SOURCE_STATES.get(source.state, "not_checked")

    @extend_schema_field(OpenApiTypes.URI)
    def get_archived_url(self, source: Source) -> str | None:
        """The preserved copy the citation relies on: the web archive's memento, else our
        own capture page (``claims.api.public.citation_archived_url``)."""
        return getattr(source, "archive_url", "") or None


class CitationSerializer(serializers.ModelSerializer):
    source = SourceSerializer(read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "position", "quote", "quote_status", "quote_score", "source"]


class VerdictSerializer(serializers.ModelSerializer):
    rating = VerdictRatingSerializer(read_only=True)
    citations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Verdict
        fields = ["id", "status", "rating", "summary", "explanation", "published_at", "citations"]

    @extend_schema_field(serializers.ChoiceField(choices=["current", "earlier"]))
    def get_status(self, verdict: Verdict) -> str:
        return "current" if verdict.status == Verdict.Status.PUBLISHED else "earlier"


class ArticleRefSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = ["slug", "title", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, article: Article) -> str:
        return site_url(article.get_absolute_url())


class ClaimRefSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = ["slug", "text", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, claim: Claim) -> str:
        return site_url(claim.get_absolute_url())


class AppearanceSerializer(serializers.ModelSerializer):
    article = ArticleRefSerializer(read_only=True)
    paragraph = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = ClaimAppearance
        fields = ["article", "paragraph", "quote", "url", "appeared_at"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_paragraph(self, appearance: ClaimAppearance) -> str:
        """The anchor of the paragraph, as in the article page's URL fragment."""
        return appearance.paragraph.anchor if appearance.paragraph_id else ""

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, appearance: ClaimAppearance) -> str:
        url = appearance.public_url
        return site_url(url) if appearance.article_id else url


class TextChangeSerializer(serializers.Serializer):
    anchor = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class CorrectionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    article = ArticleRefSerializer(read_only=True)
    claim = ClaimRefSerializer(source="public_claim", read_only=True, allow_null=True)
    amends = serializers.PrimaryKeyRelatedField(read_only=True)
    revision = serializers.SerializerMethodField()
    text_changes = TextChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Correction
        fields = [
            "id",
            "url",
            "kind",
            "text",
            "published_at",
            "article",
            "claim",
            "amends",
            "revision",
            "text_changes",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, correction: Correction) -> str:
        return site_url(correction.get_absolute_url())

    def to_representation(self, correction: Correction):
        claim = correction.claim
        correction.public_claim = claim if claim is not None and claim.is_public else None
        return super().to_representation(correction)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_revision(self, correction: Correction) -> int | None:
        """The number of the article revision whose text change this correction explains."""
        return correction.revision.number if correction.revision_id else None


class CorrectionRefSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Correction
        fields = ["id", "kind", "published_at", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, correction: Correction) -> str:
        return api_url("correction-detail", pk=correction.pk)


# --- The claim, by hand (see ClaimSerializer.to_representation) ---------------------

_DATETIME = serializers.DateTimeField()


def _when(value) -> str | None:
    return _DATETIME.to_representation(value) if value else None


@functools.cache
def _url_pattern(name: str, kwarg: str) -> tuple[str, str]:
    """The URL of ``name`` around its one argument, reversed once per process."""
    marker = "0" if kwarg == "pk" else "slug-marker"
    before, _marker, after = reverse(name, kwargs={kwarg: marker}).rpartition(marker)
    return before, after


def _url(name: str, value, *, kwarg: str = "slug") -> str:
    before, after = _url_pattern(name, kwarg)
    return site_url(f"{before}{value}{after}")


def _verdict(verdict: Verdict) -> dict:
    rating, scale = verdict.rating, verdict.rating.scale
    return {
        "id": verdict.pk,
        "status": "current" if verdict.status == Verdict.Status.PUBLISHED else "earlier",
        "rating": {
            "code": rating.code,
            "label_nl": rating.label_nl,
            "label_en": rating.label_en,
            "value": rating.value,
            "color": rating.color,
            "scale": {
                "id": scale.pk,
                "name": scale.name,
                "version": scale.version,
                "best_value": scale.best_value,
                "worst_value": scale.worst_value,
            },
        },
        "summary": verdict.summary,
        "explanation": verdict.explanation,
        "published_at": _when(verdict.published_at),
        "citations": verdict.citation_ids,
    }


def _appearance(appearance) -> dict:
    article = appearance.article
    anchor = appearance.anchor
    if article is None:
        return {
            "article": None,
            "paragraph": anchor,
            "quote": appearance.quote,
            "url": appearance.url,
            "appeared_at": appearance.appeared_at.isoformat() if appearance.appeared_at else None,
        }
    page = _url("claims:article", article.slug)
    return {
        "article": {"slug": article.slug, "title": article.title, "url": page},
        "paragraph": anchor,
        "quote": appearance.quote,
        "url": f"{page}#{anchor}" if anchor else page,
        "appeared_at": appearance.appeared_at.isoformat() if appearance.appeared_at else None,
    }


def _citation(citation: Citation) -> dict:
    source = citation.source
    return {
        "id": citation.pk,
        "position": citation.position,
        "quote": citation.quote,
        "quote_status": citation.quote_status,
        "quote_score": citation.quote_score,
        "source": {
            "id": source.pk,
            "title": source.title,
            "publisher": source.publisher,
            "url": source.url,
            "domain": source.domain,
            "state": SOURCE_STATES.get(source.state, "not_checked"),
            "last_checked_at": _when(source.last_checked_at),
            "http_status": source.last_status,  # "last_status" in the row
            "final_url": source.final_url,
            "archived_url": getattr(source, "archive_url", "") or None,
        },
    }


class ClaimListSerializer(serializers.ListSerializer):
    """A page of claims: what they show beside is read for the whole page at once."""

    def to_representation(self, data):
        claims = list(data.all() if hasattr(data, "all") else data)
        claims_load([c for c in claims if not hasattr(c, "public_verdicts")])
        return [self.child.to_representation(claim) for claim in claims]


class ClaimSerializer(serializers.ModelSerializer):
    """A public claim: where it appears, the current verdict and the earlier ones, the
    sources it cites with their state, and its corrections."""

    url = serializers.URLField(read_only=True)
    api_url = serializers.URLField(read_only=True)
    status = serializers.ChoiceField(
        choices=[Claim.Status.PUBLISHED, Claim.Status.NEEDS_REREVIEW], read_only=True
    )
    verdict = VerdictSerializer(read_only=True, allow_null=True)
    earlier_verdicts = VerdictSerializer(many=True, read_only=True)
    appearances = AppearanceSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    corrections = CorrectionRefSerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        list_serializer_class = ClaimListSerializer
        fields = [
            "slug",
            "url",
            "api_url",
            "text",
            "claimant",
            "claim_date",
            "language",
            "status",
            "updated_at",
            "verdict",
            "earlier_verdicts",
            "appearances",
            "citations",
            "corrections",
        ]

    def to_representation(self, claim: Claim) -> dict:
        """The declared fields above, written out by hand from plain rows
        (``claims_load``): the claims list is the API's busiest page, and building model
        instances and walking DRF's fields one by one cost it far more than the database
        did (bench/api_list.py). tests/test_api.py holds the two together: every answer
        has exactly the schema's fields, and a claim reads the same in the list, alone
        and in the dumps."""
        if not hasattr(claim, "public_verdicts"):
            claims_load([claim])
        current = next(
            (v for v in claim.public_verdicts if v.status == Verdict.Status.PUBLISHED), None
        )
        earlier = [v for v in claim.public_verdicts if v.status == Verdict.Status.SUPERSEDED]
        return {
            "slug": claim.slug,
            "url": _url("claims:claim", claim.slug),
            "api_url": _url("api:claim-detail", claim.slug),
            "text": claim.text,
            "claimant": claim.claimant,
            "claim_date": claim.claim_date.isoformat() if claim.claim_date else None,
            "language": claim.language,
            "status": claim.status,
            "updated_at": _when(claim.updated_at),
            "verdict": _verdict(current) if current else None,
            "earlier_verdicts": [_verdict(v) for v in earlier],
            "appearances": [_appearance(a) for a in claim.public_appearances],
            "citations": [_citation(c) for c in claim.public_citations],
            "corrections": [
                {
                    "id": c.pk,
                    "kind": c.kind,
                    "published_at": _when(c.published_at),
                    "url": _url("api:correction-detail", c.pk, kwarg="pk"),
                }
                for c in claim.public_corrections
            ],
        }


class ParagraphSerializer(serializers.Serializer):
    anchor = serializers.CharField()
    text = serializers.CharField()


class ArticleSourceSerializer(serializers.ModelSerializer):
    source = SourceSerializer(read_only=True)

    class Meta:
        model = Citation
        fields = ["position", "source"]

    def to_representation(self, citation):
        citation.source.archive_url = citation_archived_url(citation)
        return super().to_representation(citation)


class TitleChangeSerializer(serializers.Serializer):
    before = serializers.CharField()
    after = serializers.CharField()


class RevisionSerializer(serializers.Serializer):
    """A change to the text after publication: which paragraphs said what and say now.
    The editor's internal note and name are not public; a correction says why."""

    number = serializers.IntegerField()
    saved_at = serializers.DateTimeField(source="created_at")
    title = serializers.SerializerMethodField()
    text_changes = TextChangeSerializer(source="changes", many=True)

    @extend_schema_field(TitleChangeSerializer(allow_null=True))
    def get_title(self, revision) -> dict | None:
        before, after = revision.before.get("title"), revision.after.get("title")
        return {"before": before, "after": after} if before != after else None


class ArticleCorrectionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    revision = serializers.SerializerMethodField()
    text_changes = TextChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Correction
        fields = ["id", "url", "kind", "text", "published_at", "revision", "text_changes"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, correction: Correction) -> str:
        return site_url(correction.get_absolute_url())

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_revision(self, correction: Correction) -> int | None:
        return correction.revision.number if correction.revision_id else None


class ArticleSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    modified_at = serializers.SerializerMethodField()
    paragraphs = ParagraphSerializer(many=True, read_only=True)
    sources = ArticleSourceSerializer(source="public_citations", many=True, read_only=True)
    claims = ClaimRefSerializer(source="public_claims", many=True, read_only=True)
    revisions = RevisionSerializer(source="public_revisions", many=True, read_only=True)
    corrections = ArticleCorrectionSerializer(
        source="public_corrections", many=True, read_only=True
    )

    class Meta:
        model = Article
        fields = [
            "slug",
            "url",
            "api_url",
            "title",
            "language",
            "byline",
            "published_at",
            "modified_at",
            "updated_at",
            "paragraphs",
            "sources",
            "claims",
            "revisions",
            "corrections",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, article: Article) -> str:
        return site_url(article.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, article: Article) -> str:
        return api_url("article-detail", slug=article.slug)

    def _revisions(self, article: Article) -> list:
        """Revisions made after publication: what readers saw change (drafts stay out)."""
        published = article.published_at
        return [r for r in article.all_revisions if published and r.created_at > published]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_modified_at(self, article: Article):
        """When readers last saw the article change: its newest revision or correction
        after publication, else its publication (as its NewsArticle dateModified)."""
        moments = [r.created_at for r in article.public_revisions]
        moments += [c.published_at for c in article.public_corrections]
        later = [m for m in moments if article.published_at and m > article.published_at]
        modified = max(later) if later else article.published_at
        return serializers.DateTimeField().to_representation(modified) if modified else None

    def to_representation(self, article: Article):
        article.public_claims = list(
            {a.claim_id: a.claim for a in article.public_appearances}.values()
        )
        article.public_revisions = self._revisions(article)
        return super().to_representation(article)
