from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, icon, capability needed anywhere)
MODULES = [
    ("home", _("工作台"), "speedometer2", None),
    ("orgs:tree", _("组织"), "diagram-3", "org.read"),
    ("members:list", _("会员"), "people", "member.read"),
    ("members:applications", _("入会审批"), "person-check", "member.write"),
    ("roster:home", _("名册导入导出"), "file-earmark-spreadsheet", "member.write"),
    ("aid:home", _("困难帮扶"), "heart", "aid.read"),
    ("mutualaid:home", _("互助保障"), "shield-plus", "mutualaid.read"),
    ("funds:home", _("经费"), "cash-coin", "funds.read"),
    ("workplan:home", _("工作要点"), "list-check", "workplan.read"),
    ("audit:list", _("审计日志"), "journal-text", "audit.read"),
    ("accounts:roles", _("角色授权"), "person-gear", "role.assign"),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_modules": []}
    from gonghui.accounts.scoping import capabilities_anywhere

    caps = capabilities_anywhere(user)
    items = []
    for name, label, icon, cap in MODULES:
        if cap and cap not in caps:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "icon": icon, "active": request.path == url
                      or (url != "/" and request.path.startswith(url))})
    return {"nav_modules": items}
