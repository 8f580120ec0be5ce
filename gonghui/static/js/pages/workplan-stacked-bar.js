/* window.ghStackedBar(el, data, horizontal): the work plan's stacked bars (moved out of _charts_js.html: no inline script under the CSP). */
window.ghStackedBar = function (el, data, horizontal) {
  if (!el) { return null; }
  var chart = echarts.init(el, null, {renderer: "svg"});
  var small = el.clientWidth < 560;  // phones: the legend takes two lines
  var narrow = !horizontal && small;  // and the labels under vertical bars slant
  var cat = {type: "category", data: data.categories, inverse: horizontal,
             axisLabel: {interval: 0, width: narrow ? 80 : 110, overflow: "truncate", rotate: narrow ? 40 : 0}};
  var val = {type: "value", minInterval: 1};
  chart.setOption({
    animation: false,
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    legend: {top: 0, data: data.series.map(function (s) { return s.name; })},
    grid: {left: 8, right: 16, top: small ? 56 : 32, bottom: 8, containLabel: true},
    xAxis: horizontal ? val : cat,
    yAxis: horizontal ? cat : val,
    series: data.series.map(function (s) {
      return {name: s.name, type: "bar", stack: "all", data: s.data, itemStyle: {color: s.color}, barMaxWidth: 28};
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
  return chart;
};
