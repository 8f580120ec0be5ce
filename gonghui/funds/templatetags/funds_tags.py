from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from gonghui.funds.models import FindingStatus

register = template.Library()


@register.filter
def yuan(value: Decimal | None) -> str:
    """1234.5 → 1,234.50; None → empty; negative with a minus sign. Never a float."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}"


@register.filter
def period_label(period: int) -> str:
    return f"{period // 100}-{period % 100:02d}"


@register.filter
def finding_status(code: str) -> str:
    """A finding history row's status code as its label (待答复, 已答复, 已关闭)."""
    return str(dict(FindingStatus.choices).get(code, code))


@register.filter
def bs(field: Any) -> str:
    """Render a bound field's widget with the Bootstrap class for its kind."""
    widget = field.field.widget
    name = type(widget).__name__
    if name in ("CheckboxInput",):
        css = "form-check-input"
    elif name in ("Select", "SelectMultiple"):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})
