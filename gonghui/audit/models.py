from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One write: who, what, when, before/after. Insert-only."""

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    # The org the object belongs to, as a path, so the trail is scoped like everything else.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    # the day's hash chain (audit/chain.py): the previous row's hash and this row's own
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    row_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    # which of the day's chains the row is in (GONGHUI_AUDIT_CHAIN_SHARDS; 0 with one chain)
    chain_shard = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class SensitiveRead(models.Model):
    """One unmasked read of a protected field (PIPL): who, whose, which field, when, why."""

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("查看人"),
    )
    actor_name = models.CharField(_("查看人"), max_length=150)
    subject_type = models.CharField(_("对象类型"), max_length=64)
    subject_id = models.CharField(_("对象编号"), max_length=64)
    subject_repr = models.CharField(_("对象"), max_length=255, blank=True)
    field = models.CharField(_("字段"), max_length=64)
    purpose = models.CharField(_("用途"), max_length=255)
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    count = models.PositiveIntegerField(_("条数"), default=1)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    row_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    # which of the day's chains the row is in (GONGHUI_AUDIT_CHAIN_SHARDS; 0 with one chain)
    chain_shard = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("敏感信息查看记录")
        verbose_name_plural = _("敏感信息查看记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.field} {self.subject_repr}"


class ChainHead(models.Model):
    """The end of one day's hash chain of one log ("audit" or "sensitive"): the last row's hash
    and the number of rows. Appending locks it, so rows chain in id order; it also shows when
    the last rows of a day were deleted."""

    kind = models.CharField(max_length=16)
    day = models.DateField()
    shard = models.PositiveSmallIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    last_id = models.BigIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("审计链")
        verbose_name_plural = _("审计链")
        constraints = [models.UniqueConstraint(fields=["kind", "day", "shard"],
                                               name="chain_head_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.day} ({self.rows})"
