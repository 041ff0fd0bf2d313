// The offline map: a MapLibre style with only GeoJSON sources served by this app (the city's own polygons),
// no tiles, glyphs or sprites. Choropleth of counts per unit with a legend and counts on hover, Gi* hot spots
// on the H3 grid, emerging patterns outlined, kernel density and points on demand.
(function () {
  var el = document.getElementById('map');
  if (!el || typeof maplibregl === 'undefined') return;
  var S = JSON.parse(document.getElementById('map-strings').textContent);
  var layer = el.dataset.layer;
  var query = el.dataset.query ? ('?' + el.dataset.query) : '';
  var status = document.getElementById('map-status');
  var tip = document.getElementById('map-tip');
  status.textContent = S.loading;
  var blues = ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'];
  var map = new maplibregl.Map({
    container: 'map', center: [-99.13, 19.37], zoom: 9.4, attributionControl: false, preserveDrawingBuffer: true,
    style: {version: 8, sources: {}, layers: [{id: 'bg', type: 'background', paint: {'background-color': '#eef0f2'}}]}
  });
  map.addControl(new maplibregl.NavigationControl({showCompass: false}));
  map.addControl(new maplibregl.ScaleControl({unit: 'metric'}));
  window.tracMap = map;

  function get(url) {
    return fetch(url, {credentials: 'same-origin'}).then(function (r) {
      if (!r.ok) throw new Error(url + ': ' + r.status);
      return r.json();
    });
  }
  function breaks(values) {
    var v = values.filter(function (x) { return x > 0; }).sort(function (a, b) { return a - b; });
    if (!v.length) return [1, 2, 3, 4];
    var q = [0.2, 0.4, 0.6, 0.8].map(function (p) { return v[Math.min(v.length - 1, Math.floor(p * v.length))]; });
    for (var i = 1; i < q.length; i++) if (q[i] <= q[i - 1]) q[i] = q[i - 1] + 1;
    return q;
  }
  function fmt(n) { return Number(n).toLocaleString('es-MX'); }

  var geoP = get('/api/geo/' + layer);
  var hsP = get('/api/hotspots' + query);
  map.on('load', function () {
    Promise.all([geoP, hsP]).then(function (res) {
      var geo = res[0], hs = res[1];
      var counts = {};
      ((hs.units || {})[layer] || []).forEach(function (u) { counts[String(u.id)] = u.count; });
      geo.features.forEach(function (f) { f.properties.count = counts[String(f.properties.id)] || 0; });
      var b = breaks(geo.features.map(function (f) { return f.properties.count; }));
      map.addSource('units', {type: 'geojson', data: geo});
      map.addLayer({id: 'units-fill', type: 'fill', source: 'units', paint: {
        'fill-color': ['step', ['get', 'count'], blues[0], b[0], blues[1], b[1], blues[2], b[2], blues[3], b[3], blues[4]],
        'fill-opacity': 0.75}});
      map.addLayer({id: 'units-line', type: 'line', source: 'units', paint: {'line-color': '#555', 'line-width': 0.6}});
      var lg = document.getElementById('legend-counts');
      var labels = ['0 – ' + fmt(b[0] - 1)].concat([0, 1, 2].map(function (i) { return fmt(b[i]) + ' – ' + fmt(b[i + 1] - 1); }))
        .concat(['≥ ' + fmt(b[3])]);
      lg.innerHTML = '';
      labels.forEach(function (txt, i) {
        var li = document.createElement('li');
        li.innerHTML = '<span class="sw" style="background:' + blues[i] + '"></span> ';
        li.appendChild(document.createTextNode(txt));
        lg.appendChild(li);
      });
      if (hs.grid_geojson) {
        map.addSource('grid', {type: 'geojson', data: hs.grid_geojson});
        map.addLayer({id: 'hot', type: 'fill', source: 'grid',
          filter: ['in', ['get', 'hotspot'], ['literal', ['hot_99', 'hot_95', 'hot_90']]],
          paint: {'fill-color': ['match', ['get', 'hotspot'], 'hot_99', '#b2182b', 'hot_95', '#ef8a62', '#fddbc7'],
                  'fill-opacity': 0.7}});
        map.addLayer({id: 'emerging', type: 'line', source: 'grid', filter: ['!=', ['get', 'pattern'], 'none'],
          paint: {'line-color': '#000', 'line-width': 1.5, 'line-dasharray': [2, 1]}});
      }
      if (hs.kde_geojson) {
        map.addSource('kde', {type: 'geojson', data: hs.kde_geojson});
        var mx = (hs.kde && hs.kde.max_per_km2) || 1;
        map.addLayer({id: 'kde', type: 'fill', source: 'kde', layout: {visibility: 'none'},
          paint: {'fill-color': ['interpolate', ['linear'], ['get', 'density'], 0, '#fff7bc', mx / 2, '#fe9929', mx, '#993404'],
                  'fill-opacity': 0.6}});
      }
      map.on('mousemove', function (e) {
        var feats = map.queryRenderedFeatures(e.point, {layers: ['units-fill'].concat(map.getLayer('hot') ? ['hot'] : [])});
        if (!feats.length) { tip.style.display = 'none'; return; }
        var lines = [];
        feats.forEach(function (f) {
          if (f.layer.id === 'units-fill') lines.push((f.properties.name || f.properties.id) + ': ' + fmt(f.properties.count) + ' ' + S.count);
          else lines.push(S.hot + ': ' + f.properties.hotspot + ' (z=' + Number(f.properties.z).toFixed(2) + ', ' + fmt(f.properties.count) + ')'
                          + (f.properties.pattern !== 'none' ? ' · ' + S.pattern + ': ' + f.properties.pattern : ''));
        });
        tip.textContent = lines.join(' · ');
        tip.style.left = (e.point.x + 12) + 'px';
        tip.style.top = (e.point.y + 12) + 'px';
        tip.style.display = 'block';
      });
      map.once('idle', function () { status.textContent = S.drawn; el.dataset.ready = '1'; });
    }).catch(function (err) { status.textContent = S.none + ' (' + err.message + ')'; el.dataset.ready = 'error'; });
  });

  function toggle(id, layerId, loader) {
    var box = document.getElementById(id);
    if (!box) return;
    box.addEventListener('change', function () {
      var go = function () { if (map.getLayer(layerId)) map.setLayoutProperty(layerId, 'visibility', box.checked ? 'visible' : 'none'); };
      if (box.checked && loader && !map.getSource(layerId)) loader().then(go); else go();
    });
  }
  toggle('toggle-hot', 'hot');
  toggle('toggle-kde', 'kde');
  toggle('toggle-points', 'points', function () {
    return get('/api/hotspots/points' + query).then(function (pts) {
      map.addSource('points', {type: 'geojson', data: pts, cluster: false});
      map.addLayer({id: 'points', type: 'circle', source: 'points',
        paint: {'circle-radius': 2.5, 'circle-color': '#222', 'circle-stroke-color': '#fff', 'circle-stroke-width': 0.5}});
    });
  });
})();
