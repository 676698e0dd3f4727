"""Claims and verdicts: what was claimed, where, and what the newsroom found; the rating
scale; suggestions, other publishers' reviews and possible matches; staff notifications."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import connections, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from claims.models.articles import Article, Paragraph
from claims.models.common import Language
from claims.models.sources import Citation

User = settings.AUTH_USER_MODEL


class ClaimQuerySet(models.QuerySet):
    def public(self) -> ClaimQuerySet:
        return self.filter(status__in=[Claim.Status.PUBLISHED, Claim.Status.NEEDS_REREVIEW])

    def in_review(self) -> ClaimQuerySet:
        """Claims waiting for an editor's decision: a first verdict, or a change to a
        published one, sent for review (the claim itself stays published meanwhile)."""
        return self.filter(
            Q(status=Claim.Status.IN_REVIEW) | Q(verdicts__status=Verdict.Status.IN_REVIEW)
        ).distinct()

    def for_article(self, article: Article) -> ClaimQuerySet:
        return self.filter(appearances__article=article).distinct()

    def search(self, query: str) -> ClaimQuerySet:
        """Full-text search over claim and claimant, best matches first: PostgreSQL's
        ``websearch`` syntax on the GIN-indexed vector (migration 0004); on SQLite every
        word must occur in the claim or the claimant."""
        query = " ".join(query.split())[:200]
        if not query:
            return self
        if connections[self.db].vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            return self.search_terms(SearchQuery(query, config="simple", search_type="websearch"))
        matches = Q()
        for word in query.split()[:10]:
            word = word.strip("\"'()")
            if word:
                matches &= Q(text__icontains=word) | Q(claimant__icontains=word)
        return self.filter(matches)

    def search_terms(self, terms) -> ClaimQuerySet:
        """Claims matching a PostgreSQL ``SearchQuery``, best ranked first, through the GIN
        index on ``to_tsvector('simple', text || ' ' || claimant)`` (migration 0004)."""
        from django.contrib.postgres.search import SearchRank, SearchVector

        vector = SearchVector("text", "claimant", config="simple")
        return (
            self.annotate(search=vector)
            .filter(search=terms)
            .annotate(rank=SearchRank(vector, terms))
            .order_by("-rank", "-created_at", "-id")
        )


class Claim(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        NEEDS_REREVIEW = "needs_rereview", _("Needs re-review")

    text = models.TextField(_("claim"))
    slug = models.SlugField(max_length=120, unique=True, verbose_name=_("slug"))
    claimant = models.CharField(_("claimant"), max_length=200, blank=True)
    claim_date = models.DateField(_("claim date"), null=True, blank=True)
    language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.NL, verbose_name=_("language")
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    rereview_reason = models.TextField(blank=True, verbose_name=_("rereview reason"))
    assignee = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    history = HistoricalRecords()
    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="claim_status"),
            models.Index(fields=["assignee", "status"], name="claim_assignee"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("claims:claim", kwargs={"slug": self.slug})

    def get_desk_url(self) -> str:
        return reverse("claims:desk_claim", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.status in {self.Status.PUBLISHED, self.Status.NEEDS_REREVIEW}


class ClaimAppearance(models.Model):
    """Where a claim appears: a span of an article paragraph, or an outside URL."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="appearances")
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="appearances"
    )
    paragraph = models.ForeignKey(
        Paragraph, null=True, blank=True, on_delete=models.SET_NULL, related_name="appearances"
    )
    start = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("start"))
    end = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("end"))
    quote = models.TextField(blank=True, verbose_name=_("quoted passage"))
    url = models.URLField(max_length=2000, blank=True, verbose_name=_("URL"))
    appeared_at = models.DateField(null=True, blank=True, verbose_name=_("appeared at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("appearance")
        verbose_name_plural = _("appearances")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False) | ~Q(url=""), name="appearance_has_place"
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__gte=F("start")),
                name="appearance_span_order",
            ),
        ]
        indexes = [models.Index(fields=["article", "claim"], name="appearance_article")]

    def __str__(self) -> str:
        return f"{self.claim_id} in {self.article_id or self.url}"

    @property
    def public_url(self) -> str:
        """Where a reader finds the claim: the article paragraph, or the outside URL."""
        if self.article_id is None:
            return self.url
        url = self.article.get_absolute_url()
        return f"{url}#{self.paragraph.anchor}" if self.paragraph_id else url


