from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from gonghui.workplan.rules import HEALTH_BADGES, Health

register = template.Library()


@register.simple_tag
def health_badge(value: Any, title: str = "") -> str:
    """A coloured badge for a verdict (已逾期 / 存在风险 / 正常推进 / 已完成 / 未分解)."""
    key = getattr(value, "health", value)
    if key is None or key == "cancelled":
        return format_html('<span class="badge text-bg-light border">{}</span>', "已取消")
    health = Health(key)
    text_class = " text-dark" if health == Health.AT_RISK else ""
    return format_html('<span class="badge text-bg-{}{} gh-health-{}" title="{}">{}</span>',
                       HEALTH_BADGES[health], text_class, health.value, title, health.label)


@register.filter
def get(mapping: dict, key: Any) -> Any:
    return mapping.get(key) if mapping else None
