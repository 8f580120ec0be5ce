"""Codes on orgs and employers: 统一社会信用代码 (GB 32100-2015) through python-stdnum."""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumError

from gonghui.core.errors import ApplicationError


def normalize_uscc(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "").upper()


def clean_uscc(raw: str, *, union: bool = False) -> str:
    """Validate a USCC; a union's own code must be registered by the union authority (starts
    with 8, 工会法人). Empty stays empty."""
    value = normalize_uscc(raw)
    if not value:
        return ""
    try:
        value = stdnum_uscc.validate(value)
    except StdnumError as exc:
        raise ApplicationError(
            _("统一社会信用代码“{value}”无效（应为 18 位且校验位正确）。").format(value=value),
            code="uscc_invalid",
        ) from exc
    if union and not value.startswith("8"):
        raise ApplicationError(
            _("工会法人的统一社会信用代码应以 8 开头（登记管理部门代码：工会）。"),
            code="uscc_not_union",
        )
    return value


def make_uscc(prefix17: str) -> str:
    """Complete 17 characters with the GB 32100 check character (demo data and tests)."""
    return prefix17 + stdnum_uscc.calc_check_digit(prefix17)