class RatingScale(models.Model):
    """A versioned verdict scale. Editing a scale makes a new version; old verdicts keep
    the rating (and label) they were given."""

    name = models.CharField(max_length=100, verbose_name=_("name"))
    version = models.PositiveSmallIntegerField(default=1, verbose_name=_("version"))
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    best_value = models.SmallIntegerField(default=5, verbose_name=_("best value"))
    worst_value = models.SmallIntegerField(default=1, verbose_name=_("worst value"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rating scale")
        verbose_name_plural = _("rating scales")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="scale_version"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(is_active=True), name="scale_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Rating(models.Model):
    scale = models.ForeignKey(
        RatingScale, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("scale")
    )
    code = models.SlugField(max_length=40, verbose_name=_("code"))
    label_nl = models.CharField(max_length=60, verbose_name=_("label nl"))
    label_en = models.CharField(max_length=60, verbose_name=_("label en"))
    value = models.SmallIntegerField(verbose_name=_("value"))
    color = models.CharField(
        max_length=7,
        default="#777777",
        validators=[
            RegexValidator(
                r"^#[0-9a-fA-F]{6}$", _("Give a colour as # and six hex digits, like #1f7a3a.")
            )
        ],
        verbose_name=_("color"),
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))
    # Other publishers' textual ratings that mean this one ("False", "Falso", "Faux"),
    # one per line: imported ClaimReviews are mapped to the local scale through them.
    aliases = models.TextField(
        blank=True,
        help_text=_("Other publishers' ratings that mean this one, one per line."),
        verbose_name=_("aliases"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="rating_code"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_en if get_language() == "en" else self.label_nl

    def label_for(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_nl

    @property
    def text_color(self) -> str:
        """Black or white, whichever contrasts more with ``color`` (WCAG 2 relative
        luminance). The better of the two is always at least 4.58:1, so a label on
        any colour an editor picks passes WCAG AA."""
        try:
            channels = [int(self.color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        except ValueError:
            return "#ffffff"
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
        on_black = (luminance + 0.05) / 0.05
        on_white = 1.05 / (luminance + 0.05)
        return "#000000" if on_black > on_white else "#ffffff"

    @property
    def value_in_bounds(self) -> bool:
        """Whether the value lies on the scale (a rating like "unproven" may not)."""
        low, high = sorted([self.scale.worst_value, self.scale.best_value])
        return low <= self.value <= high


class VerdictQuerySet(models.QuerySet):
    def published(self) -> VerdictQuerySet:
        return self.filter(status=Verdict.Status.PUBLISHED)


class Verdict(models.Model):
    """A claim's rating with its reasons. A changed verdict is a new row."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="verdicts", verbose_name=_("claim")
    )
    rating = models.ForeignKey(
        Rating, on_delete=models.PROTECT, related_name="verdicts", verbose_name=_("rating")
    )
    summary = models.CharField(_("summary"), max_length=300)
    explanation = models.TextField(_("explanation"), blank=True)  # sanitised HTML (nh3)
    citations = models.ManyToManyField(
        Citation, blank=True, related_name="verdicts", verbose_name=_("citations")
    )
    author = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    approved_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("supersedes"),
    )
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    history = HistoricalRecords()
    objects = VerdictQuerySet.as_manager()

    class Meta:
        verbose_name = _("verdict")
        verbose_name_plural = _("verdicts")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("publish_verdict", "Can publish a verdict"),
            ("approve_verdict", "Can approve another editor's verdict change"),
        ]
        indexes = [models.Index(fields=["claim", "status"], name="verdict_claim_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"], condition=Q(status="published"), name="verdict_one_published"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="verdict_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}: {self.summary}"

    @property
    def is_change(self) -> bool:
        """A verdict that replaces a published one needs a second editor's approval."""
        return self.supersedes_id is not None

    def content_token(self) -> str:
        """A fingerprint of what an approving editor sees: rating, summary, explanation,
        and the citations it rests on with their quoted passages. The approve form carries
        it, so a verdict changed after the page was loaded is never approved unseen."""
        citations = sorted(self.citations.values_list("pk", "source_id", "quote"))
        seen = [self.rating_id, self.summary, self.explanation, citations]
        digest = hashlib.sha256(json.dumps(seen, ensure_ascii=False).encode())
        return digest.hexdigest()[:32]


class ClaimSuggestion(models.Model):
    """A check-worthy sentence found in an article (claims/suggestions.py)."""

    class Status(models.TextChoices):
        NEW = "new", _("Suggested")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("article")
    )
    paragraph = models.ForeignKey(
        Paragraph, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("paragraph")
    )
    start = models.PositiveIntegerField(verbose_name=_("start"))
    end = models.PositiveIntegerField(verbose_name=_("end"))
    text = models.TextField(verbose_name=_("text"))
    score = models.FloatField(verbose_name=_("score"))
    reasons = models.JSONField(default=list, verbose_name=_("reasons"))
    # Whose words the sentence reports, from a reporting verb ("X zei", "volgens X").
    claimant = models.CharField(max_length=200, blank=True, verbose_name=_("claimant"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.NEW, verbose_name=_("status")
    )
    claim = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
        verbose_name=_("claim"),
    )
    decided_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("claim suggestion")
        verbose_name_plural = _("claim suggestions")
        ordering = ["paragraph__position", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["paragraph", "start", "end"], name="suggestion_paragraph_span"
            ),
        ]
        indexes = [models.Index(fields=["article", "status"], name="suggestion_article")]

    def __str__(self) -> str:
        return self.text[:80]


class ExternalReview(models.Model):
    """A fact-check published by another organisation, imported from ClaimReview markup.
    Kept apart from the newsroom's own verdicts; linked to a local claim when it
    says the same thing."""

    fingerprint = models.CharField(max_length=64, unique=True)
    url = models.CharField(max_length=2000, blank=True, verbose_name=_("URL"))
    claim_reviewed = models.TextField(verbose_name=_("claim reviewed"))
    # [{"type": "Organization", "name": ..., "url": ...}], as published (author may be a list).
    authors = models.JSONField(default=list, verbose_name=_("authors"))
    claimant = models.CharField(max_length=500, blank=True, verbose_name=_("claimant"))
    claimant_type = models.CharField(max_length=40, blank=True, verbose_name=_("claimant type"))
    claim_date = models.DateField(null=True, blank=True, verbose_name=_("claim date"))
    review_date = models.DateField(null=True, blank=True, verbose_name=_("review date"))
    appearance_urls = models.JSONField(default=list, verbose_name=_("appearance urls"))
    first_appearance_url = models.CharField(
        max_length=2000, blank=True, verbose_name=_("first appearance url")
    )
    rating_text = models.CharField(max_length=500, blank=True, verbose_name=_("rating text"))
    rating_value = models.FloatField(null=True, blank=True, verbose_name=_("rating value"))
    best_rating = models.FloatField(null=True, blank=True, verbose_name=_("best rating"))
    worst_rating = models.FloatField(null=True, blank=True, verbose_name=_("worst rating"))
    language = models.CharField(max_length=16, blank=True, verbose_name=_("language"))
    rating = models.ForeignKey(
        Rating,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="external_reviews",
        verbose_name=_("rating"),
    )
    claim = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="external_reviews",
        verbose_name=_("claim"),
    )
    raw = models.JSONField(default=dict)
    warnings = models.JSONField(default=list, verbose_name=_("warnings"))
    imported_from = models.CharField(max_length=2000, blank=True, verbose_name=_("imported from"))
    imported_at = models.DateTimeField(auto_now_add=True, verbose_name=_("imported at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("external fact check")
        verbose_name_plural = _("external fact checks")
        ordering = ["-review_date", "-id"]
        indexes = [models.Index(fields=["claim"], name="external_review_claim")]

    def __str__(self) -> str:
        return f"{self.publisher_name}: {self.claim_reviewed[:60]}"

    @property
    def publisher_name(self) -> str:
        return ", ".join(a["name"] for a in self.authors if a.get("name"))


class ClaimMatch(models.Model):
    """Another claim, or another publisher's review, that may say the same as ``claim``.
    Scores between the two thresholds are suggestions for the editor; above the higher
    one the match is linked straight away (claims/matching.py)."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Possibly the same claim")
        LINKED = "linked", _("Same claim")
        DISMISSED = "dismissed", _("Not the same")

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="matches", verbose_name=_("claim")
    )
    other_claim = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("other claim"),
    )
    external_review = models.ForeignKey(
        ExternalReview,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="matches",
        verbose_name=_("external review"),
    )
    score = models.FloatField(verbose_name=_("score"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.SUGGESTED, verbose_name=_("status")
    )
    decided_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("possible match")
        verbose_name_plural = _("possible matches")
        ordering = ["-score", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(other_claim__isnull=True, external_review__isnull=False)
                | Q(other_claim__isnull=False, external_review__isnull=True),
                name="match_one_target",
            ),
            models.UniqueConstraint(fields=["claim", "other_claim"], name="match_claim_claim"),
            models.UniqueConstraint(fields=["claim", "external_review"], name="match_claim_review"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.claim_id} ~ {self.other_claim_id or self.external_review_id} ({self.score:.2f})"
        )


class Notification(models.Model):
    """A message to a staff member (a claim assigned to them). Shown on the desk; emailed
    by a task. ``sent_at`` empty is pending work that the beat sweeper finds."""

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    claim = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("claim"),
    )
    message = models.CharField(max_length=500, verbose_name=_("message"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        permissions = [("view_inbox", "Can see their own inbox of work waiting for them")]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="notification_unsent"
            ),
        ]

    def __str__(self) -> str:
        return self.message
