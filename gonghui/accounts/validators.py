from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator:
    """Length rule with its message in our catalogue (Django's zh_Hans lacks the plural form)."""

    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码太短，至少需要 {n} 个字符。").format(n=self.min_length), code="password_too_short"
            )

    def get_help_text(self) -> str:
        return _("密码至少需要 {n} 个字符。").format(n=self.min_length)


class CharacterClassValidator:
    """Password policy: at least one letter and one digit, in addition to the length rule."""

    def validate(self, password: str, user: object = None) -> None:
        if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
            raise ValidationError(_("密码必须同时包含字母和数字。"), code="password_classes")

    def get_help_text(self) -> str:
        return _("密码必须同时包含字母和数字。")
