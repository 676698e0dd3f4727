"""The newsroom's nouns: articles, sources, claims, verdicts, reports and corrections.

Rules that concern one row live here as methods and properties. Writes that touch
several rows, change a state or send a task live in ``claims/services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import connections, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

User = settings.AUTH_USER_MODEL


class Language(models.TextChoices):
    NL = "nl", _("Dutch")
    EN = "en", _("English")


# --- Articles -----------------------------------------------------------------------


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.PUBLISHED)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(max_length=120, unique=True, verbose_name=_("slug"))
    language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.NL, verbose_name=_("language")
    )
    byline = models.CharField(_("edited by"), max_length=200, blank=True)
    editor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("editor"),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    # sha256 of title, byline, body, sources and related headlines as imported:
    # re-importing the same text changes nothing.
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    page_views = models.PositiveIntegerField(default=0, verbose_name=_("page views"))
    # Bumped whenever anything the public article page shows changes (see signals.py);
    # part of the cache key of the rendered page.
    render_version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    history = HistoricalRecords(excluded_fields=["render_version", "page_views"])
    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-id"]
        permissions = [
            ("publish_article", "Can publish and unpublish an article"),
            ("view_dashboard", "Can see the newsroom dashboard"),
        ]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_status_pub")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.render_version += 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "render_version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("claims:article", kwargs={"slug": self.slug})

    @property
    def page_cache_key(self) -> str:
        return f"article-page:{self.pk}:{self.render_version}:{get_language()}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Paragraph(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="paragraphs")
    position = models.PositiveSmallIntegerField()
    # Derived from the text, so a paragraph keeps its anchor when others move.
    anchor = models.CharField(max_length=40)
    text = models.TextField()

    class Meta:
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="paragraph_position"),
            models.UniqueConstraint(fields=["article", "anchor"], name="paragraph_anchor"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} #{self.anchor}"

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#{self.anchor}"


class RelatedLink(models.Model):
    """A "read more" headline; linked to the article with that title once it exists."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    position = models.PositiveSmallIntegerField()
    headline = models.CharField(max_length=300)
    target = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("related article")
        verbose_name_plural = _("related articles")
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="related_position"),
        ]
        indexes = [models.Index(fields=["headline"], name="related_headline")]

    def __str__(self) -> str:
        return self.headline


# --- Sources ------------------------------------------------------------------------


