"""The member registry (会员实名制): people, their memberships, and every change to them.

Distribution (SPEC §6, docs/scale.md): every member-scale table except `Person` carries the union
(`union_id` / `org_id`) as its distribution key; `Person` is keyed by its blind index `id_hash`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.crypto import EncryptedTextField
from gonghui.core.idnumber import mask
from gonghui.core.models import TimeStampedModel
from gonghui.core.money import MoneyField
from gonghui.core.workflow import HistoryBase
from gonghui.members.choices import (
    Education,
    EmploymentForm,
    Gender,
    HouseholdType,
    NewEmploymentGroup,
    PoliticalStatus,
    SkillLevel,
)


class Person(TimeStampedModel):
    """A real person, identified by their resident ID number (one row per number)."""

    # indexed once, by Meta.indexes["person_name_prefix"] (prefix search and equality)
    name = models.CharField(_("姓名"), max_length=64)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=16, blank=True)
    # AES-GCM ciphertext; never displayed except masked or through the logged reveal.
    id_number = EncryptedTextField(_("身份证号码"))
    # HMAC blind index of the normalised number: exact search and the one-person-one-row rule.
    # (exact matches only: its unique index; the LIKE copy Django adds is dropped, migration 0010)
    id_hash = models.CharField(max_length=64, unique=True, editable=False)
    birth_date = models.DateField(_("出生日期"))
    # searched by the exact number only (members.selectors): one plain btree, no LIKE copy
    phone = models.CharField(_("手机号"), max_length=11, blank=True, db_index=True)
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=16, choices=PoliticalStatus.choices, blank=True
    )
    household_type = models.CharField(
        _("户籍类型"), max_length=8, choices=HouseholdType.choices, blank=True
    )
    employment_form = models.CharField(
        _("用工形式"), max_length=16, choices=EmploymentForm.choices, blank=True
    )
    new_employment_group = models.CharField(
        _("新就业形态群体"), max_length=16, choices=NewEmploymentGroup.choices, blank=True,
        default=NewEmploymentGroup.NONE,
    )
    employer_name = models.CharField(_("工作单位"), max_length=200, blank=True)
    # 联系地址: the member keeps it up to date in the portal (not a verified field)
    address = models.CharField(_("联系地址"), max_length=255, blank=True, default="",
                               db_default="")
    occupation = models.CharField(_("职业/岗位"), max_length=64, blank=True)
    skill_level = models.CharField(
        _("技能等级"), max_length=20, choices=SkillLevel.choices, blank=True, default=""
    )
    # Basis of dues (0.5% of monthly wage, SPEC §2.5).
    monthly_wage = MoneyField(_("月工资"), null=True, blank=True)
    # The worker's own portal account, if they registered one.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="member_person", verbose_name=_("会员账户"),
    )
    # The union holding this person's 会籍 (active or retired membership), None otherwise.
    # Written only by members.services together with the membership; a single-row compare-and-set
    # on it is the one-会籍 rule on Citus, where the partial unique index of Membership cannot
    # exist (docs/scale.md). Also the one-lookup answer to "is this ID number a member where?".
    # Not indexed: read through the person (by id), never searched by union (issue 22: every
    # index is paid by each imported row).
    member_union = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("会籍所在工会"), db_index=False,
    )

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_wage__isnull=True) | Q(monthly_wage__gte=0),
                name="person_wage_not_negative",
            ),
        ]
        indexes = [
            # One index for `name = q` and `name LIKE 'q%'` (the name search): a pattern_ops
            # btree serves both, a plain one the prefix only under collation "C" (C.UTF-8 is
            # not). SQLite ignores the opclass.
            models.Index(fields=["name"], name="person_name_prefix",
                         opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_new_employment(self) -> bool:
        return bool(self.new_employment_group)

    @property
    def masked_phone(self) -> str:
        """Lists and pages show 139****2222; the full number through the logged reveal."""
        phone = self.phone or ""
        if len(phone) <= 4:
            return "*" * len(phone)
        return phone[:3] + "*" * max(len(phone) - 7, 1) + phone[-4:] if len(phone) > 7 \
            else "*" * (len(phone) - 4) + phone[-4:]

    @property
    def masked_id(self) -> str:
        """The only form lists and pages show (310***********123X)."""
        return mask(self.id_number or "")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    RETIRED = "retired", _("退休（保留会籍）")
    LAPSED = "lapsed", _("自动退会")
    WITHDRAWN = "withdrawn", _("退会")
    DECEASED = "deceased", _("已故")
    TRANSFERRED_OUT = "transferred_out", _("已转出")


# Statuses that hold 会籍: SPEC §2.2 says a retired member keeps it, so a retired person can no
# more hold a second membership than an active one.
HELD_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.RETIRED)
ENDED_STATUSES = (
    MembershipStatus.LAPSED, MembershipStatus.WITHDRAWN, MembershipStatus.DECEASED,
    MembershipStatus.TRANSFERRED_OUT,
)

MEMBERSHIP_TRANSITIONS: dict[str, set[str]] = {
    MembershipStatus.ACTIVE: {
        MembershipStatus.RETIRED, MembershipStatus.LAPSED, MembershipStatus.WITHDRAWN,
        MembershipStatus.DECEASED, MembershipStatus.TRANSFERRED_OUT,
    },
    MembershipStatus.RETIRED: {
        MembershipStatus.WITHDRAWN, MembershipStatus.DECEASED, MembershipStatus.TRANSFERRED_OUT,
    },
}


class Membership(TimeStampedModel):
    """One person's membership in one union, from joining until it ends. A transfer closes this
    row (transferred_out) and opens a new one in the receiving union with the same 会龄."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("人员")
    )
    # Distribution key (SPEC §6).
    # db_index=False: membership_union_status (union, status) serves every lookup by union
    union = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="memberships", verbose_name=_("所在工会"),
        db_index=False,
    )
    # Copy of union.path, so a subtree's members are one index range (`LIKE 'P%'`) with no join.
    # Rewritten by the org.path_changed hook in the same transaction as a move or merge.
    # On PostgreSQL the column has collation "C" (migration 0002), so one btree on
    # (union_path, id) serves both the prefix range and the ORDER BY of the list.
    union_path = models.CharField(max_length=255)
    status = models.CharField(
        _("状态"), max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    joined_on = models.DateField(_("入会日期"))
    # 会龄: the first join date; carried over unchanged by transfers.
    seniority_since = models.DateField(_("会龄起算日"))
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=500, blank=True)
    card_number = models.CharField(_("会员证号"), max_length=20, unique=True, null=True, blank=True)
    # The card number of the union's old system (迁移前会员证号): unique within one union only,
    # since two old systems may have numbered alike. Kept for look-ups; never the e-card's number.
    # db_default: bulk loaders (COPY with a column list) may leave it out
    legacy_card_number = models.CharField(_("原会员证号"), max_length=32, blank=True, default="",
                                          db_default="")
    # 退休日期 of a retired member (imported from a legacy roster, or set when retiring).
    retired_on = models.DateField(_("退休日期"), null=True, blank=True)
    # Lapse watch (自动退会): the last dues payment and the last union activity. Other modules
    # (funds, outreach) update them through members.services.membership_touch.
    last_dues_on = models.DateField(_("最近缴费日期"), null=True, blank=True)
    last_activity_on = models.DateField(_("最近活动日期"), null=True, blank=True)
    lapse_flagged_on = models.DateField(_("疑似自动退会标记日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("会籍")
        verbose_name_plural = _("会籍")
        constraints = [
            # THE rule: at most one membership holding 会籍 per person, enforced by the database.
            models.UniqueConstraint(
                fields=["person"], condition=Q(status__in=["active", "retired"]),
                name="membership_one_held_per_person",
            ),
            models.CheckConstraint(
                condition=Q(seniority_since__lte=models.F("joined_on")),
                name="membership_seniority_not_after_join",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "retired"]) | Q(ended_on__isnull=False),
                name="membership_ended_has_date",
            ),
            models.UniqueConstraint(
                fields=["union", "legacy_card_number"], condition=~Q(legacy_card_number=""),
                name="membership_legacy_card_per_union",
            ),
        ]
        indexes = [
            # Subtree lists: the prefix range in path order, then id (first page of any org).
            # On PostgreSQL it INCLUDEs status, person and 会龄 start (migration 0011): a filtered
            # list's COUNT is an index-only scan, joined to `person_id_cover` for gender / birth.
            models.Index(fields=["union_path", "id"], name="membership_path_id"),
            models.Index(fields=["union", "status"], name="membership_union_status"),
            models.Index(
                fields=["status", "lapse_flagged_on"], name="membership_lapse_watch",
                condition=Q(status="active"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.union_id}"

    @property
    def holds_membership(self) -> bool:
        return self.status in HELD_STATUSES


class EventKind(models.TextChoices):
    JOIN = "join", _("入会")
    TRANSFER_OUT = "transfer_out", _("转出")
    TRANSFER_IN = "transfer_in", _("转入")
    MERGE_OUT = "merge_out", _("随组织合并转出")
    MERGE_IN = "merge_in", _("随组织合并转入")
    STATUS = "status", _("状态变更")
    EDIT = "edit", _("信息修改")
    LAPSE_FLAG = "lapse_flag", _("疑似自动退会")
    LAPSE_CONTACT = "lapse_contact", _("联系记录")
    LAPSE_CLEAR = "lapse_clear", _("解除自动退会预警")


class MembershipEvent(HistoryBase):
    """History of a membership: who, when, from, to, why (`HistoryBase`), and what kind of
    event; edits and lapse-watch steps leave the statuses blank. Insert-only. Distribution
    key: union."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="events")
    # Not indexed (union, other_union): history is read by membership, never by union.
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    kind = models.CharField(_("事项"), max_length=16, choices=EventKind.choices)
    # The other union of a transfer or merge.
    other_union = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False,
    )

    history_subject_field = "membership"

    class Meta(HistoryBase.Meta):
        verbose_name = _("会籍记录")
        verbose_name_plural = _("会籍记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()}"


class OrgMemberStats(models.Model):
    """Counters of one union's own members, changed in the same transaction as every membership
    change. A subtree's figure is SUM over the rows whose org_path starts with the subtree's
    path: one index range, no member row touched (PERFORMANCE-NOTES: ~0.1 ms per org)."""

    org = models.OneToOneField(
        "orgs.Org", on_delete=models.CASCADE, primary_key=True, related_name="member_stats"
    )
    org_path = models.CharField(max_length=255)
    active = models.IntegerField(default=0)
    retired = models.IntegerField(default=0)
    # Active members in one of the eight new-employment groups.
    new_employment = models.IntegerField(default=0)

    class Meta:
        # On PostgreSQL this index also INCLUDEs the counters (migration 0002): a subtree's SUM
        # is an index-only scan of the prefix range.
        indexes = [models.Index(fields=["org_path"], name="orgmemberstats_path")]
        constraints = [
            models.CheckConstraint(
                condition=Q(active__gte=0) & Q(retired__gte=0) & Q(new_employment__gte=0),
                name="orgmemberstats_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_id}: {self.active}"


class OrgMemberMonth(models.Model):
    """Joins and exits of one union in one month (first day of the month), kept like
    OrgMemberStats. Transfers count as joins/exits of the two unions, not of the subtree
    when both ends lie in it (see selectors.member_stats)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255)
    month = models.DateField()
    joins = models.IntegerField(default=0)
    exits = models.IntegerField(default=0)
    transfers_in = models.IntegerField(default=0)
    transfers_out = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "month"], name="orgmembermonth_unique"),
        ]
        indexes = [models.Index(fields=["month", "org_path"], name="orgmembermonth_month_path")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%Y-%m}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")
    APPEALED = "appealed", _("申诉待上级复核")


