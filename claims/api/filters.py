"""The API's filters (django-filter). Text search goes through ``Claim.objects.search``,
the same search as the claims index; every filter that follows a relation narrows by a
subquery, so a claim never comes twice."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from claims.models import Article, Claim, Correction, Language, Verdict

SEARCH_MAX = 200


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    """``updated_since=2025-01-31T12:00:00Z``: rows changed at or after that moment."""


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        max_length=SEARCH_MAX,
        label=_("Words in the claim or the claimant (the claims index's search)."),
    )
    language = django_filters.ChoiceFilter(choices=Language.choices)
    status = django_filters.ChoiceFilter(
        choices=[
            (Claim.Status.PUBLISHED, Claim.Status.PUBLISHED.label),
            (Claim.Status.NEEDS_REREVIEW, Claim.Status.NEEDS_REREVIEW.label),
        ]
    )
    rating = django_filters.CharFilter(
        method="rated", max_length=40, label=_("Code of the current verdict's rating.")
    )
    claimant = django_filters.CharFilter(lookup_expr="icontains", max_length=200)
    article = django_filters.CharFilter(
        method="in_article", max_length=120, label=_("Slug of a published article.")
    )
    updated_since = UpdatedSinceFilter(
        method="changed_since",
        label=_("The claim, its verdict or its corrections changed at or after this time."),
    )

    class Meta:
        model = Claim
        fields = ["q", "language", "status", "rating", "claimant", "article", "updated_since"]

    def search(self, queryset, name, value):
        return queryset.filter(pk__in=Claim.objects.search(value).values("pk"))

    def rated(self, queryset, name, value):
        rated = Verdict.objects.published().filter(rating__code=value).values("claim_id")
        return queryset.filter(pk__in=rated)

    def in_article(self, queryset, name, value):
        return queryset.filter(
            pk__in=Claim.objects.filter(
                appearances__article__slug=value,
                appearances__article__status=Article.Status.PUBLISHED,
            ).values("pk")
        )

    def changed_since(self, queryset, name, value):
        changed = Claim.objects.filter(
            Q(updated_at__gte=value)
            | Q(verdicts__published_at__gte=value)
            | Q(corrections__published_at__gte=value)
        ).values("pk")
        return queryset.filter(pk__in=changed)


class ArticleFilter(django_filters.FilterSet):
    language = django_filters.ChoiceFilter(choices=Language.choices)
    updated_since = UpdatedSinceFilter(
        method="changed_since",
        label=_("The article or its corrections changed at or after this time."),
    )

    class Meta:
        model = Article
        fields = ["language", "updated_since"]

    def changed_since(self, queryset, name, value):
        changed = Article.objects.filter(
            Q(updated_at__gte=value) | Q(corrections__published_at__gte=value)
        ).values("pk")
        return queryset.filter(pk__in=changed)


class CorrectionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Correction.Kind.choices)
    article = django_filters.CharFilter(field_name="article__slug", max_length=120)
    claim = django_filters.CharFilter(field_name="claim__slug", max_length=120)
    language = django_filters.ChoiceFilter(field_name="article__language", choices=Language.choices)
    updated_since = UpdatedSinceFilter(field_name="published_at", lookup_expr="gte")

    class Meta:
        model = Correction
        fields = ["kind", "article", "claim", "language", "updated_since"]
