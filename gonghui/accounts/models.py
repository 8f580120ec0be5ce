from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.roles import Role


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whatever path changes a password or disables an account (the password page, the
        # admin, `changepassword`, a shell), its API tokens die with it (issue 13 item 8):
        # a token is a password that the old password's holder still has.
        password_changed = getattr(self, "_password", None) is not None
        super().save(*args, **kwargs)
        if (password_changed or not self.is_active) and self.pk is not None:
            APIToken.objects.filter(user_id=self.pk).delete()


class RoleAssignment(models.Model):
    """A role held at an org; it reaches that org's whole subtree and nothing else."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "org", "role"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.org}"


class APIToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    # the user's session auth hash (HMAC of the password hash) when the token was issued: a
    # password changed by any path, even a bulk update, no longer matches
    auth_hash = models.CharField(max_length=128, default="", editable=False)
    # issued against a valid TOTP code: the token may reveal personal data where TOTP is
    # required for it (accounts.second_factor)
    otp_verified = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class RateCount(models.Model):
    """A counter of attempts in a time window (accounts.ratelimit), shared by every process
    that uses the database — the embedded default needs no other service. `key` names the rule,
    the subject and the window; rows past `expires_at` are deleted as new ones arrive."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("频率计数")
        verbose_name_plural = _("频率计数")

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class FieldKeyProgress(models.Model):
    """How far the re-encryption under field key `key_id` has gone in one column
    (audit.keys.reencrypt): rows up to `last_pk` are done. A stopped run resumes here."""

    target = models.CharField(max_length=200)   # "<app_label.Model>.<field>"
    key_id = models.PositiveSmallIntegerField()
    last_pk = models.BigIntegerField(default=0)
    rewritten = models.BigIntegerField(default=0)
    done = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("字段密钥轮换进度")
        verbose_name_plural = _("字段密钥轮换进度")
        constraints = [models.UniqueConstraint(fields=["target", "key_id"],
                                               name="fieldkeyprogress_once")]

    def __str__(self) -> str:
        return f"{self.target}@{self.key_id}: {self.last_pk}"
