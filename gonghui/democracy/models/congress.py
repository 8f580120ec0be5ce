"""Members' (representatives') congress with standing representatives (代表常任制) and their
proposals (代表提案制).

A `Congress` of one union has representatives elected per constituency for its term; it meets
in sessions (usually yearly) with attendance, an agenda and votes on reports (quorum: two
thirds of the representatives present; adopted with "yes" from more than half of all
representatives). Representatives record their contact with the members they represent
(`ContactRecord`). A representative drafts a `Proposal` with co-signers; the proposal
committee accepts it, turns it into an opinion (意见建议) or declines it with a reason; an
accepted proposal is assigned to a lead and co-departments (the work plan's departments) with
a reply deadline; the reply goes to the proposer, who records their satisfaction — "not
satisfied" reopens it once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.workflow import HistoryBase
from gonghui.democracy.models.union import InUnion


class Congress(TimeStampedModel):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT,
                            related_name="democracy_congresses", verbose_name=_("工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("名称"), max_length=200)
    started_on = models.DateField(_("本届开始"))
    term_years = models.PositiveSmallIntegerField(_("任期（年）"), default=5)
    min_cosigners = models.PositiveSmallIntegerField(_("提案最少附议人数"), default=2)

    class Meta:
        verbose_name = _("会员代表大会")
        verbose_name_plural = _("会员代表大会")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="democracy_congress_unique"),
            models.CheckConstraint(condition=Q(term_years__in=[3, 5]),
                                   name="democracy_congress_term_years"),
            models.CheckConstraint(condition=Q(min_cosigners__lte=50),
                                   name="democracy_congress_cosigners_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("democracy:congress", args=[self.pk])


class Representative(InUnion):
    union_parent = "congress"

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE,
                                 related_name="representatives")
    name = models.CharField(_("姓名"), max_length=64)
    constituency = models.CharField(_("选举单位（代表团）"), max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="democracy_representatives",
                             verbose_name=_("账号"))
    elected_on = models.DateField(_("当选日期"))
    active = models.BooleanField(_("在任"), default=True)

    class Meta:
        verbose_name = _("代表")
        verbose_name_plural = _("代表")
        ordering = ["constituency", "id"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "user", "org"],
                                    condition=Q(user__isnull=False),
                                    name="democracy_rep_user_unique"),
            models.UniqueConstraint(fields=["congress", "constituency", "name", "org"],
                                    name="democracy_rep_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.constituency}）"


class Session(models.Model):
    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("会议次数"))
    held_on = models.DateField(_("会议日期"))
    agenda = models.TextField(_("议程"), blank=True)

    class Meta:
        verbose_name = _("代表大会会议")
        verbose_name_plural = _("代表大会会议")
        ordering = ["congress", "number"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "number"], name="democracy_session_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.congress} 第{self.number}次会议"


class Attendance(InUnion):
    union_parent = "representative"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    representative = models.ForeignKey(Representative, on_delete=models.CASCADE,
                                       related_name="attendance")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "representative", "org"],
                                    name="democracy_attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.representative}"


class SessionVote(models.Model):
    """A vote on a report (工作报告、经费审查报告…) at a session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="votes")
    subject = models.CharField(_("表决事项"), max_length=200)
    entitled = models.PositiveIntegerField(_("代表总数"))
    present = models.PositiveIntegerField(_("出席"))
    yes = models.PositiveIntegerField(_("赞成"))
    no = models.PositiveIntegerField(_("反对"))
    abstain = models.PositiveIntegerField(_("弃权"))
    adopted = models.BooleanField(_("通过"))

    class Meta:
        verbose_name = _("表决")
        verbose_name_plural = _("表决")
        constraints = [
            models.CheckConstraint(condition=Q(present__lte=models.F("entitled")),
                                   name="democracy_vote_present_le_entitled"),
            models.CheckConstraint(
                condition=Q(yes__lte=models.F("present") - models.F("no") - models.F("abstain")),
                name="democracy_vote_sum_le_present"),
        ]

    def __str__(self) -> str:
        return self.subject


class ContactKind(models.TextChoices):
    VISIT = "visit", _("走访联系")
    OPINION = "opinion", _("征集意见")
    REPORT = "report", _("述职报告")


