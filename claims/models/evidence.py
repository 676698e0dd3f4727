"""Evidence: copies of cited sources kept outside our own WARC captures. A Memento is one
request to a web archive (the Wayback Machine, through Save Page Now 2) to capture a
source, and what came of it.

The WARC capture of each fetch lives on the Snapshot (``claims/models/sources.py``);
writing captures and asking the archive are ``claims/services/evidence.py``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models.sources import Snapshot, Source


class Memento(models.Model):
    """One request to the web archive to capture a source. Pending work is row state: a
    request waits (``pending``) until its turn under the archive's rate limit, is
    ``submitted`` (the archive works on it; we poll its job) and ends ``archived`` (with
    the memento's URL and date) or ``failed`` (with the archive's error code)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the archive")
        SUBMITTED = "submitted", _("Being archived")
        ARCHIVED = "archived", _("Archived")
        FAILED = "failed", _("Not archived")

    class Reason(models.TextChoices):
        FIRST = "first", _("first fetched")
        CHANGED = "changed", _("text changed")
        MISSING = "missing", _("asked for")

    OPEN = (State.PENDING, State.SUBMITTED)

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="mementos", verbose_name=_("source")
    )
    snapshot = models.ForeignKey(
        Snapshot,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("fetch that asked for it"),
    )
    url = models.URLField(max_length=2000, verbose_name=_("URL"))
    reason = models.CharField(
        max_length=16, choices=Reason.choices, default=Reason.FIRST, verbose_name=_("reason")
    )
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.PENDING, verbose_name=_("state")
    )
    job_id = models.CharField(max_length=200, blank=True, verbose_name=_("archive job"))
    memento_url = models.URLField(max_length=2500, blank=True, verbose_name=_("memento"))
    memento_at = models.DateTimeField(null=True, blank=True, verbose_name=_("archived at"))
    error_code = models.CharField(max_length=60, blank=True, verbose_name=_("error code"))
    error_detail = models.CharField(max_length=500, blank=True, verbose_name=_("error detail"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next step at"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted at"))
    lease_until = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("memento")
        verbose_name_plural = _("mementos")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="memento_due"),
            models.Index(fields=["source", "state", "memento_at"], name="memento_source"),
        ]
        constraints = [
            # A source has at most one request under way: a second fetch, a task run
            # twice or two editors pressing the button never ask the archive twice.
            models.UniqueConstraint(
                fields=["source"],
                condition=Q(state__in=["pending", "submitted"]),
                name="memento_one_open_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN
