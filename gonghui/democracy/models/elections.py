"""Members' democracy: terms of a union's bodies and their elections (换届选举).

A union's committee, audit committee and women workers' committee serve terms (`Term`, 3 or 5
years). An `Election` of one body is a workflow: the higher union approves the plan and the
candidate list (two levels of consultation), the voter roll (`Voter`, 应到会人数) and the
candidates (`Candidate`) are fixed, then the meeting holds one or more rounds (`VotingRound`):
attendance, ballots — paper (tallies entered by the count committee) or secret electronic
ones (`Credential` one per present voter, `Ballot` insert-only, unlinkable to the voter) —
and the count by `counting.count_round`. The higher union's approval of the result report
closes the election.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.workflow import HistoryBase
from gonghui.democracy.models.union import InUnion


class Body(models.TextChoices):
    COMMITTEE = "committee", _("工会委员会")
    AUDIT = "audit", _("经费审查委员会")
    WOMEN = "women", _("女职工委员会")
    CHAIR = "chair", _("主席、副主席")


class Term(TimeStampedModel):
    """The current term of one body of one union (任期 3 or 5 years)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="democracy_terms",
                            verbose_name=_("工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    body = models.CharField(_("机构"), max_length=16, choices=Body.choices)
    started_on = models.DateField(_("任期开始"))
    years = models.PositiveSmallIntegerField(_("任期（年）"), default=5)
    ends_on = models.DateField(_("任期届满"))

    class Meta:
        verbose_name = _("任期")
        verbose_name_plural = _("任期")
        ordering = ["ends_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "body"], name="democracy_term_one_per_body"),
            models.CheckConstraint(condition=Q(years__in=[3, 5]), name="democracy_term_years"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("started_on")),
                                   name="democracy_term_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.get_body_display()} {self.started_on:%Y}—{self.ends_on:%Y}"


class ElectionStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    PLAN_APPROVED = "plan_approved", _("方案已批复")
    CANDIDATES_APPROVED = "candidates_approved", _("候选人已批复")
    MEETING = "meeting", _("选举大会")
    COUNTED = "counted", _("计票完成")
    CLOSED = "closed", _("结果已批复")
    CANCELLED = "cancelled", _("已撤销")


ELECTION_TRANSITIONS: dict[str, set[str]] = {
    ElectionStatus.DRAFT: {ElectionStatus.PLAN_APPROVED, ElectionStatus.CANCELLED},
    ElectionStatus.PLAN_APPROVED: {ElectionStatus.CANDIDATES_APPROVED, ElectionStatus.CANCELLED},
    ElectionStatus.CANDIDATES_APPROVED: {ElectionStatus.MEETING, ElectionStatus.CANCELLED},
    ElectionStatus.MEETING: {ElectionStatus.COUNTED, ElectionStatus.CANCELLED},
    ElectionStatus.COUNTED: {ElectionStatus.CLOSED, ElectionStatus.MEETING},
    ElectionStatus.CLOSED: set(),
    ElectionStatus.CANCELLED: set(),
}


class Election(TimeStampedModel):
    """The election of one body of one union at one meeting."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT,
                            related_name="democracy_elections", verbose_name=_("工会"))
    org_path = models.CharField(max_length=255)
    title = models.CharField(_("名称"), max_length=200)
    body = models.CharField(_("选举机构"), max_length=16, choices=Body.choices)
    seats = models.PositiveSmallIntegerField(_("应选名额"))
    term_years = models.PositiveSmallIntegerField(_("任期（年）"), default=5)
    meeting_on = models.DateField(_("选举大会日期"))
    status = models.CharField(_("状态"), max_length=24, choices=ElectionStatus.choices,
                              default=ElectionStatus.DRAFT)
    plan_approval = models.CharField(_("上级工会对选举方案的批复"), max_length=500, blank=True)
    candidates_approval = models.CharField(_("上级工会对候选人的批复"), max_length=500,
                                           blank=True)
    consultation = models.TextField(_("两上两下酝酿情况"), blank=True)
    present = models.PositiveIntegerField(_("实到人数"), null=True, blank=True)
    result_approval = models.CharField(_("上级工会对选举结果的批复"), max_length=500,
                                       blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    history_model = "democracy.ElectionHistory"

    class Meta:
        verbose_name = _("选举")
        verbose_name_plural = _("选举")
        ordering = ["-meeting_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="democracy_election_seats"),
            models.CheckConstraint(condition=Q(term_years__in=[3, 5]),
                                   name="democracy_election_term_years"),
            models.CheckConstraint(condition=~Q(title=""), name="democracy_election_titled"),
        ]
        indexes = [models.Index(fields=["org_path", "status"], name="democracy_el_path_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("democracy:election", args=[self.pk])

    @property
    def equal_allowed(self) -> bool:
        """Chair and vice-chairs may be elected single-candidate (等额)."""
        return self.body == Body.CHAIR


class ElectionHistory(HistoryBase):
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="history")
    history_subject_field = "election"

    class Meta(HistoryBase.Meta):
        verbose_name = _("选举记录")
        verbose_name_plural = _("选举记录")


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(_("姓名"), max_length=64)
    note = models.CharField(_("简况"), max_length=200, blank=True)
    elected_in_round = models.PositiveSmallIntegerField(_("当选轮次"), null=True, blank=True)
    votes = models.PositiveIntegerField(_("当选票数"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("对应账号"))

    class Meta:
        verbose_name = _("候选人")
        verbose_name_plural = _("候选人")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "name"],
                                    name="democracy_candidate_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="democracy_candidate_named"),
        ]

    def __str__(self) -> str:
        return self.name


class Voter(InUnion):
    """One person entitled to attend and vote (应到会人数 is the roll's size). `org` is the
    election's union (the distribution column on Citus: docs/scale.md)."""

    union_parent = "election"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="voters")
    name = models.CharField(_("姓名"), max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="democracy_voters",
                             verbose_name=_("账号（电子投票）"))
    present = models.BooleanField(_("到会"), default=False)

    class Meta:
        verbose_name = _("选举人")
        verbose_name_plural = _("选举人")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "user", "org"],
                                    condition=Q(user__isnull=False),
                                    name="democracy_voter_user_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="democracy_voter_named"),
        ]

    def __str__(self) -> str:
        return self.name


