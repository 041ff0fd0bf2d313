// The shared table component, for every `table.data` on every page:
//  - headers sort the rows on click or Enter/Space (a <button> inside each <th>, aria-sort on the <th>);
//    es-MX numbers (12,345.6), percentages (12.5 %) and dates (25/11/2026) sort as what they are;
//  - numeric columns are right-aligned (class `num`), whatever the template said;
//  - "Descargar CSV" / "Descargar XLSX" post the rows shown to /api/export/{csv,xlsx}, which audits the export;
//  - tables longer than PAGE rows show PAGE rows and a "show more" button, so a long table does not freeze
//    the page (sorting and export still cover every row);
//  - before printing, closed <details> open and charts resize to the paper.
// Opt out with data-sort="off" / data-export="off" on the table. No library needed.
(function () {
  'use strict';
  var PAGE = 200;
  var S = {};
  try { S = JSON.parse(document.getElementById('ui-strings').textContent); } catch (e) { S = {}; }
  var meta = document.querySelector('meta[name="csrf-token"]');
  var CSRF = meta ? meta.getAttribute('content') : '';
  function tr(key, fallback) { return S[key] || fallback; }

  var NUM = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s?%?$/;
  var DATE = /^(\d{2})\/(\d{2})\/(\d{4})/;
  var ISO = /^\d{4}-\d{2}-\d{2}/;
  var collator = (window.Intl && Intl.Collator) ? new Intl.Collator(document.documentElement.lang || 'es-MX',
    {numeric: true, sensitivity: 'base'}) : null;

  function text(cell) {
    return cell ? (cell.innerText || cell.textContent || '').replace(/\s+/g, ' ').trim() : '';
  }
  function isNumeric(s) { return NUM.test(s); }

  // The cell under column `col`, honouring colspans.
  function cellAt(row, col) {
    var pos = 0;
    for (var i = 0; i < row.cells.length; i++) {
      var c = row.cells[i];
      if (col >= pos && col < pos + c.colSpan) return c.colSpan === 1 ? c : null;
      pos += c.colSpan;
    }
    return null;
  }

  // A sort key: [kind, value]; kind 0 = empty (always last), 1 = number/date, 2 = text.
  function key(cell) {
    if (!cell) return [0, 0];
    var raw = cell.getAttribute('data-sort');
    if (raw !== null && raw !== '' && !isNaN(+raw)) return [1, +raw];
    var s = raw !== null ? raw : text(cell);
    if (s === '' || s === '—' || s === '·' || s === '-') return [0, 0];
    var m = DATE.exec(s);
    if (m) return [1, +(m[3] + m[2] + m[1])];
    if (ISO.test(s)) return [1, +s.slice(0, 10).replace(/-/g, '')];
    var first = s.split(/[\s–]/)[0];  // "12.3 %", "1,204–1,530" sort by their first number
    if (isNumeric(s)) return [1, parseFloat(s.replace(/[,%\s]/g, ''))];
    if (/^[+-]?[\d,]+(\.\d+)?$/.test(first)) return [1, parseFloat(first.replace(/,/g, ''))];
    return [2, s];
  }

  function compare(a, b) {
    if (a[0] !== b[0]) {
      if (a[0] === 0) return 1;
      if (b[0] === 0) return -1;
      return a[0] - b[0];
    }
    if (a[0] === 1) return a[1] - b[1];
    if (a[0] === 2) return collator ? collator.compare(a[1], b[1]) : (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
    return 0;
  }

  function headerRow(table) {
    return table.tHead && table.tHead.rows.length ? table.tHead.rows[table.tHead.rows.length - 1] : null;
  }
  function bodyRows(table) {
    var rows = [];
    for (var b = 0; b < table.tBodies.length; b++) {
      for (var r = 0; r < table.tBodies[b].rows.length; r++) rows.push(table.tBodies[b].rows[r]);
    }
    return rows;
  }

  // Columns whose filled cells are all numbers are right-aligned.
  function alignNumbers(table) {
    var head = headerRow(table);
    if (!head) return;
    var rows = bodyRows(table).slice(0, 300);
    var ncol = 0;
    for (var i = 0; i < head.cells.length; i++) ncol += head.cells[i].colSpan;
    for (var col = 0; col < ncol; col++) {
      var seen = 0, numeric = 0;
      for (var r = 0; r < rows.length; r++) {
        var c = cellAt(rows[r], col);
        if (!c) continue;
        var s = text(c);
        if (s === '' || s === '—' || s === '·') continue;
        seen++;
        if (isNumeric(s) || /^[+-]?[\d,]+(\.\d+)?\s?[–-]\s?[\d,]+(\.\d+)?$/.test(s)) numeric++;
      }
      if (seen && numeric === seen) {
        for (r = 0; r < rows.length; r++) {
          c = cellAt(rows[r], col);
          if (c) c.classList.add('num');
        }
        var h = cellAt(head, col);
        if (h) h.classList.add('num');
      }
    }
  }

  function applyPaging(table) {
    var rows = bodyRows(table);
    var limit = +(table.getAttribute('data-shown') || PAGE);
    var hidden = 0;
    for (var i = 0; i < rows.length; i++) {
      var hide = i >= limit;
      rows[i].classList.toggle('row-more', hide);
      if (hide) hidden++;
    }
    var more = table._more;
    if (!more) return;
    more.hidden = hidden === 0;
    more.querySelector('.shown').textContent = tr('table.shown', 'Mostrando {n} de {total} filas.')
      .replace('{n}', (rows.length - hidden).toLocaleString('en-US')).replace('{total}', rows.length.toLocaleString('en-US'));
  }

  function sortBy(table, col, th) {
    var head = headerRow(table);
    var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    for (var i = 0; i < head.cells.length; i++) head.cells[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir);
    var sign = dir === 'ascending' ? 1 : -1;
    for (var b = 0; b < table.tBodies.length; b++) {
      var body = table.tBodies[b];
      var fixed = [], rows = [];
      for (var r = 0; r < body.rows.length; r++) {
        var row = body.rows[r];
        // a row that is one merged cell ("no data") stays at the end
        if (row.cells.length === 1 && row.cells[0].colSpan > 1) fixed.push(row);
        else rows.push({row: row, key: key(cellAt(row, col)), i: r});
      }
      rows.sort(function (x, y) {
        var e = (x.key[0] === 0 || y.key[0] === 0) ? compare(x.key, y.key) : sign * compare(x.key, y.key);
        return e || x.i - y.i;
      });
      var frag = document.createDocumentFragment();
      rows.forEach(function (x) { frag.appendChild(x.row); });
      fixed.forEach(function (x) { frag.appendChild(x); });
      body.appendChild(frag);
    }
    applyPaging(table);
    var live = document.getElementById('table-live');
    if (live) {
      live.textContent = tr(dir === 'ascending' ? 'table.sorted_asc' : 'table.sorted_desc', '')
        .replace('{col}', text(th));
    }
  }

  function makeSortable(table) {
    var head = headerRow(table);
    if (!head) return;
    var pos = 0;
    for (var i = 0; i < head.cells.length; i++) {
      var th = head.cells[i];
      var col = pos;
      pos += th.colSpan;
      if (th.colSpan !== 1 || !text(th) || th.querySelector('button, a, input, select')) continue;
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'sort';
      while (th.firstChild) btn.appendChild(th.firstChild);
      btn.setAttribute('title', tr('table.sort', 'Ordenar'));
      th.appendChild(btn);
      btn.addEventListener('click', (function (c, h) { return function () { sortBy(table, c, h); }; })(col, th));
    }
  }

  function tableData(table) {
    var head = headerRow(table);
    var headers = [];
    if (head) for (var i = 0; i < head.cells.length; i++) {
      headers.push(text(head.cells[i]));
      for (var k = 1; k < head.cells[i].colSpan; k++) headers.push('');
    }
    var rows = bodyRows(table).map(function (row) {
      var out = [];
      for (var j = 0; j < row.cells.length; j++) {
        out.push(text(row.cells[j]));
        for (var k2 = 1; k2 < row.cells[j].colSpan; k2++) out.push('');
      }
      return out;
    });
    var cap = table.caption ? text(table.caption) : '';
    var h1 = document.querySelector('h1');
    return {path: location.pathname, table: table.id || '', title: [h1 ? text(h1) : '', cap].filter(Boolean).join(' · '),
            headers: headers, rows: rows};
  }

  function download(table, fmt, btn) {
    var status = table._status;
    btn.disabled = true;
    if (status) status.textContent = tr('table.preparing', '…');
    fetch('/api/export/' + fmt, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': CSRF},
      body: JSON.stringify(tableData(table))
    }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      var cd = r.headers.get('Content-Disposition') || '';
      var m = /filename="([^"]+)"/.exec(cd);
      return r.blob().then(function (b) { return {blob: b, name: m ? m[1] : 'tabla.' + fmt}; });
    }).then(function (x) {
      var url = URL.createObjectURL(x.blob);
      var a = document.createElement('a');
      a.href = url; a.download = x.name; a.style.display = 'none';
      document.body.appendChild(a); a.click();
      setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
      if (status) status.textContent = tr('table.exported', '');
    }).catch(function () {
      if (status) status.textContent = tr('table.export_failed', 'Error');
    }).then(function () { btn.disabled = false; });
  }

  function addTools(table) {
    // Tools and the "show more" line live inside the table's wrapper, so flex layouts (.cards) keep their items.
    var wrap = table.parentElement;
    if (!wrap || !wrap.classList.contains('table-wrap')) {
      wrap = document.createElement('div');
      wrap.className = 'table-wrap';
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    }
    var tools = document.createElement('div');
    tools.className = 'table-tools';
    var hasData = bodyRows(table).some(function (r) { return !(r.cells.length === 1 && r.cells[0].colSpan > 1); });
    if (table.getAttribute('data-export') !== 'off' && CSRF && (hasData || table.getAttribute('data-export') === 'on')) {
      [['csv', tr('table.csv', 'Descargar CSV')], ['xlsx', tr('table.xlsx', 'Descargar XLSX')]].forEach(function (f) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'export export-' + f[0];
        b.textContent = f[1];
        if (table.id) b.setAttribute('aria-describedby', table.id);
        b.addEventListener('click', function () { download(table, f[0], b); });
        tools.appendChild(b);
      });
      var st = document.createElement('span');
      st.className = 'export-status';
      st.setAttribute('role', 'status');
      tools.appendChild(st);
      table._status = st;
    }
    if (tools.childNodes.length) wrap.insertBefore(tools, table);

    var more = document.createElement('p');
    more.className = 'table-more';
    more.hidden = true;
    more.innerHTML = '<span class="shown"></span> ';
    var b1 = document.createElement('button');
    b1.type = 'button';
    b1.className = 'link show-more';
    b1.textContent = tr('table.more', 'Mostrar más');
    b1.addEventListener('click', function () {
      table.setAttribute('data-shown', +(table.getAttribute('data-shown') || PAGE) + PAGE * 5);
      applyPaging(table);
    });
    var b2 = document.createElement('button');
    b2.type = 'button';
    b2.className = 'link show-all';
    b2.textContent = tr('table.all', 'Mostrar todas');
    b2.addEventListener('click', function () { table.setAttribute('data-shown', 1e9); applyPaging(table); });
    more.appendChild(b1); more.appendChild(document.createTextNode(' · ')); more.appendChild(b2);
    wrap.appendChild(more);
    table._more = more;
  }

  function enhance(table) {
    if (table._enhanced) return;
    table._enhanced = true;
    if (table.getAttribute('data-sort') !== 'off') makeSortable(table);
    if (!bodyRows(table).length && table.tBodies.length && window.MutationObserver) {
      // rows drawn later by the page's script (e.g. the match-weight table): finish when they arrive
      var obs = new MutationObserver(function () { obs.disconnect(); finish(table); });
      obs.observe(table.tBodies[0], {childList: true});
      return;
    }
    finish(table);
  }
  function finish(table) {
    alignNumbers(table);
    addTools(table);
    applyPaging(table);
  }

  function init() {
    if (!document.getElementById('table-live')) {
      var live = document.createElement('div');
      live.id = 'table-live';
      live.className = 'sr-only';
      live.setAttribute('aria-live', 'polite');
      document.body.appendChild(live);
    }
    var tables = document.querySelectorAll('table.data');
    for (var i = 0; i < tables.length; i++) enhance(tables[i]);
  }

  // Printing: open folded sections, show every row, and redraw charts at the paper's width.
  var reopened = [];
  function beforePrint() {
    reopened = [];
    document.querySelectorAll('details:not([open])').forEach(function (d) { d.open = true; reopened.push(d); });
    resizeCharts();
  }
  function afterPrint() {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
    resizeCharts();
  }
  function resizeCharts() {
    if (typeof echarts === 'undefined') return;
    document.querySelectorAll('.chart').forEach(function (el) {
      var c = echarts.getInstanceByDom(el);
      if (c) c.resize();
    });
  }
  window.addEventListener('beforeprint', beforePrint);
  window.addEventListener('afterprint', afterPrint);

  // The filter bar's crime list (codes by name and the agencies' own labels) arrives on first use.
  function crimeList() {
    var dl = document.getElementById('crime-codes');
    var input = document.querySelector('input[list="crime-codes"]');
    if (!dl || !input || !dl.getAttribute('data-src')) return;
    input.addEventListener('focus', function load() {
      input.removeEventListener('focus', load);
      fetch(dl.getAttribute('data-src'), {credentials: 'same-origin'}).then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          var frag = document.createDocumentFragment();
          items.forEach(function (it) {
            var o = document.createElement('option');
            o.value = it.value; o.label = it.label;
            frag.appendChild(o);
          });
          dl.appendChild(frag);
        }).catch(function () {});
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', crimeList);
  else crimeList();

  window.TraceabilityTables = {enhance: enhance, key: key, init: init};
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
