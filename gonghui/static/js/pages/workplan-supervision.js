/* The supervision page's charts (moved out of supervision.html: no inline script under the CSP). */
(function () {
  var data = JSON.parse(document.getElementById("gh-charts").textContent);
  var pie = echarts.init(document.getElementById("chart-overall"), null, {renderer: "svg"});
  pie.setOption({
    animation: false,
    tooltip: {trigger: "item", formatter: "{b}：{c} 项（{d}%）"},
    legend: {bottom: 0},
    series: [{type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"], label: {formatter: "{c}"},
              data: data.overall.filter(function (d) { return d.value > 0; })}]
  });
  window.addEventListener("resize", function () { pie.resize(); });
  window.ghStackedBar(document.getElementById("chart-headings"), data.headings, false);
  window.ghStackedBar(document.getElementById("chart-departments"), data.departments, true);
  document.body.dataset.chartsReady = "1";
})();
