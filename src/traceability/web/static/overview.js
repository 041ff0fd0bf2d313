// Stacked monthly counts per source, from the JSON the page already carries.
(function () {
  var el = document.getElementById('chart-months');
  var raw = document.getElementById('overview-data');
  if (!el || !raw || typeof echarts === 'undefined') return;
  var data = JSON.parse(raw.textContent);
  var labelsEl = document.getElementById('overview-labels');
  var labels = labelsEl ? JSON.parse(labelsEl.textContent) : {};
  if (!data.sources.length) return;
  var chart = echarts.init(el, null, {renderer: 'svg'});
  chart.setOption({
    animation: false,
    tooltip: {trigger: 'axis'},
    legend: {type: 'scroll', bottom: 0},
    grid: {left: 60, right: 20, top: 20, bottom: 60},
    xAxis: {type: 'category', data: data.months},
    yAxis: {type: 'value'},
    color: ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000',
            '#999999', '#882255', '#44AA99', '#117733'],
    series: data.sources.map(function (s) {
      return {name: labels[s.source] || s.source, type: 'bar', stack: 'all', data: data.months.map(function (m) { return s.by_month[m] || 0; })};
    })
  });
  window.addEventListener('resize', function () { chart.resize(); });
})();
