"""Writes that touch several rows, change a state or send a task, one module per area:
articles, sources, claims, reports (and ``core``, what they share).

Functions are keyword-only and named entity then verb (``article_import``,
``report_create``); each user action is one call, in one transaction, and returns what
happened. Views and tasks call them as ``services.<name>``; services never import
views. Tasks are sent after commit (``task_send``) so a worker never sees a row before
it is committed, and a broker outage never loses work: the row state is the source of
truth and a sweeper re-sends whatever did not go out.

The import order between areas: sources, then claims, then articles, then reports;
a call against that order imports inside the function. This package re-exports every
area's public names.
"""

# Every area's public names, re-exported; no __all__, so areas never edit the same lines.
from claims.services.articles import (
    ArticleImport,
    article_import,
    article_view_count,
    article_views_flush,
    articles_publish,
    newsarticle_for_article,
    paragraph_anchors,
)
from claims.services.claims import (
    ClaimReviewImport,
    appearance_add,
    article_suggest,
    citation_add,
    citation_remove,
    claim_assign,
    claim_create,
    claim_match_best,
    claim_match_candidates,
    claim_match_decide,
    claim_matches_find,
    claim_merge,
    claim_update,
    claimreview_feed,
    claimreview_feed_own,
    claimreview_for_claim,
    claimreview_for_external,
    claimreview_import,
    claims_for_claimreview,
    explanation_clean,
    external_review_match,
    notification_create,
    notification_send,
    notifications_sweep,
    rating_for_text,
    rating_scale_in_use,
    rating_scale_version_create,
    suggestion_accept,
    suggestion_dismiss,
    verdict_approve,
    verdict_can_publish,
    verdict_draft_for,
    verdict_publish,
    verdict_return,
    verdict_save,
    verdict_submit,
)
from claims.services.core import (
    article_cache_touch,
    history_record,
    slug_unique,
    task_coalesce_release,
    task_resend,
    task_send,
)
from claims.services.reports import (
    DuplicateCandidate,
    ReportActionRefused,
    ReportNotHeld,
    article_reach_points,
    correction_publish,
    ip_hash,
    report_accept,
    report_claim,
    report_claim_next,
    report_create,
    report_duplicate_candidates,
    report_email_queue,
    report_email_send,
    report_emails_sweep,
    report_held_by,
    report_info_reply,
    report_lease_extend,
    report_mark_duplicate,
    report_mark_spam,
    report_priority,
    report_process,
    report_reference,
    report_reject,
    report_release,
    report_request_info,
    reporter_block,
    reporter_data_erase,
    reporter_data_export,
    reporter_reports,
    reports_erase_emails,
    reports_mark_not_spam,
    reports_mark_spam,
    reports_process_pending,
    reports_reprioritise,
    reports_sweep,
    reports_waiting_release,
)
from claims.services.sources import (
    DatabaseTurns,
    SourceFetch,
    citations_quote_check,
    claims_rereview_for_source,
    source_fetch,
    source_fetch_now,
    source_get_or_create,
    source_latest_text,
    source_mark_dead,
    source_merge,
    source_turns,
    source_url_set,
    sources_enqueue_due,
    sources_fetch_now,
    sources_interleave,
    sources_select,
    sources_sweep,
)
