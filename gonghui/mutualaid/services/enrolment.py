"""Enrolment of a union's members for a plan year, and members' payee bank accounts."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record, reveal
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.citus import lock_per_union
from gonghui.core.claims import take_claims
from gonghui.core.errors import ApplicationError, Forbidden, NotFound
from gonghui.core.idnumber import mask
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.mutualaid import ledger
from gonghui.mutualaid.models import (
    CurrentPayeeClaim,
    Enrolment,
    EnrolmentClaim,
    EnrolmentRun,
    EnrolmentStatus,
    PayeeAccount,
    Payout,
    Plan,
    PlanStatus,
    PlanVersion,
)
from gonghui.mutualaid.permissions import require_org_write
from gonghui.mutualaid.services.plans import version_in_force
from gonghui.orgs.models import Org

CHUNK = 2000


def _enrollable_memberships(union: Org, person_ids: Iterable[int] | None
                            ) -> QuerySet[Membership]:
    queryset = Membership.objects.filter(union=union, status=MembershipStatus.ACTIVE)
    if person_ids is not None:
        queryset = queryset.filter(person_id__in=list(person_ids))
    return queryset


def enrol_members(*, plan: Plan, plan_year: int, union: Org, actor: Actor,
                  person_ids: Iterable[int] | None = None,
                  enrolled_on: dt.date | None = None) -> EnrolmentRun:
    """Enrol the active members of `union` (all, or the chosen `person_ids`) in `plan` for
    `plan_year` and post the contribution to the ledgers. Members already enrolled for that year
    (in any union) are skipped; two cadres enrolling at once cannot enrol anyone twice: the
    enrolment claims decide (`EnrolmentClaim`, also on Citus, where the unique key of the
    enrolments cannot span unions), and only rows actually inserted are charged."""
    require_capability(actor, Capability.MUTUALAID_WRITE, union)
    if plan.status != PlanStatus.ACTIVE:
        raise ApplicationError(_("该计划已停办，不能参保。"), code="plan_closed")
    if not plan.offered_to(union):
        raise Forbidden(_("该计划不面向“{union}”开办。").format(union=union.name),
                        code="plan_not_offered")
    if not union.is_active:
        raise ApplicationError(_("已合并或撤销的工会不能参保。"), code="union_closed")
    enrolled_on = enrolled_on or clock.today()
    versions = list(PlanVersion.objects.filter(plan=plan, plan_year=plan_year))
    if not versions:
        raise ApplicationError(_("该计划没有 {year} 年度的规则版本。").format(year=plan_year),
                               code="no_version")
    first = min(versions, key=lambda v: v.effective_on)
    if enrolled_on > first.year_ends_on:
        raise ApplicationError(_("{year} 计划年度已结束，不能再参保。").format(year=plan_year),
                               code="year_over")
    version = version_in_force(versions, plan_year, max(enrolled_on, first.year_starts_on))
    assert version is not None  # the year's first version is effective from its first day
    chosen = None if person_ids is None else sorted(set(person_ids))
    memberships = list(_enrollable_memberships(union, chosen)
                       .select_related("person").order_by("person_id"))
    if chosen is not None and len(memberships) != len(chosen):
        raise ApplicationError(
            _("所选人员中有 {n} 人不是本工会的在册会员。").format(n=len(chosen) - len(memberships)),
            code="not_members")
    with transaction.atomic():
        run = EnrolmentRun.objects.create(
            plan=plan, version=version, plan_year=plan_year, union=union,
            union_path=union.path, enrolled_on=enrolled_on,
            actor=actor_user(actor), actor_name=actor_name(actor),
        )
        person_ids_all = [m.person_id for m in memberships]
        previous = set(Enrolment.objects.filter(
            plan=plan, plan_year=plan_year - 1, status=EnrolmentStatus.ACTIVE,
            person_id__in=person_ids_all).values_list("person_id", flat=True))
        rows = [
            Enrolment(
                plan=plan, plan_year=plan_year, starts_on=version.year_starts_on,
                ends_on=version.year_ends_on, person_id=m.person_id, id_hash=m.person.id_hash,
                union=union, union_path=union.path, run=run, enrolled_on=enrolled_on,
                renewal=m.person_id in previous, contribution=version.contribution,
            )
            for m in memberships
        ]
        for start in range(0, len(rows), CHUNK):
            part = rows[start:start + CHUNK]
            taken = _claim_enrolments(plan, plan_year, [row.person_id for row in part])
            # (the one-node unique key would skip the same rows; kept as a second guard)
            Enrolment.objects.bulk_create([row for row in part if row.person_id in taken],
                                          ignore_conflicts=True)
        count = Enrolment.objects.filter(run=run).count()
        if count == 0:
            raise ApplicationError(_("没有可参保的会员：所选会员均已参加 {year} 年度该计划。")
                                   .format(year=plan_year), code="nothing_to_enrol")
        run.enrolled_count = count
        run.skipped_count = len(rows) - count
        run.amount = version.contribution * count
        run.save(update_fields=["enrolled_count", "skipped_count", "amount"])
        ledger.post_contribution(run=run, actor=actor)
        audit_record(actor=actor, action="mutualaid.enrol", obj=run, org_path=union.path,
                     after={"plan": plan.code, "plan_year": plan_year, "version": version.number,
                            "enrolled": count, "skipped": run.skipped_count,
                            "amount": run.amount})
    return run


def _claim_enrolments(plan: Plan, plan_year: int, person_ids: list[int]) -> set[int]:
    """Insert the enrolment claims of `person_ids` for (plan, year) that are free, in person
    order (two runs lock alike); returns the persons this transaction took."""
    return take_claims(EnrolmentClaim, ("person_id", "plan_id", "plan_year"),
                       [(p, plan.pk, plan_year) for p in sorted(set(person_ids))],
                       returning="person_id")


_ACCOUNT = re.compile(r"^\d{12,30}$")


def normalize_account(raw: str) -> str:
    text = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", raw or ""))
    if not _ACCOUNT.match(text):
        raise ApplicationError(_("银行账号应为 12 到 30 位数字。"), code="account_format",
                               extra={"field": "account_number"})
    return text


def _account_union(person: Person, org: Org | None) -> Org:
    """The union an account row is kept under (its distribution column, docs/scale.md): the
    acting union, else the union of the person's latest enrolment."""
    if org is not None:
        return org
    enrolment = (Enrolment.objects.filter(person=person).select_related("union")
                 .order_by("-plan_year", "-id").first())
    if enrolment is None:
        raise ApplicationError(_("该会员既不属于任何工会，也没有参保记录，不能登记收款账户。"),
                               code="no_union")
    return enrolment.union


