"""Cadre pages of the station registry: list, new, detail, edit, status, exceptions,
inspections, .xlsx import and export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, posted, run_service, uploaded
from gonghui.outreach import hours, selectors
from gonghui.outreach.forms import (
    ExceptionForm,
    InspectionForm,
    PhotoForm,
    StationForm,
    StationStatusForm,
    UploadForm,
)
from gonghui.outreach.models import AMENITY_CODES, StationKind, StationStatus
from gonghui.outreach.permissions import access_org, access_station, writable_orgs
from gonghui.outreach.services import stations as svc

READ, WRITE = Capability.OUTREACH_READ, Capability.OUTREACH_WRITE


@login_required
def station_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    params = {k: request.GET.get(k, "").strip()
              for k in ("q", "kind", "status", "district", "amenity")}
    queryset = selectors.station_list(viewer=request.user, **params)
    return render(request, "outreach/station_list.html", {
        "page": paginate(request, queryset), "params": params, "kinds": StationKind.choices,
        "statuses": StationStatus.choices, "amenities": AMENITY_CODES,
        "qs": querystring_without_page(request), "tab": "stations",
        "can_write": has_capability(request.user, WRITE)})


def _weekly_text(station: Any) -> str:
    weekly: dict[int, list[hours.Interval]] = {}
    for h in station.hours.all():
        weekly.setdefault(h.weekday, []).append((h.opens, h.closes))
    return hours.format_weekly(weekly)


@login_required
def station_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    orgs = writable_orgs(request.user)
    form = StationForm(posted(request), initial={"org": orgs[0].code if orgs else "",
                                                 "weekly": "每天 00:00-24:00", "public": True})
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: svc.station_create(
            org=access_org(request.user, form.cleaned_data["org"]), actor=request.user,
            **form.service_values()), form=form, success=_("站点已登记。"))
        if outcome.ok and outcome.value is not None:
            return redirect("outreach:station", outcome.value.pk)
    return render(request, "outreach/form.html", {
        "form": form, "title": _("登记服务站点"), "tab": "stations",
        "back": "outreach:stations"}, status=form_status(form, outcome))


@login_required
def station_edit(request: HttpRequest, pk: int) -> HttpResponse:
    station = access_station(request.user, pk, write=True)
    initial = {name: getattr(station, name) for name in svc.FIELDS}
    initial.update(org=station.org.code, code=station.code, weekly=_weekly_text(station),
                   amenity_codes=[c for c, bit in AMENITY_CODES.items()
                                  if station.amenities & bit])
    form = StationForm(posted(request), initial=initial)
    outcome = None
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        values.pop("code", None)
        outcome = run_service(request, lambda: svc.station_update(
            station=station, actor=request.user, **values), form=form, success=_("已保存。"))
        if outcome.ok:
            return redirect("outreach:station", station.pk)
    return render(request, "outreach/form.html", {
        "form": form, "title": _("编辑站点：{name}").format(name=station.name),
        "tab": "stations", "back": "outreach:stations"}, status=form_status(form, outcome))


@login_required
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    station = access_station(request.user, pk)
    return _detail(request, station)


def _detail(request: HttpRequest, station: Any, *, status: int = 200, **forms: Any
            ) -> HttpResponse:
    return render(request, "outreach/station_detail.html", {
        "station": station, "weekly": _weekly_text(station),
        "exceptions": station.exceptions.all(), "inspections": station.inspections.all(),
        "photos": station.photos.all(),
        "photo_form": forms.get("photo_form") or PhotoForm(),
        "history": station.history.all(), "tab": "stations",
        "can_write": has_capability(request.user, WRITE, station.org),
        "status_form": forms.get("status_form") or StationStatusForm(),
        "exception_form": forms.get("exception_form") or ExceptionForm(),
        "inspection_form": forms.get("inspection_form") or InspectionForm()}, status=status)


def _station_action(request: HttpRequest, pk: int, form_class: Any, form_key: str,
                    service: Any, success: str) -> HttpResponse:
    """One posted form on a station's page: the service with the cleaned data, back to the page
    on success, the page with the form's errors otherwise."""
    station = access_station(request.user, pk, write=True)
    form = form_class(posted(request))
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: service(
            station=station, actor=request.user, **form.cleaned_data), form=form, success=success)
        if outcome.ok:
            return redirect("outreach:station", station.pk)
    return _detail(request, station, status=form_status(form, outcome), **{form_key: form})


@login_required
@require_POST
def station_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _station_action(request, pk, StationStatusForm, "status_form",
                           svc.station_set_status, _("状态已更新。"))


@login_required
@require_POST
def station_exception(request: HttpRequest, pk: int) -> HttpResponse:
    return _station_action(request, pk, ExceptionForm, "exception_form",
                           svc.station_exception_set, _("已保存特殊开放安排。"))


@login_required
@require_POST
def station_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    return _station_action(request, pk, InspectionForm, "inspection_form",
                           svc.inspection_add, _("已记录检查。"))


@login_required
def station_import(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    form = UploadForm(posted(request), uploaded(request))
    report, outcome = None, None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: svc.stations_import(
            data=form.cleaned_data["file"].read(), actor=request.user), form=form)
        report = outcome.value if outcome.ok else None
    return render(request, "outreach/station_import.html", {
        "form": form, "report": report, "columns": svc.COLUMNS, "tab": "stations"},
        status=form_status(form, outcome))


@login_required
def station_export(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    params = {k: request.GET.get(k, "").strip()
              for k in ("q", "kind", "status", "district", "amenity")}
    rows = selectors.station_list(viewer=request.user, **params).prefetch_related("hours")
    response = HttpResponse(svc.stations_export(rows.iterator(chunk_size=2000)),
                            content_type="application/vnd.openxmlformats-officedocument."
                                         "spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="stations.xlsx"'
    return response
