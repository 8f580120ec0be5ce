/* Chart defaults for every ECharts chart of the site (issue 12 item 17), loaded by base.html
   before any page script. ECharts' UMD build assigns `globalThis.echarts = {}` and then sets
   `init` on it; the accessors below wrap `init` so each chart's setOption gets:
   - category axes whose labels never overlap: every label shown, rotated when there are many or
     they are long, long org names abbreviated (总工会/工会委员会 dropped, then cut with …);
   - value axes, labels and tooltips with thousands separators (12,345).
   A page that sets its own axisLabel.rotate / formatter keeps it. */
(function () {
  "use strict";
  var SUFFIXES = ["工会联合会", "工会委员会", "总工会", "工会"];
  function abbreviate(value) {
    var text = String(value);
    for (var i = 0; i < SUFFIXES.length; i++) {
      var s = SUFFIXES[i];
      if (text.length > s.length + 1 && text.slice(-s.length) === s) { text = text.slice(0, -s.length); break; }
    }
    return text.length > 8 ? text.slice(0, 7) + "…" : text;
  }
  function grouped(value) {
    var n = Number(value);
    if (value === null || value === "" || isNaN(n)) return value;
    return n.toLocaleString("en-US", {maximumFractionDigits: 2});
  }
  function list(x) { return x === undefined ? [] : (Array.isArray(x) ? x : [x]); }
  function tidy(option) {
    if (!option || typeof option !== "object") return option;
    ["xAxis", "yAxis"].forEach(function (key) {
      list(option[key]).forEach(function (axis) {
        if (!axis) return;
        var label = axis.axisLabel = Object.assign({}, axis.axisLabel || {});
        var isCategory = axis.type === "category" || (!axis.type && axis.data);
        if (isCategory) {
          var data = axis.data || [];
          var longest = data.reduce(function (m, d) {
            var v = d && typeof d === "object" ? d.value : d; return Math.max(m, String(v).length);
          }, 0);
          if (label.interval === undefined) label.interval = 0;
          if (key === "xAxis" && label.rotate === undefined && (data.length > 6 || longest * data.length > 36)) {
            label.rotate = 40;
          }
          if (!label.formatter) label.formatter = abbreviate;
        } else if (!label.formatter) {
          label.formatter = grouped;
        }
      });
    });
    if (option.xAxis || option.yAxis) option.grid = Object.assign({containLabel: true}, option.grid || {});
    if (option.tooltip && typeof option.tooltip === "object" && !option.tooltip.valueFormatter) {
      option.tooltip.valueFormatter = grouped;
    }
    return option;
  }
  function wrapInit(realInit) {
    return function () {
      var chart = realInit.apply(this, arguments);
      if (chart && !chart.__ghTidy) {
        var setOption = chart.setOption;
        chart.setOption = function (option) {
          var args = Array.prototype.slice.call(arguments);
          args[0] = tidy(option);
          return setOption.apply(this, args);
        };
        chart.__ghTidy = true;
      }
      return chart;
    };
  }
  function watch(lib) {
    if (!lib || typeof lib !== "object") return lib;
    var init = lib.init;
    try {
      Object.defineProperty(lib, "init", {
        configurable: true, enumerable: true,
        get: function () { return init; },
        set: function (fn) { init = typeof fn === "function" ? wrapInit(fn) : fn; }
      });
      if (typeof init === "function") init = wrapInit(init);
    } catch (e) { /* a frozen module object: charts keep ECharts' own defaults */ }
    return lib;
  }
  window.ghChartTidy = tidy;
  window.ghAbbreviate = abbreviate;
  if (window.echarts) { watch(window.echarts); return; }
  var held;
  Object.defineProperty(window, "echarts", {
    configurable: true, enumerable: true,
    get: function () { return held; },
    set: function (lib) { held = watch(lib); }
  });
})();