def _lock_payee_claim(person: Person) -> None:
    """The person's current-account claim, inserted (account still to come) or, when it
    exists, locked — one statement, on Citus on the person's shard. Held to the end of the
    caller's transaction, so registrations for one person run one after the other in every
    union (the one-node index `ma_payee_one_current` alone would refuse the second)."""
    table = connection.ops.quote_name(CurrentPayeeClaim._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (person_id, account_id) VALUES (%s, NULL) "  # noqa: S608
            f"ON CONFLICT (person_id) DO UPDATE SET account_id = {table}.account_id",
            [person.pk])


def payee_account_set(*, person: Person, holder_name: str, bank_name: str,
                      account_number: str, actor: Actor, union: Org | None = None
                      ) -> PayeeAccount:
    """Register a new current account for `person`; the previous one stays, not current.
    `union`: the union through which the actor acts for the person (a payout's union; by
    default the person's own union); mutualaid.write over it is required."""
    org = union or person.member_union
    require_org_write(actor, org)
    number = normalize_account(account_number)
    holder_name, bank_name = holder_name.strip(), bank_name.strip()
    if not holder_name:
        raise ApplicationError(_("请填写户名。"), code="holder_required",
                               extra={"field": "holder_name"})
    if not bank_name:
        raise ApplicationError(_("请填写开户银行。"), code="bank_required",
                               extra={"field": "bank_name"})
    home = _account_union(person, org)
    with transaction.atomic():
        # the person's claim first (CurrentPayeeClaim): a second registration for the same
        # person, in any union, waits here until this one commits, then replaces its account
        _lock_payee_claim(person)
        current = lock_per_union(PayeeAccount.objects.filter(person=person, is_current=True))
        for old in current:
            old.is_current = False
            old.save(update_fields=["is_current"])
        account = PayeeAccount.objects.create(
            person=person, union=home, holder_name=holder_name[:64], bank_name=bank_name[:100],
            account_number=number, account_masked=mask(number), created_by=actor_user(actor),
        )
        CurrentPayeeClaim.objects.filter(person_id=person.pk).update(account_id=account.pk)
        audit_record(actor=actor, action="mutualaid.account.set", obj=account,
                     org_path=org.path if org is not None else "",
                     before={"account": current[0].account_masked} if current else None,
                     after={"account": account.account_masked, "bank": bank_name})
    return account


def payee_account_reveal(*, payout: Payout, actor: Actor, purpose: str) -> str:
    """The payee's full current account number for checking `payout` (PIPL: mutualaid.reveal
    over the payout's union, a purpose the user typed, the read logged)."""
    account = PayeeAccount.objects.filter(person_id=payout.person_id, is_current=True).first()
    require_capability(actor, Capability.MUTUALAID_REVEAL, payout.union)
    if account is None:
        raise NotFound(_("该会员尚未登记收款账户。"))
    return reveal(actor=actor, cap=Capability.MUTUALAID_REVEAL, org=payout.union,
                  subject=account, field="account_number",
                  value=lambda: account.account_number, purpose=purpose,
                  org_path=payout.union_path)
