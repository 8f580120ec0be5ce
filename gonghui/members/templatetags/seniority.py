"""`{{ membership|seniority }}`: 会龄 in full years through the one function (members.seniority)."""

from __future__ import annotations

from typing import Any

from django import template

from gonghui.core import clock
from gonghui.members.seniority import seniority_years

register = template.Library()


@register.filter
def seniority(membership: Any) -> int:
    return seniority_years(membership, clock.today())
