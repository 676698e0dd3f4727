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
from claims.services.core import history_record, slug_unique, task_send
from claims.services.corrections import correction_publish
from claims.services.reports import (
    ip_hash,
    report_create,
    report_process,
    report_reference,
    reports_sweep,
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

__all__ = [
    "ArticleImport",
    "SourceFetch",
    "article_cache_touch",
    "article_import",
    "citations_quote_check",
    "claim_create",
    "claims_rereview_for_source",
    "correction_publish",
    "history_record",
    "ip_hash",
    "paragraph_anchors",
    "report_create",
    "report_process",
    "report_reference",
    "reports_sweep",
    "slug_unique",
    "source_fetch",
    "source_fetch_now",
    "source_get_or_create",
    "source_latest_text",
    "source_mark_dead",
    "source_merge",
    "source_url_set",
    "sources_enqueue_due",
    "sources_fetch_now",
    "sources_interleave",
    "sources_select",
    "sources_sweep",
    "task_send",
    "verdict_publish",
]
