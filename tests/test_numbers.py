"""Issue 12 item 17: numbers with thousands separators in both languages, amounts never split
on phones, chart labels that do not overlap (rotated, long org names abbreviated)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import BROWSER_MARKS, PHONE, new_page, sign_in
from gonghui.core.templatetags.gh_numbers import grouped, money, money_nowrap, num


def test_grouping_is_exact_and_language_independent():
    from django.utils import translation

    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert money(Decimal("1234567.5")) == "1,234,567.50"
            assert money("0.005") == "0.01"
            assert num(12345) == "12,345"
            assert num("0.5") == "0.5"
            assert money_nowrap(Decimal("-2500")) == '<span class="gh-num">¥-2,500.00</span>'
    assert grouped(None) == ""
    assert grouped("不是数字") == "不是数字"
    assert money("") == ""


CHART = """async () => {
    await new Promise((ok, fail) => { const s = document.createElement('script');
        s.src = '/static/vendor/echarts/echarts.min.js'; s.onload = ok; s.onerror = fail;
        document.head.appendChild(s); });
    const el = document.createElement('div'); el.style.width = '360px'; el.style.height = '240px';
    document.body.appendChild(el);
    const names = ['黄浦区总工会', '徐汇区总工会', '长宁区总工会', '静安区总工会', '普陀区总工会',
                   '虹口区总工会', '杨浦区总工会', '浦东新区总工会'];
    const c = echarts.init(el, null, {renderer: 'svg'});
    c.setOption({xAxis: {type: 'category', data: names}, yAxis: {type: 'value'},
                 tooltip: {}, series: [{type: 'bar', data: names.map((n, i) => 12000 * (i + 1))}]});
    const o = c.getOption();
    const label = o.xAxis[0].axisLabel;
    return {rotate: label.rotate, interval: label.interval,
            first: label.formatter('黄浦区总工会'), long: label.formatter('上海市某某集团有限公司工会委员会'),
            y: o.yAxis[0].axisLabel.formatter(123456), text: el.innerText};
}"""


@pytest.mark.django_db(transaction=True)
def test_chart_labels_do_not_overlap(live_server, browser, tree, city_admin):
    page = new_page(browser, PHONE)
    sign_in(page, live_server.url, "city_admin")
    result = page.evaluate(CHART)
    assert result["rotate"] == 40
    assert result["interval"] == 0
    assert result["first"] == "黄浦区"
    assert result["long"] == "上海市某某集团…"
    assert result["y"] == "123,456"


test_chart_labels_do_not_overlap = BROWSER_MARKS[0](BROWSER_MARKS[1](
    test_chart_labels_do_not_overlap))
