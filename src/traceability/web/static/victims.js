// Repeat victimization: the time course (share of next victimizations within 7/30/90/365 days) per target
// kind and crime type, and the monthly share of crimes that are repeats. Data come with the page.
(function () {
  var raw = document.getElementById('victims-data');
  if (!raw || typeof echarts === 'undefined') return;
  var data = JSON.parse(raw.textContent);
  var palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
  var decals = [{symbol: 'rect'}, {symbol: 'circle'}, {symbol: 'triangle'}, {symbol: 'diamond'}];
  var rows = data.by_kind_crime.filter(function (r) { return r.crime_group !== 'ALL' && r.time_course.next_victimizations > 0; })
    .slice(0, 8);
  var tc = document.getElementById('chart-time-course');
  if (tc && rows.length) {
    var c1 = echarts.init(tc, null, {renderer: 'svg'});
    c1.setOption({
      animation: false, color: palette, aria: {enabled: true, decal: {show: true, decals: decals}},
      tooltip: {trigger: 'axis', valueFormatter: function (v) { return v == null ? '—' : v.toFixed(1) + ' %'; }},
      legend: {type: 'scroll', bottom: 0},
      grid: {left: 60, right: 20, top: 20, bottom: 60},
      xAxis: {type: 'category', data: ['≤ 7 d', '≤ 30 d', '≤ 90 d', '≤ 365 d']},
      yAxis: {type: 'value', max: 100, axisLabel: {formatter: '{value} %'}},
      series: rows.map(function (r) {
        var t = r.time_course;
        return {name: r.kind + ' · ' + r.crime_group, type: 'bar',
                data: [t.within_7, t.within_30, t.within_90, t.within_365].map(function (v) { return v == null ? null : 100 * v; })};
      })
    });
    window.addEventListener('resize', function () { c1.resize(); });
  }
  var mc = document.getElementById('chart-months');
  var series = {};
  data.by_month.forEach(function (m) {
    var k = m.kind + ' · ' + m.crime_group;
    (series[k] = series[k] || {}).name = k;
    series[k][m.month] = m.share_crimes_repeat;
  });
  var months = Array.from(new Set(data.by_month.map(function (m) { return m.month; }))).sort();
  var names = Object.keys(series).slice(0, 8);
  if (mc && months.length) {
    var c2 = echarts.init(mc, null, {renderer: 'svg'});
    c2.setOption({
      animation: false, color: palette,
      tooltip: {trigger: 'axis', valueFormatter: function (v) { return v == null ? '—' : v.toFixed(1) + ' %'; }},
      legend: {type: 'scroll', bottom: 0}, grid: {left: 60, right: 20, top: 20, bottom: 60},
      xAxis: {type: 'category', data: months},
      yAxis: {type: 'value', axisLabel: {formatter: '{value} %'}},
      series: names.map(function (k, i) {
        return {name: k, type: 'line', symbol: ['circle', 'rect', 'triangle', 'diamond'][i % 4], symbolSize: 7,
                data: months.map(function (m) { var v = series[k][m]; return v == null ? null : 100 * v; })};
      })
    });
    window.addEventListener('resize', function () { c2.resize(); });
  }
})();
