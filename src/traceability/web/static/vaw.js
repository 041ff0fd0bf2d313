// Violence against women: monthly trends (ECharts) and the offline map (MapLibre, the city's own alcaldía
// polygons served by this app; no tiles, glyphs or sprites). Points of harm only for users holding the label
// (the server leaves them out for the others).
(function () {
  var dataEl = document.getElementById('vaw-data');
  if (!dataEl) return;
  var D = JSON.parse(dataEl.textContent);
  var S = D.strings;

  // -- trends ------------------------------------------------------------------------------------------
  var tEl = document.getElementById('vaw-trend');
  if (tEl && typeof echarts !== 'undefined') {
    var months = D.months.map(function (m) { return m.month; });
    var pick = function (k) { return D.months.map(function (m) { return m[k] || 0; }); };
    var chart = echarts.init(tEl, null, {renderer: 'svg'});
    // Okabe–Ito colours (colour-blind safe); line styles differ too, so colour is not the only cue.
    chart.setOption({
      animation: false,
      tooltip: {trigger: 'axis'},
      legend: {top: 0},
      grid: {left: 50, right: 50, top: 40, bottom: 30},
      xAxis: {type: 'category', data: months},
      yAxis: [{type: 'value', name: S.contacts}, {type: 'value', name: S.femicides, minInterval: 1}],
      series: [
        {name: S.call, type: 'line', data: pick('call'), color: '#0072B2', symbol: 'circle'},
        {name: S.carpeta, type: 'line', data: pick('carpeta'), color: '#E69F00', symbol: 'rect', lineStyle: {type: 'dashed'}},
        {name: S.cjm, type: 'line', data: pick('cjm'), color: '#009E73', symbol: 'triangle'},
        {name: S.er, type: 'line', data: pick('er'), color: '#CC79A7', symbol: 'diamond', lineStyle: {type: 'dotted'}},
        {name: S.hidden, type: 'bar', data: pick('hidden'), color: '#999999', barMaxWidth: 14},
        {name: S.femicides, type: 'bar', yAxisIndex: 1, data: pick('femicides'), color: '#D55E00', barMaxWidth: 8}
      ]
    });
    tEl.dataset.ready = '1';
    window.addEventListener('resize', function () { chart.resize(); });
  }

  // -- map ---------------------------------------------------------------------------------------------
  var el = document.getElementById('vaw-map');
  if (!el || typeof maplibregl === 'undefined') return;
  var status = document.getElementById('vaw-map-status');
  var tip = document.getElementById('vaw-tip');
  status.textContent = S.loading;
  var purples = ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'];
  var query = el.dataset.query ? ('?' + el.dataset.query) : '';
  var map = new maplibregl.Map({
    container: 'vaw-map', center: [-99.13, 19.37], zoom: 9.2, attributionControl: false, preserveDrawingBuffer: true,
    style: {version: 8, sources: {}, layers: [{id: 'bg', type: 'background', paint: {'background-color': '#eef0f2'}}]}
  });
  map.addControl(new maplibregl.NavigationControl({showCompass: false}));
  map.addControl(new maplibregl.ScaleControl({unit: 'metric'}));
  window.vawMap = map;
  function fmt(n) { return Number(n || 0).toLocaleString('es-MX'); }
  function breaks(values) {
    var v = values.filter(function (x) { return x > 0; }).sort(function (a, b) { return a - b; });
    if (!v.length) return [1, 2, 3, 4];
    var q = [0.2, 0.4, 0.6, 0.8].map(function (p) { return v[Math.min(v.length - 1, Math.floor(p * v.length))]; });
    for (var i = 1; i < q.length; i++) if (q[i] <= q[i - 1]) q[i] = q[i - 1] + 1;
    return q;
  }
  // a point inside each alcaldía for the CJM sedes (their alcaldía: the records carry no address of the sede)
  function centre(geom) {
    var ring = geom.type === 'Polygon' ? geom.coordinates[0] : geom.coordinates[0][0];
    var x = 0, y = 0;
    ring.forEach(function (c) { x += c[0]; y += c[1]; });
    return [x / ring.length, y / ring.length];
  }
  var geoP = fetch('/api/vaw/geo' + query, {credentials: 'same-origin'}).then(function (r) {
    if (!r.ok) throw new Error('geo ' + r.status);
    return r.json();
  });
  map.on('load', function () {
    geoP.then(function (geo) {
      var b = breaks(geo.features.map(function (f) { return f.properties.contacts; }));
      map.addSource('alc', {type: 'geojson', data: geo});
      map.addLayer({id: 'alc-fill', type: 'fill', source: 'alc', paint: {
        'fill-color': ['step', ['get', 'contacts'], purples[0], b[0], purples[1], b[1], purples[2], b[2], purples[3], b[3], purples[4]],
        'fill-opacity': 0.75}});
      map.addLayer({id: 'alc-line', type: 'line', source: 'alc', paint: {'line-color': '#555', 'line-width': 0.7}});
      var lg = document.getElementById('vaw-legend');
      var labels = ['0 – ' + fmt(b[0] - 1)].concat([0, 1, 2].map(function (i) { return fmt(b[i]) + ' – ' + fmt(b[i + 1] - 1); }))
        .concat(['≥ ' + fmt(b[3])]);
      lg.innerHTML = '';
      labels.forEach(function (txt, i) {
        var li = document.createElement('li');
        var sw = document.createElement('span');
        sw.className = 'sw';
        sw.style.background = purples[i];
        li.appendChild(sw);
        li.appendChild(document.createTextNode(' ' + txt));
        lg.appendChild(li);
      });
      var byCode = {};
      geo.features.forEach(function (f) { byCode[f.properties.alcaldia] = f; });
      var sedes = {type: 'FeatureCollection', features: D.help.filter(function (h) { return byCode[h.alcaldia]; }).map(function (h) {
        return {type: 'Feature', geometry: {type: 'Point', coordinates: centre(byCode[h.alcaldia].geometry)},
                properties: {sede: h.sede, cases: h.cases}};
      })};
      map.addSource('sedes', {type: 'geojson', data: sedes});
      map.addLayer({id: 'sedes', type: 'circle', source: 'sedes', paint: {
        'circle-radius': ['interpolate', ['linear'], ['get', 'cases'], 0, 5, 200, 14], 'circle-color': '#1b9e77',
        'circle-stroke-color': '#000', 'circle-stroke-width': 2}});
      if (el.dataset.points === '1' && D.points.length) {
        var pts = {type: 'FeatureCollection', features: D.points.map(function (p) {
          return {type: 'Feature', geometry: {type: 'Point', coordinates: [p.lon, p.lat]}, properties: {kind: p.kind, month: p.month}};
        })};
        map.addSource('harm', {type: 'geojson', data: pts});
        map.addLayer({id: 'harm', type: 'circle', source: 'harm', paint: {'circle-radius': 2.5, 'circle-color': '#d95f02',
          'circle-stroke-color': '#fff', 'circle-stroke-width': 0.4}});
      }
      map.on('mousemove', function (e) {
        var feats = map.queryRenderedFeatures(e.point, {layers: ['sedes', 'alc-fill']});
        if (!feats.length) { tip.style.display = 'none'; return; }
        var f = feats[0];
        tip.textContent = f.layer.id === 'sedes' ? (f.properties.sede + ': ' + fmt(f.properties.cases))
          : (f.properties.name + ': ' + fmt(f.properties.contacts) + ' ' + S.contacts + ', ' + fmt(f.properties.women) + ' ' + S.women
             + ', ' + fmt(f.properties.hidden) + ' ' + S.hidden);
        tip.style.left = (e.point.x + 12) + 'px';
        tip.style.top = (e.point.y + 12) + 'px';
        tip.style.display = 'block';
      });
      map.once('idle', function () { status.textContent = S.drawn; el.dataset.ready = '1'; });
    }).catch(function (err) { status.textContent = S.none + ' (' + err.message + ')'; el.dataset.ready = 'error'; });
  });
})();
