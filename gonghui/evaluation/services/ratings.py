"""The rating workflow (建家评家): self-assessment with evidence → review item by item (adjusted
scores with a reason) → on-site check → decision → 公示 (the notices app) → title conferred.
Totals are recomputed from the stored item scores after every change, never typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import prefixes
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, SystemActor, actor_user
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.workflow import initial_status, transition
from gonghui.evaluation import rules
from gonghui.evaluation.models import (
    Evidence,
    Grade,
    Item,
    ItemScore,
    Rating,
    RatingStatus,
    RatingVeto,
    Scheme,
    Title,
    TitleStatus,
    VetoItem,
)
from gonghui.evaluation.models.ratings import RATING_INITIAL, RATING_TRANSITIONS
from gonghui.evaluation.permissions import require_reviewer, require_write
from gonghui.evaluation.services.schemes import thresholds_of
from gonghui.notices.services import NoticeItemIn, notice_publish
from gonghui.orgs.models import Level, Org

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
_EVIDENCE_TYPES = [(b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"),
                   (b"\xff\xd8\xff", "image/jpeg")]


def _audit(actor: Actor, action: str, rating: Rating, **after: Any) -> None:
    audit_record(actor=actor, action=f"evaluation.rating.{action}", obj=rating,
                 org_path=rating.org_path, after=after or None)


def _move(rating: Rating, target: str, actor: Actor, reason: str = "", **extra: Any) -> Rating:
    return transition(rating, target, transitions=RATING_TRANSITIONS, actor=actor, reason=reason,
                      extra_fields=extra or None)


def recompute(rating: Rating) -> Rating:
    """The totals from the item scores: self = Σ self scores, review = Σ (review score, or the
    self score where the reviewer kept it) once review has begun."""
    sums = ItemScore.objects.filter(rating=rating).aggregate(
        own=Coalesce(Sum("self_score"), Decimal("0")),
        reviewed=Sum(Coalesce("review_score", "self_score")),
    )
    has_review = ItemScore.objects.filter(rating=rating, review_score__isnull=False).exists()
    cent = Decimal("0.01")
    rating.self_total = Decimal(sums["own"]).quantize(cent)
    rating.review_total = Decimal(sums["reviewed"] or 0).quantize(cent) if has_review else None
    Rating.objects.filter(pk=rating.pk).update(self_total=rating.self_total,
                                               review_total=rating.review_total)
    return rating


def _require_status(rating: Rating, *allowed: str) -> None:
    if rating.status not in allowed:
        raise Conflict(_("当前状态“{s}”下不能进行此操作。").format(s=rating.get_status_display()),
                       code="rating_state")


def rated_levels(scheme: Scheme) -> tuple[str, ...]:
    """Who may be rated: branches (分工会/小组) under a 职工小家 scheme, grassroots unions otherwise."""
    return (Level.BRANCH,) if scheme.for_branches else (Level.GRASSROOTS,)


@transaction.atomic
def rating_open(*, scheme: Scheme, org: Org, actor: Actor) -> Rating:
    """The union applies (or is due for a re-check): a draft with an empty score sheet."""
    require_write(actor, org)
    if not scheme.active:
        raise ApplicationError(_("该方案已停用。"), code="scheme_inactive", extra={"field": "scheme"})
    if not org.is_active:
        raise ApplicationError(_("该工会已合并或撤销，不能参评。"), code="org_inactive")
    if not org.path.startswith(scheme.org_path) or org.path == scheme.org_path:
        raise ApplicationError(_("该工会不在方案制定单位的范围内。"), code="org_outside",
                               extra={"field": "org"})
    if org.level not in rated_levels(scheme):
        raise ApplicationError(
            _("职工小家方案只评分工会和工会小组；职工之家方案只评基层工会。"),
            code="org_level", extra={"field": "org"})
    current = Title.objects.filter(org=org, status=TitleStatus.ACTIVE).first()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                scheme=scheme, org=org, org_path=org.path, year=scheme.year,
                status=initial_status(Rating, RatingStatus.DRAFT, initial=RATING_INITIAL),
                recheck_of=current)
    except IntegrityError:
        raise Conflict(_("该工会在本方案下已有进行中的申报。"), code="rating_open") from None
    ItemScore.objects.bulk_create([ItemScore(rating=rating, item=i)
                                   for i in Item.objects.filter(section__scheme=scheme)])
    _audit(actor, "open", rating, scheme=scheme.pk, recheck_of=current.pk if current else None)
    return rating


def _score(value: Any, item: Item) -> Decimal:
    try:
        score = Decimal(str(value)).quantize(Decimal("0.01"))
    except Exception:
        raise ApplicationError(_("“{t}”的分数不是数字。").format(t=item.title),
                               code="score_invalid") from None
    if not Decimal(0) <= score <= item.max_points:
        raise ApplicationError(
            _("“{t}”的分数应在 0 至 {m} 之间。").format(t=item.title, m=item.max_points),
            code="score_range")
    return score


def _rows(rating: Rating, item_ids: Sequence[int]) -> dict[int, ItemScore]:
    rows = {s.item_id: s for s in ItemScore.objects.select_related("item")
            .select_for_update().filter(rating=rating, item_id__in=item_ids)}
    missing = set(item_ids) - set(rows)
    if missing:
        raise ApplicationError(_("评分项不属于本方案。"), code="item_unknown")
    return rows


@transaction.atomic
def self_scores_save(*, rating: Rating, scores: Mapping[int, tuple[Any, str]],
                     actor: Actor) -> Rating:
    """The union's own scores: {item id: (score, note)}; only while self-assessing."""
    require_write(actor, rating.org)
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    _require_status(rating, RatingStatus.DRAFT)
    rows = _rows(rating, list(scores))
    for item_id, (value, note) in scores.items():
        row = rows[item_id]
        row.self_score = None if value in (None, "") else _score(value, row.item)
        row.self_note = (note or "").strip()[:500]
    ItemScore.objects.bulk_update(list(rows.values()), ["self_score", "self_note"])
    recompute(rating)
    _audit(actor, "self_score", rating, items=len(scores), self_total=rating.self_total)
    return rating


