"""Request guards that run before anything reads the request."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


class BodySizeLimitMiddleware:
    """Refuse a request whose declared body is larger than FACTCHECK_MAX_BODY_BYTES with
    413, before a byte of it is read (Django's DATA_UPLOAD_MAX_MEMORY_SIZE counts only
    form fields, and only while it reads them; an uploaded file is not counted). A
    body without a Content-Length is not read by Django at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            return HttpResponse(_("Bad request."), status=400, content_type="text/plain")
        if length > settings.FACTCHECK_MAX_BODY_BYTES:
            return HttpResponse(
                _("This request is too large."),
                status=413,
                content_type="text/plain; charset=utf-8",
                headers={"Connection": "close"},
            )
        return self.get_response(request)
