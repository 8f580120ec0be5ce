"""Station photos: upload and delete (cadres with outreach.write over the station), and the one
view that serves a photo after checking who asks (permissions.access_station_photo)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import NotFound
from gonghui.core.views import run_service
from gonghui.outreach.forms import PhotoForm
from gonghui.outreach.models import StationPhoto
from gonghui.outreach.permissions import access_station, access_station_photo
from gonghui.outreach.services import photos as svc
from gonghui.outreach.views.stations import _detail


@login_required
@require_POST
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    station = access_station(request.user, pk, write=True)
    form = PhotoForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        outcome = run_service(request, lambda: svc.photo_add(
            station=station, upload=form.cleaned_data["photo"],
            caption=form.cleaned_data["caption"], actor=request.user), form=form,
            success=_("照片已上传。"))
        if outcome.ok:
            return redirect("outreach:station", station.pk)
        status = outcome.status
    return _detail(request, station, status=status, photo_form=form)


@login_required
@require_POST
def photo_delete(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    station = access_station(request.user, pk, write=True)
    photo = StationPhoto.objects.filter(pk=photo_id, station=station).first()
    if photo is None:
        raise NotFound()
    run_service(request, lambda: svc.photo_delete(photo=photo, actor=request.user),
                success=_("照片已删除。"))
    return redirect("outreach:station", station.pk)


@login_required
def photo(request: HttpRequest, pk: int, photo_id: int) -> FileResponse:
    item = access_station_photo(request.user, pk, photo_id)
    response = FileResponse(item.content.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
