"""The Celery app. It reads every ``CELERY_*`` Django setting (see settings.py)."""

import os
import sys

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

# The embedded default's broker (no REDIS_URL): kombu's filesystem transport with atomic
# writes (factcheck/broker.py).
TRANSPORT_ALIASES.setdefault("filesystem-atomic", "factcheck.broker:Transport")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def worker_command(*, queues: str, concurrency: int, loglevel: str = "info") -> list[str]:
    """The command line of a real prefork worker (tests and benchmarks start them)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "factcheck",
        "worker",
        "-Q",
        queues,
        "--concurrency",
        str(concurrency),
        "--pool",
        "prefork",
        "--without-gossip",
        "--without-mingle",
        "-l",
        loglevel,
    ]
