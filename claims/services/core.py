"""What every service shares: sending tasks after commit, and unique slugs."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.text import slugify

log = logging.getLogger(__name__)


def task_send(task, *args) -> None:
    """Send a task after commit. A broker outage is logged, never raised: the row
    state that asked for the task stays pending and the sweeper sends it later."""

    def send() -> None:
        try:
            task.apply_async(args=args)
        except Exception:  # kombu raises many types when the broker is unreachable
            log.warning("broker unreachable; %s%r left to the sweeper", task.name, args)

    transaction.on_commit(send)


def task_resend(task, ids: list[int]) -> int:
    """The sweepers' half of ``task_send``: send ``task`` again for each id now. A broker
    outage stops the round (logged); the rows stay pending for the next sweep."""
    sent = 0
    for pk in ids:
        try:
            task.delay(pk)
        except Exception:  # kombu raises many types when the broker is unreachable
            log.warning("broker unreachable; %s sweep stops and runs again later", task.name)
            break
        sent += 1
    return sent


def slug_unique(model, text: str, *, max_length: int = 80) -> str:
    base = slugify(text, allow_unicode=False)
    if len(base) > max_length:  # cut at a word boundary
        base = base[:max_length].rsplit("-", 1)[0]
    base = base.strip("-") or "item"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
