// Violence against women: monthly trends (ECharts) and the map (base map and choropleth from basemap.js, the
// city's own alcaldía polygons). Points of harm only for users holding the label
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
  var T = window.TracMap, fmt = T.fmt;
  var map = T.create('vaw-map', 9.2);
  window.vawMap = map;
  // a point inside each alcaldía for the CJM sedes (their alcaldía: the records carry no address of the sede)
  function centre(geom) {
    var ring = geom.type === 'Polygon' ? geom.coordinates[0] : geom.coordinates[0][0];
    var x = 0, y = 0;
    ring.forEach(function (c) { x += c[0]; y += c[1]; });
    return [x / ring.length, y / ring.length];
  }
  var geoP = T.get('/api/vaw/geo' + query);
  map.on('load', function () {
    geoP.then(function (geo) {
      T.choropleth(map, 'alc', geo, 'contacts', purples, 'vaw-legend', 0.7);
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
      T.hover(map, tip, function () { return ['sedes', 'alc-fill']; }, function (feats) {
        var f = feats[0];
        return f.layer.id === 'sedes' ? (f.properties.sede + ': ' + fmt(f.properties.cases))
          : (f.properties.name + ': ' + fmt(f.properties.contacts) + ' ' + S.contacts + ', ' + fmt(f.properties.women) + ' ' + S.women
             + ', ' + fmt(f.properties.hidden) + ' ' + S.hidden);
      });
      T.ready(map, el, status, S);
    }).catch(T.failed(el, status, S));
  });
})();
