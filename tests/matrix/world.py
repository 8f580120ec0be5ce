"""One fixture world for the route matrix: the shared tree, the personas, and at least one object
of each kind in district A (at SH-A-1-1, or at SH-A for objects federations own) and in
district B — through the apps' own services and test helpers wherever they exist.

Each kind is built by its own builder inside a savepoint: a builder broken by a change in its
app fails only the routes that need that kind (the message names the builder's error), never
the whole matrix.
"""

from __future__ import annotations

import datetime as dt
import io
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from conftest import make_org, make_user
from tests.matrix.personas import PERSONAS, Persona


@dataclass(frozen=True)
class Obj:
    """An object of the world: its id(s) for the URL and the org that decides who sees it."""

    pk: Any
    org: str                                 # org code
    ids: dict[str, Any] = field(default_factory=dict)   # further URL parameters
    owner: str = ""                          # username, for objects only their owner reaches
    seen: tuple[str, ...] = ()               # further orgs from which it is visible


class MissingObject(LookupError):
    pass


@dataclass
class World:
    orgs: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, dict[str, Obj]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    baseline: dict[str, str] = field(default_factory=dict)   # digest of the built world

    def user(self, persona: Persona) -> Any:
        return self.users.get(persona.username) if persona.username else None

    def obj(self, kind: str, key: str) -> Obj:
        """`key` is "A", "B" or, for owned kinds, a username."""
        found = self.objects.get(kind, {}).get(key)
        if found is None:
            reason = self.errors.get(kind, "no builder made it")
            raise MissingObject(f"the world has no {kind!r} for {key!r}: {reason}")
        return found

    def path(self, org_code: str) -> str:
        return self.orgs[org_code].path

    @property
    def root(self) -> str:
        return TREE[0][0]


BUILDERS: list[tuple[str, Callable[[World], dict[str, Obj]]]] = []


def builder(kind: str) -> Callable[[Callable[[World], dict[str, Obj]]],
                                   Callable[[World], dict[str, Obj]]]:
    def register(fn: Callable[[World], dict[str, Obj]]) -> Callable[[World], dict[str, Obj]]:
        BUILDERS.append((kind, fn))
        return fn
    return register


TREE = [  # code, name, level, type, parent
    ("SH", "测试市总工会", "city", "federation", None),
    ("SH-A", "甲区总工会", "district", "federation", "SH"),
    ("SH-B", "乙区总工会", "district", "federation", "SH"),
    ("SH-A-1", "甲区一街道工会", "street", "street", "SH-A"),
    ("SH-B-1", "乙区一街道工会", "street", "street", "SH-B"),
    ("SH-A-1-1", "甲一公司工会", "grassroots", "grassroots", "SH-A-1"),
    ("SH-A-1-2", "甲二公司工会", "grassroots", "grassroots", "SH-A-1"),
    ("SH-B-1-1", "乙一公司工会", "grassroots", "grassroots", "SH-B-1"),
    ("SH-B-1-2", "乙二公司工会", "grassroots", "grassroots", "SH-B-1"),
]

# The world is built, and asked, on one day: periods, deadlines and notices stay as built.
WORLD_DAY = dt.datetime(2026, 10, 15, 10, 0)

# The two unions whose objects the personas are shown, and the two federations.
UNION = {"A": "SH-A-1-1", "B": "SH-B-1-1"}
DISTRICT = {"A": "SH-A", "B": "SH-B"}
SIDES = ("A", "B")


def build() -> World:
    from gonghui.accounts.models import RoleAssignment
    from gonghui.core import clock
    from gonghui.orgs.models import Org

    world = World()
    for code, name, level, org_type, parent in TREE:
        make_org(world.orgs.get(parent) if parent else None, code, name, level, org_type)
        world.orgs[code] = Org.objects.get(code=code)
    for persona in PERSONAS:
        if persona.anonymous:
            continue
        user = make_user(persona.username)
        for code, role in persona.grants:
            RoleAssignment.objects.create(user=user, org=world.orgs[code], role=role)
        world.users[persona.username] = user
    world.users["district_b"] = make_user("district_b", org=world.orgs["SH-B"], role="admin")
    world.users["cadre_a11"] = make_user("cadre_a11", org=world.orgs["SH-A-1-1"], role="cadre")
    world.users["cadre_b11"] = make_user("cadre_b11", org=world.orgs["SH-B-1-1"], role="cadre")
    # Mutual-aid rules count days from plan years; build on the day its tests stand on.
    with clock.frozen(WORLD_DAY):
        for kind, fn in BUILDERS:
            try:
                with transaction.atomic():
                    world.objects[kind] = fn(world)
            except Exception:  # recorded; the routes that need the kind report it
                world.errors[kind] = traceback.format_exc(limit=-3)
    return world


