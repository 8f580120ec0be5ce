"""Risk watch: signals → score (weights with exponential decay) → level → alerts.

score(employer) = Σ weight(kind) × severity × 0.5^(age_days / half_life(kind)) over its signals
(signals in the future or older than 5 half-lives count nothing). Levels by the thresholds in
DEFAULT_THRESHOLDS. A level that rises opens an alert (one open alert per employer, raised when
the level rises further) and notifies the cadres of the covering street and district.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.accounts.models import RoleAssignment
from gonghui.accounts.roles import CAPABILITIES
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.cells import CellError, check_spreadsheet, parse_date
from gonghui.core.citus import one_connection_per_node
from gonghui.core.errors import ApplicationError, Conflict, Forbidden
from gonghui.core.workflow import append_history, transition
from gonghui.notifications.services import notify
from gonghui.orgs.models import Employer, Org
from gonghui.rights.models import (
    ALERT_TRANSITIONS,
    DEFAULT_THRESHOLDS,
    DEFAULT_WEIGHTS,
    LEVEL_ORDER,
    AlertHistory,
    AlertStatus,
    EmployerRisk,
    Level,
    RiskAlert,
    RiskSignal,
    RiskWeight,
    SignalKind,
)

MAX_HALF_LIVES = 5


def require_root_policy(actor: Actor) -> None:
    """The weights are federation-wide: POLICY_WRITE over every root of the org tree; a holder
    of it lower down sees them but may not change them (403)."""
    require_capability(actor, Capability.POLICY_WRITE, read=Capability.RIGHTS_READ)
    for root in Org.objects.get_root_nodes():
        if not has_capability(actor, Capability.POLICY_WRITE, root):
            raise Forbidden(_("风险权重全市统一，只有市总工会管理员可以修改。"))


def weights() -> dict[str, tuple[float, float]]:
    """kind → (weight, half-life days): the table's rows over the defaults."""
    table = {k: (float(w), float(h)) for k, (w, h) in DEFAULT_WEIGHTS.items()}
    for row in RiskWeight.objects.all():
        table[row.kind] = (float(row.weight), float(row.half_life_days))
    return table


def level_for(score: Decimal) -> str:
    level = Level.GREEN
    for candidate in (Level.YELLOW, Level.ORANGE, Level.RED):
        if score >= DEFAULT_THRESHOLDS[candidate]:
            level = candidate
    return level


def contribution(kind: str, severity: int, on: dt.date, today: dt.date,
                 table: dict[str, tuple[float, float]]) -> float:
    weight, half_life = table[kind]
    age = (today - on).days
    if age < 0 or age > MAX_HALF_LIVES * half_life:
        return 0.0
    return weight * severity * 0.5 ** (age / half_life)


def _score(total: float) -> Decimal:
    return Decimal(str(round(total, 2))).quantize(Decimal("0.01"))


CHUNK = 5000
# A recompute that raises more alerts than this under one street tells its cadres in one
# message (with the count and the first names) instead of one message per employer.
DIGEST_OVER = 3


def _recipients_by_path() -> dict[str, list[Any]]:
    """Rights writers at every street and district: org path → users (one query)."""
    roles = [r for r, caps in CAPABILITIES.items() if Capability.RIGHTS_WRITE in caps]
    out: dict[str, list[Any]] = defaultdict(list)
    for grant in (RoleAssignment.objects.filter(org__level__in=("street", "district"),
                                                role__in=roles)
                  .select_related("user", "org")):
        out[grant.org.path].append(grant.user)
    return out


def _recipients(area_path: str, table: dict[str, list[Any]]) -> list[Any]:
    """Rights writers at the street and district above the employer's area (and the area)."""
    users = {u.pk: u for i in range(4, len(area_path) + 1, 4)
             for u in table.get(area_path[:i], [])}
    return list(users.values())


