"""Writes that touch several rows, change a state or send a task.

Functions are keyword-only and named entity then verb (``article_import``,
``report_create``). Views and tasks call them as ``services.<name>``; services never import
views. Tasks are sent after commit (``task_send``) so a worker never sees a row before it
is committed, and a broker outage never loses work: the row state is the source of truth
and a sweeper re-sends whatever did not go out.

One module per area; this package re-exports their public functions.
"""

# Every area's public names, re-exported; no __all__, so areas never edit the same lines.
from claims.services.articles import (
    ArticleImport,
    article_cache_touch,
    article_import,
    articles_publish,
    paragraph_anchors,
    source_get_or_create,
)
from claims.services.claimreview import (
    ClaimReviewImport,
    claimreview_feed,
    claimreview_feed_own,
    claimreview_for_claim,
    claimreview_for_external,
    claimreview_import,
    claims_for_claimreview,
    rating_for_text,
)
from claims.services.claims import (
    appearance_add,
    citation_add,
    citation_remove,
    claim_assign,
    claim_create,
    claim_update,
    explanation_clean,
    notification_create,
    notification_send,
    notifications_sweep,
    rating_scale_in_use,
    rating_scale_version_create,
    verdict_approve,
    verdict_can_publish,
    verdict_draft_for,
    verdict_publish,
    verdict_return,
    verdict_save,
    verdict_submit,
)
from claims.services.core import (
    history_record,
    slug_unique,
    task_coalesce_release,
    task_resend,
    task_send,
)
from claims.services.corrections import correction_publish
from claims.services.matching import (
    claim_match_best,
    claim_match_candidates,
    claim_match_decide,
    claim_matches_find,
    claim_merge,
    external_review_match,
)
from claims.services.reach import (
    article_reach_points,
    article_view_count,
    article_views_flush,
)
from claims.services.report_emails import (
    report_email_queue,
    report_email_send,
    report_emails_sweep,
)
from claims.services.reports import (
    DuplicateCandidate,
    ReportActionRefused,
    ReportNotHeld,
    ip_hash,
    report_accept,
    report_claim,
    report_claim_next,
    report_create,
    report_duplicate_candidates,
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
    SourceFetch,
    citations_quote_check,
    claims_rereview_for_source,
    source_fetch,
    source_fetch_now,
    source_latest_text,
    source_mark_dead,
    source_merge,
    source_url_set,
    sources_enqueue_due,
    sources_fetch_now,
    sources_interleave,
    sources_select,
    sources_sweep,
)
from claims.services.suggestions import article_suggest, suggestion_accept, suggestion_dismiss
