// The offline station map: district boundaries from the vendored GeoJSON (ECharts 4's
// map/json/province/shanghai.json), stations as points, each district's count on hover.
(function () {
  var el = document.getElementById("map");
  if (!el || !window.echarts) return;
  var chart = echarts.init(el);
  Promise.all([fetch(el.dataset.geo).then(function (r) { return r.json(); }),
               fetch(el.dataset.points, {credentials: "same-origin"}).then(function (r) { return r.json(); })])
    .then(function (both) {
      echarts.registerMap("shanghai", both[0]);
      var data = both[1];
      var counts = {};
      data.districts.forEach(function (d) { counts[d.name] = d.value; });
      chart.setOption({
        tooltip: {trigger: "item", formatter: function (p) {
          if (p.seriesType === "map") return p.name + "：" + (counts[p.name] || 0) + " 个站点";
          return p.data.name + "<br>" + p.data.kind + "<br>" + p.data.address +
            (p.data.amenities.length ? "<br>" + p.data.amenities.join(" · ") : "");
        }},
        visualMap: {min: 0, max: Math.max(1, Math.max.apply(null, data.districts.map(function (d) { return d.value; }).concat([1]))),
                    left: 0, bottom: 0, calculable: false, inRange: {color: ["#fff5f5", "#e35d5d"]}, seriesIndex: 0},
        geo: {map: "shanghai", roam: true, itemStyle: {areaColor: "transparent"}},
        series: [
          {type: "map", map: "shanghai", geoIndex: 0, data: data.districts},
          {type: "scatter", coordinateSystem: "geo", symbolSize: 6, itemStyle: {color: "#b00020"},
           data: data.points}
        ]
      });
      el.setAttribute("data-ready", "1");
    });
  window.addEventListener("resize", function () { chart.resize(); });
})();