class ContactRecord(InUnion):
    """A representative's contact with the members they represent (代表联系职工)."""

    union_parent = "representative"

    representative = models.ForeignKey(Representative, on_delete=models.CASCADE,
                                       related_name="contacts")
    on = models.DateField(_("日期"))
    kind = models.CharField(_("方式"), max_length=12, choices=ContactKind.choices)
    members_reached = models.PositiveIntegerField(_("联系职工人数"), default=0)
    summary = models.CharField(_("内容摘要"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("联系职工记录")
        verbose_name_plural = _("联系职工记录")
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(summary=""), name="democracy_contact_summary"),
        ]

    def __str__(self) -> str:
        return f"{self.representative} {self.on}"


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审查")
    ACCEPTED = "accepted", _("立案")
    OPINION = "opinion", _("转为意见建议")
    DECLINED = "declined", _("不予立案")
    ASSIGNED = "assigned", _("办理中")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


PROPOSAL_TRANSITIONS: dict[str, set[str]] = {
    ProposalStatus.DRAFT: {ProposalStatus.SUBMITTED},
    ProposalStatus.SUBMITTED: {ProposalStatus.ACCEPTED, ProposalStatus.OPINION,
                               ProposalStatus.DECLINED},
    ProposalStatus.ACCEPTED: {ProposalStatus.ASSIGNED},
    ProposalStatus.ASSIGNED: {ProposalStatus.REPLIED},
    # not satisfied: back to the departments once (reopened), else closed
    ProposalStatus.REPLIED: {ProposalStatus.CLOSED, ProposalStatus.ASSIGNED},
    ProposalStatus.OPINION: set(),
    ProposalStatus.DECLINED: set(),
    ProposalStatus.CLOSED: set(),
}


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    NOT = "not", _("不满意")


class Proposal(InUnion, TimeStampedModel):
    union_parent = "congress"

    congress = models.ForeignKey(Congress, on_delete=models.PROTECT, related_name="proposals")
    org_path = models.CharField(max_length=255, db_index=True)
    proposer = models.ForeignKey(Representative, on_delete=models.PROTECT,
                                 related_name="proposals", verbose_name=_("提案人"))
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("案由"), max_length=200)
    body = models.TextField(_("内容与建议"))
    status = models.CharField(_("状态"), max_length=12, choices=ProposalStatus.choices,
                              default=ProposalStatus.DRAFT)
    decision_reason = models.CharField(_("审查意见"), max_length=500, blank=True)
    deadline = models.DateField(_("答复期限"), null=True, blank=True)
    assigned_on = models.DateField(_("交办日期"), null=True, blank=True)
    reply = models.TextField(_("答复"), blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    satisfaction = models.CharField(_("提案人评价"), max_length=12, choices=Satisfaction.choices,
                                    blank=True)
    reopened = models.BooleanField(_("已重新办理"), default=False)

    history_model = "democracy.ProposalHistory"

    class Meta:
        verbose_name = _("提案")
        verbose_name_plural = _("提案")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="democracy_proposal_titled"),
        ]
        indexes = [models.Index(fields=["org_path", "year", "status"],
                                name="democracy_prop_path_year")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("democracy:proposal", args=[self.pk])


class ProposalHistory(InUnion, HistoryBase):
    union_parent = "proposal"

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="history")
    history_subject_field = "proposal"

    class Meta(HistoryBase.Meta):
        verbose_name = _("提案记录")
        verbose_name_plural = _("提案记录")


class Cosigner(InUnion):
    union_parent = "proposal"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cosigners")
    representative = models.ForeignKey(Representative, on_delete=models.PROTECT,
                                       related_name="cosigned")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "representative", "org"],
                                    name="democracy_cosigner_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} {self.representative}"


class ProposalDepartment(InUnion):
    union_parent = "proposal"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="departments")
    department = models.ForeignKey("workplan.Department", on_delete=models.PROTECT,
                                   related_name="democracy_proposals")
    is_lead = models.BooleanField(_("牵头"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "department", "org"],
                                    name="democracy_prop_dept_unique"),
            models.UniqueConstraint(fields=["proposal", "org"], condition=Q(is_lead=True),
                                    name="democracy_prop_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} {self.department}"
