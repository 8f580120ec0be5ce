"""The employer registry (the denominator of 建会率): create, change, import from .xlsx.
Each write checks employer.write over the employer's area, validates the USCC with python-stdnum
and is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.audit.services import audit_record, diff, snapshot
from gonghui.core.actor import Actor
from gonghui.core.cells import cell_text, first_sheet, is_blank
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from gonghui.orgs.models import Employer, Org, OrgStatus
from gonghui.orgs.validation import clean_uscc

FIELDS = ("name", "uscc", "industry", "address", "employees_count", "area", "union")
MAX_EMPLOYEES = 10_000_000


@dataclass(frozen=True)
class EmployerData:
    name: str
    area: Org
    uscc: str = ""
    industry: str = ""
    address: str = ""
    employees_count: int = 0
    union: Org | None = None


def _validate(data: EmployerData, actor: Actor) -> EmployerData:
    name = " ".join((data.name or "").split())
    if not name:
        raise ApplicationError(_("请填写单位名称。"), extra={"field": "name"})
    if len(name) > 200:
        raise ApplicationError(_("单位名称不能超过 200 个字。"), extra={"field": "name"})
    uscc = clean_uscc(data.uscc)
    if not 0 <= data.employees_count <= MAX_EMPLOYEES:
        raise ApplicationError(_("职工人数应在 0 到 10,000,000 之间。"),
                               extra={"field": "employees_count"})
    if data.area.status != OrgStatus.ACTIVE:
        raise ApplicationError(_("所在区域工会“{n}”已不在正常状态。").format(n=data.area.name),
                               extra={"field": "area"})
    require_capability(actor, Capability.EMPLOYER_WRITE, data.area, read=Capability.ORG_READ)
    if data.union is not None:
        if data.union.status != OrgStatus.ACTIVE:
            raise ApplicationError(_("覆盖工会“{n}”已不在正常状态。").format(n=data.union.name),
                                   extra={"field": "union"})
        if not has_capability(actor, Capability.ORG_READ, data.union):
            raise ApplicationError(_("覆盖工会不在您的管辖范围内。"), extra={"field": "union"})
    return EmployerData(name=name, area=data.area, uscc=uscc, industry=data.industry.strip()[:64],
                        address=data.address.strip()[:255], employees_count=data.employees_count,
                        union=data.union)


def _duplicate(uscc: str) -> Conflict:
    return Conflict(_("统一社会信用代码“{v}”已登记为另一家单位。").format(v=uscc),
                    code="uscc_taken", extra={"field": "uscc"})


@transaction.atomic
def employer_create(*, data: EmployerData, actor: Actor) -> Employer:
    data = _validate(data, actor)
    if data.uscc and Employer.objects.filter(uscc=data.uscc).exists():
        raise _duplicate(data.uscc)
    try:
        with transaction.atomic():
            employer = Employer.objects.create(
                name=data.name, uscc=data.uscc, industry=data.industry, address=data.address,
                employees_count=data.employees_count, area=data.area, union=data.union)
    except IntegrityError as exc:  # a concurrent registration of the same code
        raise _duplicate(data.uscc) from exc
    audit_record(actor=actor, action="stats.employer_create", obj=employer,
                 org_path=employer.area.path, after=snapshot(employer, FIELDS))
    return employer


@transaction.atomic
def employer_update(*, employer: Employer, data: EmployerData, actor: Actor) -> Employer:
    employer = Employer.objects.select_for_update().get(pk=employer.pk)
    require_capability(actor, Capability.EMPLOYER_WRITE, employer.area, read=Capability.ORG_READ)
    data = _validate(data, actor)
    if data.uscc and Employer.objects.filter(uscc=data.uscc).exclude(pk=employer.pk).exists():
        raise _duplicate(data.uscc)
    before = snapshot(employer, FIELDS)
    for name in ("name", "uscc", "industry", "address", "employees_count", "area", "union"):
        setattr(employer, name, getattr(data, name))
    try:
        with transaction.atomic():
            employer.save()
    except IntegrityError as exc:
        raise _duplicate(data.uscc) from exc
    old, new = diff(before, snapshot(employer, FIELDS))
    if new:
        audit_record(actor=actor, action="stats.employer_update", obj=employer,
                     org_path=employer.area.path, before=old, after=new)
    return employer


# --- import --------------------------------------------------------------------------------

HEADERS = {
    "单位名称": "name", "统一社会信用代码": "uscc", "行业": "industry", "地址": "address",
    "职工人数": "employees_count", "所在区域工会代码": "area", "覆盖工会代码": "union",
}
REQUIRED = ("name", "area")
MAX_ROWS = 50_000


@dataclass(frozen=True)
class RowError:
    line_no: int
    column: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _org(code: str, column: str) -> Org:
    org = Org.objects.filter(code=code.strip().upper()).first()
    if org is None:
        raise ApplicationError(_("没有找到组织代码“{v}”。").format(v=code), extra={"field": column})
    return org


def _int(value: Any) -> int:
    text = cell_text(value).replace(",", "")
    if not text:
        return 0
    try:
        number = float(text)
    except ValueError as exc:
        raise ApplicationError(_("职工人数“{v}”不是整数。").format(v=text)) from exc
    if number != int(number) or number < 0:
        raise ApplicationError(_("职工人数“{v}”不是非负整数。").format(v=text))
    return int(number)


def employers_import(*, upload: IO[bytes], actor: Actor) -> ImportReport:
    """Each row is created (new USCC or no USCC and a new name in the area), updated (a known
    USCC) or unchanged; a bad row is reported with its line, column and reason and changes
    nothing. Rows are independent: the good ones are saved."""
    require_capability(actor, Capability.EMPLOYER_WRITE, read=Capability.ORG_READ)
    columns, rows = first_sheet(upload, HEADERS, extra={"field": "upload"})
    missing = [label for label, key in HEADERS.items()
               if key in REQUIRED and key not in columns.values()]
    if missing:
        raise ApplicationError(_("表头缺少：{cols}。").format(cols="、".join(missing)),
                               extra={"field": "upload"})
    labels = {key: label for label, key in HEADERS.items()}
    report = ImportReport()
    for line_no, values in enumerate(rows, start=2):
        if line_no - 1 > MAX_ROWS:
            report.errors.append(RowError(line_no, "", _("一次最多导入 50000 行。")))
            break
        if all(is_blank(v) for v in values):
            continue
        raw = {key: values[i] if i < len(values) else None for i, key in columns.items()}
        column = ""
        try:
            column = "name"
            name = cell_text(raw.get("name"))
            column = "area"
            area = _org(cell_text(raw.get("area")), "area") if not is_blank(raw.get("area")) \
                else None
            if area is None:
                raise ApplicationError(_("请填写所在区域工会代码。"))
            column = "union"
            union = _org(cell_text(raw["union"]), "union") if not is_blank(raw.get("union")) \
                else None
            column = "employees_count"
            employees = _int(raw.get("employees_count"))
            column = "uscc"
            data = EmployerData(name=name, area=area, uscc=cell_text(raw.get("uscc")),
                                industry=cell_text(raw.get("industry")),
                                address=cell_text(raw.get("address")),
                                employees_count=employees, union=union)
            uscc = clean_uscc(data.uscc)
            existing = (Employer.objects.filter(uscc=uscc).first() if uscc else
                        Employer.objects.filter(uscc="", name=" ".join(name.split()),
                                                area=area).first())
            if existing is None:
                employer_create(data=data, actor=actor)
                report.created += 1
            else:
                before = snapshot(existing, FIELDS)
                saved = employer_update(employer=existing, data=data, actor=actor)
                if snapshot(saved, FIELDS) == before:
                    report.unchanged += 1
                else:
                    report.updated += 1
        except ApplicationError as exc:
            field_name = exc.extra.get("field") or column
            message = exc.message
            if isinstance(exc, (NotFound, Forbidden)):
                field_name, message = "area", _("您无权在该组织范围内登记用人单位。")
            report.errors.append(RowError(line_no, str(labels.get(field_name, field_name)),
                                          message))
    audit_record(actor=actor, action="stats.employers_import", object_type="orgs.employer",
                 note=_("导入用人单位：新增 {c}，更新 {u}，未变 {n}，错误 {e}").format(
                     c=report.created, u=report.updated, n=report.unchanged,
                     e=len(report.errors)))
    return report