@transaction.atomic
def evidence_add(*, rating: Rating, item: Item, upload: UploadedFile, actor: Actor) -> Evidence:
    require_write(actor, rating.org)
    _require_status(rating, RatingStatus.DRAFT)
    if item.section.scheme_id != rating.scheme_id:
        raise ApplicationError(_("评分项不属于本方案。"), code="item_unknown")
    size = upload.size or 0
    if size > MAX_EVIDENCE_BYTES:
        raise ApplicationError(_("文件不能超过 10 MB。"), code="too_large",
                               extra={"field": "content"})
    head = upload.read(16)
    upload.seek(0)
    content_type = next((t for magic, t in _EVIDENCE_TYPES if head.startswith(magic)), None)
    if content_type is None:
        raise ApplicationError(_("只接受 PDF、PNG 或 JPEG 文件。"), code="bad_type",
                               extra={"field": "content"})
    evidence = Evidence(rating=rating, item=item, name=(upload.name or "file")[:200],
                        content_type=content_type, size=size, uploaded_by=actor_user(actor),
                        uploaded_at=clock.now())
    evidence.content.save("evidence", upload, save=False)
    evidence.save()
    _audit(actor, "evidence", rating, item=item.pk, name=evidence.name, size=size)
    return evidence


@transaction.atomic
def rating_submit(*, rating: Rating, actor: Actor) -> Rating:
    """Every item scored, and every item that asks for evidence has at least one file."""
    require_write(actor, rating.org)
    rows = list(ItemScore.objects.select_related("item").filter(rating=rating))
    blank = [r.item.title for r in rows if r.self_score is None]
    if blank:
        raise ApplicationError(_("还有 {n} 项未自评：{t}").format(n=len(blank), t=blank[0]),
                               code="self_incomplete")
    with_files = set(Evidence.objects.filter(rating=rating).values_list("item_id", flat=True))
    lacking = [r.item.title for r in rows if r.item.evidence and r.item_id not in with_files]
    if lacking:
        raise ApplicationError(
            _("还有 {n} 项缺少佐证材料：{t}").format(n=len(lacking), t=lacking[0]),
            code="evidence_missing")
    rating = _move(rating, RatingStatus.SUBMITTED, actor, _("提交自评"))
    _audit(actor, "submit", rating, self_total=rating.self_total)
    return rating


