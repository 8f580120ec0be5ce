/* The district risk map: areas as heat tiles (share of orange + red employers) and a stacked
   bar of levels per area. Offline: ECharts is vendored; data comes from json_script. */
(function () {
  var data = JSON.parse(document.getElementById("risk-map-data").textContent);
  var labels = JSON.parse(document.getElementById("risk-map-labels").textContent);
  var n = data.names.length, cols = Math.max(1, Math.ceil(Math.sqrt(n * 1.5)));
  var rows = Math.ceil(n / cols), cells = [];
  for (var i = 0; i < n; i++) { cells.push([i % cols, rows - 1 - Math.floor(i / cols), data.hot[i], i]); }
  function range(k) { var out = []; for (var j = 0; j < k; j++) { out.push(String(j)); } return out; }
  function go(i) { window.location.href = data.list_url + "?org=" + encodeURIComponent(data.codes[i]) + "&level=red"; }
  var tiles = echarts.init(document.getElementById("risk-map-tiles"));
  tiles.setOption({
    title: {text: labels.tiles, textStyle: {fontSize: 14}},
    tooltip: {formatter: function (p) { return data.names[p.data[3]] + "<br>" + labels.share + " " + p.data[2] + "%"; }},
    grid: {top: 36, bottom: 44, left: 8, right: 8},
    xAxis: {type: "category", data: range(cols), show: false},
    yAxis: {type: "category", data: range(rows), show: false},
    visualMap: {dimension: 2, min: 0, max: Math.max(20, Math.max.apply(null, data.hot.concat([0]))), calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120, inRange: {color: ["#d1e7dd", "#ffe69c", "#fd7e14", "#b02a37"]}},
    series: [{type: "heatmap", data: cells, itemStyle: {borderColor: "#fff", borderWidth: 3}, label: {show: true, fontSize: 11, color: "#212529", textBorderColor: "rgba(255,255,255,0.85)", textBorderWidth: 2, formatter: function (p) { var name = data.names[p.data[3]].replace(/工会$/, ""); return (name.length > 6 ? name.slice(0, 6) : name) + "\n" + p.data[2] + "%"; }}}]
  });
  tiles.on("click", function (p) { go(p.data[3]); });
  var colours = ["#198754", "#e0c200", "#fd7e14", "#dc3545"];
  var bars = echarts.init(document.getElementById("risk-map-bars"));
  bars.setOption({
    title: {text: labels.bars, textStyle: {fontSize: 14}}, tooltip: {trigger: "axis"},
    legend: {top: 24}, grid: {top: 60, left: 8, right: 16, bottom: 8, containLabel: true},
    xAxis: {type: "value"}, yAxis: {type: "category", data: data.names, inverse: true},
    series: data.levels[0].map(function (name, k) { return {name: name, type: "bar", stack: "s", data: data.levels[1][k], itemStyle: {color: colours[k]}}; })
  });
  bars.on("click", function (p) { go(p.dataIndex); });
  window.addEventListener("resize", function () { tiles.resize(); bars.resize(); });
})();
