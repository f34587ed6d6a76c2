/**
 * The report's only script: hover read-outs on the time-series charts. Progressive enhancement —
 * every chart is complete without it. It reads the values from the figure's data-hover attribute
 * (already formatted by the host) and writes them with textContent only, never as HTML.
 * Kept as a string (it runs in the browser, not in Node); the page's CSP allows exactly this script
 * by its hash.
 */
export const CLIENT_SCRIPT = `(function () {
  'use strict';
  var figs = document.querySelectorAll('figure.chart[data-hover]');
  Array.prototype.forEach.call(figs, function (fig) {
    var data;
    try { data = JSON.parse(fig.getAttribute('data-hover')); } catch (e) { return; }
    var svg = fig.querySelector('svg');
    var cursor = fig.querySelector('line.cursor');
    var out = fig.querySelector('.readout');
    if (!svg || !cursor || !out || !data.px.length) return;
    function hide() { cursor.setAttribute('visibility', 'hidden'); out.hidden = true; }
    function show(ev) {
      var box = svg.getBoundingClientRect();
      if (!box.width) return;
      var vx = (ev.clientX - box.left) / box.width * data.viewWidth - data.left;
      if (vx < -4 || vx > data.width + 4) { hide(); return; }
      var best = 0;
      for (var i = 1; i < data.px.length; i++) if (Math.abs(data.px[i] - vx) < Math.abs(data.px[best] - vx)) best = i;
      cursor.setAttribute('x1', data.px[best]);
      cursor.setAttribute('x2', data.px[best]);
      cursor.setAttribute('visibility', 'visible');
      while (out.firstChild) out.removeChild(out.firstChild);
      var head = document.createElement('div');
      head.className = 'readout-x';
      head.textContent = data.x[best];
      out.appendChild(head);
      data.series.forEach(function (s) {
        var row = document.createElement('div');
        var sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.background = s.color;
        row.appendChild(sw);
        row.appendChild(document.createTextNode(s.name + ': ' + s.values[best]));
        out.appendChild(row);
      });
      out.hidden = false;
      var fx = (data.left + data.px[best]) / data.viewWidth * box.width;
      out.style.left = (fx > box.width / 2 ? fx - out.offsetWidth - 12 : fx + 12) + 'px';
    }
    svg.addEventListener('pointermove', show);
    svg.addEventListener('pointerleave', hide);
  });
})();`;