def _raise_alerts(rises: list[tuple[int, str, str, Decimal]], paths: dict[int, str],
                  actor: Actor) -> None:
    """Open (or raise) the alerts of every employer whose level rose, in bulk: a few queries per
    5,000 rises, one history row each, and the street and district cadres told in-app."""
    now, user, name = clock.now(), actor_user(actor), actor_name(actor)
    labels = {lv.value: str(lv.label) for lv in Level}
    told: dict[frozenset[int], list[tuple[RiskAlert, str]]] = defaultdict(list)
    table = _recipients_by_path()
    for start in range(0, len(rises), CHUNK):
        chunk = rises[start:start + CHUNK]
        ids = [r[0] for r in chunk]
        names = dict(Employer.objects.filter(pk__in=ids).values_list("pk", "name"))
        open_alerts = {a.employer_id: a for a in RiskAlert.objects.select_for_update()
                       .filter(employer_id__in=ids).exclude(status=AlertStatus.CLOSED)}
        fresh, raised, history = [], [], []
        for employer_id, old, new, score in chunk:
            alert = open_alerts.get(employer_id)
            if alert is None:
                fresh.append(RiskAlert(employer_id=employer_id, area_path=paths[employer_id],
                                       level=new, previous_level=old, score=score))
            else:
                alert.level, alert.score, alert.updated_at = new, score, now
                raised.append(alert)
        fresh = RiskAlert.objects.bulk_create(fresh)
        RiskAlert.objects.bulk_update(raised, ["level", "score", "updated_at"])
        for alert in fresh:
            history.append(AlertHistory(
                alert=alert, from_status="", to_status=AlertStatus.OPEN, actor=user,
                actor_name=name, at=now, reason=_("风险等级由{a}升为{b}").format(
                    a=labels[alert.previous_level], b=labels[alert.level])))
        for alert in raised:
            history.append(AlertHistory(
                alert=alert, from_status=alert.status, to_status=alert.status, actor=user,
                actor_name=name, at=now, reason=_("风险等级升为{b}").format(
                    b=labels[alert.level])))
        AlertHistory.objects.bulk_create(history)
        for alert in [*fresh, *raised]:
            users = _recipients(alert.area_path, table)
            if users:
                told[frozenset(u.pk for u in users)].append((alert, names[alert.employer_id]))
    for alerts in told.values():
        _tell(alerts, _recipients(alerts[0][0].area_path, table), labels, actor)


def _tell(alerts: list[tuple[RiskAlert, str]], users: list[Any], labels: dict[str, str],
          actor: Actor) -> None:
    if len(alerts) <= DIGEST_OVER:
        for alert, employer in alerts:
            notify(recipients=users, kind="rights.risk_alert",
                   title=_("劳动关系风险预警：{name}（{level}）").format(
                       name=employer, level=labels[alert.level]),
                   body=_("风险分 {score}，请及时核实处置。").format(score=alert.score),
                   url=reverse("rights:alert", args=[alert.pk]), org_path=alert.area_path,
                   actor=actor)
        return
    alerts = sorted(alerts, key=lambda pair: (-LEVEL_ORDER.index(pair[0].level),
                                              pair[0].employer_id))   # the worst first
    first = "、".join(employer for _alert, employer in alerts[:5])
    notify(recipients=users, kind="rights.risk_alert",
           title=_("劳动关系风险预警：{n} 家单位风险等级上升").format(n=len(alerts)),
           body=_("{names} 等 {n} 家单位风险等级上升，请在风险预警中逐一核实处置。").format(
               names=first, n=len(alerts)),
           url=reverse("rights:alerts") + "?status=open", org_path=alerts[0][0].area_path,
           actor=actor)


