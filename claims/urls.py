from django.urls import path

from claims.views import public, sources

app_name = "claims"

urlpatterns = [
    path("", public.home, name="home"),
    path("articles/<slug:slug>/", public.article_detail, name="article"),
    path("articles/<slug:slug>/report/", public.report_create, name="report_create"),
    path("reports/<str:reference>/", public.report_track, name="report_track"),
    path("claims/<slug:slug>/", public.claim_detail, name="claim"),
    path("desk/sources/", sources.source_list, name="sources"),
    path("desk/sources/<int:pk>/", sources.source_detail, name="source"),
    path("desk/sources/<int:pk>/fetch/", sources.source_fetch, name="source_fetch"),
    path("desk/sources/<int:pk>/url/", sources.source_url, name="source_url"),
]