def admin(world: World) -> Any:
    return world.users["city_admin"]


# --- accounts, orgs -----------------------------------------------------------------------

@builder("org")
def _orgs(world: World) -> dict[str, Obj]:
    return {s: Obj(world.orgs[UNION[s]].pk, UNION[s], {"code": UNION[s]}) for s in SIDES}


@builder("org2")
def _second_orgs(world: World) -> dict[str, Obj]:
    """The other grassroots union of each street: a target for merges and transfers."""
    return {s: Obj(world.orgs[f"{UNION[s][:-1]}2"].pk, f"{UNION[s][:-1]}2") for s in SIDES}


@builder("role")
def _roles(world: World) -> dict[str, Obj]:
    from gonghui.accounts.models import RoleAssignment

    out = {}
    for s in SIDES:
        user = make_user(f"viewer_{s.lower()}11")
        grant = RoleAssignment.objects.create(user=user, org=world.orgs[UNION[s]], role="viewer")
        out[s] = Obj(grant.pk, UNION[s])
    return out


# --- members ------------------------------------------------------------------------------

def _person_fields(name: str, **extra: Any) -> dict[str, Any]:
    from gonghui.members.tests.factories import person_fields

    return person_fields(name=name, **extra)


@builder("membership")
def _memberships(world: World) -> dict[str, Obj]:
    from gonghui.members.models import Person
    from gonghui.members.services import member_add

    out = {}
    for s in SIDES:
        membership = member_add(union=world.orgs[UNION[s]], fields=_person_fields(f"会员{s}"),
                                actor=admin(world), joined_on=dt.date(2020, 1, 1))
        out[s] = Obj(membership.pk, UNION[s], {"person": membership.person_id})
    # the member persona: a worker whose account is linked to an active membership
    worker = member_add(union=world.orgs[UNION["A"]], fields=_person_fields("职工甲"),
                        actor=admin(world), joined_on=dt.date(2019, 1, 1))
    Person.objects.filter(pk=worker.person_id).update(user=world.users["worker"])
    out["worker"] = Obj(worker.pk, UNION["A"], owner="worker")
    return out


@builder("application")
def _applications(world: World) -> dict[str, Obj]:
    from gonghui.members.services import application_submit

    out = {}
    for s in SIDES:
        application = application_submit(union=world.orgs[UNION[s]],
                                         fields=_person_fields(f"申请人{s}"), actor=admin(world))
        out[s] = Obj(application.pk, UNION[s])
    return out


@builder("own_application")
def _own_application(world: World) -> dict[str, Obj]:
    """An application the worker filed for a relative's account — theirs to see and withdraw;
    the other personas are shown it too (not theirs: 404)."""
    from gonghui.members.models import Application
    from gonghui.members.services import application_submit

    application = application_submit(union=world.orgs[UNION["A"]],
                                     fields=_person_fields("职工家属"), actor=admin(world))
    Application.objects.filter(pk=application.pk).update(applicant=world.users["worker"])
    return {"A": Obj(application.pk, UNION["A"], owner="worker"),
            "B": Obj(application.pk, UNION["A"], owner="worker")}


@builder("transfer")
def _transfers(world: World) -> dict[str, Obj]:
    """A transfer out of each side's union to the other union of its street: the personas
    act on the receiving side (accept)."""
    from gonghui.members.services import member_add, transfer_start

    out = {}
    for s in SIDES:
        membership = member_add(union=world.orgs[UNION[s]], fields=_person_fields(f"调动{s}"),
                                actor=admin(world), joined_on=dt.date(2020, 1, 1))
        transfer = transfer_start(membership=membership,
                                  to_union=world.orgs[f"{UNION[s][:-1]}2"],
                                  actor=admin(world), reason="调动")
        out[s] = Obj(transfer.pk, f"{UNION[s][:-1]}2", seen=(UNION[s],))
    return out


