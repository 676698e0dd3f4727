"""Writes that touch several rows, change a state or send a task.

Functions are keyword-only and named entity then verb (``article_import``,
``report_create``). Views and tasks call them as ``services.<name>``; services never import
views. Tasks are sent after commit (``task_send``) so a worker never sees a row before it
is committed, and a broker outage never loses work: the row state is the source of truth
and a sweeper re-sends whatever did not go out.

One module per area; this package re-exports their public functions.
"""

from claims.services.articles import (
    ArticleImport,
    article_cache_touch,
    article_import,
    paragraph_anchors,
    source_get_or_create,
)
from claims.services.claims import claim_create, verdict_publish
from claims.services.core import slug_unique, task_coalesce_release, task_resend, task_send
from claims.services.corrections import correction_publish
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
    reports_erase_emails,
    reports_process_pending,
    reports_reprioritise,
    reports_sweep,
    reports_waiting_release,
)

__all__ = [
    "ArticleImport",
    "DuplicateCandidate",
    "ReportActionRefused",
    "ReportNotHeld",
    "article_cache_touch",
    "article_import",
    "article_reach_points",
    "article_view_count",
    "article_views_flush",
    "claim_create",
    "correction_publish",
    "ip_hash",
    "paragraph_anchors",
    "report_accept",
    "report_claim",
    "report_claim_next",
    "report_create",
    "report_duplicate_candidates",
    "report_email_queue",
    "report_email_send",
    "report_emails_sweep",
    "report_held_by",
    "report_info_reply",
    "report_lease_extend",
    "report_mark_duplicate",
    "report_mark_spam",
    "report_priority",
    "report_process",
    "report_reference",
    "report_reject",
    "report_release",
    "report_request_info",
    "reporter_block",
    "reports_erase_emails",
    "reports_process_pending",
    "reports_reprioritise",
    "reports_sweep",
    "reports_waiting_release",
    "slug_unique",
    "source_get_or_create",
    "task_coalesce_release",
    "task_resend",
    "task_send",
    "verdict_publish",
]
