"""What every area's models share."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    NL = "nl", _("Dutch")
    EN = "en", _("English")
