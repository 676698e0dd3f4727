from django.urls import path

from claims.views import dashboard, public

app_name = "claims"

urlpatterns = [
    path("", public.home, name="home"),
    path("articles/<slug:slug>/", public.article_detail, name="article"),
    path("articles/<slug:slug>/report/", public.report_create, name="report_create"),
    path("reports/<str:reference>/", public.report_track, name="report_track"),
    path("claims/<slug:slug>/", public.claim_detail, name="claim"),
    path("privacy/", public.privacy, name="privacy"),
    path("staff/dashboard/", dashboard.dashboard, name="dashboard"),
]
