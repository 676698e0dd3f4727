from django.urls import path

from claims.views import corrections, dashboard, desk, public, reports, sources

app_name = "claims"

urlpatterns = [
    path("", public.home, name="home"),
    path("articles/<slug:slug>/", public.article_detail, name="article"),
    path("articles/<slug:slug>/report/", public.report_create, name="report_create"),
    path("reports/<str:reference>/", public.report_track, name="report_track"),
    path("claims/", public.claims_index, name="claims"),
    path("claims/claimreview.json", public.claimreview_feed, name="claimreview_feed"),
    path("claims/<slug:slug>/", public.claim_detail, name="claim"),
    path("privacy/", public.privacy, name="privacy"),
    path("staff/dashboard/", dashboard.dashboard, name="dashboard"),
    # The editor desk (staff only).
    path("desk/", desk.desk_index, name="desk"),
    path("desk/articles/<slug:slug>/", desk.desk_article, name="desk_article"),
    path("desk/articles/<slug:slug>/claims/", desk.desk_claim_create, name="desk_claim_create"),
    path("desk/suggestions/<int:pk>/", desk.desk_suggestion, name="desk_suggestion"),
    path("desk/claims/<int:pk>/", desk.desk_claim, name="desk_claim"),
    path("desk/claims/<int:pk>/assign/", desk.desk_claim_assign, name="desk_claim_assign"),
    path("desk/claims/<int:pk>/citations/", desk.desk_citations, name="desk_citations"),
    path("desk/claims/<int:pk>/appearances/", desk.desk_appearances, name="desk_appearances"),
    path(
        "desk/citations/<int:pk>/remove/",
        desk.desk_citation_remove,
        name="desk_citation_remove",
    ),
    path("desk/claims/<int:pk>/verdict/", desk.desk_verdict, name="desk_verdict"),
    path("desk/verdicts/<int:pk>/review/", desk.desk_verdict_review, name="desk_verdict_review"),
    path("desk/matches/<int:pk>/", desk.desk_match, name="desk_match"),
    path(
        "desk/notifications/<int:pk>/read/",
        desk.desk_notification_read,
        name="desk_notification_read",
    ),
    path("desk/sources/", sources.source_list, name="sources"),
    path("desk/sources/<int:pk>/", sources.source_detail, name="source"),
    path("desk/sources/<int:pk>/fetch/", sources.source_fetch, name="source_fetch"),
    path("desk/sources/<int:pk>/url/", sources.source_url, name="source_url"),
    path("reports/<str:reference>/reply/", public.report_reply, name="report_reply"),
    path("corrections/", corrections.correction_list, name="corrections"),
    path("corrections/rss/", corrections.CorrectionsFeed(), name="corrections_rss"),
    path("corrections/atom/", corrections.CorrectionsAtomFeed(), name="corrections_atom"),
    path("review/", reports.report_queue, name="report_queue"),
    path("review/next/", reports.report_claim_next, name="report_claim_next"),
    path("review/<int:pk>/", reports.report_review, name="report_review"),
    path("review/<int:pk>/triage/", reports.report_triage, name="report_triage"),
    path("review/<int:pk>/block/", reports.report_block, name="report_block"),
]
