from django.urls import path

from claims import views

app_name = "claims"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("articles/<slug:slug>/report/", views.report_create, name="report_create"),
    path("reports/<str:reference>/", views.report_track, name="report_track"),
    path("claims/<slug:slug>/", views.claim_detail, name="claim"),
]
