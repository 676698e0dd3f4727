"""Open data for everyone: the "Open data" page, and the daily dumps at stable URLs
(the newest at /open-data/<file>, each kept dump at /open-data/<as of>/<file>), served
from the ``opendata`` storage with their time ("as of") and licence."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from claims import services
from claims.models import OpenDataDump
from claims.services.opendata import FILES


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    dump = services.opendata_dump_latest()
    files = []
    if dump is not None:
        for name, (_type, _description) in FILES.items():
            info = dump.files.get(name)
            if info:
                files.append({"name": name, **info})
    context = {
        "dump": dump,
        "files": files,
        "freshness": services.opendata_freshness(),
        "license": settings.FACTCHECK_OPENDATA_LICENSE,
        "license_url": settings.FACTCHECK_OPENDATA_LICENSE_URL,
        "older": OpenDataDump.objects.order_by("-made_at", "-id")[1:],
    }
    return render(request, "opendata/open_data.html", context)


def _file_response(request: HttpRequest, dump: OpenDataDump | None, name: str) -> HttpResponse:
    if dump is None or name not in FILES or name not in dump.files:
        raise Http404("no such open-data file")
    info = dump.files[name]
    etag = f'"{info["sha256"][:32]}"'
    made = int(dump.made_at.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=made)
    if response is None:
        try:
            handle = services.opendata_storage().open(info["path"], "rb")
        except (FileNotFoundError, OSError):
            raise Http404("the open-data file is missing from storage") from None
        response = FileResponse(handle, content_type=FILES[name][0])
        stem, _dot, extension = name.partition(".")
        response["Content-Disposition"] = f'inline; filename="{stem}-{dump.folder}.{extension}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(made)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    response["Link"] = (
        f'<{settings.FACTCHECK_OPENDATA_LICENSE_URL}>; rel="license", '
        f'<datapackage.json>; rel="describedby"'
    )
    return response


@require_GET
def open_data_file(request: HttpRequest, name: str) -> HttpResponse:
    """The newest dump's file."""
    return _file_response(request, services.opendata_dump_latest(), name)


@require_GET
def open_data_dated_file(request: HttpRequest, folder: str, name: str) -> HttpResponse:
    """A kept dump's file, at the URL of its own time."""
    return _file_response(request, OpenDataDump.objects.filter(folder=folder).first(), name)
