"""Service points: create, edit, status, opening hours and exceptions, inspections, import."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor
from gonghui.core.cells import (
    CellError,
    cell_text,
    check_spreadsheet,
    is_blank,
    parse_bool,
    parse_date,
)
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.sheets import SafeSheet
from gonghui.core.workflow import transition
from gonghui.orgs.models import Org, OrgStatus
from gonghui.outreach import geo, hours
from gonghui.outreach.models import (
    AMENITY_CODES,
    STATION_TRANSITIONS,
    Amenity,
    Inspection,
    Station,
    StationException,
    StationHours,
    StationKind,
)

WRITE = Capability.OUTREACH_WRITE
FIELDS = ("name", "kind", "address", "district", "lat", "lon", "amenities", "phone",
          "opened_on", "public", "note")


def check_coordinates(lat: Any, lon: Any) -> tuple[float, float]:
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        raise ApplicationError(_("经纬度必须是数字，例如 纬度 31.2304、经度 121.4737。"),
                               extra={"field": "lat"}) from None
    if not geo.inside_china(lat_f, lon_f):
        if geo.inside_china(lon_f, lat_f):
            message = _("经纬度似乎填反了：纬度应在 18 到 54 之间，经度应在 73 到 135 之间。")
        else:
            message = _("坐标不在中国境内：纬度应在 18 到 54 之间，经度应在 73 到 135 之间。")
        raise ApplicationError(message, extra={"field": "lat"})
    return round(lat_f, 6), round(lon_f, 6)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k in FIELDS}
    if "lat" in out or "lon" in out:
        out["lat"], out["lon"] = check_coordinates(out.get("lat"), out.get("lon"))
    for name in ("name", "address", "district"):
        if name in out:
            out[name] = (out[name] or "").strip()
            if not out[name]:
                raise ApplicationError(_("请填写站点的名称、地址和所在区。"), extra={"field": name})
    if "kind" in out and out["kind"] not in StationKind.values:
        raise ApplicationError(_("站点类型不正确。"), extra={"field": "kind"})
    return out


def _require_org(actor: Actor, org: Org) -> None:
    require_capability(actor, WRITE, org)
    if org.status != OrgStatus.ACTIVE:
        raise Conflict(_("该组织已合并或撤销，不能新建站点。"))


@transaction.atomic
def station_create(*, org: Org, actor: Actor, code: str = "", weekly: str = "",
                   **data: Any) -> Station:
    _require_org(actor, org)
    values = _clean(data)
    code = (code or "").strip() or f"ST{secrets.token_hex(5).upper()}"
    if Station.objects.filter(code=code).exists():
        raise Conflict(_("站点编号 {code} 已被使用。").format(code=code), extra={"field": "code"})
    station = Station.objects.create(org=org, org_path=org.path, code=code, **values)
    if weekly:
        _set_weekly(station, weekly)
    audit_record(actor=actor, action="outreach.station.create", obj=station, org_path=org.path,
                 after={"code": code, **values})
    return station


@transaction.atomic
def station_update(*, station: Station, actor: Actor, weekly: str | None = None,
                   **data: Any) -> Station:
    require_capability(actor, WRITE, station.org)
    values = _clean(data)
    before = {k: getattr(station, k) for k in values}
    for name, value in values.items():
        setattr(station, name, value)
    station.save(update_fields=[*values, "updated_at"])
    if weekly is not None:
        _set_weekly(station, weekly)
    audit_record(actor=actor, action="outreach.station.update", obj=station,
                 org_path=station.org_path, before=before, after=values)
    return station


def _set_weekly(station: Station, text: str) -> None:
    try:
        weekly = hours.parse_weekly(text)
    except ValueError as exc:
        raise ApplicationError(str(exc), extra={"field": "weekly"}) from None
    StationHours.objects.filter(station=station).delete()
    StationHours.objects.bulk_create([
        StationHours(station=station, weekday=d, opens=o, closes=c)
        for d, spans in weekly.items() for o, c in spans])


@transaction.atomic
def station_set_status(*, station: Station, status: str, actor: Actor,
                       reason: str = "") -> Station:
    require_capability(actor, WRITE, station.org)
    if not reason.strip():
        raise ApplicationError(_("请说明原因。"), extra={"field": "reason"})
    old = station.status
    station = transition(station, status, transitions=STATION_TRANSITIONS, actor=actor,
                         reason=reason)
    audit_record(actor=actor, action="outreach.station.status", obj=station,
                 org_path=station.org_path, before={"status": old}, after={"status": status},
                 note=reason)
    return station


@transaction.atomic
def station_exception_set(*, station: Station, day: dt.date, closed: bool,
                          opens: dt.time | None, closes: dt.time | None, note: str,
                          actor: Actor) -> StationException:
    require_capability(actor, WRITE, station.org)
    if not closed and (opens is None or closes is None):
        raise ApplicationError(_("请填写当天的开放和关闭时间，或勾选“全天关闭”。"))
    row, _created = StationException.objects.update_or_create(
        station=station, day=day, defaults={"closed": closed, "opens": None if closed else opens,
                                            "closes": None if closed else closes, "note": note})
    audit_record(actor=actor, action="outreach.station.exception", obj=station,
                 org_path=station.org_path,
                 after={"day": day, "closed": closed, "opens": opens, "closes": closes})
    return row


@transaction.atomic
def inspection_add(*, station: Station, inspected_on: dt.date, passed: bool, inspector: str,
                   note: str, actor: Actor) -> Inspection:
    require_capability(actor, WRITE, station.org)
    if not inspector.strip():
        raise ApplicationError(_("请填写检查人。"), extra={"field": "inspector"})
    row = Inspection.objects.create(station=station, inspected_on=inspected_on, passed=passed,
                                    inspector=inspector.strip(), note=note)
    audit_record(actor=actor, action="outreach.station.inspect", obj=station,
                 org_path=station.org_path,
                 after={"inspected_on": inspected_on, "passed": passed})
    return row


# --- .xlsx import ---------------------------------------------------------------------------

COLUMNS = ("站点编号", "站点名称", "类型", "所属工会代码", "地址", "所在区", "纬度", "经度",
           "服务设施", "开放时间", "联系电话", "建成日期", "公开")
REQUIRED = ("站点名称", "类型", "所属工会代码", "地址", "所在区", "纬度", "经度", "开放时间")
KIND_ALIASES = {"爱心接力站": "outdoor", "户外劳动者服务站点": "outdoor", "爱心妈咪小屋": "nursing",
                "职工书屋": "library", "服务驿站": "post", "帮扶中心": "aid_center"}


def kind_of(text: str) -> str:
    """The kind a cell names: its label in the active language (as `cell_text` gives it: NFKC
    turns full-width brackets into ASCII), a short alias, or the code itself."""
    labels = {cell_text(str(label)): value for value, label in StationKind.choices}
    return labels.get(text) or KIND_ALIASES.get(text) or text


AMENITY_BY_LABEL = {str(a.label): a.value for a in Amenity} | dict(AMENITY_CODES) | {
    "饮水": Amenity.WATER, "座椅": Amenity.SEATS, "充电": Amenity.CHARGING, "厕所": Amenity.TOILET,
    "药箱": Amenity.FIRST_AID}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    refused: list[tuple[int, str, str]] = field(default_factory=list)   # row, column, message

    def reject(self, row: int, column: str, message: str) -> None:
        self.refused.append((row, column, message))


def parse_amenities(text: str) -> int:
    mask = 0
    for part in [p.strip() for p in text.replace("，", ",").replace("、", ",").split(",")]:
        if not part:
            continue
        bit = AMENITY_BY_LABEL.get(part)
        if bit is None:
            raise CellError("amenity", _("不认识的服务设施“{name}”，可选：{choices}。").format(
                name=part, choices="、".join(str(a.label) for a in Amenity)))
        mask |= int(bit)
    return mask


def stations_import(*, data: bytes, actor: Actor) -> ImportReport:
    """Import an .xlsx (columns COLUMNS, first row the header). A row with a station code that
    exists updates that station; a new code (or none) creates one. Each refused row is reported
    with its column and the reason; the good rows are saved (each row in its own savepoint)."""
    # why: openpyxl is heavy and only the import needs it
    from openpyxl import load_workbook

    report = ImportReport()
    check_spreadsheet(data)  # a zip bomb is refused before it is unpacked
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception:
        raise ApplicationError(_("无法读取该文件，请上传 .xlsx 格式的表格。")) from None
    rows = sheet.iter_rows(values_only=True)
    header = [cell_text(c) for c in next(rows, ())]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ApplicationError(_("表头缺少列：{cols}。").format(cols="、".join(missing)))
    index = {name: header.index(name) for name in COLUMNS if name in header}
    orgs: dict[str, Org | None] = {}
    for row_no, values in enumerate(rows, start=2):
        if all(is_blank(v) for v in values):
            continue
        cell = {name: (values[i] if i < len(values) else None) for name, i in index.items()}
        _import_row(row_no, cell, orgs, report, actor)
    audit_record(actor=actor, action="outreach.station.import", object_type="outreach.station",
                 object_repr=_("站点导入"), after={"created": report.created,
                                                  "updated": report.updated,
                                                  "refused": len(report.refused)})
    return report


def _import_row(row_no: int, cell: dict[str, Any], orgs: dict[str, Org | None],
                report: ImportReport, actor: Actor) -> None:
    for name in REQUIRED:
        if is_blank(cell.get(name)):
            report.reject(row_no, name, _("必填，不能为空。"))
            return
    kind = kind_of(cell_text(cell["类型"]))
    if kind not in StationKind.values:
        report.reject(row_no, "类型", _("不认识的站点类型“{v}”，可选：{c}。").format(
            v=cell_text(cell["类型"]), c="、".join(str(lb) for _v, lb in StationKind.choices)))
        return
    org_code = cell_text(cell["所属工会代码"])
    if org_code not in orgs:
        orgs[org_code] = Org.objects.filter(code=org_code).first()
    org = orgs[org_code]
    if org is None:
        report.reject(row_no, "所属工会代码", _("找不到工会代码 {code}。").format(code=org_code))
        return
    try:
        amenities = parse_amenities(cell_text(cell.get("服务设施")))
        opened_on = parse_date(cell.get("建成日期"), required=False)
        public = parse_bool(cell.get("公开"))
    except CellError as exc:
        column = "服务设施" if exc.code == "amenity" else ("公开" if "bool" in exc.code else "建成日期")
        report.reject(row_no, column, exc.message)
        return
    values = {"name": cell_text(cell["站点名称"]), "kind": kind, "address": cell_text(cell["地址"]),
              "district": cell_text(cell["所在区"]), "lat": cell["纬度"], "lon": cell["经度"],
              "amenities": amenities, "phone": cell_text(cell.get("联系电话"))[:20],
              "opened_on": opened_on, "public": True if public is None else public}
    code = cell_text(cell.get("站点编号"))
    try:
        with transaction.atomic():
            existing = Station.objects.filter(code=code).select_related("org").first() \
                if code else None
            if existing is not None:
                if existing.org_id != org.pk:
                    raise Conflict(_("站点编号 {code} 属于其他工会。").format(code=code))
                station_update(station=existing, actor=actor, weekly=cell_text(cell["开放时间"]),
                               **values)
                report.updated += 1
            else:
                station_create(org=org, actor=actor, code=code,
                               weekly=cell_text(cell["开放时间"]), **values)
                report.created += 1
    except ApplicationError as exc:
        column = {"lat": "纬度", "weekly": "开放时间", "code": "站点编号"}.get(
            exc.extra.get("field", ""), "所属工会代码" if exc.status_code in (403, 404) else "")
        message = exc.message or _("无权在该工会下登记站点。")
        report.reject(row_no, column, message)
    except IntegrityError:
        report.reject(row_no, "站点编号", _("站点编号重复。"))


def stations_export(stations: Any) -> bytes:
    """The registry as .xlsx, in the import's columns (a round trip imports unchanged)."""
    # why: openpyxl is heavy and only the export needs it
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = SafeSheet(book.create_sheet("站点"))
    sheet.append(list(COLUMNS))
    labels = dict(StationKind.choices)
    for s in stations:
        weekly: dict[int, list[hours.Interval]] = {}
        for h in s.hours.all():
            weekly.setdefault(h.weekday, []).append((h.opens, h.closes))
        sheet.append([s.code, s.name, str(labels[s.kind]), s.org.code, s.address, s.district,
                      s.lat, s.lon, "、".join(s.amenity_labels()), hours.format_weekly(weekly),
                      s.phone, s.opened_on, "是" if s.public else "否"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
