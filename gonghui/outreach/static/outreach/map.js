// The offline station map: district boundaries from the vendored GeoJSON (ECharts 4's
// map/json/province/shanghai.json), each district's count on hover, and the stations of the
// current view — one by one when few, else as clusters with their count (grid clusters made by
// the server, /outreach/map/data.json?bbox=…); zooming in or panning asks again for the view.
(function () {
  var el = document.getElementById("map");
  if (!el || !window.echarts) return;
  var chart = echarts.init(el);
  var counts = {};
  var pending = null;
  var views = 0;

  function series(data) {
    var max = 1;
    data.clusters.forEach(function (c) { if (c.count > max) max = c.count; });
    return [
      {id: "points", type: "scatter", coordinateSystem: "geo", symbolSize: 7,
       itemStyle: {color: "#b00020"}, data: data.points},
      {id: "clusters", type: "scatter", coordinateSystem: "geo", data: data.clusters,
       symbolSize: function (v) { return 14 + 26 * Math.sqrt(v[2] / max); },
       itemStyle: {color: "rgba(176,0,32,0.75)", borderColor: "#fff", borderWidth: 1},
       label: {show: true, color: "#fff", fontSize: 11,
               formatter: function (p) { return p.data.count; }}}
    ];
  }

  // one clustering cell per ~56 pixels of the view, so circles do not cover each other
  function load(bbox) {
    var cells = "cols=" + Math.max(2, Math.round(el.clientWidth / 56)) +
                "&rows=" + Math.max(2, Math.round(el.clientHeight / 56));
    var url = el.dataset.points + "?" + cells + (bbox ? "&bbox=" + bbox.join(",") : "");
    return fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); });
  }

  function view() {
    var w = chart.getWidth(), h = chart.getHeight();
    var a = chart.convertFromPixel({geoIndex: 0}, [0, h]);
    var b = chart.convertFromPixel({geoIndex: 0}, [w, 0]);
    if (!a || !b) return null;
    return [a[0], a[1], b[0], b[1]].map(function (v) { return v.toFixed(4); });
  }

  function refresh() {
    var bbox = view();
    load(bbox).then(function (data) {
      chart.setOption({series: series(data)});
      el.setAttribute("data-total", data.total);
      el.setAttribute("data-clusters", data.clusters.length);
      el.setAttribute("data-view", String(++views));
    });
  }

  Promise.all([fetch(el.dataset.geo).then(function (r) { return r.json(); }), load(null)])
    .then(function (both) {
      echarts.registerMap("shanghai", both[0]);
      var data = both[1];
      data.districts.forEach(function (d) { counts[d.name] = d.value; });
      chart.setOption({
        tooltip: {trigger: "item", formatter: function (p) {
          if (p.seriesType === "map") return p.name + "：" + (counts[p.name] || 0) + " 个站点";
          if (p.seriesId === "clusters") return p.data.count + " 个站点（放大查看）";
          return p.data.name + "<br>" + p.data.kind + "<br>" + p.data.address +
            (p.data.amenities.length ? "<br>" + p.data.amenities.join(" · ") : "");
        }},
        visualMap: {min: 0, max: Math.max.apply(null, data.districts.map(function (d) { return d.value; }).concat([1])),
                    left: 0, bottom: 0, calculable: false, inRange: {color: ["#fff5f5", "#e35d5d"]}, seriesIndex: 0},
        geo: {map: "shanghai", roam: true, scaleLimit: {min: 1, max: 40},
              itemStyle: {areaColor: "transparent"}},
        series: [{type: "map", map: "shanghai", geoIndex: 0, data: data.districts}]
          .concat(series(data))
      });
      el.setAttribute("data-total", data.total);
      el.setAttribute("data-clusters", data.clusters.length);
      el.setAttribute("data-ready", "1");
      refresh();   // the first answer was clustered over the stations' extent: now the view's
      chart.on("georoam", function () {
        clearTimeout(pending);
        pending = setTimeout(refresh, 300);
      });
    });
  window.addEventListener("resize", function () { chart.resize(); });
})();
