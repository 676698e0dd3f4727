"""The API's read-only endpoints. Each answer in JSON is cached under the public data
version (``services.public_data_version``, bumped after every commit that changes what
the API shows, as the article pages' render version is), and carries an ETag and a
Last-Modified, so a client that asks again with If-None-Match or If-Modified-Since gets
304 Not Modified. Throttles and the key check run before the cache is read."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.filters import OrderingFilter

from claims import services
from claims.api import filters, public, serializers
from claims.api.pagination import ById, ByPublished, Cursor

log = logging.getLogger(__name__)


class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only, public, cached, conditional."""

    def list(self, request, *args, **kwargs):
        return self._cached(request, lambda: super(PublicViewSet, self).list(request))

    def retrieve(self, request, *args, **kwargs):
        return self._cached(
            request, lambda: super(PublicViewSet, self).retrieve(request, *args, **kwargs)
        )

    def _cached(self, request, answer):
        version = services.public_data_version()
        if request.accepted_renderer.format != "json":
            return answer()  # the browsable pages are for people; they are not cached
        raw = f"{version.number}|{request.get_host()}|{request.get_full_path()}"
        key = "api:" + hashlib.sha256(raw.encode()).hexdigest()
        try:
            entry = cache.get(key)
        except Exception:
            log.warning("cache unreachable; API answer made afresh")
            entry = None
        if entry is None:
            response = answer()
            if response.status_code != 200:
                return response
            renderer = request.accepted_renderer
            body = renderer.render(response.data, request.accepted_media_type)
            entry = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
            try:
                cache.set(key, entry, timeout=settings.FACTCHECK_API_CACHE_SECONDS)
            except Exception:
                log.warning("cache unreachable; API answer not kept")
        body, etag = entry
        response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        response["Last-Modified"] = http_date(version.changed_at.timestamp())
        response["Cache-Control"] = "public, max-age=60"
        patch_vary_headers(response, ["Accept"])
        return get_conditional_response(
            request._request,
            etag=etag,
            last_modified=int(version.changed_at.timestamp()),
            response=response,
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Link, Retry-After"
        response["Link"] = f'<{settings.FACTCHECK_OPENDATA_LICENSE_URL}>; rel="license"'
        return response


UPDATED_ORDERING = ["updated_at"]


@extend_schema_view(
    list=extend_schema(
        summary="Published claims",
        description=(
            "Public claims, newest change first (`ordering=updated_at` for oldest first, "
            "to follow changes with `updated_since`)."
        ),
    ),
    retrieve=extend_schema(summary="One published claim"),
)
class ClaimViewSet(PublicViewSet):
    serializer_class = serializers.ClaimSerializer
    filterset_class = filters.ClaimFilter
    filter_backends = [*viewsets.ReadOnlyModelViewSet.filter_backends, OrderingFilter]
    ordering_fields = UPDATED_ORDERING
    pagination_class = Cursor
    lookup_field = "slug"

    def get_queryset(self):
        return public.claims_public()


@extend_schema_view(
    list=extend_schema(
        summary="Published articles",
        description="With their text, sources, claims, revisions after publication and "
        "corrections.",
    ),
    retrieve=extend_schema(summary="One published article"),
)
class ArticleViewSet(PublicViewSet):
    serializer_class = serializers.ArticleSerializer
    filterset_class = filters.ArticleFilter
    filter_backends = [*viewsets.ReadOnlyModelViewSet.filter_backends, OrderingFilter]
    ordering_fields = UPDATED_ORDERING
    pagination_class = Cursor
    lookup_field = "slug"

    def get_queryset(self):
        return public.articles_public()


@extend_schema_view(
    list=extend_schema(summary="Corrections, newest first"),
    retrieve=extend_schema(summary="One correction"),
)
class CorrectionViewSet(PublicViewSet):
    serializer_class = serializers.CorrectionSerializer
    filterset_class = filters.CorrectionFilter
    pagination_class = ByPublished

    def get_queryset(self):
        return public.corrections_public()


@extend_schema_view(
    list=extend_schema(summary="Rating scales, every version"),
    retrieve=extend_schema(summary="One rating scale version"),
)
class ScaleViewSet(PublicViewSet):
    serializer_class = serializers.ScaleSerializer
    pagination_class = ById
    filter_backends: list = []

    def get_queryset(self):
        return public.scales_public()
