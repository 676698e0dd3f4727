"""The debug page's filter: Django's, also hiding salts and the service URLs (which can
carry passwords)."""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter as DjangoFilter


class SafeExceptionReporterFilter(DjangoFilter):
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|SALT|DATABASE_URL|REDIS_URL|"
        "BROKER_URL|RESULT_BACKEND|DSN",
        flags=re.IGNORECASE,
    )
