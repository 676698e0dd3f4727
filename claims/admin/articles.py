"""Articles in the admin: publishing goes through actions, so the date and the history
stay right. The text of an existing article (title, byline, paragraphs, "read more")
changes on the desk's editor, where every save is a revision; here it is read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from claims import services
from claims.admin.common import HistoryAdmin, HttpsUrls
from claims.models import (
    Article,
    Paragraph,
    RelatedLink,
)


class TextOnTheDesk:
    """An inline that is written when an article is created here, and read-only after:
    changes to a published text are revisions, made on the desk."""

    def has_add_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_delete_permission(request, obj)


class ParagraphInline(TextOnTheDesk, admin.TabularInline):
    model = Paragraph
    extra = 0
    fields = ["position", "anchor", "text"]
    readonly_fields = ["anchor"]


class RelatedLinkInline(TextOnTheDesk, HttpsUrls, admin.TabularInline):
    model = RelatedLink
    fk_name = "article"
    extra = 0
    autocomplete_fields = ["target"]


@admin.register(Article)
class ArticleAdmin(HistoryAdmin):
    list_display = ["title", "byline", "status", "language", "published_at", "page_views"]
    list_filter = ["status", "language"]
    search_fields = ["title", "byline"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    # Publishing goes through the actions, so the date and the history stay right.
    readonly_fields = ["status", "published_at", "content_hash", "page_views"]
    autocomplete_fields = ["editor"]
    inlines = [ParagraphInline, RelatedLinkInline]
    actions = ["publish", "unpublish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return ["desk_editor", "title", "byline", *self.readonly_fields]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields

    @admin.display(description=_("text"))
    def desk_editor(self, obj) -> str:
        url = reverse("claims:desk_article_edit", args=[obj.slug])
        return format_html('<a href="{}">{}</a>', url, _("Edit the text on the desk"))

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        services.article_suggest(article=form.instance)  # paragraphs may have changed

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("claims.publish_article")

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        n = services.articles_publish(ids=ids, user=request.user)
        self.message_user(request, _("%(n)s articles published.") % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("Take off the site"), permissions=["publish"])
    def unpublish(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        n = services.articles_publish(ids=ids, user=request.user, publish=False)
        self.message_user(
            request, _("%(n)s articles taken off the site.") % {"n": n}, messages.SUCCESS
        )
