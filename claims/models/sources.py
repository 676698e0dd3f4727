"""Sources: what articles and claims cite, one per normalised URL, and what each fetch
found."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from claims.models.articles import Article

User = settings.AUTH_USER_MODEL


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


class CitationQuerySet(models.QuerySet):
    def with_evidence(self) -> CitationQuerySet:
        """Each citation with the copy of its source that it relies on, in the same query:
        the capture (``evidence_snapshot_id``, ``evidence_at``) and the web archive's
        memento (``memento_url``, ``memento_at``) nearest before the citation's moment
        (the claim's published verdict, else the article's publication, else now), or the
        first one after it when there is none before."""
        from django.db.models import F, OuterRef, Subquery
        from django.db.models.functions import Coalesce, Now

        from claims.models.claims import Verdict
        from claims.models.evidence import Memento

        verdict_at = (
            Verdict.objects.filter(claim=OuterRef("claim_id"), status="published")
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        moment = Coalesce(Subquery(verdict_at), F("article__published_at"), Now())
        captures = Snapshot.objects.captures().filter(source=OuterRef("source_id"))
        mementos = Memento.objects.filter(
            source=OuterRef("source_id"), state=Memento.State.ARCHIVED
        )

        def nearest(rows, at: str, field: str):
            before = rows.filter(**{f"{at}__lte": OuterRef("evidence_moment")})
            before = before.order_by(f"-{at}", "-id").values(field)[:1]
            after = rows.order_by(at, "id").values(field)[:1]
            return Coalesce(Subquery(before), Subquery(after))

        return self.annotate(evidence_moment=moment).annotate(
            evidence_snapshot_id=nearest(captures, "fetched_at", "pk"),
            evidence_at=nearest(captures, "fetched_at", "fetched_at"),
            memento_url=nearest(mementos, "memento_at", "memento_url"),
            memento_at=nearest(mementos, "memento_at", "memento_at"),
        )


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

    objects = CitationQuerySet.as_manager()

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

    # The copy a reader is offered (``CitationQuerySet.with_evidence`` fills these in):
    # the web archive's memento, else our own capture page.
    @property
    def capture_url(self) -> str:
        snapshot_id = getattr(self, "evidence_snapshot_id", None)
        return reverse("claims:capture", args=[snapshot_id]) if snapshot_id else ""

    @property
    def version_url(self) -> str:
        return getattr(self, "memento_url", None) or self.capture_url

    @property
    def version_at(self):
        if getattr(self, "memento_url", None):
            return self.memento_at
        return getattr(self, "evidence_at", None)

    @property
    def moment(self):
        """When the citation was relied on (its verdict, its article), for Robust Links'
        ``data-versiondate`` when there is no copy yet."""
        return getattr(self, "evidence_moment", None) or self.created_at


class SnapshotText(models.Model):
    """Extracted text, stored once per distinct hash."""

    hash = models.CharField(max_length=64, unique=True)
    text = models.TextField()

    def __str__(self) -> str:
        return self.hash[:12]


class SnapshotQuerySet(models.QuerySet):
    def captures(self) -> SnapshotQuerySet:
        """Successful fetches with a WARC record."""
        return self.filter(ok=True).exclude(warc_name="")

    def public(self) -> SnapshotQuerySet:
        """Captures of sources that a published article or a public claim cites: what a
        reader may see. (A source only cited in work in progress stays private.)"""
        public_claims = ["published", "needs_rereview"]
        cited = Citation.objects.filter(
            Q(article__status="published", claim__isnull=True) | Q(claim__status__in=public_claims)
        )
        return self.captures().filter(source__in=cited.values("source"))


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
    # The WARC capture of this fetch (claims/services/evidence.py): the file in the
    # "captures" storage, the page's record in it (a response, or a revisit that points
    # at the snapshot whose record holds the same body), its payload digest and date.
    warc_name = models.CharField(max_length=300, blank=True, verbose_name=_("WARC file"))
    warc_record_id = models.CharField(max_length=80, blank=True, verbose_name=_("WARC record"))
    warc_digest = models.CharField(max_length=80, blank=True, verbose_name=_("payload digest"))
    warc_date = models.DateTimeField(null=True, blank=True, verbose_name=_("captured at"))
    warc_size = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("WARC bytes"))
    warc_revisit_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("same body as"),
    )

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["-fetched_at", "-id"]
        indexes = [models.Index(fields=["source", "-fetched_at"], name="snapshot_source_time")]

    def __str__(self) -> str:
        outcome = self.error_code or self.status_code or "?"
        return f"{self.source_id} @ {self.fetched_at:%Y-%m-%d %H:%M} ({outcome})"

    def get_absolute_url(self) -> str:
        return reverse("claims:capture", args=[self.pk])

    @property
    def is_capture(self) -> bool:
        return bool(self.ok and self.warc_name)

    @property
    def is_revisit(self) -> bool:
        return bool(self.warc_name and self.warc_revisit_of_id)


class HostTurn(models.Model):
    """Per-host politeness without Redis: when the host may next be asked (epoch seconds).
    With Redis the same turn lives there (claims/fetch.py)."""

    host = models.CharField(max_length=253, unique=True)
    next_at = models.FloatField(default=0)

    def __str__(self) -> str:
        return self.host