@builder("transfer_out")
def _transfers_out(world: World) -> dict[str, Obj]:
    """The same transfers, acted on by the sending union (cancel)."""
    return {s: Obj(world.obj("transfer", s).pk, UNION[s], seen=(f"{UNION[s][:-1]}2",))
            for s in SIDES}


# --- roster -------------------------------------------------------------------------------

@builder("import_job")
def _import_jobs(world: World) -> dict[str, Obj]:
    from gonghui.roster.models import ImportJob, ImportStatus

    out = {}
    for s in SIDES:
        org = world.orgs[UNION[s]]
        job = ImportJob.objects.create(
            org=org, org_path=org.path, created_by=admin(world), created_by_name="city_admin",
            source_name="名册.csv", source_path="roster/imports/none.csv", source_sha256="0" * 64,
            as_of=dt.date(2026, 10, 15), status=ImportStatus.FAILED, error="测试")
        out[s] = Obj(job.pk, UNION[s])
    return out


@builder("export_job")
def _export_jobs(world: World) -> dict[str, Obj]:
    from gonghui.roster.models import ExportJob

    out = {}
    for s in SIDES:
        org = world.orgs[UNION[s]]
        owner = "city_admin" if s == "A" else "district_b"
        job = ExportJob.objects.create(org=org, org_path=org.path, created_by=world.users[owner],
                                       created_by_name=owner, status="failed", error="测试")
        out[s] = Obj(job.pk, UNION[s], owner=owner)
    return out


@builder("selfservice_request")
def _selfservice_requests(world: World) -> dict[str, Obj]:
    """A member's pending self-service request in each district's union."""
    from gonghui.members.models import Membership, SelfServiceRequest

    out = {}
    for s in SIDES:
        m = Membership.objects.get(pk=world.objects["membership"][s].pk)
        row = SelfServiceRequest.objects.create(
            person_id=m.person_id, membership=m, union_id=m.union_id, union_path=m.union_path,
            kind="skill_level", value="senior")
        out[s] = Obj(row.pk, UNION[s])
    return out


@builder("bulk_job")
def _bulk_jobs(world: World) -> dict[str, Obj]:
    """A cadre's own bulk decision job (visible to its creator only)."""
    from gonghui.members.models import BulkDecisionJob

    out = {}
    for s in SIDES:
        owner = "city_admin" if s == "A" else "district_b"
        job = BulkDecisionJob.objects.create(kind="application", action="approve", ids=[],
                                             created_by=world.users[owner],
                                             created_by_name=owner, status="done")
        out[s] = Obj(job.pk, UNION[s], owner=owner)
    return out


# --- funds --------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@builder("tx")
def _transactions(world: World) -> dict[str, Obj]:
    from gonghui.funds.services import evidence_attach, income_record

    out = {}
    for s in SIDES:
        tx = income_record(union=world.orgs[UNION[s]], date=dt.date(2026, 10, 10),
                           account_code="4301", amount=Decimal("1000.00"), memo="会费收入",
                           idempotency_key=f"matrix-{s}", actor=admin(world))
        evidence = evidence_attach(tx=tx, upload=SimpleUploadedFile(
            "发票.pdf", PDF, content_type="application/pdf"), actor=admin(world))
        out[s] = Obj(tx.pk, UNION[s], {"evidence": evidence.pk})
    return out


@builder("finding")
def _findings(world: World) -> dict[str, Obj]:
    from gonghui.funds.services import finding_add

    out = {}
    for s in SIDES:
        finding = finding_add(union=world.orgs[UNION[s]], text="票据不全", severity="note",
                              actor=world.users["auditor"])
        out[s] = Obj(finding.pk, UNION[s])
    return out


