"""The yearly statistical report (工会统计年报) of a subtree: the figures as data (the JSON API
and the workbook share them) and the workbook (openpyxl write-only).

Sheets, and the official table each follows (全国工会统计年报制度, simplified to what Gonghui
records — docs/stats.md lists what is left out):

1. 组织 — 基层工会组织情况 (表一): active organisations by level and by type.
2. 会员 — 工会会员情况 (表二): members by status, sex, age band, education, employment form
   and the eight new-employment groups (八大群体), per child org.
3. 覆盖 — 建会入会情况 (表三): employers, covered employers, employees, members, 建会率, 入会率,
   per child org and per industry.
4. 干部 — 工会干部情况 (表四, partial): role holders by role.
5. 经费 — 工会经费收支情况 (表五): the year's income and expense by first-level account (the
   funds module's 收入支出表 rolled up over the subtree).
6. 核对 — every sub-total checked against its total (PASS / FAIL per line).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from gonghui.accounts.roles import Role
from gonghui.core.sheets import SafeSheet
from gonghui.funds import reports as funds
from gonghui.members import stats_selectors as members
from gonghui.members.choices import Education, EmploymentForm, Gender, NewEmploymentGroup
from gonghui.orgs import stats_selectors as orgs
from gonghui.orgs.models import Level, Org, OrgType
from gonghui.stats import selectors

SHEETS = 6


def _labels(counts: dict[str, int], choices: Any) -> list[dict[str, Any]]:
    names = dict(choices)
    return [{"key": k, "name": str(names.get(k, k or _("（未填）"))), "value": int(v)}
            for k, v in sorted(counts.items())]


def figures(*, org: Org, year: int, viewer: Any, today: dt.date) -> dict[str, Any]:
    """Every figure of the report, as plain data (JSON-ready: money as strings)."""
    as_of = min(today, dt.date(year, 12, 31))
    counts = orgs.org_counts(org=org)
    breakdown = members.held_breakdown(org_path=org.path, today=as_of)
    totals = members.counter_totals(org_path=org.path)
    children = selectors.coverage_by_child(org)
    industries = selectors.coverage_by_industry(org)
    cadres = orgs.cadre_counts(org=org)
    income = funds.income_statement(viewer=viewer, org=org, year=year, rollup=True)
    role_names = dict(Role.choices)
    return {
        "org": {"code": org.code, "name": org.name}, "year": year, "as_of": as_of.isoformat(),
        "orgs": {"total": counts["total"],
                 "by_level": _labels(counts["by_level"], Level.choices),
                 "by_type": _labels(counts["by_type"], OrgType.choices)},
        "members": {
            **totals,
            "held": sum(breakdown["status"].values()),
            "by_gender": _labels(breakdown["gender"], Gender.choices),
            "by_age_band": [{"key": k, "name": k, "value": int(v)}
                            for k, v in breakdown["age_band"].items()],
            "by_education": _labels(breakdown["education"], Education.choices),
            "by_employment_form": _labels(breakdown["employment_form"], EmploymentForm.choices),
            "by_new_employment_group": _labels(
                {k: v for k, v in breakdown["new_employment_group"].items() if k},
                NewEmploymentGroup.choices),
            "by_child": [{"code": c["code"], "name": c["name"], "active": c["active"],
                          "retired": c["retired"], "new_employment": c["new_employment"]}
                         for c in children],
        },
        "coverage": {**selectors.coverage(org), "by_child": children, "by_industry": industries},
        "cadres": [{"key": k, "name": str(role_names.get(k, k)), "value": v}
                   for k, v in cadres.items()],
        "funds": {"columns": [str(c) for c in income.columns],
                  "rows": [[str(c) for c in r.cells]
                           for r in income.rows]},
    }


def checks(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each sub-total against its total: (what, sum of parts, total, passed)."""
    m, c, o = data["members"], data["coverage"], data["orgs"]
    lines: list[tuple[str, int, int]] = [
        (_("组织：按层级合计 = 组织总数"), sum(r["value"] for r in o["by_level"]), o["total"]),
        (_("组织：按类型合计 = 组织总数"), sum(r["value"] for r in o["by_type"]), o["total"]),
        (_("会员：按性别合计 = 在册会员"), sum(r["value"] for r in m["by_gender"]), m["held"]),
        (_("会员：按学历合计 = 在册会员"), sum(r["value"] for r in m["by_education"]), m["held"]),
        (_("会员：按用工形式合计 = 在册会员"),
         sum(r["value"] for r in m["by_employment_form"]), m["held"]),
        (_("会员：在职 + 离退休 = 在册会员（计数表）"), m["active"] + m["retired"], m["held"]),
        (_("会员：按年龄段合计 = 在职会员"), sum(r["value"] for r in m["by_age_band"]),
         m["active"]),
        (_("会员：八大群体合计 ≤ 新就业形态会员"),
         min(sum(r["value"] for r in m["by_new_employment_group"]), m["new_employment"]),
         sum(r["value"] for r in m["by_new_employment_group"])),
        (_("会员：下级合计 = 在职会员"), sum(r["active"] for r in m["by_child"]), m["active"]),
        (_("覆盖：下级单位数合计 = 单位总数"), sum(r["employers"] for r in c["by_child"]),
         c["employers"]),
        (_("覆盖：下级已建会合计 = 已建会单位"), sum(r["covered"] for r in c["by_child"]),
         c["covered"]),
        (_("覆盖：下级职工数合计 = 职工总数"), sum(r["employees"] for r in c["by_child"]),
         c["employees"]),
        (_("覆盖：按行业单位数合计 = 单位总数"), sum(r["employers"] for r in c["by_industry"]),
         c["employers"]),
    ]
    return [{"check": name, "parts": parts, "total": total, "passed": parts == total}
            for name, parts, total in lines]


