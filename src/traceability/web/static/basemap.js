// The offline base map shared by the places and VAW pages: a MapLibre style with only GeoJSON sources served
// by this app (the city's own polygons), no tiles, glyphs or sprites; a choropleth of one count per polygon
// in five quantile classes with its legend, and a hover tip.
window.TracMap = (function () {
  function get(url) {
    return fetch(url, {credentials: 'same-origin'}).then(function (r) {
      if (!r.ok) throw new Error(url + ': ' + r.status);
      return r.json();
    });
  }
  function fmt(n) { return Number(n || 0).toLocaleString('es-MX'); }
  // four class breaks at the 20/40/60/80 % quantiles of the positive values, strictly increasing
  function breaks(values) {
    var v = values.filter(function (x) { return x > 0; }).sort(function (a, b) { return a - b; });
    if (!v.length) return [1, 2, 3, 4];
    var q = [0.2, 0.4, 0.6, 0.8].map(function (p) { return v[Math.min(v.length - 1, Math.floor(p * v.length))]; });
    for (var i = 1; i < q.length; i++) if (q[i] <= q[i - 1]) q[i] = q[i - 1] + 1;
    return q;
  }
  function create(container, zoom) {
    var map = new maplibregl.Map({
      container: container, center: [-99.13, 19.37], zoom: zoom, attributionControl: false, preserveDrawingBuffer: true,
      style: {version: 8, sources: {}, layers: [{id: 'bg', type: 'background', paint: {'background-color': '#eef0f2'}}]}
    });
    map.addControl(new maplibregl.NavigationControl({showCompass: false}));
    map.addControl(new maplibregl.ScaleControl({unit: 'metric'}));
    return map;
  }
  // polygons of `geo` coloured by property `prop` in `palette` (five colours); the legend drawn into the
  // list element `legendId`; `lineWidth` of the outlines
  function choropleth(map, id, geo, prop, palette, legendId, lineWidth) {
    var b = breaks(geo.features.map(function (f) { return f.properties[prop]; }));
    map.addSource(id, {type: 'geojson', data: geo});
    map.addLayer({id: id + '-fill', type: 'fill', source: id, paint: {
      'fill-color': ['step', ['get', prop], palette[0], b[0], palette[1], b[1], palette[2], b[2], palette[3], b[3], palette[4]],
      'fill-opacity': 0.75}});
    map.addLayer({id: id + '-line', type: 'line', source: id, paint: {'line-color': '#555', 'line-width': lineWidth}});
    var lg = document.getElementById(legendId);
    var labels = ['0 – ' + fmt(b[0] - 1)].concat([0, 1, 2].map(function (i) { return fmt(b[i]) + ' – ' + fmt(b[i + 1] - 1); }))
      .concat(['≥ ' + fmt(b[3])]);
    lg.innerHTML = '';
    labels.forEach(function (txt, i) {
      var li = document.createElement('li');
      var sw = document.createElement('span');
      sw.className = 'sw';
      sw.style.background = palette[i];
      li.appendChild(sw);
      li.appendChild(document.createTextNode(' ' + txt));
      lg.appendChild(li);
    });
  }
  // show `text(features)` in `tip` for the features of `layers` under the pointer
  function hover(map, tip, layers, text) {
    map.on('mousemove', function (e) {
      var feats = map.queryRenderedFeatures(e.point, {layers: layers().filter(function (l) { return map.getLayer(l); })});
      if (!feats.length) { tip.style.display = 'none'; return; }
      tip.textContent = text(feats);
      tip.style.left = (e.point.x + 12) + 'px';
      tip.style.top = (e.point.y + 12) + 'px';
      tip.style.display = 'block';
    });
  }
  // status line and data-ready flag (the browser tests wait on it)
  function ready(map, el, status, S) {
    map.once('idle', function () { status.textContent = S.drawn; el.dataset.ready = '1'; });
  }
  function failed(el, status, S) {
    return function (err) { status.textContent = S.none + ' (' + err.message + ')'; el.dataset.ready = 'error'; };
  }
  return {get: get, fmt: fmt, breaks: breaks, create: create, choropleth: choropleth, hover: hover, ready: ready,
          failed: failed};
})();