# A declined applicant may appeal once to the next union up (复核); its decision is final.
APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    ApplicationStatus.SUBMITTED: {
        ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.REJECTED: {ApplicationStatus.APPEALED},
    ApplicationStatus.APPEALED: {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED},
}
# Statuses in which an application waits for a decision (and has a deadline).
APPLICATION_OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.APPEALED)


class Application(TimeStampedModel):
    """A join application (入会申请) to one union. The person row exists from submission (it is
    only an identity); the other fields wait in `data` until a cadre approves them."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="applications")
    union = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="member_applications",
        verbose_name=_("申请加入的工会"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="member_applications",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    # Validated person fields (no ID number: that lives encrypted on the person).
    data = models.JSONField(default=dict)
    # Why this union: e.g. 两非一无 (the employer has no union) or a new-employment group.
    basis = models.CharField(_("入会途径"), max_length=200, blank=True)
    decision_reason = models.CharField(_("审批意见"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The decision is due by this day (N working days after submission or appeal, see
    # members.services.deadlines); null on rows from before deadlines existed.
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    appealed_at = models.DateTimeField(_("申诉时间"), null=True, blank=True)
    appeal_reason = models.CharField(_("申诉理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("入会申请")
        verbose_name_plural = _("入会申请")
        constraints = [
            # one open application per person, union and account (two unions may each have
            # one: the first approved wins, the other gets the one-会籍 conflict). Per account,
            # not per person: refusing a worker because another account already applied for
            # this ID number would tell them the number is on file (issue 13); the union sees
            # both with the review flag identity.ReviewFlag.OTHER_OPEN_APPLICATION.
            models.UniqueConstraint(
                fields=["person", "union", "applicant"],
                condition=Q(status="submitted", applicant__isnull=False),
                name="application_one_open_per_account",
            ),
            # one open application entered by the union itself (no applicant account)
            models.UniqueConstraint(
                fields=["person", "union"],
                condition=Q(status="submitted", applicant__isnull=True),
                name="application_one_open_per_union",
            ),
        ]
        indexes = [
            models.Index(fields=["union", "status"], name="application_union_status"),
            models.Index(fields=["status", "due_on"], name="application_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.union_id}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("待接收")
    ACCEPTED = "accepted", _("已接收")
    DECLINED = "declined", _("已拒绝")
    CANCELLED = "cancelled", _("已撤销")


TRANSFER_TRANSITIONS: dict[str, set[str]] = {
    TransferStatus.PENDING: {
        TransferStatus.ACCEPTED, TransferStatus.DECLINED, TransferStatus.CANCELLED,
    },
}


class TransferOrigin(models.TextChoices):
    OUT = "out", _("原工会转出")
    WORKER = "worker", _("会员申请转入")


class Transfer(TimeStampedModel):
    """会员组织关系接转: moving a membership from one union to another, accepted by the receiver."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="transfers")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfers")
    from_union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("转出工会"))
    to_union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("转入工会"))
    origin = models.CharField(_("发起方"), max_length=8, choices=TransferOrigin.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    reason = models.CharField(_("转会原因"), max_length=500, blank=True)
    new_employer = models.CharField(_("新工作单位"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.CharField(_("处理意见"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    new_membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The receiving union's decision is due by this day (members.services.deadlines).
    due_on = models.DateField(_("办理期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("会员转会")
        verbose_name_plural = _("会员转会")
        constraints = [
            models.UniqueConstraint(
                # with the sending union (the membership's): Citus keys contain it
                fields=["membership", "from_union"], condition=Q(status="pending"),
                name="transfer_one_pending_per_membership",
            ),
            models.CheckConstraint(
                condition=~Q(from_union=models.F("to_union")), name="transfer_other_union",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="transfer_status_due")]

    def __str__(self) -> str:
        return f"{self.person}: {self.from_union_id} → {self.to_union_id}"


class CaseEvent(HistoryBase):
    """History of an application or a transfer (`HistoryBase`: who, when, from, to, reason).
    Insert-only. One table for both cases, so it names its case through one of two keys and is
    written by the services' `write_history` callbacks."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    # Distribution key: the application's union, or the transfer's sending union.
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")

    class Meta(HistoryBase.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(application__isnull=False, transfer__isnull=True)
                | Q(application__isnull=True, transfer__isnull=False),
                name="caseevent_one_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.from_status}→{self.to_status}"

    def _label(self, value: str) -> str:
        choices = ApplicationStatus if self.application_id else TransferStatus
        return str(dict(choices.choices).get(value, value)) if value else "—"

    @property
    def from_label(self) -> str:
        return self._label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)


class LapseContact(models.Model):
    """A cadre's attempt to reach a member flagged for lapse (自动退会须经联系确认)."""

    class Outcome(models.TextChoices):
        NO_ANSWER = "no_answer", _("未联系上")
        WILL_STAY = "will_stay", _("本人表示继续参加工会")
        AGREES = "agrees", _("本人确认不再参加")
        OTHER = "other", _("其他")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="contacts")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    method = models.CharField(_("联系方式"), max_length=32)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_outcome_display()}"


class DecisionPolicy(models.Model):
    """How many working days a union has to decide join applications and incoming transfers.
    Set on a federation (or any org); the nearest org up the tree with a policy decides, and
    without one the platform default applies (3 working days: the Tianjin platform's published
    promise, settings.GONGHUI_MEMBER_DECISION_DAYS)."""

    org = models.OneToOneField("orgs.Org", on_delete=models.CASCADE, primary_key=True,
                               related_name="member_decision_policy")
    org_path = models.CharField(max_length=255, db_index=True)
    decision_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))

    class Meta:
        verbose_name = _("入会与转会办理时限")
        verbose_name_plural = _("入会与转会办理时限")
        constraints = [
            models.CheckConstraint(
                condition=Q(decision_days__gte=1) & Q(decision_days__lte=60),
                name="decisionpolicy_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_id}: {self.decision_days}"


class BulkKind(models.TextChoices):
    APPLICATION = "application", _("入会申请")
    TRANSFER = "transfer", _("转入申请")


class BulkAction(models.TextChoices):
    APPROVE = "approve", _("批准/接收")
    DECLINE = "decline", _("不予批准/拒绝")


class BulkStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未完成")


BULK_TRANSITIONS: dict[str, set[str]] = {
    BulkStatus.QUEUED: {BulkStatus.RUNNING, BulkStatus.FAILED},
    BulkStatus.RUNNING: {BulkStatus.DONE, BulkStatus.FAILED},
}


class BulkDecisionJob(TimeStampedModel):
    """One cadre's bulk decision over many applications or incoming transfers: N calls of the
    one service (each with its own transaction, history and audit row), with progress and the
    rows that failed and why."""

    kind = models.CharField(_("事项"), max_length=16, choices=BulkKind.choices)
    action = models.CharField(_("操作"), max_length=16, choices=BulkAction.choices)
    reason = models.CharField(_("意见"), max_length=500, blank=True)
    # The ids chosen (a page's ticks, or every row of the filtered list at the time of the click).
    ids = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_by_name = models.CharField(_("操作人"), max_length=150)
    status = models.CharField(_("状态"), max_length=16, choices=BulkStatus.choices,
                              default=BulkStatus.QUEUED)
    total = models.PositiveIntegerField(_("总数"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    succeeded = models.PositiveIntegerField(_("成功"), default=0)
    failed = models.PositiveIntegerField(_("失败"), default=0)
    # [{"id": 12, "name": "张伟", "code": "already_member", "message": "…"}, …]
    failures = models.JSONField(default=list)
    error = models.TextField(_("错误"), blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("批量审批")
        verbose_name_plural = _("批量审批")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(processed=models.F("succeeded") + models.F("failed")),
                name="bulkjob_counts_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.action}"

    @property
    def percent(self) -> int:
        if self.status == BulkStatus.DONE:
            return 100
        return min(99, int(self.processed * 100 / self.total)) if self.total else 0


class SyncDecision(models.TextChoices):
    OPEN = "open", _("待核实")
    KEPT = "kept", _("确认在册")
    RETIRED = "retired", _("办理退休")
    WITHDRAWN = "withdrawn", _("办理退会")
    DECEASED = "deceased", _("已故")
    TRANSFER = "transfer", _("办理转出")


SYNC_TRANSITIONS: dict[str, set[str]] = {
    SyncDecision.OPEN: {SyncDecision.KEPT, SyncDecision.RETIRED, SyncDecision.WITHDRAWN,
                        SyncDecision.DECEASED, SyncDecision.TRANSFER},
}


class SyncCandidate(TimeStampedModel):
    """A member holding 会籍 in a union whose complete roster (名册同步, roster import in sync
    mode) did not list them: a candidate for review, never changed by the sync itself. The
    cadre decides (keep, retire, withdraw, deceased, transfer out) with a reason; the decision
    goes through the members service of that change. Distribution key: union."""

    # the roster import job (roster.ImportJob; an id, since roster sits above members)
    import_job_id = models.BigIntegerField(db_index=True)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    union_path = models.CharField(max_length=255)
    status = models.CharField(_("处理结果"), max_length=16, choices=SyncDecision.choices,
                              default=SyncDecision.OPEN)
    reason = models.CharField(_("说明"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("名册同步待核实会员")
        verbose_name_plural = _("名册同步待核实会员")
        constraints = [
            models.UniqueConstraint(fields=["import_job_id", "membership", "union"],
                                    name="synccandidate_once_per_job"),
        ]
        indexes = [models.Index(fields=["union_path", "status"], name="synccandidate_path")]

    def __str__(self) -> str:
        return f"{self.import_job_id}: {self.membership_id}"


class SelfServiceKind(models.TextChoices):
    EDUCATION = "education", _("学历")
    SKILL_LEVEL = "skill_level", _("技能等级")
    WITHDRAW = "withdraw", _("退会申请")


class SelfServiceStatus(models.TextChoices):
    PENDING = "pending", _("待工会确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("未确认")
    CANCELLED = "cancelled", _("已撤回")


SELF_SERVICE_TRANSITIONS: dict[str, set[str]] = {
    SelfServiceStatus.PENDING: {SelfServiceStatus.CONFIRMED, SelfServiceStatus.REJECTED,
                                SelfServiceStatus.CANCELLED},
}


class SelfServiceRequest(TimeStampedModel):
    """A member's own request in the portal for a verified change (education, skill level:
    the union checks the certificate) or to withdraw (退会) with a reason; the union confirms
    it through the members service of that change. Distribution key: union."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    union_path = models.CharField(max_length=255)
    kind = models.CharField(_("事项"), max_length=16, choices=SelfServiceKind.choices)
    value = models.CharField(_("申请变更为"), max_length=64, blank=True)
    before = models.CharField(_("原值"), max_length=64, blank=True)
    reason = models.CharField(_("说明"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=SelfServiceStatus.choices,
                              default=SelfServiceStatus.PENDING)
    decision_reason = models.CharField(_("工会意见"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("会员自助申请")
        verbose_name_plural = _("会员自助申请")
        constraints = [
            models.UniqueConstraint(fields=["membership", "kind", "union"],
                                    condition=Q(status="pending"),
                                    name="selfservice_one_pending_per_kind"),
        ]
        indexes = [models.Index(fields=["union_path", "status"], name="selfservice_path")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}"

    def _word(self, value: str) -> str:
        """A requested or former value in words (the person field's choice label)."""
        if not value or self.kind == SelfServiceKind.WITHDRAW:
            return value
        field = Person._meta.get_field(self.kind)
        return str(dict(getattr(field, "flatchoices", ())).get(value, value))

    @property
    def value_display(self) -> str:
        return self._word(self.value)

    @property
    def before_display(self) -> str:
        return self._word(self.before)


class SavedFilter(TimeStampedModel):
    """A cadre's named filter set of the member list (常用筛选), shown as a chip; applying it
    goes through the list's own filters and scoping (an org the cadre can no longer read is
    a 404 like a typed one). Only the list's choice filters are kept, never a search text
    (it may be an ID number)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    name = models.CharField(_("名称"), max_length=40)
    params = models.JSONField(_("筛选条件"), default=dict)

    class Meta:
        verbose_name = _("常用筛选")
        verbose_name_plural = _("常用筛选")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="savedfilter_name_per_user"),
        ]

    def __str__(self) -> str:
        return self.name


class CardNumberClaim(models.Model):
    """A 会员证号 taken once in the whole registry: the claim of `Membership.card_number`'s
    unique key, written in the same transaction as every membership that gets a card number
    (`services._common.open_membership`, the roster import's set-wise writes). On one node the
    membership's own unique key refuses a second holder too; on Citus that key can hold only
    within a union (docs/scale.md), and this table — distributed by the card number, the
    primary key — refuses the number across the cluster. It mirrors the key exactly: every
    non-NULL number of every membership, open or ended (an ended member's number stays
    reserved, as the unique key keeps it)."""

    card_number = models.CharField(_("会员证号"), max_length=20, primary_key=True)
    # No database constraint and no index: the roster import COPYs a claim per new membership,
    # and a foreign-key check per row plus a second index tripled the claims' cost (100,000
    # claims: ~1.0–1.4 s with the primary key alone, 2.3 s with the index, 4.4–4.8 s with the
    # constraint too, on a busy machine). The claim is written in the membership's own
    # transaction and memberships are never deleted (an ended one keeps its number); on Citus
    # such a key could not exist anyway (distributed by the number, not co-located).
    membership = models.ForeignKey(Membership, on_delete=models.DO_NOTHING, related_name="+",
                                   db_constraint=False, db_index=False, verbose_name=_("会籍"))

    class Meta:
        verbose_name = _("会员证号占用")
        verbose_name_plural = _("会员证号占用")

    def __str__(self) -> str:
        return self.card_number
