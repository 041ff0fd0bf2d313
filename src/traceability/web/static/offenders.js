// Lorenz curves (offences and harm) and Kaplan–Meier curves with 95 % bands, from the JSON the page carries.
(function () {
  var raw = document.getElementById('offenders-data');
  if (!raw || typeof echarts === 'undefined') return;
  var data = JSON.parse(raw.textContent);
  var L = data.labels;
  var palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000'];
  var charts = [];

  var lorenzEl = document.getElementById('chart-lorenz');
  if (lorenzEl && data.concentration.lorenz.length) {
    var c = echarts.init(lorenzEl, null, {renderer: 'svg'});
    c.setOption({
      animation: false,
      tooltip: {trigger: 'axis', valueFormatter: function (v) { return (100 * v).toFixed(1) + ' %'; }},
      legend: {bottom: 0},
      grid: {left: 60, right: 20, top: 20, bottom: 70},
      xAxis: {type: 'value', min: 0, max: 1, name: L.pop, nameLocation: 'middle', nameGap: 28,
              axisLabel: {formatter: function (v) { return Math.round(100 * v) + ' %'; }}},
      yAxis: {type: 'value', min: 0, max: 1, name: L.cum,
              axisLabel: {formatter: function (v) { return Math.round(100 * v) + ' %'; }}},
      color: palette,
      series: [
        {name: L.offences, type: 'line', showSymbol: false, data: data.concentration.lorenz},
        {name: L.harm, type: 'line', showSymbol: false, lineStyle: {type: 'dashed'}, data: data.concentration.harm_lorenz},
        {name: L.equality, type: 'line', showSymbol: false, lineStyle: {type: 'dotted', color: '#777'},
         itemStyle: {color: '#777'}, data: [[0, 0], [1, 1]]}
      ]
    });
    charts.push(c);
  }

  function zip(a, b) { return a.map(function (x, i) { return [x, b[i]]; }); }

  document.querySelectorAll('.chart-survival').forEach(function (el) {
    var r = data.reoffending[el.getAttribute('data-start')];
    if (!r || !r.overall) return;
    var curves = [r.overall].concat(r.by_crime_group || []);
    var series = [];
    curves.forEach(function (k, i) {
      var col = palette[i % palette.length];
      var stack = 'band' + i;
      // the band: an invisible lower line plus the (upper - lower) area stacked on it
      series.push({name: k.label + ' ' + L.band, type: 'line', step: 'end', stack: stack, symbol: 'none',
                   lineStyle: {opacity: 0}, data: zip(k.days, k.lower), tooltip: {show: false},
                   legendHoverLink: false, silent: true});
      series.push({name: k.label + ' ' + L.band, type: 'line', step: 'end', stack: stack, symbol: 'none',
                   lineStyle: {opacity: 0}, areaStyle: {color: col, opacity: i === 0 ? 0.18 : 0.08},
                   data: k.days.map(function (d, j) { return [d, k.upper[j] - k.lower[j]]; }),
                   tooltip: {show: false}, silent: true});
      series.push({name: k.label, type: 'line', step: 'end', symbol: 'none', itemStyle: {color: col},
                   lineStyle: {color: col, width: i === 0 ? 2.5 : 1.5, type: i === 0 ? 'solid' : 'dashed'},
                   data: zip(k.days, k.survival)});
    });
    var c = echarts.init(el, null, {renderer: 'svg'});
    c.setOption({
      animation: false,
      tooltip: {trigger: 'axis', valueFormatter: function (v) { return (100 * v).toFixed(1) + ' %'; }},
      legend: {type: 'scroll', bottom: 0, data: curves.map(function (k) { return k.label; })},
      grid: {left: 60, right: 20, top: 20, bottom: 70},
      xAxis: {type: 'value', min: 0, name: L.days, nameLocation: 'middle', nameGap: 28},
      yAxis: {type: 'value', min: 0, max: 1, name: L.survival,
              axisLabel: {formatter: function (v) { return Math.round(100 * v) + ' %'; }}},
      series: series
    });
    charts.push(c);
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
