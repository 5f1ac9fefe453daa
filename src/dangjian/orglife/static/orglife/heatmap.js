/* Compliance heat-map: branches (rows) × months (columns), from the page's json_script.
   Every text comes from the page (translated there); a click opens the branch's calendar. */
(function () {
  "use strict";
  var el = document.getElementById("compliance-heatmap");
  var source = document.getElementById("compliance-data");
  if (!el || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var text = data.text;
  var names = data.rows.map(function (row) { return row.name; });
  var rated = [];
  var empty = [];
  data.rows.forEach(function (row, y) {
    row.values.forEach(function (value, x) {
      if (value === null) empty.push([x, y, "-"]);
      else rated.push([x, y, value]);
    });
  });
  var zoom = data.rows.length > data.zoom;
  var narrow = el.clientWidth < 576;
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {
      position: "top",
      formatter: function (p) {
        var row = data.rows[p.value[1]];
        var head = "<b>" + echarts.format.encodeHTML(row.full) + "</b>";
        if (row.group) head += "<br><span style=\"color:#6b7280\">" + echarts.format.encodeHTML(row.group) + "</span>";
        var value = p.value[2] === "-" ? text.empty : text.rate + " " + p.value[2] + "%";
        return head + "<br>" + data.months[p.value[0]] + " · " + value + "<br><span style=\"color:#6b7280\">" + text.click + "</span>";
      }
    },
    grid: {top: 36, left: 8, right: zoom ? 36 : 12, bottom: 8, containLabel: true},
    xAxis: {type: "category", data: data.months, position: "top", splitArea: {show: true}, axisLabel: {interval: 0, fontSize: narrow ? 10 : 12}},
    yAxis: {
      type: "category", data: names, inverse: true, splitArea: {show: true},
      axisLabel: {width: narrow ? 84 : 200, overflow: "truncate", fontSize: narrow ? 10 : 12}
    },
    visualMap: {
      min: 0, max: 100, calculable: false, seriesIndex: 0, orient: "horizontal",
      left: "center", top: 0, itemHeight: narrow ? 120 : 180, itemWidth: 10,
      text: [text.high, text.low],
      inRange: {color: ["#dc3545", "#f4a261", "#e9c46a", "#8bc34a", "#198754"]}
    },
    dataZoom: zoom ? [
      {type: "slider", yAxisIndex: 0, right: 4, width: 16, startValue: 0, endValue: data.zoom - 1, showDetail: false, filterMode: "none"},
      {type: "inside", yAxisIndex: 0, zoomOnMouseWheel: false, moveOnMouseWheel: true, moveOnMouseMove: false, filterMode: "none"}
    ] : [],
    series: [
      {type: "heatmap", data: rated, label: {show: !narrow, fontSize: 10, color: "#fff", textBorderColor: "rgba(17, 24, 39, .45)", textBorderWidth: 2, formatter: function (p) { return Math.round(p.value[2]); }}, itemStyle: {borderColor: "#fff", borderWidth: 1}, emphasis: {itemStyle: {borderColor: "#111827", borderWidth: 1}}},
      {type: "heatmap", data: empty, itemStyle: {color: "#e5e7eb", borderColor: "#fff", borderWidth: 1}, emphasis: {itemStyle: {borderColor: "#111827", borderWidth: 1}}}
    ]
  });
  chart.on("click", function (p) {
    var row = data.rows[p.value[1]];
    if (row && row.url) window.location.href = row.url;
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