def recompute(*, employer_ids: list[int] | None = None, actor: Actor,
              progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Recompute scores and levels (all employers, or some); alerts on rises. Returns counts."""
    today = clock.today()
    table = weights()
    totals: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    signals = RiskSignal.objects.all()
    if employer_ids is not None:
        signals = signals.filter(employer_id__in=employer_ids)
    for employer_id, kind, severity, on in signals.values_list(
            "employer_id", "kind", "severity", "on").iterator(chunk_size=20000):
        totals[employer_id] += contribution(kind, severity, on, today, table)
        counts[employer_id] += 1
    current = EmployerRisk.objects.all()
    if employer_ids is not None:
        current = current.filter(employer_id__in=employer_ids)
    old_levels = dict(current.values_list("employer_id", "level"))
    ids = set(totals) | set(old_levels)
    now = clock.now()
    rises = []
    rows = []
    employers = Employer.objects.all()
    if employer_ids is not None:
        employers = employers.filter(pk__in=employer_ids)
    paths = dict(employers.values_list("pk", "area__path").iterator(chunk_size=20000))
    for employer_id in ids:
        score = _score(totals.get(employer_id, 0.0))
        level = level_for(score)
        old = old_levels.get(employer_id, Level.GREEN)
        if LEVEL_ORDER.index(level) > LEVEL_ORDER.index(old):
            rises.append((employer_id, old, level, score))
        rows.append(EmployerRisk(employer_id=employer_id, score=score, level=level,
                                 signals=counts.get(employer_id, 0), computed_at=now,
                                 area_path=paths.get(employer_id, "")))
    with transaction.atomic():
        for start in range(0, len(rows), CHUNK):
            EmployerRisk.objects.bulk_create(
                rows[start:start + CHUNK], update_conflicts=True, unique_fields=["employer"],
                update_fields=["score", "level", "signals", "computed_at", "area_path"])
            if progress:
                progress(min(start + CHUNK, len(rows)))
        _raise_alerts(sorted(rises), paths, actor)
        audit_record(actor=actor, action="rights.risk.recompute", object_type="rights.risk",
                     object_id="all" if employer_ids is None else "some",
                     after={"employers": len(rows), "rises": len(rises)})
    return {"employers": len(rows), "rises": len(rises)}


@transaction.atomic
def signal_add(*, employer: Employer, kind: str, on: dt.date, severity: int = 1,
               workers: int = 0, amount: Decimal = Decimal("0"), note: str = "",
               actor: Actor) -> RiskSignal:
    # reads the employer's signals (distributed) then writes its risk row and alerts (reference
    # tables): on Citus the transaction runs on one connection per node (docs/scale.md)
    one_connection_per_node()
    require_capability(actor, Capability.RIGHTS_WRITE, employer.area)
    if kind not in SignalKind.values:
        raise ApplicationError(_("请选择信号类型。"), extra={"field": "kind"})
    if on > clock.today():
        raise ApplicationError(_("发生日期不能晚于今天。"), extra={"field": "on"})
    if not 1 <= severity <= 5:
        raise ApplicationError(_("严重程度为 1 到 5。"), extra={"field": "severity"})
    if amount < 0:
        raise ApplicationError(_("涉及金额不能为负数。"), extra={"field": "amount"})
    # one employer's signals are scored one at a time: a second signal waits for the first's
    # level, so a rise raises one alert, never two
    Employer.objects.select_for_update().filter(pk=employer.pk).first()
    signal = RiskSignal.objects.create(
        employer=employer, area_path=employer.area.path, kind=kind, on=on, severity=severity,
        workers=workers, amount=amount, note=note.strip()[:500], entered_by=actor_name(actor),
        at=clock.now())
    audit_record(actor=actor, action="rights.risk.signal", obj=signal,
                 org_path=employer.area.path, after={"kind": kind, "severity": severity})
    recompute(employer_ids=[employer.pk], actor=actor)
    return signal


HEADERS = {"统一社会信用代码": "uscc", "单位名称": "name", "信号类型": "kind", "发生日期": "on",
           "严重程度": "severity", "涉及人数": "workers", "说明": "note"}


@transaction.atomic
def signal_import(*, org: Org, name: str, data: bytes, actor: Actor) -> int:
    """Import signals from .xlsx (all or nothing); every bad row is named in the message."""
    one_connection_per_node()  # as signal_add: signals read, then reference rows written
    require_capability(actor, Capability.RIGHTS_WRITE, org)
    if not name.lower().endswith(".xlsx"):
        raise ApplicationError(_("请上传 .xlsx 文件。"), extra={"field": "file"})
    # openpyxl only for an import (a heavy library most requests never need)
    from openpyxl import load_workbook

    check_spreadsheet(data)  # a zip bomb is refused before it is unpacked
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ApplicationError(_("无法读取该 Excel 文件。"), extra={"field": "file"}) from exc
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    if not rows:
        raise ApplicationError(_("文件是空的。"), extra={"field": "file"})
    header = {HEADERS.get(str(h or "").strip()): i for i, h in enumerate(rows[0])}
    header.pop(None, None)
    if "kind" not in header or "on" not in header or not ({"uscc", "name"} & set(header)):
        raise ApplicationError(_("表头须包含：统一社会信用代码或单位名称、信号类型、发生日期。"),
                               extra={"field": "file"})
    labels = {str(label): value for value, label in SignalKind.choices}
    employers = Employer.objects.filter(area__path__startswith=org.path).select_related("area")
    by_uscc = {e.uscc: e for e in employers if e.uscc}
    by_name = {e.name: e for e in employers}
    errors: list[str] = []
    made = []
    for no, row in enumerate(rows[1:], start=2):
        def cell(key: str, row: list[Any] = row) -> Any:
            return row[header[key]] if key in header and header[key] < len(row) else None
        if all(v in (None, "") for v in row):
            continue
        employer = by_uscc.get(str(cell("uscc") or "").strip().upper()) or \
            by_name.get(str(cell("name") or "").strip())
        if employer is None:
            errors.append(_("第{n}行：本辖区没有该用人单位。").format(n=no))
            continue
        kind = labels.get(str(cell("kind") or "").strip())
        if kind is None:
            errors.append(_("第{n}行：信号类型无法识别。").format(n=no))
            continue
        try:
            on = parse_date(cell("on"))
        except CellError as exc:
            errors.append(_("第{n}行：{msg}").format(n=no, msg=exc.message))
            continue
        if on is None:
            errors.append(_("第{n}行：请填写发生日期。").format(n=no))
            continue
        try:
            severity = int(cell("severity") or 1)
            workers = int(cell("workers") or 0)
        except (TypeError, ValueError):
            errors.append(_("第{n}行：严重程度和涉及人数须为整数。").format(n=no))
            continue
        if not 1 <= severity <= 5 or on > clock.today():
            errors.append(_("第{n}行：严重程度须为1-5，日期不能晚于今天。").format(n=no))
            continue
        made.append(RiskSignal(employer=employer, area_path=employer.area.path, kind=kind,
                               on=on, severity=severity, workers=max(workers, 0),
                               note=str(cell("note") or "")[:500],
                               entered_by=actor_name(actor), at=clock.now()))
    if errors:
        raise ApplicationError(" ".join(errors[:20]), extra={"field": "file"})
    RiskSignal.objects.bulk_create(made)
    audit_record(actor=actor, action="rights.risk.import", object_type="rights.risk",
                 object_id=org.code, org_path=org.path, after={"signals": len(made)})
    recompute(employer_ids=sorted({s.employer_id for s in made}), actor=actor)
    return len(made)


@transaction.atomic
def weight_set(*, kind: str, weight: Decimal, half_life_days: int, actor: Actor) -> RiskWeight:
    """Federation-wide weights (the caller recomputes afterwards)."""
    require_root_policy(actor)
    if kind not in SignalKind.values:
        raise ApplicationError(_("请选择信号类型。"), extra={"field": "kind"})
    if weight < 0 or half_life_days < 1:
        raise ApplicationError(_("权重不能为负，半衰期至少 1 天。"), extra={"field": "weight"})
    row, _created = RiskWeight.objects.update_or_create(
        kind=kind, defaults={"weight": weight, "half_life_days": half_life_days})
    audit_record(actor=actor, action="rights.risk.weight", obj=row,
                 after={"weight": weight, "half_life_days": half_life_days})
    return row


@transaction.atomic
def alert_act(*, alert: RiskAlert, action: str, note: str, close: bool = False,
              actor: Actor) -> RiskAlert:
    """Record an action taken on an alert; the first moves it to handling, `close` ends it."""
    require_capability(actor, Capability.RIGHTS_WRITE, alert.employer.area)
    if not note.strip():
        raise ApplicationError(_("请填写处置情况。"), extra={"field": "note"})
    text = f"{action.strip()}：{note.strip()}" if action.strip() else note.strip()
    if close:
        alert = transition(alert, AlertStatus.CLOSED, transitions=ALERT_TRANSITIONS,
                           actor=actor, reason=text)
    elif alert.status == AlertStatus.OPEN:
        alert = transition(alert, AlertStatus.HANDLING, transitions=ALERT_TRANSITIONS,
                           actor=actor, reason=text)
    elif alert.status == AlertStatus.HANDLING:
        append_history(alert, alert.status, alert.status, actor=actor, reason=text)
    else:
        raise Conflict(_("预警已关闭。"))
    audit_record(actor=actor, action="rights.alert.act", obj=alert, org_path=alert.area_path,
                 note=text)
    return alert