class Source(models.Model):
    """One cited source, one per normalised URL (or per title while it has no URL)."""

    class State(models.TextChoices):
        NEEDS_URL = "needs_url", _("Needs URL")
        WAITING = "waiting", _("Waiting")
        FETCHING = "fetching", _("Fetching")
        LIVE = "live", _("Live")
        FAILING = "failing", _("Failing")
        DEAD = "dead", _("Dead")
        CHANGED = "changed", _("Changed")

    # The normalised URL, or "title:<folded title|publisher>" for a source without URL.
    key = models.CharField(max_length=1000, unique=True)
    url = models.URLField(max_length=2000, blank=True, verbose_name=_("URL"))
    title = models.CharField(max_length=500, blank=True, verbose_name=_("title"))
    publisher = models.CharField(max_length=200, blank=True, verbose_name=_("publisher"))
    domain = models.CharField(max_length=253, blank=True, verbose_name=_("domain"))
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.NEEDS_URL, verbose_name=_("state")
    )
    lease_until = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next check at"))
    enqueued_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last checked at"))
    last_status = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("last status")
    )
    final_url = models.URLField(max_length=2000, blank=True, verbose_name=_("final URL"))
    last_error = models.CharField(max_length=40, blank=True, verbose_name=_("last error"))
    failure_count = models.PositiveSmallIntegerField(default=0, verbose_name=_("failure count"))
    first_failed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("first failed at"))
    last_failed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last failed at"))
    permanently_dead = models.BooleanField(default=False, verbose_name=_("permanently dead"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    # Fetch bookkeeping (lease, queue times) changes on every attempt and is left out;
    # state changes made by compare-and-set write their history row explicitly.
    history = HistoricalRecords(
        excluded_fields=["lease_until", "enqueued_at", "next_check_at", "last_checked_at"]
    )

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title", "id"]
        permissions = [("fetch_source", "Can fetch a source now")]
        indexes = [
            models.Index(fields=["state", "next_check_at"], name="source_due"),
            models.Index(fields=["domain"], name="source_domain"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(url="", state="needs_url") | (~Q(url="") & ~Q(state="needs_url")),
                name="source_url_matches_state",
            )
        ]

    def __str__(self) -> str:
        if self.publisher:
            return f"{self.title} - {self.publisher}"
        return self.title or self.url

    @property
    def needs_url(self) -> bool:
        return not self.url

    @property
    def is_dead(self) -> bool:
        return self.state == self.State.DEAD

    @property
    def is_busy(self) -> bool:
        """A fetch is queued or running: the editor's page keeps polling."""
        if self.state == self.State.FETCHING:
            return True
        if self.url and self.next_check_at and self.enqueued_at:
            return self.enqueued_at >= self.next_check_at and self.next_check_at <= timezone.now()
        return False

    @property
    def label(self) -> str:
        return str(self)


class Citation(models.Model):
    """An article or a claim citing a source, with the passage it relies on."""

    class QuoteStatus(models.TextChoices):
        NOT_CHECKED = "not_checked", _("Not checked")
        FOUND = "found", _("Found")
        CLOSE = "close", _("Close match")
        NOT_FOUND = "not_found", _("Not found")

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="citations", verbose_name=_("source")
    )
    article = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="citations",
        verbose_name=_("article"),
    )
    claim = models.ForeignKey(
        "Claim",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="citations",
        verbose_name=_("claim"),
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))
    quote = models.TextField(blank=True, verbose_name=_("quote"))
    quote_status = models.CharField(
        max_length=16,
        choices=QuoteStatus.choices,
        default=QuoteStatus.NOT_CHECKED,
        verbose_name=_("quote status"),
    )
    quote_score = models.FloatField(null=True, blank=True, verbose_name=_("quote score"))
    quote_checked_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("quote checked at")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False) | Q(claim__isnull=False),
                name="citation_has_owner",
            ),
            models.UniqueConstraint(
                fields=["article", "source"],
                condition=Q(claim__isnull=True),
                name="citation_article_source",
            ),
            models.UniqueConstraint(
                fields=["claim", "source"],
                condition=Q(claim__isnull=False),
                name="citation_claim_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} ({self.get_quote_status_display()})"


class SnapshotText(models.Model):
    """Extracted text, stored once per distinct hash."""

    hash = models.CharField(max_length=64, unique=True)
    text = models.TextField()

    def __str__(self) -> str:
        return self.hash[:12]


class Snapshot(models.Model):
    """One fetch of a source."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("source")
    )
    fetched_at = models.DateTimeField(default=timezone.now, verbose_name=_("fetched at"))
    ok = models.BooleanField(default=False, verbose_name=_("ok"))
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("status code")
    )
    final_url = models.URLField(max_length=2000, blank=True, verbose_name=_("final URL"))
    canonical_url = models.URLField(max_length=2000, blank=True, verbose_name=_("canonical url"))
    content_type = models.CharField(max_length=100, blank=True, verbose_name=_("content type"))
    title = models.CharField(max_length=500, blank=True, verbose_name=_("title"))
    language = models.CharField(max_length=16, blank=True, verbose_name=_("language"))
    text = models.ForeignKey(
        SnapshotText,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("text"),
    )
    text_hash = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(max_length=40, blank=True, verbose_name=_("error code"))
    error_detail = models.CharField(max_length=500, blank=True, verbose_name=_("error detail"))
    # The URL asked for (a source's URL can change; drift compares like with like).
    url = models.URLField(max_length=2000, blank=True, verbose_name=_("URL"))
    claimreview = models.JSONField(null=True, blank=True, verbose_name=_("claimreview"))
    elapsed_ms = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("elapsed ms"))

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["-fetched_at", "-id"]
        indexes = [models.Index(fields=["source", "-fetched_at"], name="snapshot_source_time")]

    def __str__(self) -> str:
        outcome = self.error_code or self.status_code or "?"
        return f"{self.source_id} @ {self.fetched_at:%Y-%m-%d %H:%M} ({outcome})"


class HostTurn(models.Model):
    """Per-host politeness without Redis: when the host may next be asked (epoch seconds).
    With Redis the same turn lives there (claims/fetch.py)."""

    host = models.CharField(max_length=253, unique=True)
    next_at = models.FloatField(default=0)

    def __str__(self) -> str:
        return self.host


# --- Claims and verdicts ------------------------------------------------------------


class ClaimQuerySet(models.QuerySet):
    def public(self) -> ClaimQuerySet:
        return self.filter(status__in=[Claim.Status.PUBLISHED, Claim.Status.NEEDS_REREVIEW])

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
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(blank=True)
    url = models.URLField(max_length=2000, blank=True)
    appeared_at = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

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


# --- Editor desk: suggestions, imported reviews, matches, notifications -------------


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
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="notification_unsent"
            ),
        ]

    def __str__(self) -> str:
        return self.message


# --- Reader reports and corrections -------------------------------------------------


class ReportQuerySet(models.QuerySet):
    def open(self) -> ReportQuerySet:
        return self.filter(state__in=Report.OPEN_STATES)

    def claimable(self) -> ReportQuerySet:
        """New reports in queue order (uses the partial index ``report_queue``)."""
        return self.filter(state=Report.State.NEW).order_by("queue_at", "id")

    def lease_expired(self, now) -> ReportQuerySet:
        """Claimed reports whose reviewer walked away (index ``report_lease``)."""
        return self.filter(state=Report.State.IN_REVIEW, lease_until__lt=now).order_by(
            "queue_at", "id"
        )


class Report(models.Model):
    """A reader's "found an error?" report.

    The queue serves new reports in ``queue_at`` order: the time the report arrived,
    moved earlier by one ``FACTCHECK_REPORT_PRIORITY_POINT_MINUTES`` per priority point
    (duplicates, the article's reach, a named claim). Serving the earliest first makes
    priority grow with age without recomputing anything, and one index answers it.
    """

    class State(models.TextChoices):
        NEW = "new", _("Received")
        IN_REVIEW = "in_review", _("Being reviewed")
        WAITING = "waiting", _("Waiting for more information")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        DUPLICATE = "duplicate", _("Duplicate")
        SPAM = "spam", _("Spam")

    class RejectReason(models.TextChoices):
        NOT_AN_ERROR = "not_an_error", _("The article is correct")
        NO_EVIDENCE = "no_evidence", _("We could not confirm the error")
        OPINION = "opinion", _("A matter of opinion, not of fact")
        ALREADY_CORRECTED = "already_corrected", _("Already corrected")
        OUT_OF_SCOPE = "out_of_scope", _("Not about this article")
        OTHER = "other", _("Other reason")

    OPEN_STATES = (State.NEW, State.IN_REVIEW, State.WAITING)
    RESOLVED_STATES = (State.ACCEPTED, State.REJECTED, State.DUPLICATE, State.SPAM)

    reference = models.CharField(max_length=32, unique=True, verbose_name=_("reference"))
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="reports", verbose_name=_("article")
    )
    claim = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("claim"),
    )
    paragraph = models.ForeignKey(
        Paragraph,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("paragraph"),
    )
    quote = models.TextField(_("quoted passage"), blank=True)
    message = models.TextField(_("what is wrong"))
    suggestion = models.TextField(_("suggested correction"), blank=True)
    evidence_urls = models.JSONField(default=list, blank=True, verbose_name=_("evidence urls"))
    # The evidence links as sources, so the fetch pipeline checks them (see report_process).
    evidence_sources = models.ManyToManyField(
        Source, blank=True, related_name="reports", verbose_name=_("evidence sources")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    email_consent = models.BooleanField(default=False, verbose_name=_("email consent"))
    language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.NL, verbose_name=_("language")
    )
    ip_hash = models.CharField(max_length=64, blank=True, verbose_name=_("IP hash"))
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.NEW, verbose_name=_("state")
    )
    assignee = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_reports",
        verbose_name=_("assignee"),
    )
    lease_until = models.DateTimeField(null=True, blank=True)
    priority = models.IntegerField(
        default=0, verbose_name=_("priority")
    )  # points; see the class docstring
    queue_at = models.DateTimeField(default=timezone.now)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    duplicate_count = models.PositiveIntegerField(default=0, verbose_name=_("duplicate count"))
    reject_reason = models.CharField(
        max_length=24, choices=RejectReason.choices, blank=True, verbose_name=_("reject reason")
    )
    resolution = models.TextField(_("public outcome"), blank=True)
    reviewer_note = models.TextField(
        blank=True, verbose_name=_("reviewer note")
    )  # never shown to the reader
    # "Ask for more information": the question (shown to the reader) and the answer.
    info_request = models.TextField(blank=True, verbose_name=_("info request"))
    info_requested_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("info requested at")
    )
    info_reply = models.TextField(blank=True, verbose_name=_("info reply"))
    info_replied_at = models.DateTimeField(null=True, blank=True, verbose_name=_("info replied at"))
    # Follow-up work (priority, evidence checks) still to do: the sweeper finds these rows.
    processed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    email_erased_at = models.DateTimeField(null=True, blank=True, verbose_name=_("email erased at"))

    history = HistoricalRecords(excluded_fields=["lease_until", "queue_at"])
    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("reader report")
        verbose_name_plural = _("reader reports")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("claim_report", "Can claim and resolve reports in the review queue"),
            ("view_reporter_email", "Can see reporters' names and email addresses"),
            ("block_reporter", "Can block a reporter"),
            ("erase_reporter_data", "Can export and erase one reporter's personal data"),
        ]
        indexes = [
            models.Index(fields=["queue_at", "id"], condition=Q(state="new"), name="report_queue"),
            models.Index(
                fields=["lease_until"], condition=Q(state="in_review"), name="report_lease"
            ),
            models.Index(
                fields=["assignee", "lease_until"],
                condition=Q(state="in_review"),
                name="report_held",
            ),
            models.Index(fields=["state", "created_at"], name="report_state_age"),
            models.Index(fields=["article", "state"], name="report_article"),
            models.Index(fields=["ip_hash"], name="report_ip_hash"),
            models.Index(
                fields=["created_at"],
                condition=Q(processed_at__isnull=True),
                name="report_unprocessed",
            ),
            models.Index(
                fields=["resolved_at"],
                condition=Q(email_erased_at__isnull=True) & (~Q(email="") | ~Q(name="")),
                name="report_erasable",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(email="") | Q(email_consent=True), name="report_email_needs_consent"
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("id")), name="report_not_own_duplicate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("claims:report_track", kwargs={"reference": self.reference})

    def get_review_url(self) -> str:
        return reverse("claims:report_review", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def is_held_by(self, user, now=None) -> bool:
        """The reviewer holds the report while their lease runs."""
        now = now or timezone.now()
        return (
            self.state == self.State.IN_REVIEW
            and self.assignee_id == getattr(user, "pk", None)
            and self.lease_until is not None
            and self.lease_until > now
        )

    @property
    def lease_expired(self) -> bool:
        return (
            self.state == self.State.IN_REVIEW
            and self.lease_until is not None
            and self.lease_until <= timezone.now()
        )

    @property
    def can_ask_for_information(self) -> bool:
        return bool(self.email and self.email_consent)

    @property
    def public_state(self) -> str:
        """What the reader sees: spam looks like any report still waiting."""
        if self.state == self.State.SPAM:
            return self.State.NEW
        return self.state


class BlockedReporter(models.Model):
    """A reporter (by salted IP hash) whose reports are accepted politely, then filed as spam."""

    ip_hash = models.CharField(max_length=64, unique=True, verbose_name=_("IP hash"))
    reason = models.CharField(max_length=300, blank=True, verbose_name=_("reason"))
    blocked_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("blocked by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("blocked reporter")
        verbose_name_plural = _("blocked reporters")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.ip_hash[:12]}… ({self.created_at:%Y-%m-%d})"


class ReportEmail(models.Model):
    """One email to a reporter, in the outbox until ``sent_at`` is set.

    The address is read from the report when the email goes out, so erasing the
    reporter's address also stops mail that has not gone out yet."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", _("Report accepted")
        REJECTED = "rejected", _("Report rejected")
        DUPLICATE = "duplicate", _("Outcome of the original report")
        INFO_REQUEST = "info_request", _("Question to the reporter")

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="emails", verbose_name=_("report")
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    subject = models.CharField(max_length=200, verbose_name=_("subject"))
    body = models.TextField(verbose_name=_("body"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt at"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    lease_until = models.DateTimeField(null=True, blank=True)  # a sender is on it
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    failed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("failed at")
    )  # given up: see last_error
    last_error = models.CharField(max_length=300, blank=True, verbose_name=_("last error"))

    class Meta:
        verbose_name = _("email to a reporter")
        verbose_name_plural = _("emails to reporters")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="report_email_due",
            )
        ]
        constraints = [
            # An outcome is told once; questions may be asked more than once.
            models.UniqueConstraint(
                fields=["report", "kind"],
                condition=~Q(kind="info_request"),
                name="report_email_outcome_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.report_id} ({'sent' if self.sent_at else 'due'})"


class Correction(models.Model):
    """A public, append-only notice. An amendment is a new correction that says so."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")
        VERDICT_CHANGE = "verdict_change", _("Verdict change")
        SOURCE_REPLACED = "source_replaced", _("Source replaced")

    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("article")
    )
    claim = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("claim"),
    )
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.CORRECTION, verbose_name=_("kind")
    )
    text = models.TextField(verbose_name=_("text"))
    published_at = models.DateTimeField(default=timezone.now, verbose_name=_("published at"))
    reports = models.ManyToManyField(
        Report, blank=True, related_name="corrections", verbose_name=_("reports")
    )
    amends = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name=_("amends"),
    )
    created_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["article", "-published_at"], name="correction_article"),
            models.Index(fields=["kind", "-published_at"], name="correction_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.published_at:%Y-%m-%d}: {self.text[:60]}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("A published correction is never changed; amend it instead.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#correction-{self.pk}"

    def delete(self, *args, **kwargs):
        raise ValueError("A published correction is never deleted; amend it instead.")
