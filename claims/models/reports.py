"""Reader reports ("found an error?"), their emails, blocked reporters, and the public
corrections that accepted reports become."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from claims.models.articles import Article, ArticleRevision, Paragraph
from claims.models.claims import Claim
from claims.models.common import Language
from claims.models.sources import Source

User = settings.AUTH_USER_MODEL


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
        # Held because the reporter's address is blocked: out of the queue, in the
        # moderators' "blocked" list until released (back to the queue) or filed as
        # spam. A shared network can put an innocent reader here.
        BLOCKED = "blocked", _("Held: address blocked")

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
    # The evidence links that became newsroom sources when the report was accepted
    # (until then they are the report's own ReportEvidence, never sources).
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
        """What the reader sees: spam, and a report held by a block, look like any
        report still waiting (a held report does wait, for a moderator)."""
        if self.state in (self.State.SPAM, self.State.BLOCKED):
            return self.State.NEW
        return self.state

    @property
    def message_excerpt(self) -> str:
        text = " ".join(self.message.split())
        return text if len(text) <= 90 else text[:89].rstrip() + "…"


class ReportEvidence(models.Model):
    """One evidence link of a reader's report, quarantined: fetched for the reviewer
    through the same guarded fetcher, shown on the review page, and never a newsroom
    Source (not on the sources page, in a claim's source list or on the dashboard)
    unless a reviewer accepts the report. The fetch is a row state: ``fetched_at``
    empty is work to do, ``lease_until`` a worker on it, and the sweeper re-sends
    what a lost message left behind."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("report")
    )
    position = models.PositiveSmallIntegerField(default=1)
    url = models.URLField(max_length=2000, verbose_name=_("URL"))
    fetched_at = models.DateTimeField(null=True, blank=True, verbose_name=_("fetched at"))
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=40, blank=True, verbose_name=_("error"))
    status = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("status"))
    final_url = models.URLField(max_length=2000, blank=True, verbose_name=_("final URL"))
    title = models.CharField(max_length=500, blank=True, verbose_name=_("title"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence link")
        verbose_name_plural = _("evidence links")
        ordering = ["report", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "url"], name="report_evidence_once")
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(fetched_at__isnull=True),
                name="report_evidence_due",
            )
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def ok(self) -> bool:
        return self.fetched_at is not None and not self.error


class BlockedReporterQuerySet(models.QuerySet):
    def active(self, now=None) -> BlockedReporterQuerySet:
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now()))


class BlockedReporter(models.Model):
    """A reporter's address (by salted IP hash) whose reports are thanked politely, then
    held in the moderators' "blocked" list instead of the queue, until the block
    expires (``expires_at``; FACTCHECK_BLOCK_DAYS by default)."""

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
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires at"))

    objects = BlockedReporterQuerySet.as_manager()

    class Meta:
        verbose_name = _("blocked reporter")
        verbose_name_plural = _("blocked reporters")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.ip_hash[:12]}… ({self.created_at:%Y-%m-%d})"

    @property
    def is_active(self) -> bool:
        return self.expires_at is None or self.expires_at > timezone.now()


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
    # The text change this correction explains: the revision, and the anchors of the
    # paragraphs it changed (anchors outlive edits elsewhere in the article).
    revision = models.ForeignKey(
        ArticleRevision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("revision"),
    )
    anchors = models.JSONField(default=list, blank=True, verbose_name=_("paragraphs"))

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

    @property
    def text_changes(self) -> list[dict]:
        """What the text said and says now, for each paragraph this correction explains."""
        if self.revision_id is None:
            return []
        changes = (self.revision.change_for(anchor) for anchor in self.anchors)
        return [change for change in changes if change]


class TextFix(models.Model):
    """A paragraph fix a reviewer proposed while accepting a report, for an editor to
    apply (a reviewer without ``correct_article``). Applying it revises the article and
    publishes the correction it carries, linked to that revision."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPLIED = "applied", _("Applied")
        DISMISSED = "dismissed", _("Dismissed")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="text_fixes", verbose_name=_("article")
    )
    report = models.ForeignKey(
        Report,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="text_fixes",
        verbose_name=_("report"),
    )
    anchor = models.CharField(max_length=40, verbose_name=_("paragraph"))
    current_text = models.TextField(verbose_name=_("text when proposed"))
    text = models.TextField(verbose_name=_("proposed text"))
    correction_text = models.TextField(blank=True, verbose_name=_("correction"))
    correction_kind = models.CharField(
        max_length=20,
        choices=Correction.Kind.choices,
        default=Correction.Kind.CORRECTION,
        verbose_name=_("kind"),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PROPOSED, verbose_name=_("status")
    )
    proposed_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("proposed at"))
    decided_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    revision = models.ForeignKey(
        ArticleRevision,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revision"),
    )

    class Meta:
        verbose_name = _("proposed text fix")
        verbose_name_plural = _("proposed text fixes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status="proposed"), name="textfix_open")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} #{self.anchor} ({self.get_status_display()})"
