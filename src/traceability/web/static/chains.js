// The attrition funnel as a Sankey, from the JSON the page carries; plus the "open a case" form.
(function () {
  var form = document.getElementById('open-case');
  if (form) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var id = document.getElementById('event-id').value.trim();
      if (id) window.location.href = '/chains/' + id.split('/').map(function (s) { return encodeURIComponent(s).replace(/%3A/gi, ':'); }).join('/');
    });
  }
  var el = document.getElementById('chart-sankey');
  var raw = document.getElementById('chains-data');
  if (!el || !raw || typeof echarts === 'undefined') return;
  var data = JSON.parse(raw.textContent);
  var labels = data.labels || {};
  var used = {};
  data.sankey.links.forEach(function (l) { used[l.source] = true; used[l.target] = true; });
  var nodes = data.sankey.nodes.filter(function (n) { return used[n.name]; }).map(function (n) {
    var exit = n.name.indexOf('exit_') === 0;
    return {name: n.name, itemStyle: {color: exit ? '#BBBBBB' : '#0072B2', borderColor: '#333'}};
  });
  if (!nodes.length) return;
  var chart = echarts.init(el, null, {renderer: 'svg'});
  var fmt = new Intl.NumberFormat('es-MX');
  chart.setOption({
    animation: false,
    tooltip: {trigger: 'item', formatter: function (p) {
      if (p.dataType === 'edge') return (labels[p.data.source] || p.data.source) + ' → ' +
        (labels[p.data.target] || p.data.target) + ': ' + fmt.format(p.data.value);
      return (labels[p.name] || p.name);
    }},
    series: [{
      type: 'sankey', left: 10, right: 160, top: 10, bottom: 10, nodeAlign: 'left', draggable: false,
      emphasis: {focus: 'adjacency'},
      label: {formatter: function (p) { return labels[p.name] || p.name; }},
      lineStyle: {color: 'source', opacity: 0.35},
      data: nodes,
      links: data.sankey.links
    }]
  });
  window.addEventListener('resize', function () { chart.resize(); });
})();
