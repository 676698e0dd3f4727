"""/api/: the router's endpoints, the OpenAPI 3 schema and its reference page (Swagger
UI from drf-spectacular-sidecar's files, served by us: no CDN)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from claims.api import views

app_name = "api"

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False  # one URL per answer; ask for JSON with Accept
router.register("articles", views.ArticleViewSet, basename="article")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("corrections", views.CorrectionViewSet, basename="correction")
router.register("scales", views.ScaleViewSet, basename="scale")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]

# The site's rule holds here too: a POST is refused by the CSRF check before it reaches
# a view. DRF exempts its views because session logins carry CSRF in DRF's own check;
# this API has no logins and takes no writes, so nothing is lost by undoing that.
for _pattern in urlpatterns[:2] + router.urls:
    _pattern.callback.csrf_exempt = False
