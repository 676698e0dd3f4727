"""The Django admin: the moderators' console, one module per area.

Every model is listed with filters and search; history is read-only (see
SIMPLE_HISTORY_REVERT_DISABLED). Workflow changes (claiming reports, verdict approval)
happen on the staff pages, where their object-level rules live; the admin's actions call
the same services.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from claims.admin import (  # noqa: F401  (registers)
    articles,
    claims,
    events,
    evidence,
    opendata,
    reports,
    sources,
    users,
)

admin.site.site_header = _("Factcheck administration")
admin.site.site_title = _("Factcheck administration")
admin.site.index_title = _("Moderation")
