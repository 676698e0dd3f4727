"""One reporter's personal data, found by email, for the admin: export it for the
reader who asks, or erase it. Reached from the reports list in the admin."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims import services
from claims.access import staff_view
from claims.models import Report


class ReporterForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Reporter's email address"), max_length=254)


class EraseForm(ReporterForm):
    confirm = forms.BooleanField(
        label=gettext_lazy("Yes, erase this reporter's name and email address from every report")
    )


@staff_view("claims.erase_reporter_data", "claims.view_reporter_email")
def reporter_data(request: HttpRequest) -> HttpResponse:
    here = reverse("admin:claims_report_reporter_data")
    form = ReporterForm(request.POST if request.method == "POST" else request.GET or None)
    erase_form = EraseForm(initial={"email": form.data.get("email", "")})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if request.POST.get("action") == "export":
            data = services.reporter_data_export(email=email)
            response = HttpResponse(
                json.dumps(data, ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = 'attachment; filename="reporter-data.json"'
            return response
        erase_form = EraseForm(request.POST)
        if erase_form.is_valid():
            n = services.reporter_data_erase(email=email, user=request.user)
            messages.success(
                request, _("Name and email address erased from %(n)s reports.") % {"n": n}
            )
            return redirect(f"{here}?{urlencode({'email': email})}")
    reports = None
    if form.is_bound and form.is_valid():
        reports = list(services.reporter_reports(email=form.cleaned_data["email"])[:200])
    context = {
        **admin.site.each_context(request),
        "title": _("A reporter's personal data"),
        "form": form,
        "erase_form": erase_form,
        "reports": reports,
        "opts": Report._meta,
    }
    return render(request, "admin/claims/report/reporter_data.html", context)
