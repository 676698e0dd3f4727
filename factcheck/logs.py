"""Log lines with one time zone: every process writes TIME_ZONE's local time with its
offset (``2026-12-07 02:28:50.123+0100``), whatever its own TZ was at start."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo


class ZoneFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        from django.conf import settings

        zone = ZoneInfo(getattr(settings, "TIME_ZONE", None) or "UTC")
        moment = datetime.fromtimestamp(record.created, tz=zone)
        if datefmt:
            return moment.strftime(datefmt)
        return f"{moment:%Y-%m-%d %H:%M:%S}.{int(record.msecs):03d}{moment:%z}"
