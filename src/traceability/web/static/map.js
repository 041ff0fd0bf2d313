// The places map (base map, choropleth and hover tip from basemap.js): counts per unit with a legend, Gi* hot
// spots on the H3 grid, emerging patterns outlined, kernel density and points on demand.
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
  var T = window.TracMap, get = T.get, fmt = T.fmt;
  var map = T.create('map', 9.4);
  window.tracMap = map;

  var geoP = get('/api/geo/' + layer);
  var hsP = get('/api/hotspots' + query);
  map.on('load', function () {
    Promise.all([geoP, hsP]).then(function (res) {
      var geo = res[0], hs = res[1];
      var counts = {};
      ((hs.units || {})[layer] || []).forEach(function (u) { counts[String(u.id)] = u.count; });
      geo.features.forEach(function (f) { f.properties.count = counts[String(f.properties.id)] || 0; });
      T.choropleth(map, 'units', geo, 'count', blues, 'legend-counts', 0.6);
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
      T.hover(map, tip, function () { return ['units-fill', 'hot']; }, function (feats) {
        return feats.map(function (f) {
          if (f.layer.id === 'units-fill') return (f.properties.name || f.properties.id) + ': ' + fmt(f.properties.count) + ' ' + S.count;
          return S.hot + ': ' + f.properties.hotspot + ' (z=' + Number(f.properties.z).toFixed(2) + ', ' + fmt(f.properties.count) + ')'
            + (f.properties.pattern !== 'none' ? ' · ' + S.pattern + ': ' + f.properties.pattern : '');
        }).join(' · ');
      });
      T.ready(map, el, status, S);
    }).catch(T.failed(el, status, S));
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