@builder("limit")
def _limits(world: World) -> dict[str, Obj]:
    from gonghui.funds.services import policy_limit_create

    out = {}
    for s in SIDES:
        limit = policy_limit_create(org=world.orgs[DISTRICT[s]], name="慰问品限额",
                                    account_code="510102", kind="per_entry", amount=Decimal("500"),
                                    action="warn", actor=admin(world))
        out[s] = Obj(limit.pk, DISTRICT[s])
    return out


@builder("dues_list")
def _dues(world: World) -> dict[str, Obj]:
    from gonghui.funds.services import dues_list_generate

    out = {}
    for s in SIDES:
        dues_list = dues_list_generate(union=world.orgs[UNION[s]], year=2026, month=9,
                                       actor=admin(world))
        entry = dues_list.entries.first()
        out[s] = Obj(dues_list.pk, UNION[s], {"union": world.orgs[UNION[s]].pk,
                                              "entry": entry.pk if entry else None})
    return out


# --- workplan -----------------------------------------------------------------------------

WORKPLAN_TEXT = """{name}2026年工作要点
一、服务职工
1. 做好春节送温暖工作。（责任单位：权益保障部、办公室）
2. 推进楼宇工会建设。（牵头单位：基层工作部；配合单位：组织部）
"""


@builder("wp_plan")
def _workplans(world: World) -> dict[str, Obj]:
    from gonghui.workplan.models import Department, DepartmentMembership
    from gonghui.workplan.parsing import parse_plan
    from gonghui.workplan.services.breakdown import milestone_create, subtask_create
    from gonghui.workplan.services.plans import plan_create, plan_draft_create
    from gonghui.workplan.services.progress import progress_report_create
    from gonghui.workplan.services.reminders import reminder_send_manual

    out = {}
    for s in SIDES:
        org = world.orgs[DISTRICT[s]]
        plan = plan_create(org=org, parsed=parse_plan(WORKPLAN_TEXT.format(name=org.name)),
                           actor=admin(world), source_name="plan.txt")
        item = plan.items.get(number=2)
        lead = Department.objects.get(org=org, name="基层工作部")
        office = Department.objects.get(org=org, name="办公室")
        staff = make_user(f"jiceng_{s.lower()}", org=org, role="viewer")
        membership = DepartmentMembership.objects.create(department=office, user=staff)
        milestone = milestone_create(item=item, title="建立联合会", due_date=dt.date(2026, 12, 31),
                                     actor=admin(world), department=lead)
        subtask = subtask_create(milestone=milestone, department=office, title="汇总名单",
                                 due_date=dt.date(2026, 12, 1), actor=admin(world))
        upload = SimpleUploadedFile("名单.xlsx", b"PK-demo",
                                    content_type="application/octet-stream")
        report = progress_report_create(milestone=milestone, percent=40, text="已走访。",
                                        files=[upload], actor=admin(world))
        reminder_send_manual(milestone=milestone, actor=admin(world))
        owner = world.users["city_admin" if s == "A" else "district_b"]
        draft = plan_draft_create(org=org, source_name="x.txt",
                                  text="要点\n一、甲\n1. 乙。（责任单位：办公室）", actor=owner)
        out[s] = Obj(plan.pk, DISTRICT[s], {
            "item": item.pk, "milestone": milestone.pk, "subtask": subtask.pk,
            "attachment": report.attachments.get().pk, "department": office.pk,
            "department_member": membership.pk, "draft": draft.pk})
    return out


@builder("wp_notification")
def _workplan_notifications(world: World) -> dict[str, Obj]:
    """One workplan reminder per persona (its own) and one of district B's cadre."""
    from gonghui.core import clock
    from gonghui.workplan.models import Notification

    out = {}
    for username in [*world.users]:
        note = Notification.objects.create(recipient=world.users[username], kind="manual",
                                           text="督办提醒", created_at=clock.now(),
                                           dedupe_key=f"matrix:{username}")
        out[username] = Obj(note.pk, "", owner=username)
    out["A"], out["B"] = out["city_admin"], out["district_b"]
    return out


@builder("notification")
def _notifications(world: World) -> dict[str, Obj]:
    from gonghui.notifications.services import notify

    out = {}
    for username in [*world.users]:
        (note,) = notify(recipients=[world.users[username]], kind="matrix.test", title="测试",
                         actor=admin(world))
        out[username] = Obj(note.pk, "", owner=username)
    out["A"], out["B"] = out["city_admin"], out["district_b"]
    return out


