"""The newsroom's nouns, one module per area: articles, sources, claims, reports.

Rules that concern one row live on the models as methods and properties. Writes that
touch several rows, change a state or send a task live in ``claims/services/``. Every
model is re-exported here, so ``claims.models.Report`` and migrations see one app.
"""

from claims.models.articles import (
    Article,
    ArticleQuerySet,
    ArticleRevision,
    Paragraph,
    RelatedLink,
)
from claims.models.claims import (
    Claim,
    ClaimAppearance,
    ClaimMatch,
    ClaimQuerySet,
    ClaimSuggestion,
    ExternalReview,
    Notification,
    Rating,
    RatingScale,
    Verdict,
    VerdictQuerySet,
)
from claims.models.common import Language
from claims.models.events import (
    Event,
    EventKind,
    Follow,
    FollowEmail,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from claims.models.evidence import Memento
from claims.models.opendata import OpenDataDump, PartnerKey, PublicDataVersion
from claims.models.reports import (
    BlockedReporter,
    Correction,
    Report,
    ReportEmail,
    ReportEvidence,
    ReportQuerySet,
    TextFix,
)
from claims.models.sources import Citation, HostTurn, Snapshot, SnapshotText, Source

__all__ = [
    "Article",
    "ArticleQuerySet",
    "ArticleRevision",
    "BlockedReporter",
    "Citation",
    "Claim",
    "ClaimAppearance",
    "ClaimMatch",
    "ClaimQuerySet",
    "ClaimSuggestion",
    "Correction",
    "Event",
    "EventKind",
    "ExternalReview",
    "Follow",
    "FollowEmail",
    "HostTurn",
    "Language",
    "Memento",
    "Notification",
    "OpenDataDump",
    "Paragraph",
    "PartnerKey",
    "PublicDataVersion",
    "Rating",
    "RatingScale",
    "RelatedLink",
    "Report",
    "ReportEmail",
    "ReportEvidence",
    "ReportQuerySet",
    "Snapshot",
    "SnapshotText",
    "Source",
    "TextFix",
    "Verdict",
    "VerdictQuerySet",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
