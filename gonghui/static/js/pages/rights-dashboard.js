/* The rights dashboard's charts (moved out of dashboard.html: no inline script under the CSP). */
(function () {
  var labels = JSON.parse(document.getElementById("rights-dashboard-labels").textContent);
  function data(id) { return JSON.parse(document.getElementById(id).textContent); }
  function chart(id, option) { var c = echarts.init(document.getElementById(id)); c.setOption(option); window.addEventListener("resize", function () { c.resize(); }); }
  var types = data("d-types"), levels = data("d-levels"), kinds = data("d-kinds"), statuses = data("d-statuses"), bodies = data("d-bodies");
  chart("chart-types", {title: {text: labels.types, textStyle: {fontSize: 14}}, tooltip: {}, xAxis: {type: "category", data: types.map(function (t) { return t[0]; })}, yAxis: {type: "value"}, series: [{type: "bar", data: types.map(function (t) { return t[1]; }), itemStyle: {color: "#b5121b"}}]});
  var colours = {green: "#198754", yellow: "#e0c200", orange: "#fd7e14", red: "#dc3545"};
  chart("chart-levels", {title: {text: labels.levels, textStyle: {fontSize: 14}}, tooltip: {}, series: [{type: "pie", radius: "60%", data: levels.map(function (l) { return {name: l[1], value: l[2], itemStyle: {color: colours[l[0]]}}; })}]});
  chart("chart-kinds", {title: {text: labels.kinds, textStyle: {fontSize: 14}}, tooltip: {}, legend: {top: 24}, grid: {top: 60}, xAxis: {type: "category", data: statuses}, yAxis: {type: "value"}, series: kinds.map(function (k) { return {name: k[0], type: "bar", stack: "s", data: k[1]}; })});
  chart("chart-bodies", {title: {text: labels.bodies, textStyle: {fontSize: 14}}, tooltip: {}, series: [{type: "pie", radius: "60%", data: bodies.map(function (b) { return {name: b[0], value: b[1]}; })}]});
})();