def write_workbook(data: dict[str, Any], path: Path, *,
                   progress: Callable[[int], None] | None = None) -> bool:
    """Write the report to `path` (write-only mode: rows stream to disk). Returns whether every
    check passed; `progress(n)` is told after each sheet."""
    book = Workbook(write_only=True)
    title = f"{data['org']['name']} {data['year']} {_('年工会统计年报')}"
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done)

    def table(sheet: Any, heading: str, rows: list[dict[str, Any]]) -> None:
        sheet.append([heading])
        for r in rows:
            sheet.append([r["name"], r["value"]])
        sheet.append([_("合计"), sum(r["value"] for r in rows)])
        sheet.append([])

    s = SafeSheet(book.create_sheet(_("组织")))
    s.append([title])
    s.append([_("组织总数（正常）"), data["orgs"]["total"]])
    s.append([])
    table(s, _("按层级"), data["orgs"]["by_level"])
    table(s, _("按类型"), data["orgs"]["by_type"])
    step()

    m = data["members"]
    s = SafeSheet(book.create_sheet(_("会员")))
    s.append([title])
    s.append([_("在职会员"), m["active"]])
    s.append([_("离退休会员"), m["retired"]])
    s.append([_("在册会员"), m["held"]])
    s.append([_("新就业形态会员"), m["new_employment"]])
    s.append([])
    table(s, _("按性别（在册）"), m["by_gender"])
    table(s, _("按年龄段（在职）"), m["by_age_band"])
    table(s, _("按学历（在册）"), m["by_education"])
    table(s, _("按用工形式（在册）"), m["by_employment_form"])
    table(s, _("八大群体（在册）"), m["by_new_employment_group"])
    s.append([_("下级组织"), _("组织代码"), _("在职会员"), _("离退休会员"), _("新就业形态会员")])
    for r in m["by_child"]:
        s.append([r["name"], r["code"], r["active"], r["retired"], r["new_employment"]])
    step()

    c = data["coverage"]
    s = SafeSheet(book.create_sheet(_("覆盖")))
    s.append([title])
    s.append([_("用人单位"), c["employers"], _("已建会"), c["covered"], _("建会率（%）"),
              c["coverage_rate"]])
    s.append([_("职工人数"), c["employees"], _("在职会员"), c["members"], _("入会率（%）"),
              c["membership_rate"]])
    s.append([])
    header = [_("用人单位"), _("已建会"), _("建会率（%）"), _("职工人数"), _("在职会员"),
              _("入会率（%）")]
    s.append([_("下级组织"), *header])
    for r in c["by_child"]:
        s.append([r["name"], r["employers"], r["covered"], r["coverage_rate"], r["employees"],
                  r["active"], r["membership_rate"]])
    s.append([])
    s.append([_("行业"), *header])
    for r in c["by_industry"]:
        s.append([r["name"], r["employers"], r["covered"], r["coverage_rate"], r["employees"],
                  r["active"], r["membership_rate"]])
    step()

    s = SafeSheet(book.create_sheet(_("干部")))
    s.append([title])
    table(s, _("担任角色的人员（按角色）"), data["cadres"])
    step()

    s = SafeSheet(book.create_sheet(_("经费")))
    s.append([title])
    s.append(data["funds"]["columns"])
    for row in data["funds"]["rows"]:
        s.append([Decimal(v) if i >= 2 and v not in ("", "None") else v
                  for i, v in enumerate(row)])
    step()

    s = SafeSheet(book.create_sheet(_("核对")))
    s.append([_("核对项"), _("分项合计"), _("总数"), _("结果")])
    results = checks(data)
    for r in results:
        s.append([r["check"], r["parts"], r["total"], "PASS" if r["passed"] else "FAIL"])
    step()
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return all(r["passed"] for r in results)