class RoundMode(models.TextChoices):
    PAPER = "paper", _("纸质选票")
    ELECTRONIC = "electronic", _("电子无记名投票")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("投票中")
    CLOSED = "closed", _("已计票")


ROUND_TRANSITIONS: dict[str, set[str]] = {
    RoundStatus.OPEN: {RoundStatus.CLOSED},
    RoundStatus.CLOSED: set(),
}


class VotingRound(models.Model):
    """One vote of the meeting: the first, a new vote among the tied, or a further round for
    the seats left (另行选举)."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("轮次"))
    mode = models.CharField(_("投票方式"), max_length=12, choices=RoundMode.choices)
    seats = models.PositiveSmallIntegerField(_("本轮应选名额"))
    candidates = models.JSONField(_("本轮候选人"), default=list)
    entitled = models.PositiveIntegerField(_("应到会人数"))
    present = models.PositiveIntegerField(_("实到人数"))
    status = models.CharField(_("状态"), max_length=8, choices=RoundStatus.choices,
                              default=RoundStatus.OPEN)
    opened_on = models.DateField(_("投票日期"))  # no finer time: nothing to order voters by
    issued = models.PositiveIntegerField(_("发出选票"), null=True, blank=True)
    returned = models.PositiveIntegerField(_("收回选票"), null=True, blank=True)
    paper_tally = models.JSONField(_("纸质计票"), null=True, blank=True)
    paper_void = models.PositiveIntegerField(_("废票"), null=True, blank=True)
    result = models.JSONField(_("计票结果"), null=True, blank=True)
    tally_hash = models.CharField(_("计票校验码"), max_length=64, blank=True)

    history_model = "democracy.RoundHistory"

    class Meta:
        verbose_name = _("投票轮次")
        verbose_name_plural = _("投票轮次")
        ordering = ["election", "number"]
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="democracy_round_unique"),
            models.UniqueConstraint(fields=["election"], condition=Q(status="open"),
                                    name="democracy_round_one_open"),
            models.CheckConstraint(condition=Q(present__lte=models.F("entitled")),
                                   name="democracy_round_present_le_entitled"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="democracy_round_seats"),
        ]

    def __str__(self) -> str:
        return f"{self.election} 第{self.number}轮"

    def get_absolute_url(self) -> str:
        return reverse("democracy:round", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    @property
    def ranked_tally(self) -> list[tuple[str, int]]:
        """The result's tally in order of votes (then ballot order). PostgreSQL's jsonb keeps
        no key order, so the order is rebuilt here rather than trusted from storage."""
        tally = (self.result or {}).get("tally") or {}
        order = {name: i for i, name in enumerate(self.candidates)}
        return sorted(tally.items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order))))

    @property
    def ordered_result(self) -> dict[str, Any] | None:
        if self.result is None:
            return None
        out = dict(self.result)
        if out.get("tally") is not None:
            out["tally"] = dict(self.ranked_tally)
        return out


class RoundHistory(HistoryBase):
    round = models.ForeignKey(VotingRound, on_delete=models.PROTECT, related_name="history")
    history_subject_field = "round"

    class Meta(HistoryBase.Meta):
        verbose_name = _("轮次记录")
        verbose_name_plural = _("轮次记录")


class Credential(InUnion):
    """A present voter's one-time right to cast one electronic ballot in one round (`org`: the
    election's union).

    Only the token's hash is stored; its `CredentialToken` row (keyed by the hash) keeps a token
    unique across unions on Citus. `used` flips once, by a conditional UPDATE in the same
    transaction as the ballot's insert, so one credential used twice at once counts once. The
    ballot keeps no reference back: nothing links a ballot to its credential."""

    union_parent = "voter"

    round = models.ForeignKey(VotingRound, on_delete=models.PROTECT, related_name="credentials")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="credentials")
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("投票凭证")
        verbose_name_plural = _("投票凭证")
        constraints = [
            models.UniqueConstraint(fields=["round", "voter", "org"],
                                    name="democracy_credential_one_per_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.round} #{self.pk}"


class CredentialToken(models.Model):
    """The claim of a credential's token hash: primary key = the hash, so a token names one
    credential in the whole database. On Citus this table is distributed by the hash itself
    (core/citus.py DISTRIBUTED_BY_KEY), where `Credential.token_hash` can only be unique within
    a union; a ballot cast with a token finds its credential here on one shard
    (`org`, `credential_id`). Written with the credentials, in the round's transaction."""

    token_hash = models.CharField(max_length=64, primary_key=True)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    credential_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("投票凭证号")
        verbose_name_plural = _("投票凭证号")

    def __str__(self) -> str:
        return self.token_hash[:12]


class InsertOnly(Exception):
    pass


class Ballot(models.Model):
    """One secret electronic ballot: the names chosen, nothing else.

    A random primary key (no order of arrival), no voter, no credential, no timestamp (the
    round's date is the finest time). Insert-only: never updated, never deleted. `org` is the
    election's union (the same for every ballot of the round: it says nothing of the voter)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("工会"))
    round = models.ForeignKey(VotingRound, on_delete=models.PROTECT, related_name="ballots")
    choices = models.JSONField(default=list)

    class Meta:
        verbose_name = _("电子选票")
        verbose_name_plural = _("电子选票")

    def __str__(self) -> str:
        return str(self.id)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise InsertOnly("ballots are insert-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise InsertOnly("ballots are insert-only")
