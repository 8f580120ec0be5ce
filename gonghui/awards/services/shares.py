"""Composition rules of an honour list (一线职工、专业技术人员 minimum shares, 管理人员 maximum,
女性 minimum — each optional, set per scheme), counted in whole numbers.

Two checks use them:

- the **exact** check (`composition_problems`, in `honours.list_forward`) on the list a quota
  holder forwards and on the issuing union's shortlist: the shares of that list;
- the **outlook** check (`outlook_problems`) whenever nominations take places of a quota holder
  (a street forwarding to its district, a union directly under the district submitting): the
  district's list, filled up to its quota with the best-fitting people, must still be able to
  meet every rule. A street that sends a third manager against "管理人员不超过 20%" of a quota of
  12 is refused then, not the district weeks later.

The outlook is sound at the full quota: adding front-line people only raises the front-line
share, adding non-managers only lowers the managers' share, so if the list cannot meet a rule
when every remaining place is used for it, no smaller list can. Front-line and technical staff
are separate categories, so their shortfalls share the remaining places; women can be counted
in either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from gonghui.awards.models import HonourScheme, Nomination, NomineeType, Quota, WorkerCategory

KEYS = ("total", "frontline", "technical", "manager", "women")


def counts_of(rows: QuerySet[Nomination] | Sequence[Nomination]) -> dict[str, int]:
    """People on a list by category and women (one aggregate query for a queryset)."""
    if isinstance(rows, QuerySet):
        got = rows.filter(nominee_type=NomineeType.INDIVIDUAL).aggregate(
            total=Count("id"), frontline=Count("id", filter=Q(category=WorkerCategory.FRONTLINE)),
            technical=Count("id", filter=Q(category=WorkerCategory.TECHNICAL)),
            manager=Count("id", filter=Q(category=WorkerCategory.MANAGER)),
            women=Count("id", filter=Q(gender="F")))
        return {k: got[k] or 0 for k in KEYS}
    people = [n for n in rows if n.nominee_type == NomineeType.INDIVIDUAL]
    return {"total": len(people),
            "frontline": sum(1 for n in people if n.category == WorkerCategory.FRONTLINE),
            "technical": sum(1 for n in people if n.category == WorkerCategory.TECHNICAL),
            "manager": sum(1 for n in people if n.category == WorkerCategory.MANAGER),
            "women": sum(1 for n in people if n.gender == "F")}


def added(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a[k] + b[k] for k in KEYS}


@dataclass(frozen=True)
class Rule:
    key: str
    pct: int
    minimum: bool
    label: str

    def ok(self, n: int, total: int) -> bool:
        # integers only: n/total >= pct/100 ⇔ 100·n >= pct·total (no rounding at the edge)
        return 100 * n >= self.pct * total if self.minimum else 100 * n <= self.pct * total

    def bound(self, size: int) -> int:
        """People needed (a minimum rule) or allowed (a maximum) on a list of `size`."""
        return (self.pct * size + 99) // 100 if self.minimum else self.pct * size // 100

    @property
    def text(self) -> str:
        return (_("不低于 {pct}%") if self.minimum else _("不高于 {pct}%")).format(pct=self.pct)


def rules(scheme: HonourScheme) -> list[Rule]:
    if not scheme.has_shares:
        return []
    table = [("frontline", scheme.min_frontline_pct, True, _("一线职工比例")),
             ("technical", scheme.min_technical_pct, True, _("专业技术人员比例")),
             ("manager", scheme.max_manager_pct, False, _("管理人员比例")),
             ("women", scheme.min_women_pct, True, _("女性比例"))]
    return [Rule(key, pct, minimum, label) for key, pct, minimum, label in table
            if pct is not None]


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}" if total else "0.0"


def composition_problems(scheme: HonourScheme, rows: Sequence[Nomination],
                         already: QuerySet[Nomination] | None = None) -> list[str]:
    """Each share rule the list (`rows` plus the level's `already` sent) breaks, as a sentence
    naming the rule and the numbers."""
    checks = rules(scheme)
    if not checks:
        return []
    counts = counts_of(rows)
    if already is not None:
        counts = added(counts, counts_of(already))
    total = counts["total"]
    if not total:
        return []
    return [(_("{label}应不低于 {pct}%：名单 {total} 人中 {n} 人，占 {actual}%。") if r.minimum
             else _("{label}应不高于 {pct}%：名单 {total} 人中 {n} 人，占 {actual}%。"))
            .format(label=r.label, pct=r.pct, total=total, n=counts[r.key],
                    actual=_pct(counts[r.key], total))
            for r in checks if not r.ok(counts[r.key], total)]


def outlook_problems(scheme: HonourScheme, org_name: str, quota: int,
                     counts: dict[str, int], *, only: Sequence[Rule] | None = None) -> list[str]:
    """Each rule the quota holder's list (`counts`, the new people included) could no longer
    meet even if every remaining place went to the people the rule needs."""
    room = quota - counts["total"]
    problems = []
    short = {}
    for r in rules(scheme) if only is None else only:
        limit, n = r.bound(quota), counts[r.key]
        if r.minimum and n + room < limit:
            problems.append(_("{org}名额 {quota} 个，{label}应不低于 {pct}%（至少 {limit} 人）："
                              "已占名额中 {n} 人，剩余名额 {room} 个，已无法达到。").format(
                org=org_name, quota=quota, label=r.label, pct=r.pct, limit=limit, n=n,
                room=room))
        elif not r.minimum and n > limit:
            problems.append(_("{org}名额 {quota} 个，{label}应不高于 {pct}%（至多 {limit} 人）："
                              "已占名额中 {n} 人，超出 {over} 人。").format(
                org=org_name, quota=quota, label=r.label, pct=r.pct, limit=limit, n=n,
                over=n - limit))
        elif r.minimum and r.key in ("frontline", "technical"):
            short[r.key] = max(0, limit - n)
    if len(short) == 2 and sum(short.values()) > room:
        problems.append(_("{org}名额 {quota} 个：一线职工还需至少 {f} 人、专业技术人员还需至少 {t} 人，"
                          "剩余名额只有 {room} 个。").format(
            org=org_name, quota=quota, f=short["frontline"], t=short["technical"], room=room))
    return problems


def pool(quota: Quota) -> QuerySet[Nomination]:
    """The live nominations holding places of a quota (returned, rejected and withdrawn ones
    gave theirs back)."""
    return Nomination.objects.filter(quota=quota)


@dataclass(frozen=True)
class Standing:
    """One rule on a page: the level's own list and the quota holder's places."""

    label: str
    text: str
    own: str            # "2 / 5 人，40.0%" — what this level has sent up
    places: str         # the same over the quota holder's places
    bound: str          # at the full quota: "至少 6 人" / "至多 2 人"
    state: str          # "ok" | "open" (still reachable) | "broken" | "empty" (no one yet)


def standing(scheme: HonourScheme, quota: Quota | None,
             own: QuerySet[Nomination] | None) -> list[Standing]:
    """The composition rules with where a level's list and its quota holder stand (two
    aggregate queries whatever the number of nominations)."""
    checks = rules(scheme)
    if not checks:
        return []
    mine = counts_of(own) if own is not None else None
    held = counts_of(pool(quota)) if quota is not None else None
    broken = set()
    if quota is not None and held is not None:
        problems = {r.key: outlook_problems(scheme, "", quota.quota, held, only=[r])
                    for r in checks}
        broken = {key for key, found in problems.items() if found}
        if len(outlook_problems(scheme, "", quota.quota, held)) > sum(map(len, problems.values())):
            broken |= {"frontline", "technical"}  # their shortfalls together exceed the room
    out = []
    for r in checks:
        def shown(c: dict[str, int] | None, r: Rule = r) -> str:
            if c is None:
                return "—"
            return _("{n} / {total} 人，{pct}%").format(n=c[r.key], total=c["total"],
                                                       pct=_pct(c[r.key], c["total"]))
        state = "ok"
        if r.key in broken:
            state = "broken"
        elif held is None or not held["total"]:
            state = "empty"
        elif not r.ok(held[r.key], held["total"]):
            state = "open"
        bound = ""
        if quota is not None:
            bound = (_("满额 {q} 人时至少 {n} 人") if r.minimum
                     else _("满额 {q} 人时至多 {n} 人")).format(q=quota.quota,
                                                             n=r.bound(quota.quota))
        out.append(Standing(label=r.label, text=r.text, own=shown(mine), places=shown(held),
                            bound=bound, state=state))
    return out

