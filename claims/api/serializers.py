"""The one public shape of each thing the newsroom publishes, for the API and the
open-data dumps alike. Every field is listed by name: nothing reaches the public by
being added to a model (tests/test_api.py walks every field against its allow list).

Left out on purpose: staff (authors, approvers, assignees), internal notes (revision
notes, re-review reasons, which quote reader reports), readers' reports and anything
about them, and anything unpublished (drafts, verdicts in review, revisions made before
publication, appearances in unpublished articles)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
        """The archived copy of the source, where one exists (the evidence archive sets
        ``archive_url`` on a source it preserved; until then there is none)."""
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
    claim = serializers.SerializerMethodField()
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

    @extend_schema_field(ClaimRefSerializer(allow_null=True))
    def get_claim(self, correction: Correction) -> dict | None:
        claim = correction.claim
        if claim is None or not claim.is_public:
            return None
        return ClaimRefSerializer(claim).data

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


class ClaimSerializer(serializers.ModelSerializer):
    """A public claim: where it appears, the current verdict and the earlier ones, the
    sources it cites with their state, and its corrections."""

    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    verdict = serializers.SerializerMethodField()
    earlier_verdicts = serializers.SerializerMethodField()
    appearances = AppearanceSerializer(source="public_appearances", many=True, read_only=True)
    citations = CitationSerializer(source="public_citations", many=True, read_only=True)
    corrections = CorrectionRefSerializer(source="public_corrections", many=True, read_only=True)

    class Meta:
        model = Claim
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

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, claim: Claim) -> str:
        return site_url(claim.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, claim: Claim) -> str:
        return api_url("claim-detail", slug=claim.slug)

    @extend_schema_field(VerdictSerializer(allow_null=True))
    def get_verdict(self, claim: Claim) -> dict | None:
        current = [v for v in claim.public_verdicts if v.status == Verdict.Status.PUBLISHED]
        return VerdictSerializer(current[0]).data if current else None

    @extend_schema_field(VerdictSerializer(many=True))
    def get_earlier_verdicts(self, claim: Claim) -> list[dict]:
        earlier = [v for v in claim.public_verdicts if v.status == Verdict.Status.SUPERSEDED]
        return VerdictSerializer(earlier, many=True).data


class ParagraphSerializer(serializers.Serializer):
    anchor = serializers.CharField()
    text = serializers.CharField()


class ArticleSourceSerializer(serializers.ModelSerializer):
    source = SourceSerializer(read_only=True)

    class Meta:
        model = Citation
        fields = ["position", "source"]


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
    claims = serializers.SerializerMethodField()
    revisions = serializers.SerializerMethodField()
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
        moments = [r.created_at for r in self._revisions(article)]
        moments += [c.published_at for c in article.public_corrections]
        later = [m for m in moments if article.published_at and m > article.published_at]
        modified = max(later) if later else article.published_at
        return serializers.DateTimeField().to_representation(modified) if modified else None

    @extend_schema_field(ClaimRefSerializer(many=True))
    def get_claims(self, article: Article) -> list[dict]:
        claims = {a.claim_id: a.claim for a in article.public_appearances}
        return ClaimRefSerializer(list(claims.values()), many=True).data

    @extend_schema_field(RevisionSerializer(many=True))
    def get_revisions(self, article: Article) -> list[dict]:
        return RevisionSerializer(self._revisions(article), many=True).data
