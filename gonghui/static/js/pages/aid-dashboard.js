/* The aid dashboard's charts (moved out of dashboard.html: no inline script under the CSP). */
(function () {
  var data = JSON.parse(document.getElementById("aid-charts").textContent);
  var palette = ["#b5121b", "#f0a30a", "#343a40", "#0d6efd", "#198754", "#6f42c1", "#20c997", "#fd7e14", "#6c757d", "#d63384"];
  function chart(id, option) { var el = document.getElementById(id); var c = echarts.init(el); option.color = palette; c.setOption(option); window.addEventListener("resize", function () { c.resize(); }); }
  chart("chart-category", {tooltip: {trigger: "item"}, legend: {bottom: 0}, series: [{type: "pie", radius: ["40%", "70%"], data: data.category, label: {formatter: "{b}\n{c}"}}]});
  chart("chart-cause", {tooltip: {}, grid: {left: 90, right: 20, top: 10, bottom: 20}, xAxis: {type: "value", minInterval: 1}, yAxis: {type: "category", data: data.cause.names.slice().reverse()}, series: [{type: "bar", data: data.cause.values.slice().reverse()}]});
  chart("chart-money", {tooltip: {}, grid: {left: 60, right: 20, top: 10, bottom: 60}, xAxis: {type: "category", data: data.money.names, axisLabel: {rotate: 30}}, yAxis: {type: "value"}, series: [{type: "bar", data: data.money.values}]});
})();
