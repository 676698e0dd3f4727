"""gunicorn's entry point for benchmarks: the project, with a benchmark's own URLconf
(``BENCH_ROOT_URLCONF``) so that its bare baseline view is served beside the real ones."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (after set-up, before the first request)

settings.ROOT_URLCONF = os.environ.get("BENCH_ROOT_URLCONF", settings.ROOT_URLCONF)
