"""Photos of a service point. An upload is checked before anything is stored: at most 5 MB, a
PNG or JPEG by its first bytes (not its name), a picture Pillow can read within 40 megapixels
(a decompression bomb is refused before it is decoded), at most 9 per station. The picture is
then drawn again — turned upright, scaled to at most 2048 pixels, and saved without its
metadata — so what is stored carries no GPS position or camera data from the phone and no
bytes smuggled after the image."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.outreach.models import Station, StationPhoto

WRITE = Capability.OUTREACH_WRITE
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
MAX_PER_STATION = 9
_TYPES = ((b"\x89PNG\r\n\x1a\n", "PNG", "image/png"), (b"\xff\xd8\xff", "JPEG", "image/jpeg"))


def _refuse(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, extra={"field": "photo"})


def _redraw(upload: UploadedFile, kind: str) -> tuple[bytes, int, int]:
    """The picture drawn again without metadata: (bytes, width, height)."""
    # Pillow is loaded only for an upload (pages and the API never need it otherwise)
    from PIL import Image, ImageOps

    try:
        with Image.open(upload) as probe:
            if probe.format != kind:
                raise _refuse(_("文件内容与图片格式不符。"), "bad_type")
            if probe.width * probe.height > MAX_PIXELS:
                raise _refuse(_("图片像素过大（不超过 4000 万像素）。"), "too_many_pixels")
            probe.load()
            picture = ImageOps.exif_transpose(probe)
            picture.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            if kind == "JPEG":
                picture.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            else:
                picture.save(out, "PNG", optimize=True)
            return out.getvalue(), picture.width, picture.height
    except ApplicationError:
        raise
    except Exception:   # Pillow raises many kinds (OSError, SyntaxError, DecompressionBomb…)
        raise _refuse(_("图片已损坏或无法读取，请换一张照片。"), "bad_image") from None


@transaction.atomic
def photo_add(*, station: Station, upload: UploadedFile, actor: Actor,
              caption: str = "") -> StationPhoto:
    require_capability(actor, WRITE, station.org)
    # the station row is locked so two uploads at once cannot pass the count together
    Station.objects.select_for_update().filter(pk=station.pk).first()
    if StationPhoto.objects.filter(station=station).count() >= MAX_PER_STATION:
        raise Conflict(_("每个站点最多 {n} 张照片，请先删除旧照片。").format(n=MAX_PER_STATION),
                       code="too_many_photos")
    if (upload.size or 0) > MAX_BYTES:
        raise _refuse(_("照片不能超过 5 MB。"), "too_large")
    head = upload.read(16)
    upload.seek(0)
    kind = next(((k, t) for magic, k, t in _TYPES if head.startswith(magic)), None)
    if kind is None:
        raise _refuse(_("只接受 PNG 或 JPEG 照片。"), "bad_type")
    data, width, height = _redraw(upload, kind[0])
    photo = StationPhoto(station=station, content_type=kind[1], size=len(data), width=width,
                         height=height, caption=caption.strip()[:100],
                         uploaded_by=actor_user(actor), uploaded_at=clock.now())
    photo.content.save("photo." + ("jpg" if kind[0] == "JPEG" else "png"), ContentFile(data),
                       save=False)
    photo.save()
    audit_record(actor=actor, action="outreach.station.photo_add", obj=station,
                 org_path=station.org_path,
                 after={"photo": photo.pk, "size": photo.size, "caption": photo.caption})
    return photo


@transaction.atomic
def photo_delete(*, photo: StationPhoto, actor: Actor) -> None:
    station = photo.station
    require_capability(actor, WRITE, station.org)
    before: dict[str, Any] = {"photo": photo.pk, "caption": photo.caption}
    name = photo.content.name
    storage = photo.content.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))
    audit_record(actor=actor, action="outreach.station.photo_delete", obj=station,
                 org_path=station.org_path, before=before)
