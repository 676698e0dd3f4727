from django.urls import path

from claims.views import corrections, public, reports

app_name = "claims"

urlpatterns = [
    path("", public.home, name="home"),
    path("articles/<slug:slug>/", public.article_detail, name="article"),
    path("articles/<slug:slug>/report/", public.report_create, name="report_create"),
    path("reports/<str:reference>/", public.report_track, name="report_track"),
    path("reports/<str:reference>/reply/", public.report_reply, name="report_reply"),
    path("claims/<slug:slug>/", public.claim_detail, name="claim"),
    path("corrections/", corrections.correction_list, name="corrections"),
    path("corrections/rss/", corrections.CorrectionsFeed(), name="corrections_rss"),
    path("corrections/atom/", corrections.CorrectionsAtomFeed(), name="corrections_atom"),
    path("review/", reports.report_queue, name="report_queue"),
    path("review/next/", reports.report_claim_next, name="report_claim_next"),
    path("review/<int:pk>/", reports.report_review, name="report_review"),
    path("review/<int:pk>/triage/", reports.report_triage, name="report_triage"),
    path("review/<int:pk>/block/", reports.report_block, name="report_block"),
]
