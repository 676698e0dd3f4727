"""Open data: the version of the public data (the API's cache key), the daily dumps, and
partners' API keys."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey


class PublicDataVersion(models.Model):
    """One row: bumped after every commit that changes what the public API shows, as
    ``Article.render_version`` is for the article pages. Kept in the database, not in a
    cache, so a change made by a worker reaches the web processes' caches even without
    Redis (each process then has a cache of its own)."""

    number = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("public data version")
        verbose_name_plural = _("public data versions")

    def __str__(self) -> str:
        return f"v{self.number} ({self.changed_at:%Y-%m-%d %H:%M})"


class OpenDataDump(models.Model):
    """One day's open data, written to the ``opendata`` storage under ``folder``. The row
    is made after every file is written, so the newest row always names whole files.
    ``files``: name → ``{"bytes", "sha256", "rows", "content_type"}``."""

    made_at = models.DateTimeField(default=timezone.now, verbose_name=_("as of"))
    folder = models.CharField(max_length=100, unique=True, verbose_name=_("folder"))
    files = models.JSONField(default=dict, verbose_name=_("files"))
    license = models.CharField(max_length=200, verbose_name=_("licence"))
    seconds = models.FloatField(default=0, verbose_name=_("seconds to write"))

    class Meta:
        verbose_name = _("open-data dump")
        verbose_name_plural = _("open-data dumps")
        ordering = ["-made_at", "-id"]
        get_latest_by = "made_at"

    def __str__(self) -> str:
        return f"{self.made_at:%Y-%m-%d %H:%M}"

    @property
    def date_label(self) -> str:
        """The dump's own URL segment (its UTC date and time)."""
        return self.folder


class PartnerKey(AbstractAPIKey):
    """A partner's API key (djangorestframework-api-key): only its hash is stored. It
    lifts the anonymous rate limit to ``requests_per_minute`` (or the default)."""

    contact = models.EmailField(blank=True, verbose_name=_("contact address"))
    requests_per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        verbose_name=_("requests per minute"),
        help_text=_("Empty: FACTCHECK_API_RATE_KEY."),
    )

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("partner API key")
        verbose_name_plural = _("partner API keys")
