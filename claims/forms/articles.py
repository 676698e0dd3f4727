"""Articles: the desk's article editor. Input checks and size caps only; the change is one
``services.article_revise`` (or ``services.article_correct``, with a public correction)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from claims.models import Correction

TEXT_MAX = 200_000
PARAGRAPH_MAX = 20_000
RELATED_MAX = 20_000


def text_paragraphs(text: str) -> list[str]:
    """The article body as the editor types it: paragraphs separated by an empty line."""
    blocks, current = [], []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return blocks


class ArticleForm(forms.Form):
    """Title, byline, publication date, the body (paragraphs separated by an empty line),
    the "read more" headlines, a note on what changed, and, when the change fixes an
    error, the public correction that says so."""

    title = forms.CharField(label=_("Title"), max_length=300)
    byline = forms.CharField(label=_("Edited by"), max_length=200, required=False)
    published_at = forms.DateTimeField(
        label=_("Published"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("The article's own publication date."),
    )
    text = forms.CharField(
        label=_("Text"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 24, "class": "article-text"}),
        help_text=_("One paragraph per block; leave an empty line between paragraphs."),
    )
    related = forms.CharField(
        label=_("Read more (one headline per line)"),
        max_length=RELATED_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    note = forms.CharField(
        label=_("What changed"),
        max_length=500,
        help_text=_("Kept with this version of the article; staff see it in the history."),
    )
    correction_kind = forms.ChoiceField(
        label=_("Publish a notice with this change"),
        required=False,
        choices=[
            ("", _("No notice (a change that readers need not be told about)")),
            (Correction.Kind.CORRECTION, Correction.Kind.CORRECTION.label),
            (Correction.Kind.CLARIFICATION, Correction.Kind.CLARIFICATION.label),
        ],
    )
    correction_text = forms.CharField(
        label=_("Notice for readers"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown at the top of the article with what the text said and says now."),
    )

    def clean_text(self) -> list[str]:
        paragraphs = text_paragraphs(self.cleaned_data["text"])
        if not paragraphs:
            raise forms.ValidationError(_("An article needs at least one paragraph."))
        if any(len(p) > PARAGRAPH_MAX for p in paragraphs):
            raise forms.ValidationError(
                _("A paragraph is longer than %(n)s characters; split it.") % {"n": PARAGRAPH_MAX}
            )
        return paragraphs

    def clean_related(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["related"].splitlines()]
        lines = [line for line in lines if line]
        if any(len(line) > 300 for line in lines):
            raise forms.ValidationError(_("A headline is longer than 300 characters."))
        return lines

    def clean(self) -> dict:
        data = super().clean()
        kind, text = data.get("correction_kind"), (data.get("correction_text") or "").strip()
        if kind and not text:
            self.add_error("correction_text", _("Write the notice readers will see."))
        if text and not kind:
            self.add_error("correction_kind", _("Choose the kind of notice."))
        return data

    @classmethod
    def for_article(cls, article, paragraphs) -> ArticleForm:
        return cls(
            initial={
                "title": article.title,
                "byline": article.byline,
                "published_at": article.published_at,
                "text": "\n\n".join(p.text for p in paragraphs),
                "related": "\n".join(article.related_links.values_list("headline", flat=True)),
            }
        )
