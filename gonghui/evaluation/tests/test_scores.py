"""Third-party scores (entered and imported, all or nothing) and the weighted yearly score,
exact to the fen-like 0.01, with the ranking and its weights."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from gonghui.core.errors import ApplicationError, NotFound
from gonghui.evaluation import rules, selectors
from gonghui.evaluation.models import ThirdPartyScore
from gonghui.evaluation.services import scores as svc


def test_weighted_score_is_exact() -> None:
    w = rules.Weights(40, 30, 30)
    assert rules.weighted_score(self_score=Decimal("88.33"), satisfaction=Decimal("76.67"),
                                third_party=Decimal("91.50"), weights=w) == Decimal("85.78")
    # 35.332 + 23.001 + 27.45 = 85.783; and half up at the edge: 80.125 → 80.13
    assert rules.weighted_score(self_score=Decimal("80.25"), satisfaction=Decimal("80"),
                                third_party=Decimal("80"), weights=rules.Weights(50, 50, 0)
                                ) == Decimal("80.13")


def test_a_missing_weighted_component_leaves_no_score() -> None:
    assert rules.weighted_score(self_score=Decimal("90"), satisfaction=None,
                                third_party=Decimal("80"),
                                weights=rules.Weights(50, 30, 20)) is None
    assert rules.weighted_score(self_score=Decimal("90"), satisfaction=None,
                                third_party=Decimal("80"),
                                weights=rules.Weights(70, 0, 30)) == Decimal("87.00")


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_is_all_or_nothing(tree, district_cadre) -> None:
    data = _xlsx([["工会代码", "年度", "评估机构", "得分"],
                  ["SH-A-1-1", 2026, "评估中心", "91.5"],
                  ["SH-B-1-1", 2026, "评估中心", "80"],
                  ["SH-A-1-2", 2026, "评估中心", "101"]])
    report = svc.third_party_import(root=tree["SH-A"], data=data, filename="得分.xlsx",
                                    actor=district_cadre)
    assert report.saved == 0
    assert report.errors[0] == "第 3 行：工会代码“SH-B-1-1”不存在或不在本单位范围内。"
    assert report.errors[1].startswith("第 4 行：得分有误")
    assert ThirdPartyScore.objects.count() == 0
    good = _xlsx([["工会代码", "年度", "评估机构", "得分"],
                  ["SH-A-1-1", 2026, "评估中心", "91.5"],
                  ["SH-A-1-2", 2026, "评估中心", 78]])
    report = svc.third_party_import(root=tree["SH-A"], data=good, filename="得分.xlsx",
                                    actor=district_cadre)
    assert (report.saved, report.errors) == (2, [])
    assert sorted(ThirdPartyScore.objects.values_list("org__code", "score")) == [
        ("SH-A-1-1", Decimal("91.50")), ("SH-A-1-2", Decimal("78.00"))]


def test_weights_must_sum_to_100(tree, district_cadre, other_district_cadre) -> None:
    with pytest.raises(ApplicationError) as refused:
        svc.weights_set(org=tree["SH-A"], year=2026, self_weight=40, satisfaction_weight=30,
                        third_party_weight=31, actor=district_cadre)
    assert refused.value.message == "三项权重应为非负整数百分比，合计 100%。"
    with pytest.raises(NotFound):
        svc.weights_set(org=tree["SH-A"], year=2026, self_weight=40, satisfaction_weight=30,
                        third_party_weight=30, actor=other_district_cadre)
    svc.weights_set(org=tree["SH-A"], year=2026, self_weight=70, satisfaction_weight=0,
                    third_party_weight=30, actor=district_cadre)
    assert selectors.weights_for(tree["SH-A-1-1"], 2026) == rules.Weights(70, 0, 30)
    assert selectors.weights_for(tree["SH-B-1-1"], 2026) == rules.Weights(40, 30, 30)


def test_ranking_prints_weights_and_orders(tree, district_cadre) -> None:
    svc.weights_set(org=tree["SH-A"], year=2026, self_weight=0, satisfaction_weight=0,
                    third_party_weight=100, actor=district_cadre)
    svc.third_party_set(org=tree["SH-A-1-1"], year=2026, evaluator="评估中心",
                        score=Decimal("80.25"), actor=district_cadre)
    svc.third_party_set(org=tree["SH-A-1-2"], year=2026, evaluator="评估中心",
                        score=Decimal("91"), actor=district_cadre)
    weights, rows = selectors.ranking(root=tree["SH-A"], year=2026)
    assert weights == rules.Weights(0, 0, 100)
    assert [(r.rank, r.org.code, r.score) for r in rows] == [
        (1, "SH-A-1-2", Decimal("91.00")), (2, "SH-A-1-1", Decimal("80.25"))]
