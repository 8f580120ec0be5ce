from __future__ import annotations

import re

from django.contrib.auth.password_validation import CommonPasswordValidator
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


# Words a password guesser tries first with a year or a number around them (issue 13: the
# policy accepted gonghui2026, shanghai2026, Gonghui2026). Django's list of 20,000 common
# passwords is checked too (CommonPasswordValidator only matches whole passwords).
_WORDS = """
gonghui zonggonghui gonghuibu huiyuan zhigong laomo union unions tradeunion acftu
zhonghua zhongguo china chinese beijing shanghai tianjin chongqing guangzhou shenzhen hangzhou
nanjing suzhou wuhan chengdu xian xiamen qingdao dalian ningbo huangpu xuhui pudong minhang
jingan changning putuo hongkou yangpu baoshan jiading songjiang qingpu fengxian jinshan
chongming admin administrator root user guest test demo system manager password passwd pass
passw0rd qwerty qwertyuiop asdf asdfgh asdfghjkl zxcvbnm abc abcd abcde abcdef abcdefg
welcome hello iloveyou woaini letmein love monkey dragon master sunshine
工会 总工会 上海 北京 中国 中华 会员 职工
"""
COMMON_WORDS = frozenset(_WORDS.split())
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


class CommonWordYearValidator:
    """Refuses a common word with only digits or symbols around it: `gonghui2026`,
    `Shanghai@2026`, `2026admin!`, `Password123`. Case does not help."""

    def __init__(self) -> None:
        self._common: frozenset[str] | None = None

    def _django_common(self) -> frozenset[str]:
        if self._common is None:
            self._common = frozenset(CommonPasswordValidator().passwords)
        return self._common

    def validate(self, password: str, user: object = None) -> None:
        stem = _EDGES.sub("", password).lower()
        if stem == password.lower() or not stem.isalpha():
            return  # nothing around the word, or more than one word: other rules apply
        if stem in COMMON_WORDS or stem in self._django_common():
            raise ValidationError(
                _("密码不能是常见词加年份或数字（例如 gonghui2026、shanghai2026），请换一个不易猜到的密码。"),
                code="password_common_word")

    def get_help_text(self) -> str:
        return _("不能使用常见词加年份或数字（例如 gonghui2026）。")
