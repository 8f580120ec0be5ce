"""The "two letters" (工会劳动法律监督"两书"): the 劳动法律监督意见书 a union issues to an employer
that breaks labour law, and the 劳动法律监督建议书 to the labour inspection authority when the
employer does not answer or refuses. Numbered per issuing union, kind and year."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.workflow import HistoryBase
from gonghui.rights.models.cases import InParentUnion


class LetterKind(models.TextChoices):
    OPINION = "opinion", _("劳动法律监督意见书")
    RECOMMENDATION = "recommendation", _("劳动法律监督建议书")


class LetterStatus(models.TextChoices):
    ISSUED = "issued", _("已发出")
    CORRECTED = "corrected", _("已整改")
    REFUSED = "refused", _("拒不整改")
    ESCALATED = "escalated", _("已提请劳动监察")
    CLOSED = "closed", _("已办结")


LETTER_TRANSITIONS: dict[str, set[str]] = {
    LetterStatus.ISSUED: {LetterStatus.CORRECTED, LetterStatus.REFUSED, LetterStatus.ESCALATED,
                          LetterStatus.CLOSED},
    LetterStatus.REFUSED: {LetterStatus.ESCALATED},
}


class RightsPolicy(TimeStampedModel):
    """A federation's settings for rights work (the 意见书 reply period)."""

    org = models.OneToOneField("orgs.Org", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("工会"))
    org_path = models.CharField(max_length=255)
    reply_days = models.PositiveSmallIntegerField(_("意见书答复期限（天）"), default=15)
    reply_in_working_days = models.BooleanField(_("按工作日计算"), default=False)

    class Meta:
        verbose_name = _("维权工作设置")
        constraints = [
            models.CheckConstraint(condition=models.Q(reply_days__gte=1, reply_days__lte=90),
                                   name="rights_policy_reply_days_range"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id}: {self.reply_days}"


class Letter(TimeStampedModel):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("发文工会"))
    org_path = models.CharField(max_length=255)
    kind = models.CharField(_("文书"), max_length=16, choices=LetterKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    seq = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=64)
    employer = models.ForeignKey("orgs.Employer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("用人单位"))
    opinion = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="recommendations", verbose_name=_("所附意见书"))
    case = models.ForeignKey("rights.Case", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="letters", verbose_name=_("相关案件"))
    addressee = models.CharField(_("主送"), max_length=200)
    violation = models.TextField(_("违法事实"))
    legal_basis = models.TextField(_("法律依据"))
    correction = models.TextField(_("整改要求"))
    issued_on = models.DateField(_("发出日期"))
    reply_due = models.DateField(_("答复期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=LetterStatus.choices,
                              default=LetterStatus.ISSUED)
    reply_on = models.DateField(_("答复日期"), null=True, blank=True)
    reply_text = models.TextField(_("答复内容"), blank=True)

    history_model = "rights.LetterHistory"

    class Meta:
        verbose_name = _("监督文书")
        verbose_name_plural = _("监督文书")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "kind", "year", "seq"],
                                    name="rights_letter_number_unique"),
            models.CheckConstraint(condition=models.Q(reply_on__isnull=True)
                                   | models.Q(reply_on__gte=models.F("issued_on")),
                                   name="rights_letter_reply_after_issue"),
            models.CheckConstraint(condition=models.Q(status__in=LetterStatus.values),
                                   name="rights_letter_status_valid"),
        ]
        indexes = [models.Index(fields=["org_path", "status"], name="rights_letter_path")]

    def __str__(self) -> str:
        return self.number


class LetterHistory(InParentUnion, HistoryBase):
    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="history")
    # the letter's issuing union: the distribution column (docs/scale.md)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            editable=False)
    parent_union = ("org", "letter", "org")
    history_subject_field = "letter"

    class Meta(HistoryBase.Meta):
        verbose_name = _("文书进程")
