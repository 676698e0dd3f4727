from django.urls import path

from claims.views import articles, claims, dashboard, evidence, inbox, pages, reports, sources

app_name = "claims"

urlpatterns = [
    path("", articles.home, name="home"),
    path("articles/<slug:slug>/", articles.article_detail, name="article"),
    path("articles/<slug:slug>/report/", reports.report_create, name="report_create"),
    path("reports/<str:reference>/", reports.report_track, name="report_track"),
    path("claims/", claims.claims_index, name="claims"),
    path("claims/claimreview.json", claims.claimreview_feed, name="claimreview_feed"),
    path("claims/<slug:slug>/", claims.claim_detail, name="claim"),
    path("privacy/", pages.privacy, name="privacy"),
    path("captures/<int:pk>/", evidence.capture_detail, name="capture"),
    path("staff/dashboard/", dashboard.dashboard, name="dashboard"),
    path("staff/inbox/", inbox.inbox, name="inbox"),
    path("staff/inbox/text-fixes/<int:pk>/", inbox.inbox_text_fix, name="inbox_text_fix"),
    # The editor desk (staff only).
    path("desk/", claims.desk_index, name="desk"),
    path("desk/articles/<slug:slug>/", claims.desk_article, name="desk_article"),
    path("desk/articles/<slug:slug>/claims/", claims.desk_claim_create, name="desk_claim_create"),
    path("desk/articles/<slug:slug>/edit/", articles.desk_article_edit, name="desk_article_edit"),
    path(
        "desk/articles/<slug:slug>/versions/<int:number>/",
        articles.desk_revision,
        name="desk_revision",
    ),
    path("desk/suggestions/<int:pk>/", claims.desk_suggestion, name="desk_suggestion"),
    path("desk/claims/<int:pk>/", claims.desk_claim, name="desk_claim"),
    path("desk/claims/<int:pk>/assign/", claims.desk_claim_assign, name="desk_claim_assign"),
    path("desk/claims/<int:pk>/citations/", claims.desk_citations, name="desk_citations"),
    path("desk/claims/<int:pk>/appearances/", claims.desk_appearances, name="desk_appearances"),
    path(
        "desk/citations/<int:pk>/remove/",
        claims.desk_citation_remove,
        name="desk_citation_remove",
    ),
    path("desk/claims/<int:pk>/verdict/", claims.desk_verdict, name="desk_verdict"),
    path("desk/verdicts/<int:pk>/review/", claims.desk_verdict_review, name="desk_verdict_review"),
    path("desk/matches/<int:pk>/", claims.desk_match, name="desk_match"),
    path(
        "desk/notifications/<int:pk>/read/",
        claims.desk_notification_read,
        name="desk_notification_read",
    ),
    path("desk/sources/", sources.source_list, name="sources"),
    path("desk/sources/<int:pk>/", sources.source_detail, name="source"),
    path("desk/sources/<int:pk>/fetch/", sources.source_fetch, name="source_fetch"),
    path("desk/sources/<int:pk>/url/", sources.source_url, name="source_url"),
    path("desk/sources/<int:pk>/warc/", evidence.source_warc, name="source_warc"),
    path("desk/sources/<int:pk>/archive/", evidence.source_archive, name="source_archive"),
    path("desk/articles/<slug:slug>/wacz/", evidence.article_wacz, name="article_wacz"),
    path("reports/<str:reference>/reply/", reports.report_reply, name="report_reply"),
    path("corrections/", reports.correction_list, name="corrections"),
    path("corrections/rss/", reports.CorrectionsFeed(), name="corrections_rss"),
    path("corrections/atom/", reports.CorrectionsAtomFeed(), name="corrections_atom"),
    path("review/", reports.report_queue, name="report_queue"),
    path("review/next/", reports.report_claim_next, name="report_claim_next"),
    path("review/<int:pk>/", reports.report_review, name="report_review"),
    path("review/<int:pk>/triage/", reports.report_triage, name="report_triage"),
    path("review/<int:pk>/block/", reports.report_block, name="report_block"),
]