# --- aid ----------------------------------------------------------------------------------

@builder("aid_file")
def _aid_files(world: World) -> dict[str, Obj]:
    from gonghui.aid.services import files as svc
    from gonghui.aid.services.standards import standard_save
    from gonghui.aid.tests.conftest import active_file, id_number, make_person, open_file

    standard_save(org=world.orgs["SH"], year=2026, monthly_line=Decimal("1510"),
                  actor=admin(world))
    out = {}
    for s in SIDES:
        opener = world.users[f"cadre_{s.lower()}11"]
        person = make_person(world.orgs[UNION[s]], f"困难职工{s}")
        file = open_file(person, opener)
        member = file.household.exclude(relation="self").first()
        income = file.incomes.first()
        document = svc.document_add(file=file, actor=opener, kind="other",
                                    upload=SimpleUploadedFile("证明.pdf", PDF,
                                                              content_type="application/pdf"))
        out[s] = Obj(file.pk, UNION[s], {"member": member.pk, "income": income.pk,
                                         "document": document.pk,
                                         "id_number": id_number("19700101")})
        # an active file in the same union, for the programme's list
        helped = active_file(make_person(world.orgs[UNION[s]], f"在档职工{s}"), opener,
                             admin(world))
        out[f"active_{s}"] = Obj(helped.pk, UNION[s])
    return out


@builder("programme")
def _programmes(world: World) -> dict[str, Obj]:
    from gonghui.aid.services.programmes import programme_create

    out = {}
    for s in SIDES:
        # created by the district's own admin: the city admin may approve it (not their own)
        creator = world.users["district_a" if s == "A" else "district_b"]
        programme = programme_create(org=world.orgs[DISTRICT[s]], actor=creator,
                                     name=f"{s}区送温暖", year=2026, kind="winter",
                                     amount_per_household=Decimal("500"),
                                     budget=Decimal("10000"), assistance_kind="cash",
                                     rule="categories", categories=["deep"])
        out[s] = Obj(programme.pk, DISTRICT[s])
    return out


@builder("beneficiary")
def _beneficiaries(world: World) -> dict[str, Obj]:
    from gonghui.aid.models import HardshipFile, Programme
    from gonghui.aid.services.programmes import beneficiary_add

    out = {}
    for s in SIDES:
        programme = Programme.objects.get(pk=world.obj("programme", s).pk)
        file = HardshipFile.objects.get(pk=world.obj("aid_file", f"active_{s}").pk)
        row = beneficiary_add(programme=programme, file=file, actor=admin(world))
        out[s] = Obj(programme.pk, DISTRICT[s], {"beneficiary": row.pk})
    return out


@builder("standard")
def _standards(world: World) -> dict[str, Obj]:
    from gonghui.aid.services.standards import standard_save

    out = {}
    for s in SIDES:
        row, _ = standard_save(org=world.orgs[DISTRICT[s]], year=2026,
                               monthly_line=Decimal("1600"), actor=admin(world))
        out[s] = Obj(row.pk, DISTRICT[s])
    return out


# --- mutual aid ---------------------------------------------------------------------------

@builder("ma_plan")
def _mutualaid_plans(world: World) -> dict[str, Obj]:
    from gonghui.mutualaid.services import plan_create

    out = {}
    for s in SIDES:
        plan = plan_create(org=world.orgs[DISTRICT[s]], code=f"JT{s}", name=f"{s}区住院津贴",
                           kind="hospital_allowance", contribution=Decimal("30.00"),
                           waiting_days=90, per_day=Decimal("50.00"), deductible_days=0,
                           per_claim_cap=Decimal("1000.00"), per_year_cap=Decimal("1500.00"),
                           plan_year=2026, year_starts_on=dt.date(2026, 1, 1),
                           year_ends_on=dt.date(2026, 12, 31), actor=admin(world))
        out[s] = Obj(plan.pk, DISTRICT[s], {"union": world.orgs[UNION[s]].pk})
    return out


