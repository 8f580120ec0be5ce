/* The statistics dashboard's charts (moved out of dashboard.html: no inline script under the CSP). */
(function () {
  var labels = JSON.parse(document.getElementById("stats-dashboard-labels").textContent);
  var data = JSON.parse(document.getElementById("stats-charts").textContent);
  var palette = ["#c8161d", "#f0a020", "#2f7ed8", "#4caf50", "#8e44ad", "#16a085", "#7f8c8d", "#d35400"];
  function chart(id, option) { var el = document.getElementById(id); if (!el) return null; var c = echarts.init(el, null, {renderer: "svg"}); option.color = palette; c.setOption(option); window.addEventListener("resize", function () { c.resize(); }); return c; }
  function pie(id, rows) { chart(id, {tooltip: {trigger: "item"}, series: [{type: "pie", radius: ["35%", "65%"], data: rows.map(function (r) { return {name: r.name, value: r.value}; })}]}); }
  chart("chart-trend", {tooltip: {trigger: "axis"}, legend: {}, grid: {left: 40, right: 20, bottom: 30}, xAxis: {type: "category", data: data.trend.months}, yAxis: {type: "value"}, series: [{name: labels.joins, type: "bar", data: data.trend.joins}, {name: labels.exits, type: "bar", data: data.trend.exits}]});
  pie("chart-gender", data.gender); pie("chart-education", data.education); pie("chart-groups", data.groups);
  chart("chart-age", {tooltip: {}, grid: {left: 40, right: 10, bottom: 30}, xAxis: {type: "category", data: data.age_band.map(function (r) { return r.name; })}, yAxis: {type: "value"}, series: [{type: "bar", data: data.age_band.map(function (r) { return r.value; })}]});
  var children = chart("chart-children", {tooltip: {trigger: "axis"}, legend: {}, grid: {left: 50, right: 50, bottom: 60}, xAxis: {type: "category", data: data.children.names, axisLabel: {interval: 0, rotate: 30}}, yAxis: [{type: "value"}, {type: "value", max: 100, axisLabel: {formatter: "{value}%"}}], series: [{name: labels.active, type: "bar", data: data.children.active}, {name: labels.coverage, type: "line", yAxisIndex: 1, data: data.children.coverage}]});
  if (children) children.on("click", function (p) { var code = data.children.codes[p.dataIndex]; if (code) window.location.search = "?org=" + encodeURIComponent(code); });
})();
