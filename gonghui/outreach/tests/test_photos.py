"""Station photos: the upload checks (size, content by its first bytes, a readable picture, the
pixel limit, nine per station), the metadata dropped, audit rows, and the one serving view:
a public station's photo for any signed-in user, any other only for the station's readers."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from conftest import make_user
from gonghui.audit.models import AuditEvent
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.outreach.models import StationPhoto
from gonghui.outreach.services import photos
from gonghui.outreach.tests.conftest import make_station


def _jpeg(width: int = 40, height: int = 30, *, gps: bool = False) -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {2: (31.0, 14.0, 0.0), 4: (121.0, 28.0, 0.0)}   # GPSInfo
        exif[0x010F] = "PhoneMaker"                                     # Make
    picture.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _png(width: int = 20, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 120, 0)).save(out, "PNG")
    return out.getvalue()


def _upload(data: bytes, name: str = "站点.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def station(tree):
    return make_station(tree["SH-A-1-1"], code="A-1", name="甲一站")


def test_photo_is_stored_without_metadata(station, cadre_a, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    raw = _jpeg(3000, 1500, gps=True)
    assert Image.open(io.BytesIO(raw)).getexif().get(0x8825) is not None
    photo = photos.photo_add(station=station, upload=_upload(raw), caption=" 门口 ",
                             actor=cadre_a)
    assert (photo.content_type, photo.width, photo.height, photo.caption) == (
        "image/jpeg", 2048, 1024, "门口")
    stored = Image.open(photo.content.open("rb"))
    assert stored.size == (2048, 1024)
    assert dict(stored.getexif()) == {}
    event = AuditEvent.objects.get(action="outreach.station.photo_add")
    assert event.after == {"photo": photo.pk, "size": photo.size, "caption": "门口"}


@pytest.mark.parametrize(("data", "message"), [
    (b"%PDF-1.4 not a picture", "只接受 PNG 或 JPEG 照片。"),
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "图片已损坏或无法读取，请换一张照片。"),
    (b"\xff\xd8\xff" + _png()[3:], "图片已损坏或无法读取，请换一张照片。"),
])
def test_bad_uploads_are_refused(station, cadre_a, settings, tmp_path, data, message) -> None:
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ApplicationError) as refused:
        photos.photo_add(station=station, upload=_upload(data), actor=cadre_a)
    assert refused.value.message == message
    assert StationPhoto.objects.count() == 0
    assert list(tmp_path.rglob("*.*")) == []


def test_size_pixels_and_count_limits(station, cadre_a, settings, tmp_path, monkeypatch) -> None:
    settings.MEDIA_ROOT = tmp_path
    big = _upload(b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024))
    with pytest.raises(ApplicationError) as refused:
        photos.photo_add(station=station, upload=big, actor=cadre_a)
    assert refused.value.message == "照片不能超过 5 MB。"
    monkeypatch.setattr(photos, "MAX_PIXELS", 399)
    with pytest.raises(ApplicationError) as refused:
        photos.photo_add(station=station, upload=_upload(_png(20, 20)), actor=cadre_a)
    assert refused.value.message == "图片像素过大（不超过 4000 万像素）。"
    monkeypatch.setattr(photos, "MAX_PIXELS", 400)
    for _n in range(9):
        photos.photo_add(station=station, upload=_upload(_png(20, 20), "a.png"), actor=cadre_a)
    with pytest.raises(Conflict) as full:
        photos.photo_add(station=station, upload=_upload(_png()), actor=cadre_a)
    assert full.value.message == "每个站点最多 9 张照片，请先删除旧照片。"
    assert StationPhoto.objects.count() == 9


def test_serving_is_checked(tree, station, cadre_a, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    photo = photos.photo_add(station=station, upload=_upload(_png(), "a.png"), actor=cadre_a)
    url = reverse("outreach:station_photo", args=[station.pk, photo.pk])
    worker = Client()
    worker.force_login(make_user("worker_x"))
    outsider = Client()
    outsider.force_login(make_user("outreach_b", org=tree["SH-B"], role="cadre"))
    got = worker.get(url)
    assert (got.status_code, got["Content-Type"]) == (200, "image/png")
    assert b"".join(got.streaming_content).startswith(b"\x89PNG")
    assert outsider.get(url).status_code == 200          # a public station: a public field
    assert Client().get(url).status_code == 302          # never without signing in
    station.public = False
    station.save(update_fields=["public"])
    assert worker.get(url).status_code == 404
    assert outsider.get(url).status_code == 404
    mine = Client()
    mine.force_login(cadre_a)
    assert mine.get(url).status_code == 200
    # a photo id under another station's URL is not found
    other = make_station(tree["SH-A-1"], code="A-2")
    assert mine.get(reverse("outreach:station_photo", args=[other.pk, photo.pk])).status_code \
        == 404


def test_upload_and_delete_pages(tree, station, cadre_a, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    viewer = Client()
    viewer.force_login(make_user("viewer_a", org=tree["SH-A"], role="viewer"))
    add = reverse("outreach:station_photo_add", args=[station.pk])
    assert viewer.post(add, {"photo": _upload(_png(), "a.png")}).status_code == 403
    assert StationPhoto.objects.count() == 0
    client = Client()
    client.force_login(cadre_a)
    bad = client.post(add, {"photo": _upload(b"GIF89a....", "a.gif")})
    assert bad.status_code == 400
    assert "只接受 PNG 或 JPEG 照片。" in bad.content.decode()
    assert client.post(add, {"photo": _upload(_png(), "a.png"), "caption": "休息区"}) \
        .status_code == 302
    photo = StationPhoto.objects.get()
    page = client.get(reverse("outreach:station", args=[station.pk])).content.decode()
    assert f'/outreach/stations/{station.pk}/photos/{photo.pk}/' in page
    delete = reverse("outreach:station_photo_delete", args=[station.pk, photo.pk])
    assert viewer.post(delete).status_code == 403
    assert StationPhoto.objects.count() == 1
    assert client.post(delete).status_code == 302
    assert StationPhoto.objects.count() == 0
    assert AuditEvent.objects.filter(action="outreach.station.photo_delete").count() == 1


def test_photo_api(tree, station, cadre_a, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.force_login(cadre_a)
    base = f"/api/v1/outreach/stations/{station.pk}/photos"
    assert client.post(base, {"caption": "门口"}).status_code == 400     # no file
    made = client.post(base, {"caption": "门口", "file": _upload(_png(30, 10), "a.png")})
    assert made.status_code == 201
    photo = StationPhoto.objects.get()
    assert made.json() == {"id": photo.pk, "caption": "门口", "content_type": "image/png",
                           "width": 30, "height": 10,
                           "url": f"/outreach/stations/{station.pk}/photos/{photo.pk}/"}
    assert client.get(base).json() == [made.json()]
    bad = client.post(base, {"file": _upload(b"%PDF-1.4", "a.pdf")})
    assert (bad.status_code, bad.json()["detail"]) == (400, "只接受 PNG 或 JPEG 照片。")
    viewer = Client()
    viewer.force_login(make_user("viewer_a", org=tree["SH-A"], role="viewer"))
    assert viewer.delete(f"{base}/{photo.pk}").status_code == 403
    assert StationPhoto.objects.count() == 1
    assert client.delete(f"{base}/{photo.pk}").status_code == 204
    assert StationPhoto.objects.count() == 0
