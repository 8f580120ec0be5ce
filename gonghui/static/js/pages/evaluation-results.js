/* Survey results: a bar chart per question and a stacked chart of the cross-tab, drawn from the
   figures the page already prints (suppressed questions and groups carry none). */
(function () {
  var blob = document.getElementById("evaluation-charts");
  if (!blob || typeof echarts === "undefined") { return; }
  var data = JSON.parse(blob.textContent);
  var charts = [];
  document.querySelectorAll(".gh-q-chart").forEach(function (el) {
    var q = data.questions[el.getAttribute("data-q")];
    if (!q) { return; }
    var c = echarts.init(el);
    c.setOption({
      grid: {left: 8, right: 40, top: 8, bottom: 8, containLabel: true},
      tooltip: {trigger: "axis"},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", inverse: true, data: q.labels},
      series: [{type: "bar", data: q.counts, itemStyle: {color: "#b5121b"},
                label: {show: true, position: "right"}}]
    });
    charts.push(c);
  });
  var el = document.getElementById("crosstab-chart");
  var t = data.crosstab;
  if (el && t && t.rows.length) {
    var c = echarts.init(el);
    c.setOption({
      tooltip: {trigger: "axis"}, legend: {type: "scroll"},
      grid: {left: 8, right: 8, top: 40, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: t.rows.map(function (r) { return r.label; })},
      yAxis: {type: "value", minInterval: 1},
      series: t.columns.map(function (label, i) {
        return {name: label, type: "bar", stack: "n",
                data: t.rows.map(function (r) { return r.cells[i]; })};
      })
    });
    charts.push(c);
  } else if (el) {
    el.hidden = true;
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