@transaction.atomic
def review_scores_save(*, rating: Rating, scores: Mapping[int, tuple[Any, str]],
                       actor: Actor) -> Rating:
    """The superior union's scores item by item; a score that differs from the union's own
    needs a reason (also a database constraint)."""
    require_reviewer(actor, rating.org)
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    _require_status(rating, RatingStatus.SUBMITTED)
    rows = _rows(rating, list(scores))
    for item_id, (value, reason) in scores.items():
        row = rows[item_id]
        score = None if value in (None, "") else _score(value, row.item)
        reason = (reason or "").strip()[:500]
        if score is not None and score != row.self_score and not reason:
            raise ApplicationError(_("“{t}”调整了自评分，请填写调整理由。").format(t=row.item.title),
                                   code="reason_required")
        row.review_score, row.review_reason = score, reason
    ItemScore.objects.bulk_update(list(rows.values()), ["review_score", "review_reason"])
    recompute(rating)
    _audit(actor, "review_score", rating, items=len(scores), review_total=rating.review_total)
    return rating


def _reviewer_org(actor: Actor, org: Org) -> Org | None:
    if isinstance(actor, SystemActor):
        return org.get_parent()
    roots = [p for p in prefixes(actor, Capability.EVALUATION_WRITE)
             if org.path.startswith(p) and p != org.path]
    return Org.objects.filter(path=max(roots, key=len)).first() if roots else org.get_parent()


@transaction.atomic
def rating_return(*, rating: Rating, reason: str, actor: Actor) -> Rating:
    require_reviewer(actor, rating.org)
    if not reason.strip():
        raise ApplicationError(_("退回时请说明理由。"), code="reason_required",
                               extra={"field": "reason"})
    rating = _move(rating, RatingStatus.DRAFT, actor, reason.strip())
    _audit(actor, "return", rating, reason=reason.strip())
    return rating


@transaction.atomic
def review_complete(*, rating: Rating, vetoes: Mapping[int, str], actor: Actor,
                    note: str = "") -> Rating:
    """Close the review: items the reviewer left keep the union's score; the veto items found
    (一票否决) are recorded."""
    require_reviewer(actor, rating.org)
    _require_status(rating, RatingStatus.SUBMITTED)
    known = set(VetoItem.objects.filter(scheme=rating.scheme_id).values_list("pk", flat=True))
    if set(vetoes) - known:
        raise ApplicationError(_("否决事项不属于本方案。"), code="veto_unknown")
    ItemScore.objects.filter(rating=rating, review_score__isnull=True).update(
        review_score=F("self_score"))
    RatingVeto.objects.bulk_create([RatingVeto(rating=rating, veto_id=v, note=n.strip()[:500])
                                    for v, n in vetoes.items()])
    recompute(rating)
    rating = _move(rating, RatingStatus.REVIEWED, actor, note.strip(), vetoed=bool(vetoes),
                   reviewer_org=_reviewer_org(actor, rating.org))
    _audit(actor, "review", rating, review_total=rating.review_total, vetoes=sorted(vetoes))
    return rating


@transaction.atomic
def onsite_record(*, rating: Rating, on: dt.date, by: str, note: str, actor: Actor) -> Rating:
    require_reviewer(actor, rating.org)
    if on > clock.today():
        raise ApplicationError(_("实地检查日期不能晚于今天。"), code="date_future",
                               extra={"field": "on"})
    if not by.strip() or not note.strip():
        raise ApplicationError(_("请填写检查人员和检查情况。"), code="onsite_required",
                               extra={"field": "note"})
    rating = _move(rating, RatingStatus.CHECKED, actor, note.strip()[:500], onsite_on=on,
                   onsite_by=by.strip()[:200], onsite_note=note.strip())
    _audit(actor, "onsite", rating, on=on, by=by.strip())
    return rating


