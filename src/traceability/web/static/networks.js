// The network of a group or of a person's neighbourhood: ECharts graph series with a force layout.
// Edges are coloured by kind AND drawn with a kind-specific dash pattern and width; the legend shows both
// with the kind's name, and hovering an edge names it. Clicking a person opens /persons/{person_id}.
(function () {
  var raw = document.getElementById('networks-data');
  var el = document.getElementById('chart-network');
  if (!raw || !el || typeof echarts === 'undefined') return;
  var cfg = JSON.parse(raw.textContent);
  var L = cfg.labels;
  var status = document.getElementById('graph-status');
  // Okabe–Ito colours; each kind also has its own dash pattern and width (not colour alone)
  var STYLE = {
    co_accused: {color: '#D55E00', type: 'solid', width: 3},
    co_detained: {color: '#E69F00', type: [8, 3], width: 3},
    shared_address: {color: '#56B4E9', type: [2, 3], width: 2},
    shared_phone: {color: '#0072B2', type: [10, 3, 2, 3], width: 2},
    family: {color: '#CC79A7', type: [6, 6], width: 2},
    financial: {color: '#009E73', type: [1, 2], width: 3},
    communication: {color: '#000000', type: 'solid', width: 1},
    commission: {color: '#F0E442', type: [12, 4], width: 4},
    prison: {color: '#999999', type: [4, 2, 1, 2], width: 2}
  };
  var GROUP_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

  function dash(t) { return Array.isArray(t) ? t.join(' ') : (t === 'solid' ? '' : t); }

  var legend = document.getElementById('legend');
  function drawLegend(present) {
    if (!legend) return;
    legend.innerHTML = '';
    Object.keys(cfg.kinds).forEach(function (k) {
      if (present && !present[k]) return;
      var s = STYLE[k] || {color: '#444', type: 'solid', width: 2};
      var li = document.createElement('li');
      li.setAttribute('data-kind', k);
      li.innerHTML = '<svg width="40" height="10" aria-hidden="true"><line x1="0" y1="5" x2="40" y2="5" stroke="' + s.color +
        '" stroke-width="' + s.width + '" stroke-dasharray="' + dash(s.type) + '"/></svg>';
      var span = document.createElement('span');
      span.textContent = cfg.kinds[k];
      li.appendChild(span);
      legend.appendChild(li);
    });
  }

  var params = new URLSearchParams(window.location.search);
  var q = new URLSearchParams();
  ['from', 'to', 'resolution', 'seed', 'period'].forEach(function (k) { if (params.get(k)) q.set(k, params.get(k)); });
  if (params.getAll('kinds').length) q.set('kinds', params.getAll('kinds').join(','));
  var group = el.getAttribute('data-group');
  var person = el.getAttribute('data-person');
  if (person) q.set('person', person); else if (group) q.set('group', group); else return;
  status.textContent = L.loading;

  fetch('/api/networks/graph?' + q.toString(), {credentials: 'same-origin'})
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(draw)
    .catch(function () { status.textContent = L.error; });

  function draw(g) {
    if (!g.nodes.length) { status.textContent = L.none; return; }
    var groups = {};
    g.nodes.forEach(function (n) { if (n.group_id && !(n.group_id in groups)) groups[n.group_id] = Object.keys(groups).length; });
    var present = {};
    var nodes = g.nodes.map(function (n) {
      var color = n.group_id ? GROUP_COLORS[groups[n.group_id] % GROUP_COLORS.length] : '#bbbbbb';
      return {
        id: n.id, name: n.label, value: n.ties, kind: n.kind, href: n.href, group_id: n.group_id,
        symbol: n.kind === 'phone' ? 'rect' : 'circle',
        symbolSize: Math.min(40, 10 + 3 * n.ties) + (n.center ? 8 : 0),
        itemStyle: {color: color, borderColor: n.center ? '#000' : '#fff', borderWidth: n.center ? 3 : 1},
        label: {show: g.nodes.length <= 60, position: 'right', fontSize: 11}
      };
    });
    // one curve per kind between the same two nodes, so every kind stays visible
    var seen = {};
    var links = g.edges.map(function (e) {
      present[e.kind] = true;
      var s = STYLE[e.kind] || {color: '#444', type: 'solid', width: 2};
      var pair = e.source < e.target ? e.source + '|' + e.target : e.target + '|' + e.source;
      var k = seen[pair] = (seen[pair] || 0) + 1;
      return {source: e.source, target: e.target, kind: e.kind, n: e.n, first: e.first_date, last: e.last_date,
              lineStyle: {color: s.color, type: s.type, width: s.width, curveness: (k - 1) * 0.15, opacity: 0.9}};
    });
    drawLegend(present);
    var chart = echarts.init(el, null, {renderer: 'svg'});
    chart.setOption({
      animation: false,
      tooltip: {
        formatter: function (p) {
          if (p.dataType === 'edge') {
            var d = p.data;
            return cfg.kinds[d.kind] + ' · ' + d.n + ' ' + L.records + '<br>' + (d.first || '') + ' – ' + (d.last || '');
          }
          var n = p.data;
          return (n.kind === 'phone' ? L.phone : L.person) + ' ' + echarts.format.encodeHTML(n.name) +
            (n.group_id ? ' · ' + n.group_id : '') + '<br>' + L.ties + ': ' + n.value + (n.href ? '<br>' + L.open : '');
        }
      },
      series: [{
        type: 'graph', layout: 'force', roam: true, draggable: true,
        force: {repulsion: 180, edgeLength: [40, 120], gravity: 0.08, layoutAnimation: false},
        emphasis: {focus: 'adjacency', lineStyle: {width: 5}},
        edgeLabel: {show: false},
        data: nodes, links: links
      }]
    });
    chart.on('click', function (p) {
      if (p.dataType === 'node' && p.data.href) window.location.href = p.data.href;
    });
    window.addEventListener('resize', function () { chart.resize(); });
    status.textContent = g.nodes.length + ' · ' + g.edges.length;
    el.setAttribute('data-rendered', String(g.nodes.length));
  }
})();
