// Person page: the match-weight waterfall of the cluster's weakest link (vendored ECharts only).
(function () {
  "use strict";
  var holder = document.getElementById("person-data");
  var el = document.getElementById("chart-waterfall");
  if (!holder || !el) return;
  var data = JSON.parse(holder.textContent);
  var weak = data.weakest_link;
  if (!weak) return;
  var url = "/api/persons/explain?a=" + encodeURIComponent(weak.mention_a) + "&b=" + encodeURIComponent(weak.mention_b);
  fetch(url, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (ex) {
      if (!ex) return;
      var names = [], base = [], up = [], down = [], running = 0;
      var tbody = document.querySelector("#waterfall-table tbody");
      ex.steps.forEach(function (s) {
        var w = s.weight + s.tf_adjustment;
        names.push(s.comparison === "prior" ? "prior" : s.comparison + ": " + s.level);
        var start = running, end = running + w;
        base.push(Math.min(start, end));
        up.push(w >= 0 ? w : 0);
        down.push(w < 0 ? -w : 0);
        running = end;
        var tr = document.createElement("tr");
        [s.comparison, s.level, s.weight.toFixed(2), s.tf_adjustment.toFixed(2)].forEach(function (v, i) {
          var td = document.createElement(i === 0 ? "th" : "td");
          if (i > 1) td.className = "num";
          td.textContent = v;
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      names.push("total");
      base.push(Math.min(0, running));
      up.push(running >= 0 ? running : 0);
      down.push(running < 0 ? -running : 0);
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        animation: false,
        grid: { left: 260, right: 30, top: 20, bottom: 30 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", name: "log2" },
        yAxis: { type: "category", data: names, inverse: true },
        series: [
          { type: "bar", stack: "w", data: base, itemStyle: { color: "transparent" }, silent: true },
          { type: "bar", stack: "w", data: up, itemStyle: { color: "#0072B2" } },
          { type: "bar", stack: "w", data: down, itemStyle: { color: "#D55E00" } }
        ]
      });
    });
})();