@builder("ma_enrol")
def _mutualaid_enrolment(world: World) -> dict[str, Obj]:
    """A plan offered to the union, enrolling the union's members: a write over the union."""
    return {s: Obj(world.obj("ma_plan", s).pk, UNION[s], {"union": world.orgs[UNION[s]].pk})
            for s in SIDES}


@builder("payout")
def _payouts(world: World) -> dict[str, Obj]:
    """The mutual-aid tests' own path: city plan, enrolment, settlement file, processing."""
    from gonghui.mutualaid.models import Payout
    from gonghui.mutualaid.services import payee_account_set, plan_create
    from gonghui.mutualaid.services.processing import process_queue
    from gonghui.mutualaid.tests.conftest import (
        add_member,
        enrol,
        id_number,
        import_bytes,
        settlement_csv,
    )

    plan = plan_create(org=world.orgs["SH"], code="ZYJT", name="住院津贴",
                       kind="hospital_allowance", contribution=Decimal("30.00"), waiting_days=90,
                       per_day=Decimal("50.00"), deductible_days=0,
                       per_claim_cap=Decimal("1000.00"), per_year_cap=Decimal("1500.00"),
                       plan_year=2026, year_starts_on=dt.date(2026, 1, 1),
                       year_ends_on=dt.date(2026, 12, 31), actor=admin(world))
    rows, people = [], {}
    for n, s in ((9001, "A"), (9101, "B")):
        people[s] = add_member(world.orgs[UNION[s]], f"互助会员{s}", id_number(n))
        enrol(plan, world.orgs[UNION[s]], admin(world), person_ids=[people[s].pk])
        rows.append({"no": f"M{s}", "id": id_number(n), "admitted": dt.date(2026, 5, 1),
                     "days": 4})
    import_bytes(settlement_csv(rows), world.orgs["SH"], actor=admin(world))
    process_queue()
    out = {}
    for s in SIDES:
        payee_account_set(person=people[s], actor=admin(world), holder_name=people[s].name,
                          bank_name="工商银行上海分行", account_number="6222020200112233445")
        payout = Payout.objects.get(settlement__settlement_no=f"M{s}")
        out[s] = Obj(payout.pk, UNION[s])
    return out


@builder("settlement_import")
def _settlement_imports(world: World) -> dict[str, Obj]:
    from gonghui.mutualaid.services import settlement_import_create

    out = {}
    for s in SIDES:
        source = settlement_import_create(org=world.orgs[DISTRICT[s]], file_name="结算.csv",
                                          sha256=f"{s}" * 64, actor=admin(world))
        out[s] = Obj(source.pk, DISTRICT[s])
    return out


@builder("batch")
def _batches(world: World) -> dict[str, Obj]:
    from gonghui.mutualaid.models import PayoutBatch

    out = {}
    for s in SIDES:
        org = world.orgs[DISTRICT[s]]
        batch = PayoutBatch.objects.create(org=org, org_path=org.path, status="open",
                                           created_by=admin(world), note="测试批次")
        out[s] = Obj(batch.pk, DISTRICT[s])
    return out


def settlement_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("结算.csv", io.BytesIO(b"").getvalue(), content_type="text/csv")


# --- notices (公示), working days -----------------------------------------------------------

@builder("notice")
def _notices(world: World) -> dict[str, Obj]:
    from gonghui.notices.services import items_from_lines, notice_publish, objection_submit

    out = {}
    for s in SIDES:
        notice = notice_publish(kind="notices.general", title=f"{s}先进个人评选公示",
                                org=world.orgs[UNION[s]], working_days=5,
                                items=items_from_lines(["张三 先进个人", "李四 先进个人"]),
                                actor=admin(world))
        objection = objection_submit(notice=notice, text="事迹不实", actor=world.users["worker"])
        out[s] = Obj(notice.pk, UNION[s], {"objection": objection.pk})
    return out


@builder("workday")
def _workdays(world: World) -> dict[str, Obj]:
    from gonghui.notices.workdays import workday_override_set

    override = workday_override_set(day=dt.date(2026, 12, 26), kind="working", note="调休",
                                    actor=admin(world))
    day = override.date.isoformat()
    # the calendar is the whole federation's: no org (the rule for pages without an object)
    return {s: Obj(day, "", {"day": day}) for s in SIDES}
