"""The in-app inbox: one row per recipient and message. Insert-only except `read_at`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # A dotted name chosen by the sending app ("notices.objection", "aid.review_due"); the
    # channels of each kind are configuration (settings.GONGHUI_NOTIFY_CHANNELS).
    kind = models.CharField(_("类型"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    org_path = models.CharField(max_length=255, blank=True)
    sender_name = models.CharField(_("发送方"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            # The inbox page and the API list: newest first per recipient.
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            # The navbar's unread count on every page: a small partial index.
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True),
                         name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
