"""Workers' congresses (职工代表大会) and open affairs (厂务公开) under 企业民主管理规定 (2012)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel


class Congress(TimeStampedModel):
    """One employer's workers' congress (a term of delegates)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("工会"))
    org_path = models.CharField(max_length=255)
    employer = models.ForeignKey("orgs.Employer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("用人单位"))
    name = models.CharField(_("名称"), max_length=200)
    term_start = models.DateField(_("本届起始"))
    term_end = models.DateField(_("本届届满"))
    last_session_on = models.DateField(_("最近一次会议"), null=True, blank=True)

    class Meta:
        verbose_name = _("职工代表大会")
        verbose_name_plural = _("职工代表大会")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(term_end__gt=models.F("term_start")),
                                   name="rights_congress_term_order"),
        ]
        indexes = [models.Index(fields=["org_path", "last_session_on"],
                                name="rights_congress_path")]

    def __str__(self) -> str:
        return self.name


class Delegate(models.Model):
    class Group(models.TextChoices):
        FRONTLINE = "frontline", _("一线职工")
        TECHNICAL = "technical", _("专业技术人员")
        MANAGEMENT = "management", _("管理人员（含中层以上）")

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="delegates")
    name = models.CharField(_("姓名"), max_length=64)
    group = models.CharField(_("类别"), max_length=16, choices=Group.choices)
    is_woman = models.BooleanField(_("女职工"), default=False)
    active = models.BooleanField(_("在任"), default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("召开日期"))
    title = models.CharField(_("会议名称"), max_length=200)
    delegates_total = models.PositiveIntegerField(_("应到代表"))
    present = models.PositiveIntegerField(_("实到代表"))
    attendees = models.ManyToManyField(Delegate, related_name="+", blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(present__lte=models.F("delegates_total")),
                                   name="rights_session_present_le_total"),
        ]

    def __str__(self) -> str:
        return self.title


class Resolution(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="resolutions")
    title = models.CharField(_("议题"), max_length=200)
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"), default=0)
    abstained = models.PositiveIntegerField(_("弃权"), default=0)
    passed = models.BooleanField(_("通过"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class OpenAffair(models.Model):
    """厂务公开: an item the employer made public, with its date."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="open_affairs")
    title = models.CharField(_("公开事项"), max_length=200)
    content = models.TextField(_("内容"), blank=True)
    published_on = models.DateField(_("公开日期"))

    class Meta:
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title
