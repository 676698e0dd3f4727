"""Articles: the newsroom's published text, paragraph by paragraph, and its "read more"
links."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from claims.models.common import Language

User = settings.AUTH_USER_MODEL


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
    content_hash = models.CharField(
        max_length=64, blank=True, db_index=True, verbose_name=_("content hash")
    )
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
            ("correct_article", "Can fix an article's text while accepting a reader's report"),
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


class ArticleRevision(models.Model):
    """One save of an article's text, with the whole of it before and after: the
    newsroom's record of what the article said. Written by ``services.article_revise``,
    never changed afterwards. ``before`` and ``after`` hold ``title``, ``byline``,
    ``published_at``, ``paragraphs`` (``[{"anchor", "text"}]``) and ``related``
    (headlines); ``changes`` lists each paragraph whose text changed, was added or
    was removed (``[{"anchor", "before", "after"}]``, ``""`` where there was none)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(verbose_name=_("number"))
    note = models.CharField(_("what changed"), max_length=500)
    before = models.JSONField(verbose_name=_("before"))
    after = models.JSONField(verbose_name=_("after"))
    changes = models.JSONField(default=list, verbose_name=_("changed paragraphs"))
    created_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("saved at"))

    class Meta:
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}: {self.note[:60]}"

    def get_absolute_url(self) -> str:
        return reverse(
            "claims:desk_revision", kwargs={"slug": self.article.slug, "number": self.number}
        )

    def change_for(self, anchor: str) -> dict | None:
        """The before and after of the paragraph with this anchor, if this revision changed it."""
        return next((c for c in self.changes if c["anchor"] == anchor), None)


class Paragraph(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="paragraphs", verbose_name=_("article")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    # Derived from the text, so a paragraph keeps its anchor when others move.
    anchor = models.CharField(max_length=40, verbose_name=_("anchor"))
    text = models.TextField(verbose_name=_("text"))

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

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="related_links", verbose_name=_("article")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    headline = models.CharField(max_length=300, verbose_name=_("headline"))
    target = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("linked article"),
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
