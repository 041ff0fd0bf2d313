// Near repeat: the heat table is server-rendered; this only lets the keyboard reach each cell's details.
(function () {
  var table = document.getElementById('knox-table');
  if (!table) return;
  Array.prototype.forEach.call(table.querySelectorAll('td[title]'), function (td) { td.tabIndex = 0; });
})();