@transaction.atomic
def rating_decide(*, rating: Rating, actor: Actor) -> Rating:
    """The grade from the reviewed total and the scheme's thresholds; a veto or a total below
    every threshold fails the rating — and a failed re-check withdraws the title (退出机制)."""
    require_reviewer(actor, rating.org)
    _require_status(rating, RatingStatus.CHECKED)
    recompute(rating)
    total = rating.review_total if rating.review_total is not None else rating.self_total
    grade = rules.grade_for(total, thresholds_of(rating.scheme), vetoed=rating.vetoed)
    if grade:
        rating = _move(rating, RatingStatus.DECIDED, actor,
                       _("评定为{g}（{t} 分）").format(g=_label(grade), t=total), grade=grade)
    else:
        why = (_("触发一票否决") if rating.vetoed
               else _("总分 {t} 未达到任何等级的最低分").format(t=total))
        rating = _move(rating, RatingStatus.FAILED, actor, why)
        if rating.recheck_of_id:
            from gonghui.evaluation.services.titles import title_end  # why: titles imports ratings

            title = Title.objects.get(pk=rating.recheck_of_id)
            if title.status == TitleStatus.ACTIVE:
                title_end(title=title, to=TitleStatus.WITHDRAWN,
                          reason=_("复评未通过：{w}").format(w=why), actor=actor)
    _audit(actor, "decide", rating, grade=grade, total=total, vetoed=rating.vetoed)
    return rating


def _label(grade: str) -> str:
    return str(Grade(grade).label)


def publicizable(ratings: Sequence[Rating]) -> None:
    for r in ratings:
        if r.status != RatingStatus.DECIDED:
            raise Conflict(_("“{o}”的申报尚未评定，不能公示。").format(o=r.org.name),
                           code="rating_state")


@transaction.atomic
def ratings_publicize(*, ratings: Sequence[Rating], org: Org, title: str, working_days: int,
                      actor: Actor) -> Any:
    """Publish the decided ratings as one 公示 in `org`'s subtree (the notices app); on closing,
    `on_notice_close` confers the titles."""
    if not ratings:
        raise ApplicationError(_("请选择要公示的申报。"), code="ratings_required",
                               extra={"field": "ratings"})
    for r in ratings:
        require_reviewer(actor, r.org)
        if not r.org_path.startswith(org.path) or r.org_path == org.path:
            raise ApplicationError(_("“{o}”不在公示单位的范围内。").format(o=r.org.name),
                                   code="org_outside")
    publicizable(ratings)
    notice = notice_publish(
        kind="evaluation.rating", title=title, org=org, working_days=working_days,
        items=[NoticeItemIn(text=f"{r.org.name} {_label(r.grade)} "
                                 f"{r.review_total if r.review_total is not None else r.self_total}"
                                 + _("分"),
                            source_type="evaluation.rating", source_id=str(r.pk))
               for r in ratings],
        capability=Capability.EVALUATION_WRITE, actor=actor)
    for r in ratings:
        _move(r, RatingStatus.PUBLICIZING, actor, _("公示：{t}").format(t=notice.title),
              notice=notice)
        _audit(actor, "publicize", r, notice=notice.pk)
    return notice


def on_notice_close(*, notice: Any, outcomes: Sequence[Any], actor: Actor) -> None:
    """The notices app's handler (inside its closing transaction): an upheld objection rejects
    the rating, otherwise the title is conferred."""
    from gonghui.evaluation.services.titles import title_confer  # why: titles imports ratings

    for outcome in outcomes:
        if outcome.source_type != "evaluation.rating":
            continue
        rating = Rating.objects.select_related("scheme", "org").get(pk=int(outcome.source_id))
        if rating.status != RatingStatus.PUBLICIZING:
            continue
        if outcome.upheld:
            _move(rating, RatingStatus.REJECTED, actor, _("公示期间异议成立"))
            _audit(actor, "reject", rating)
        else:
            title_confer(rating=rating, actor=actor)
