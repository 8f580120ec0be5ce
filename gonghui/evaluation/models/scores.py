"""Third-party evaluation scores and the weights of a union's yearly score."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel


class ThirdPartyScore(TimeStampedModel):
    """An evaluator organisation's score of one union for one year (0–100)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveIntegerField(_("年度"))
    evaluator = models.CharField(_("评估机构"), max_length=200)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("第三方评估得分")
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="eval_third_one_per_year"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100),
                                   name="eval_third_score_range"),
        ]


class ScoreWeights(TimeStampedModel):
    """Weights of the yearly score set by a federation for its subtree (sum = 1)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("设定单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveIntegerField(_("年度"))
    # Whole percentages (e.g. 30 % third party), summing to 100: exact, and what is printed.
    self_weight = models.PositiveSmallIntegerField(_("自评权重（%）"), default=40)
    satisfaction_weight = models.PositiveSmallIntegerField(_("满意度权重（%）"), default=30)
    third_party_weight = models.PositiveSmallIntegerField(_("第三方权重（%）"), default=30)

    class Meta:
        verbose_name = _("年度综合得分权重")
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="eval_weights_one_per_year"),
            models.CheckConstraint(
                condition=Q(self_weight=100 - models.F("satisfaction_weight")
                            - models.F("third_party_weight")),
                name="eval_weights_sum_one"),
        ]
