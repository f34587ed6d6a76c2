// The live dashboard's page script (runs in the browser; no dependency, no network but its own
// /events stream). It keeps the state (runtime/dashboard/model.ts), applies the server's events with
// model.ts's applyEvent itself (page.ts puts it in), and redraws at most once per animation frame. Charts are
// SVG built with the DOM API; every string from the run (scenario names, error codes, threshold
// expressions, level labels) goes in as text, never as HTML.
// An exported page (--dashboard-export) carries its final state in #llmperf-dashboard-state and
// opens no stream.
(function () {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var PALETTE = ['#2563eb', '#ea580c', '#16a34a', '#dc2626', '#7c3aed', '#0d9488', '#ca8a04', '#db2777', '#475569'];
  var W = 560, H = 230, ML = 58, MR = 14, MT = 30, MB = 36, PW = W - ML - MR, PH = H - MT - MB;
  var S = null;
  var source = null;
  var connection = 'connecting';
  var pending = false;

  // ---- state

  // model.ts's applyEvent, placed here by page.ts when it serves the page: one set of rules for
  // the server's state and the page's
  var applyEvent = /*APPLY_EVENT*/ null;

  function onEvent(ev) {
    if (ev.type !== 'state' && !S) return;
    S = applyEvent(S, ev);
    if (ev.type === 'end' && source) { source.close(); source = null; connection = 'closed'; }
    schedule();
  }

  function schedule() {
    if (pending) return;
    pending = true;
    (window.requestAnimationFrame || setTimeout)(function () { pending = false; render(); });
  }

  // ---- formatting

  function trim(s) { return s.indexOf('.') >= 0 ? s.replace(/\.?0+$/, '') : s; }
  function fmtNum(v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    var a = Math.abs(v);
    if (a === 0) return '0';
    if (a >= 1000) return Math.round(v).toLocaleString('en-US');
    if (a >= 100) return trim(v.toFixed(1));
    if (a >= 10) return trim(v.toFixed(2));
    if (a >= 1) return trim(v.toFixed(2));
    return trim(v.toPrecision(3));
  }
  function fmtMs(ms) {
    if (ms === null || ms === undefined || !isFinite(ms)) return '–';
    if (Math.abs(ms) < 1000) return fmtNum(ms) + ' ms';
    return fmtNum(ms / 1000) + ' s';
  }
  function fmtDur(ms) {
    if (ms === null || ms === undefined || !isFinite(ms)) return '–';
    var s = Math.max(0, ms / 1000);
    if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + 's';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm' + String(Math.floor(s % 60)).padStart(2, '0') + 's';
    return Math.floor(m / 60) + 'h' + String(m % 60).padStart(2, '0') + 'm';
  }
  function fmtPct(f) { return f === null || f === undefined || !isFinite(f) ? '–' : trim((f * 100).toFixed(2)) + '%'; }
  function fmtTick(v) {
    var a = Math.abs(v);
    if (a >= 1e6) return trim((v / 1e6).toFixed(1)) + 'M';
    if (a >= 1e4) return trim((v / 1e3).toFixed(1)) + 'k';
    if (a === 0) return '0';
    if (a < 0.01) return v.toExponential(0);
    return String(Number(v.toPrecision(3)));
  }

  // ---- DOM helpers (text only)

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function replace(id, node) {
    var old = document.getElementById(id);
    node.id = id;
    if (old) old.parentNode.replaceChild(node, old);
  }
  function table(head, rows, cls) {
    return el('table', { class: cls || '' }, [
      el('thead', {}, [el('tr', {}, head.map(function (h) { return el('th', {}, [h]); }))]),
      el('tbody', {}, rows),
    ]);
  }

  // ---- charts

  function niceTicks(lo, hi, n) {
    if (!(hi > lo)) hi = lo + (lo === 0 ? 1 : Math.abs(lo));
    var raw = (hi - lo) / (n || 5);
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    var step = 10 * mag;
    for (var i = 0; i < steps.length; i++) if (raw <= steps[i] * mag) { step = steps[i] * mag; break; }
    var out = [];
    for (var v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
    if (out[out.length - 1] < hi) out.push(Number((out[out.length - 1] + step).toPrecision(12)));
    return out;
  }

  // spec: { id, title, x: [], series: [{ name, values, color, dashed }], xLabel, yLabel, marks: [{ x, label }], points: bool, labels: [] }
  function chart(spec) {
    var fig = el('figure', { class: 'chart', id: spec.id, 'data-chart': spec.id });
    fig.appendChild(el('figcaption', {}, [spec.title]));
    var xs = [], ys = [], n = 0;
    spec.series.forEach(function (s) {
      s.values.forEach(function (v, i) {
        var x = spec.x[i];
        if (typeof v === 'number' && isFinite(v) && typeof x === 'number' && isFinite(x)) { n++; xs.push(x); ys.push(v); }
      });
    });
    fig.setAttribute('data-points', String(n));
    if (n === 0) {
      fig.classList.add('empty');
      fig.appendChild(el('p', { class: 'note' }, [spec.empty || 'no data yet']));
      return fig;
    }
    var x0 = spec.xFrom !== undefined ? spec.xFrom : Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    if (!(x1 > x0)) x1 = x0 + 1;
    var yt = niceTicks(0, Math.max.apply(null, ys) * 1.05 || 1, 4);
    var y1 = yt[yt.length - 1];
    var xt = niceTicks(x0, x1, 6).filter(function (t) { return t >= x0 - 1e-9 && t <= x1 + 1e-9; });
    var px = function (v) { return Math.round(((v - x0) / (x1 - x0)) * PW * 10) / 10; };
    var py = function (v) { return Math.round((PH - (v / y1) * PH) * 10) / 10; };
    var svg = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': spec.title, preserveAspectRatio: 'xMidYMid meet' });
    var legend = sv('g', { class: 'legend', transform: 'translate(' + ML + ',14)' });
    var lx = 0;
    spec.series.forEach(function (s, i) {
      var c = s.color || PALETTE[i % PALETTE.length];
      var g = sv('g', { transform: 'translate(' + lx + ',0)' });
      var ln = sv('line', { x1: 0, x2: 16, y1: -4, y2: -4, stroke: c, 'stroke-width': 2.5 });
      if (s.dashed) ln.setAttribute('stroke-dasharray', '4 3');
      g.appendChild(ln);
      g.appendChild(sv('text', { class: 'legend-text', x: 20, y: 0 }, s.name));
      legend.appendChild(g);
      lx += 30 + String(s.name).length * 6.2;
    });
    svg.appendChild(legend);
    var plot = sv('g', { class: 'plot', transform: 'translate(' + ML + ',' + MT + ')' });
    yt.forEach(function (t) {
      plot.appendChild(sv('line', { class: 'grid', x1: 0, x2: PW, y1: py(t), y2: py(t) }));
      plot.appendChild(sv('text', { class: 'tick', x: -6, y: py(t) + 4, 'text-anchor': 'end' }, fmtTick(t)));
    });
    xt.forEach(function (t) {
      plot.appendChild(sv('text', { class: 'tick', x: px(t), y: PH + 15, 'text-anchor': 'middle' }, fmtTick(t)));
    });
    plot.appendChild(sv('line', { class: 'axis', x1: 0, x2: PW, y1: PH, y2: PH }));
    plot.appendChild(sv('line', { class: 'axis', x1: 0, x2: 0, y1: 0, y2: PH }));
    plot.appendChild(sv('text', { class: 'label', x: PW / 2, y: PH + 31, 'text-anchor': 'middle' }, spec.xLabel));
    plot.appendChild(sv('text', { class: 'label', transform: 'translate(-46,' + PH / 2 + ') rotate(-90)', 'text-anchor': 'middle' }, spec.yLabel));
    var lastLabel = -1e9;
    (spec.marks || []).forEach(function (m) {
      if (!(m.x >= x0 && m.x <= x1)) return;
      var x = px(m.x);
      plot.appendChild(sv('line', { class: 'mark', x1: x, x2: x, y1: 0, y2: PH }));
      if (m.label && x - lastLabel > 70) {
        plot.appendChild(sv('text', { class: 'mark-label', x: x + 3, y: 9 }, m.label.length > 14 ? m.label.slice(0, 13) + '…' : m.label));
        lastLabel = x;
      }
    });
    (spec.bounds || []).forEach(function (b) {
      if (!(b.value > 0 && b.value <= y1)) return;
      plot.appendChild(sv('line', { class: 'bound', x1: 0, x2: PW, y1: py(b.value), y2: py(b.value) }));
      plot.appendChild(sv('text', { class: 'mark-label', x: PW - 2, y: py(b.value) - 3, 'text-anchor': 'end' }, b.label));
    });
    spec.series.forEach(function (s, si) {
      var c = s.color || PALETTE[si % PALETTE.length];
      var d = '', pen = false;
      var dots = [];
      s.values.forEach(function (v, i) {
        var x = spec.x[i];
        if (!(typeof v === 'number' && isFinite(v) && typeof x === 'number' && isFinite(x))) { pen = false; return; }
        var gap = spec.gaps && spec.gaps[i];
        d += (pen && !gap ? 'L' : 'M') + px(x) + ' ' + py(v);
        pen = true;
        if (spec.points) dots.push([px(x), py(v), i, v]);
      });
      var path = sv('path', { class: 'series', d: d, fill: 'none', stroke: c, 'stroke-width': 1.8 });
      if (s.dashed) path.setAttribute('stroke-dasharray', '5 3');
      plot.appendChild(path);
      dots.forEach(function (p) {
        var bad = spec.bad && spec.bad[p[2]];
        var dot = sv('circle', { cx: p[0], cy: p[1], r: bad ? 4 : 3, fill: bad ? '#dc2626' : c, class: bad ? 'dot bad' : 'dot' });
        dot.appendChild(sv('title', {}, s.name + (spec.labels ? ' @ ' + spec.labels[p[2]] : '') + ': ' + fmtNum(p[3])));
        plot.appendChild(dot);
      });
    });
    svg.appendChild(plot);
    fig.appendChild(svg);
    if (spec.note) fig.appendChild(el('p', { class: 'note' }, [spec.note]));
    return fig;
  }

  // ---- derived figures

  function totals(points, run) {
    var t = { ok: 0, failed: 0, out: 0, errors: {} };
    points.forEach(function (p) {
      if (run !== undefined && p.run !== run) return;
      t.ok += p.ok; t.failed += p.failed; t.out += p.outTokens;
      for (var k in p.errors) t.errors[k] = (t.errors[k] || 0) + p.errors[k];
    });
    return t;
  }
  function recent(points, run, sec) {
    var sel = points.filter(function (p) { return p.run === run; }).slice(-sec);
    var dt = 0, ok = 0, out = 0;
    sel.forEach(function (p) { dt += p.dt; ok += p.ok; out += p.outTokens; });
    return { rps: dt ? ok / dt : null, tps: dt ? out / dt : null, last: sel[sel.length - 1] || null };
  }
  function currentRun() { return S.runs.length ? S.runs[S.runs.length - 1] : null; }

  // ---- sections

  function renderHeader() {
    var run = currentRun();
    var st = S.status === 'finished' ? (S.exitCode === 0 ? 'finished' : 'finished, exit ' + S.exitCode) : connection === 'lost' ? 'running (connection lost, retrying)' : 'running';
    var cls = S.status === 'finished' ? (S.exitCode === 0 ? 'ok' : 'bad') : 'live';
    var meta = [];
    if (run) {
      meta.push(['target', run.target + (run.embeddedMock ? ' (built-in mock)' : '')]);
      meta.push(['model', run.model]);
    }
    meta.push(['started', S.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')]);
    var elapsed = S.points.length ? S.points[S.points.length - 1].t : 0;
    meta.push(['elapsed', fmtDur(elapsed * 1000)]);
    if (run && S.status !== 'finished' && run.etaMs !== null && run.endT === null) {
      var last = S.points.length ? S.points[S.points.length - 1] : null;
      var runElapsed = last && last.run === run.index ? (last.t - run.startT) * 1000 : 0;
      meta.push([S.runs.length > 1 ? 'this level ends in' : 'ends in', '~' + fmtDur(Math.max(0, run.etaMs - runElapsed))]);
    }
    if (S.runs.length > 1 || S.kind === 'sweep' || S.kind === 'capacity') meta.push(['runs', String(S.runs.length) + (run && run.label ? ' (now: ' + run.label + ')' : '')]);
    var head = el('header', {}, [
      el('h1', {}, [S.title]),
      el('div', { class: 'meta' }, meta.map(function (m) { return el('span', {}, [el('b', {}, [m[0]]), ' ' + m[1]]); })),
      el('span', { class: 'status ' + cls, id: 'status', 'data-status': S.status, 'data-exit': S.exitCode === null ? '' : String(S.exitCode) }, [st]),
    ]);
    if (S.message) head.appendChild(el('p', { class: 'bad', id: 'message' }, [S.message]));
    if (S.answer) head.appendChild(el('p', { class: 'answer', id: 'answer' }, [S.answer]));
    replace('head', head);
  }

  function tile(k, label, value, sub, raw) {
    return el('div', { class: 'card', 'data-k': k, 'data-v': raw === undefined || raw === null ? '' : String(raw) }, [el('div', { class: 'k' }, [label]), el('div', { class: 'v' }, [value]), sub ? el('div', { class: 'sub' }, [sub]) : null]);
  }

  function renderTiles() {
    var run = currentRun();
    var box = el('div', { class: 'cards' });
    if (!run) { replace('tiles', box); return; }
    var t = totals(S.points, run.index);
    var r = recent(S.points, run.index, 5);
    var p = r.last;
    box.appendChild(tile('requests', 'requests' + (S.runs.length > 1 ? ' (this run)' : ''), fmtNum(t.ok + t.failed), fmtNum(t.ok) + ' ok, ' + fmtNum(t.failed) + ' failed', t.ok + t.failed));
    box.appendChild(tile('rps', 'req/s (last 5 s)', fmtNum(r.rps), null, r.rps));
    box.appendChild(tile('tps', 'output tok/s (last 5 s)', fmtNum(r.tps), null, r.tps));
    box.appendChild(tile('ttft', 'TTFT p50 / p99 (window)', p && p.ttft ? fmtMs(p.ttft.p50) + ' / ' + fmtMs(p.ttft.p99) : '–', null, p && p.ttft ? p.ttft.p50 : null));
    box.appendChild(tile('inflight', 'in flight / VUs', p ? fmtNum(p.inflight) + ' / ' + fmtNum(p.vus) : '–', null, p ? p.inflight : null));
    box.appendChild(tile('errors', 'errors', fmtNum(t.failed), Object.keys(t.errors).map(function (k) { return k + ' ' + t.errors[k]; }).join(', '), t.failed));
    replace('tiles', box);
  }

  function renderThresholds() {
    var run = currentRun();
    var sec = el('section', {}, [el('h2', {}, ['Thresholds' + (run && run.label ? ' (' + run.label + ')' : '')])]);
    var list = run ? run.thresholds : [];
    if (!list.length) sec.appendChild(el('p', { class: 'note' }, ['No thresholds.']));
    else {
      var rows = list.map(function (x) {
        var state = x.ok === null ? 'no data yet' : x.ok ? 'pass' : 'FAIL';
        return el('tr', { 'data-ok': x.ok === null ? '' : String(x.ok) }, [
          el('td', { class: 'text' }, [x.metric]),
          el('td', { class: 'text' }, [el('code', {}, [x.source])]),
          el('td', {}, [x.observed === null ? '–' : fmtNum(x.observed) + ' ' + x.aggregation]),
          el('td', { class: x.ok === null ? 'note' : x.ok ? 'ok' : 'bad' }, [state + (run.final ? '' : ' (so far)')]),
        ]);
      });
      sec.appendChild(table(['metric', 'threshold', 'observed', 'result'], rows));
    }
    replace('thresholds', sec);
  }

  function renderScenarios() {
    var run = currentRun();
    var sec = el('section', {}, [el('h2', {}, ['Scenarios'])]);
    if (run) {
      sec.appendChild(table(['scenario', 'plan', 'progress', 'VUs', 'iterations'], run.scenarios.map(function (s) {
        var pct = Math.round(Math.min(1, Math.max(0, run.final ? 1 : s.progress)) * 100);
        var bar = el('div', { class: 'bar' }, [el('div', { class: 'fill' })]);
        bar.firstChild.style.width = pct + '%';
        return el('tr', {}, [el('td', { class: 'text' }, [s.name]), el('td', { class: 'text' }, [s.description]), el('td', {}, [bar, ' ' + pct + '%']), el('td', {}, [fmtNum(s.vus)]), el('td', {}, [fmtNum(s.done) + (s.iterations ? ' / ' + fmtNum(s.iterations) : '')])]);
      })));
    }
    replace('scenarios', sec);
  }

  function renderCharts() {
    var pts = S.points;
    var x = pts.map(function (p) { return p.t; });
    var gaps = pts.map(function (p, i) { return i > 0 && pts[i - 1].run !== p.run; });
    var marks = S.runs.length > 1 ? S.runs.map(function (r) { return { x: r.startT, label: r.label || 'run ' + (r.index + 1) }; }) : [];
    var rate = function (f) { return pts.map(function (p) { return f(p) / (p.dt || 1); }); };
    var pick = function (m, q) { return pts.map(function (p) { return p[m] ? p[m][q] : null; }); };
    var common = { x: x, xLabel: 'seconds since start', marks: marks, gaps: gaps, xFrom: 0 };
    var codes = {};
    pts.forEach(function (p) { for (var k in p.errors) codes[k] = true; });
    var errSeries = [{ name: 'all errors', values: rate(function (p) { return p.failed; }), color: '#dc2626' }];
    Object.keys(codes).sort().slice(0, 6).forEach(function (c, i) {
      errSeries.push({ name: c, values: rate(function (p) { return p.errors[c] || 0; }), color: PALETTE[(i + 4) % PALETTE.length], dashed: true });
    });
    var w = Math.round(S.windowMs / 1000);
    var box = el('div', { class: 'charts' }, [
      chart(Object.assign({ id: 'c-requests', title: 'Requests per second', yLabel: 'requests/s', series: [{ name: 'succeeded', values: rate(function (p) { return p.ok; }) }, { name: 'failed', values: rate(function (p) { return p.failed; }), color: '#dc2626' }] }, common)),
      chart(Object.assign({ id: 'c-tokens', title: 'Output tokens per second', yLabel: 'tokens/s', series: [{ name: 'output tok/s', values: rate(function (p) { return p.outTokens; }), color: '#16a34a' }], note: 'counted when a request ends' }, common)),
      chart(Object.assign({ id: 'c-ttft', title: 'TTFT', yLabel: 'ms', series: [{ name: 'p50', values: pick('ttft', 'p50') }, { name: 'p90', values: pick('ttft', 'p90'), color: '#7c3aed' }, { name: 'p99', values: pick('ttft', 'p99'), color: '#ea580c' }], note: 'over the requests that ended in the last ' + w + ' s' }, common)),
      chart(Object.assign({ id: 'c-itl', title: 'Inter-token latency (ITL)', yLabel: 'ms', series: [{ name: 'p50', values: pick('itl', 'p50') }, { name: 'p99', values: pick('itl', 'p99'), color: '#ea580c' }], note: 'every gap between output events, last ' + w + ' s' }, common)),
      chart(Object.assign({ id: 'c-e2e', title: 'End-to-end latency (E2E)', yLabel: 'ms', series: [{ name: 'p50', values: pick('e2e', 'p50') }, { name: 'p99', values: pick('e2e', 'p99'), color: '#ea580c' }], note: 'last ' + w + ' s' }, common)),
      chart(Object.assign({ id: 'c-errors', title: 'Errors per second, by code', yLabel: 'errors/s', series: errSeries }, common)),
      chart(Object.assign({ id: 'c-inflight', title: 'Requests in flight and VUs', yLabel: 'count', series: [{ name: 'in flight', values: pts.map(function (p) { return p.inflight; }), color: '#7c3aed' }, { name: 'VUs', values: pts.map(function (p) { return p.vus; }), color: '#475569', dashed: true }] }, common)),
      chart(Object.assign({ id: 'c-lag', title: 'Schedule lag (the client\u2019s own delay)', yLabel: 'ms', series: [{ name: 'p99', values: pts.map(function (p) { return p.lag ? p.lag.p99 : null; }), color: '#ca8a04' }, { name: 'max', values: pts.map(function (p) { return p.lag ? p.lag.max : null; }), color: '#dc2626', dashed: true }], empty: 'no schedule lag: only arrival-rate executors have one' }, common)),
    ]);
    replace('charts', box);
  }

  function renderLevels() {
    var sec = el('section', {}, []);
    if (!S.levels.length) { sec.hidden = true; replace('levels', sec); return; }
    sec.appendChild(el('h2', {}, [S.kind === 'capacity' ? 'Capacity search: levels measured' : 'Levels (' + S.levels.length + ')']));
    var slo = S.levels.some(function (l) { return l.ok !== null; });
    var head = ['level', 'req/s', 'output tok/s', 'success', 'TTFT p50', 'TTFT p99', 'TPOT p99', 'E2E p99'].concat(slo ? ['goodput', 'SLOs'] : []);
    sec.appendChild(table(head, S.levels.map(function (l) {
      var cells = [el('td', { class: 'text' }, [l.label]), el('td', {}, [fmtNum(l.requestThroughput)]), el('td', {}, [fmtNum(l.outputTokenThroughput)]), el('td', {}, [fmtPct(l.successRate)]), el('td', {}, [fmtMs(l.ttft.p50)]), el('td', {}, [fmtMs(l.ttft.p99)]), el('td', {}, [fmtMs(l.tpot.p99)]), el('td', {}, [fmtMs(l.e2e.p99)])];
      if (slo) {
        cells.push(el('td', {}, [fmtNum(l.goodput)]));
        cells.push(el('td', { class: l.ok ? 'ok' : 'bad text' }, [l.ok ? 'pass' : 'FAIL' + (l.failReason ? ': ' + l.failReason : '')]));
      }
      return el('tr', { 'data-ok': l.ok === null ? '' : String(l.ok) }, cells);
    }), 'levels'));
    var byLoad = S.levels.every(function (l) { return typeof l.value === 'number'; });
    var order = S.levels.map(function (_, i) { return i; });
    if (byLoad) order.sort(function (a, b) { return S.levels[a].value - S.levels[b].value; });
    var L = order.map(function (i) { return S.levels[i]; });
    var xs = byLoad ? L.map(function (l) { return l.value; }) : L.map(function (_, i) { return i + 1; });
    var kind = L[0].kind;
    var xl = !byLoad ? 'run' : kind === 'rate' ? 'offered load (requests/s)' : 'offered load (VUs)';
    var bad = L.map(function (l) { return l.ok === false; });
    var labels = L.map(function (l) { return l.label; });
    var common = { x: xs, xLabel: xl, points: true, bad: bad, labels: labels };
    var box = el('div', { class: 'charts' }, [
      chart(Object.assign({ id: 'l-throughput', title: 'Throughput vs load', yLabel: 'requests/s', series: [{ name: 'succeeded req/s', values: L.map(function (l) { return l.requestThroughput; }) }].concat(slo ? [{ name: 'goodput', values: L.map(function (l) { return l.goodput; }), color: '#16a34a' }] : []) }, common)),
      chart(Object.assign({ id: 'l-ttft', title: 'TTFT vs load', yLabel: 'ms', series: [{ name: 'p50', values: L.map(function (l) { return l.ttft.p50; }) }, { name: 'p99', values: L.map(function (l) { return l.ttft.p99; }), color: '#ea580c' }] }, common)),
      chart(Object.assign({ id: 'l-e2e', title: 'E2E vs load', yLabel: 'ms', series: [{ name: 'p50', values: L.map(function (l) { return l.e2e.p50; }) }, { name: 'p99', values: L.map(function (l) { return l.e2e.p99; }), color: '#ea580c' }] }, common)),
    ]);
    sec.appendChild(box);
    if (slo) sec.appendChild(el('p', { class: 'note' }, ['red points: levels that failed an SLO']));
    replace('levels', sec);
  }

  var FINAL_ROWS = [
    ['requests', 'requests', fmtNum], ['succeeded', 'succeeded', fmtNum], ['failed', 'failed', fmtNum], ['interrupted', 'interrupted', fmtNum],
    ['successRate', 'success rate', fmtPct], ['requestThroughput', 'request throughput (req/s)', fmtNum], ['outputTokenThroughput', 'output token throughput (tok/s)', fmtNum],
    ['totalTokenThroughput', 'total token throughput (tok/s)', fmtNum], ['goodput', 'goodput (req/s)', fmtNum], ['peakConcurrency', 'peak concurrency', fmtNum], ['durationMs', 'duration', fmtDur],
  ];

  function renderFinal() {
    var done = S.runs.filter(function (r) { return r.final; });
    var sec = el('section', {}, []);
    if (!done.length) { sec.hidden = true; replace('final', sec); return; }
    sec.appendChild(el('h2', {}, [done.length > 1 ? 'Results of each run (their summary.json)' : 'Result (summary.json)']));
    var head = [''].concat(done.map(function (r) { return r.label || 'run ' + (r.index + 1); }));
    var rows = FINAL_ROWS.map(function (f) {
      return el('tr', { 'data-k': f[0] }, [el('td', { class: 'text' }, [f[1]])].concat(done.map(function (r) {
        var v = r.final[f[0]];
        return el('td', { 'data-v': v === null || v === undefined ? '' : String(v) }, [f[2](v)]);
      })));
    });
    ['llm_ttft', 'llm_tpot', 'llm_itl', 'llm_e2e'].forEach(function (m) {
      ['p(50)', 'p(99)'].forEach(function (q) {
        rows.push(el('tr', { 'data-k': m + ' ' + q }, [el('td', { class: 'text' }, [m + ' ' + q])].concat(done.map(function (r) {
          var v = r.final.percentiles[m] ? r.final.percentiles[m][q] : null;
          return el('td', { 'data-v': v === null || v === undefined ? '' : String(v) }, [fmtMs(v)]);
        }))));
      });
    });
    rows.push(el('tr', { 'data-k': 'exitCode' }, [el('td', { class: 'text' }, ['exit code'])].concat(done.map(function (r) { return el('td', { 'data-v': String(r.final.exitCode), class: r.final.exitCode ? 'bad' : 'ok' }, [String(r.final.exitCode) + (r.final.stopReason !== 'completed' ? ' (' + r.final.stopReason + ')' : '')]); }))));
    sec.appendChild(table(head, rows, 'final'));
    var errs = {};
    done.forEach(function (r) { for (var k in r.final.errors) errs[k] = (errs[k] || 0) + r.final.errors[k]; });
    if (Object.keys(errs).length) sec.appendChild(table(['error code', 'count'], Object.keys(errs).sort().map(function (k) { return el('tr', { 'data-code': k }, [el('td', { class: 'text' }, [k]), el('td', {}, [fmtNum(errs[k])])]); })));
    var health = done[done.length - 1].final.health;
    if (health) {
      sec.appendChild(el('h3', {}, ['llmperf\u2019s own health (the client)']));
      var hrows = [];
      (function walk(prefix, v) {
        if (v && typeof v === 'object' && !Array.isArray(v)) { for (var k in v) walk(prefix ? prefix + '.' + k : k, v[k]); return; }
        hrows.push(el('tr', { 'data-k': prefix }, [el('td', { class: 'text' }, [prefix]), el('td', {}, [typeof v === 'number' ? fmtNum(v) : JSON.stringify(v)])]));
      })('', health);
      sec.appendChild(table(['figure', 'value'], hrows, 'health'));
    }
    replace('final', sec);
  }

  function render() {
    if (!S) return;
    renderHeader();
    renderTiles();
    renderThresholds();
    renderScenarios();
    renderCharts();
    renderLevels();
    renderFinal();
    document.body.setAttribute('data-points', String(S.points.length));
    document.body.setAttribute('data-status', S.status);
  }

  // ---- start

  window.llmperfDashboard = { state: function () { return S; } };
  var embedded = document.getElementById('llmperf-dashboard-state');
  if (embedded) {
    try { S = JSON.parse(embedded.textContent); } catch (e) { S = null; }
    connection = 'closed';
    render();
    return;
  }
  if (!window.EventSource) return;
  source = new EventSource('events');
  ['state', 'run', 'tick', 'runEnd', 'level', 'end'].forEach(function (t) {
    source.addEventListener(t, function (m) { try { onEvent(JSON.parse(m.data)); } catch (e) { /* a malformed frame: ignore it */ } });
  });
  source.onopen = function () { connection = 'open'; schedule(); };
  source.onerror = function () {
    if (!source) return;
    if (S && S.status === 'finished') { source.close(); source = null; return; }
    connection = 'lost';
    schedule();
  };
})();
