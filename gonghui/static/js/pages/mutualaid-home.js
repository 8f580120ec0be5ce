/* The mutual-aid home page's charts (moved out of home.html: no inline script under the CSP). */
(function () {
  var labels = JSON.parse(document.getElementById("mutualaid-home-labels").textContent);
  var d = JSON.parse(document.getElementById("gh-chart").textContent);
  function bars(el, labels, series) {
    var node = document.getElementById(el);
    if (!node || !labels.length) { if (node) node.style.display = "none"; return; }
    var chart = echarts.init(node);
    chart.setOption({animation: false, tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 60, right: 10, top: 30, bottom: 40},
      xAxis: {type: "category", data: labels, axisLabel: {interval: 0, rotate: labels.length > 4 ? 30 : 0}},
      yAxis: {type: "value"}, series: series});
    window.addEventListener("resize", function () { chart.resize(); });
  }
  bars("chart-plans", d.plans, [{name: labels.paid, type: "bar", data: d.plan_paid, color: "#198754"},
                                {name: labels.pending, type: "bar", data: d.plan_pending, color: "#0d6efd"}]);
  bars("chart-children", d.labels, [{name: labels.paid, type: "bar", stack: "s", data: d.paid, color: "#198754"},
                                    {name: labels.pending, type: "bar", stack: "s", data: d.pending, color: "#0d6efd"},
                                    {name: labels.failed, type: "bar", stack: "s", data: d.failed, color: "#dc3545"}]);
})();
