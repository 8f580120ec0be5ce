"""公示 (public notice): a list published in an org's subtree for N working days, the objections
raised during that period, their decisions, and the closing outcome per item."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.workflow import HistoryBase


class Notice(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("公示中")
        CLOSED = "closed", _("已结束")
        WITHDRAWN = "withdrawn", _("已撤回")

    # A notice closes (after its end date, every objection decided) or is withdrawn (a mistake
    # in the list: the owning app publishes a corrected one). Both are final.
    TRANSITIONS = {
        Status.PUBLISHED: {Status.CLOSED, Status.WITHDRAWN},
        Status.CLOSED: set(),
        Status.WITHDRAWN: set(),
    }
    INITIAL = {Status.PUBLISHED}

    # The owning app's name for this kind of list ("awards.honour", "evaluation.result"); its
    # handler (`notices.register_handler`) is called when the notice closes.
    kind = models.CharField(_("类型"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("说明"), blank=True)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("公示范围"))
    org_path = models.CharField(max_length=255, db_index=True)
    # The capability that publishes, decides and closes this notice (default org.write; awards
    # and evaluation pass their own).
    capability = models.CharField(max_length=64)
    working_days = models.PositiveSmallIntegerField(_("公示工作日数"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.PUBLISHED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_by_name = models.CharField(_("发布人"), max_length=150)
    created_at = models.DateTimeField(_("发布时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    history_model = "notices.NoticeHistory"

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        indexes = [models.Index(fields=["status", "end_date"], name="notice_current")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="notice_period_order"),
            models.CheckConstraint(condition=models.Q(working_days__gte=1),
                                   name="notice_working_days_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class NoticeHistory(HistoryBase):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="history")
    history_subject_field = "notice"

    class Meta(HistoryBase.Meta):
        verbose_name = _("公示状态记录")
        verbose_name_plural = _("公示状态记录")


class NoticeItem(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    # What the public sees: a name, a unit, the reason for the honour — never an ID number.
    text = models.CharField(_("内容"), max_length=500)
    # The owning app's reference, opaque here ("awards.nomination", "123").
    source_type = models.CharField(max_length=64, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    # Set when an objection naming this item is upheld.
    objection_upheld = models.BooleanField(_("异议成立"), default=False)

    class Meta:
        ordering = ["notice", "position"]
        verbose_name = _("公示条目")
        verbose_name_plural = _("公示条目")
        constraints = [
            models.UniqueConstraint(fields=["notice", "position"], name="notice_item_position"),
        ]

    def __str__(self) -> str:
        return self.text


class Objection(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    TRANSITIONS = {
        Status.PENDING: {Status.UPHELD, Status.DISMISSED},
        Status.UPHELD: set(),
        Status.DISMISSED: set(),
    }
    INITIAL = {Status.PENDING}

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections")
    # None: the objection concerns the whole notice.
    item = models.ForeignKey(NoticeItem, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="objections", verbose_name=_("异议条目"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    author_name = models.CharField(_("提出人"), max_length=150)
    text = models.TextField(_("异议内容"))
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.PENDING)
    created_at = models.DateTimeField(_("提出时间"))
    decision_reason = models.CharField(_("处理意见"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_by_name = models.CharField(_("处理人"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    history_model = "notices.ObjectionHistory"

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        indexes = [models.Index(fields=["notice", "status"], name="objection_notice_status")]

    def __str__(self) -> str:
        return self.text[:50]


class ObjectionHistory(HistoryBase):
    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="history")
    history_subject_field = "objection"

    class Meta(HistoryBase.Meta):
        verbose_name = _("异议处理记录")
        verbose_name_plural = _("异议处理记录")
