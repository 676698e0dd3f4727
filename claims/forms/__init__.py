"""Forms, one module per area: input checks and size caps only. Writes happen in services."""

from claims.forms.articles import ArticleForm
from claims.forms.claims import (
    AppearanceForm,
    AssignForm,
    CitationForm,
    ClaimFilterForm,
    ClaimForm,
    ClaimFromSelectionForm,
    SuggestionAcceptForm,
    VerdictForm,
)
from claims.forms.events import FollowForm
from claims.forms.reports import (
    STARTED_SALT,
    AcceptForm,
    DuplicateForm,
    EraseForm,
    InfoRequestForm,
    QueueFilterForm,
    RejectForm,
    ReporterForm,
    ReportForm,
    ReportReplyForm,
    SpamForm,
    evidence_url_clean,
    report_form_age,
    report_form_token,
)
from claims.forms.sources import SourceUrlForm

__all__ = [
    "STARTED_SALT",
    "AcceptForm",
    "AppearanceForm",
    "ArticleForm",
    "AssignForm",
    "CitationForm",
    "ClaimFilterForm",
    "ClaimForm",
    "ClaimFromSelectionForm",
    "DuplicateForm",
    "EraseForm",
    "FollowForm",
    "InfoRequestForm",
    "QueueFilterForm",
    "RejectForm",
    "ReportForm",
    "ReportReplyForm",
    "ReporterForm",
    "SourceUrlForm",
    "SpamForm",
    "SuggestionAcceptForm",
    "VerdictForm",
    "evidence_url_clean",
    "report_form_age",
    "report_form_token",
]
