// basinmap's page explorer: draws every panel from the embedded cells (so
// zoom is native resolution and any pair can be compared), answers hover
// and click on the explorer and on the static pictures, draws the learned
// function of a pinned start and gives the command that reproduces it.
// No network, no library: the page must work from a file, offline.
(function () {
  'use strict';
  var source = document.getElementById('basinmap-data');
  if (!source) return;
  var D = JSON.parse(source.textContent);
  var CONVERGED = '0';
  var NOT_RUN = '.';
  var MARGIN = { right: 10, top: 6, bottom: 36 };

  // ---- activation functions, in f64, as the Rust reference defines them
  function erfc(x) {
    // Numerical Recipes' erfcc: fractional error below 1.2e-7 everywhere.
    var z = Math.abs(x);
    var t = 1 / (1 + 0.5 * z);
    var r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
      t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
      t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
  }
  function sigmoid(z) {
    if (z >= 0) return 1 / (1 + Math.exp(-z));
    var e = Math.exp(z);
    return e / (1 + e);
  }
  var K = D.constants;
  var ACTIVATIONS = {
    relu: function (z) { return z > 0 ? z : 0; },
    leaky_relu: function (z) { return z > 0 ? z : K.leaky_slope * z; },
    elu: function (z) { return z > 0 ? z : Math.expm1(z); },
    selu: function (z) { return z > 0 ? K.selu_lambda * z : K.selu_lambda * K.selu_alpha * Math.expm1(z); },
    softplus: function (z) { return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))); },
    gelu: function (z) { return z * 0.5 * erfc(-z * Math.SQRT1_2); },
    silu: function (z) { return z * sigmoid(z); },
    tanh: function (z) { return Math.tanh(z); }
  };
  // Piecewise activations have a kink where a·x + b = 0.
  var KINKED = { relu: true, leaky_relu: true, elu: true, selu: true };

  // ---- formatting
  function fmt(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
    if (v === 0) return '0';
    var a = Math.abs(v);
    var s = (a >= 1e-3 && a < 1e6) ? String(Number(v.toPrecision(digits || 6))) : v.toExponential((digits || 6) - 1);
    return s.replace('-', '−');
  }
  function count(n) { return n.toLocaleString('en-US'); }
  function pct(n, of) { return of ? (100 * n / of).toFixed(1) + '%' : '–'; }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function swatch(color) {
    var s = el('span', { 'class': 'sw' });
    s.style.background = color;
    return s;
  }

  // ---- data access
  function decode(b64) {
    if (!b64) return null;
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  }
  var NF = D.detail_fields.length;
  D.planes.forEach(function (plane) {
    plane.nx = plane.x_values.length;
    plane.ny = plane.y_values.length;
    plane.panels.forEach(function (p) { p.values = decode(p.detail); p.detail = null; });
  });
  function panelOf(plane, variant, activation) {
    return plane.panels[variant * D.activations.length + activation];
  }
  function cellIndex(plane, ix, iy) { return iy * plane.nx + ix; }
  // One run's details, or null when not embedded or not run.
  function run(plane, variant, activation, ix, iy) {
    var p = panelOf(plane, variant, activation);
    var i = cellIndex(plane, ix, iy);
    var code = p.labels[i];
    var r = { label: code === NOT_RUN ? null : D.labels[+code], code: code };
    if (p.values && code !== NOT_RUN) {
      var v = p.values.subarray(i * NF, i * NF + NF);
      r.params = [v[0], v[1], v[2], v[3]];
      r.train_loss = v[4]; r.eval_loss = v[5]; r.mean_loss = v[6];
      r.converged_at = Number.isNaN(v[7]) ? null : v[7];
      r.settled_step = v[8];
    }
    return r;
  }
  function start(plane, ix, iy) {
    var s = plane.pin.slice();
    s['abcd'.indexOf(plane.x)] = plane.x_values[ix];
    s['abcd'.indexOf(plane.y)] = plane.y_values[iy];
    return s;
  }
  function pairOutcome(a, b) {
    if (a === NOT_RUN || b === NOT_RUN) return -1;
    var f = a === CONVERGED, s = b === CONVERGED;
    return f && s ? 0 : f ? 1 : s ? 2 : 3;
  }
  function pairWords(o, first, second) {
    return ['both converge', 'only ' + first + ' converges', 'only ' + second + ' converges', 'neither converges'][o];
  }
  function variantSuffix(v) {
    return D.variants.length > 1 ? ' · ' + D.variants[v].title : '';
  }
  function sideName(side) {
    return D.activations[side.activation] + variantSuffix(side.variant);
  }

  // ---- colors
  function hexRgb(h) { return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)]; }
  var LABEL_RGB = D.label_colors.map(hexRgb);
  var NOT_RUN_RGB = hexRgb(D.not_run_color);
  var PAIR_RGB = D.pair_colors.map(hexRgb);
  function viridis(t) {
    var n = D.viridis.length - 1;
    var s = Math.min(Math.max(t, 0), 1) * n;
    var i = Math.min(Math.floor(s), n - 1), f = s - i;
    var a = D.viridis[i], b = D.viridis[i + 1];
    return [0, 1, 2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * f); });
  }
  function scaled(scale, v) {
    var t;
    if (Number.isNaN(v)) t = 1;
    else if (scale.max <= scale.min) t = 0.5;
    else if (scale.log) t = (Math.log(Math.max(v, scale.min)) - Math.log(scale.min)) / (Math.log(scale.max) - Math.log(scale.min));
    else t = (v - scale.min) / (scale.max - scale.min);
    return viridis(1 - Math.min(Math.max(t, 0), 1));
  }

  // ---- state
  var S = {
    plane: 0,
    map: 'outcome',
    variant: 0,
    first: { variant: 0, activation: D.compare[0] },
    second: { variant: 0, activation: D.compare[1] },
    view: { u0: 0, v0: 0, u1: 1, v1: 1 },
    pinned: null,
    cursor: null
  };
  function plane() { return D.planes[S.plane]; }

  // ---- the panels shown: the compare map, then one per activation
  function panels() {
    var list = [{ kind: 'compare' }];
    for (var a = 0; a < D.activations.length; a++) list.push({ kind: S.map, variant: S.variant, activation: a });
    return list;
  }
  function cellRgb(p, panel, i) {
    if (panel.kind === 'compare') {
      var o = pairOutcome(panelOf(p, S.first.variant, S.first.activation).labels[i],
        panelOf(p, S.second.variant, S.second.activation).labels[i]);
      return o < 0 ? NOT_RUN_RGB : PAIR_RGB[o];
    }
    var q = panelOf(p, panel.variant, panel.activation);
    var code = q.labels[i];
    if (code === NOT_RUN) return NOT_RUN_RGB;
    if (panel.kind === 'outcome' || !q.values) return LABEL_RGB[+code];
    if (panel.kind === 'speed') {
      if (code !== CONVERGED) return [150, 150, 150];
      return scaled(D.speed, q.values[i * NF + 7]);
    }
    return scaled(D.loss, q.values[i * NF + 6]);
  }
  var imageCache = {};
  function panelImage(panel) {
    var p = plane();
    var key = [S.plane, panel.kind, panel.variant, panel.activation, S.first.variant, S.first.activation,
      S.second.variant, S.second.activation].join(':');
    if (imageCache[key]) return imageCache[key];
    var c = document.createElement('canvas');
    c.width = p.nx; c.height = p.ny;
    var ctx = c.getContext('2d');
    var img = ctx.createImageData(p.nx, p.ny);
    for (var iy = 0; iy < p.ny; iy++) {
      for (var ix = 0; ix < p.nx; ix++) {
        var rgb = cellRgb(p, panel, cellIndex(p, ix, iy));
        var o = ((p.ny - 1 - iy) * p.nx + ix) * 4;
        img.data[o] = rgb[0]; img.data[o + 1] = rgb[1]; img.data[o + 2] = rgb[2]; img.data[o + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    imageCache[key] = c;
    return c;
  }

  // Counts per label (or pair outcome) of the cells a panel shows.
  function tallies(panel) {
    var p = plane(), n = p.nx * p.ny, counts = [0, 0, 0, 0, 0], missing = 0, i;
    if (panel.kind === 'compare') {
      var f = panelOf(p, S.first.variant, S.first.activation).labels;
      var s = panelOf(p, S.second.variant, S.second.activation).labels;
      for (i = 0; i < n; i++) { var o = pairOutcome(f[i], s[i]); if (o < 0) missing++; else counts[o]++; }
    } else {
      var l = panelOf(p, panel.variant, panel.activation).labels;
      for (i = 0; i < n; i++) { if (l[i] === NOT_RUN) missing++; else counts[+l[i]]++; }
    }
    return { counts: counts, missing: missing, done: n - missing };
  }
  function median(values) {
    if (!values.length) return NaN;
    values.sort(function (a, b) { return a - b; });
    var m = values.length >> 1;
    return values.length % 2 ? values[m] : (values[m - 1] + values[m]) / 2;
  }
  function panelTitle(panel) {
    var t = tallies(panel);
    var unit = D.replicates > 1 ? ' starts' : '';
    if (panel.kind === 'compare') {
      var first = sideName(S.first), second = sideName(S.second);
      return first + ' vs ' + second + ': only ' + second + ' converges from ' + count(t.counts[2]) +
        ' of ' + count(t.done) + unit + ' (' + pct(t.counts[2], t.done) + ')';
    }
    var name = D.activations[panel.activation] + variantSuffix(panel.variant);
    var head = name + ': converged ' + pct(t.counts[0], t.done) + ' (' + count(t.counts[0]) + ' of ' + count(t.done) + unit + ')';
    var q = panelOf(plane(), panel.variant, panel.activation);
    if (panel.kind !== 'outcome' && q.values) {
      var p = plane(), vals = [];
      for (var i = 0; i < p.nx * p.ny; i++) {
        if (panel.kind === 'speed' && q.labels[i] === CONVERGED) vals.push(q.values[i * NF + 7]);
        if (panel.kind === 'loss' && q.labels[i] !== NOT_RUN) vals.push(q.values[i * NF + 6]);
      }
      head += panel.kind === 'speed' ? '; median converged_at ' + fmt(median(vals), 4) :
        '; median mean loss ' + fmt(median(vals), 3);
    }
    return head;
  }

  // ---- legends: only what occurs, with counts
  function legend(box, entries) {
    box.textContent = '';
    entries.forEach(function (e) {
      var item = el('span', { 'class': 'item' });
      item.appendChild(swatch(e.color));
      item.appendChild(document.createTextNode(e.text));
      box.appendChild(item);
    });
  }
  function drawLegends() {
    var shown = panels();
    var c = tallies(shown[0]);
    var first = sideName(S.first), second = sideName(S.second);
    var pairEntries = [];
    for (var o = 0; o < 4; o++) {
      if (c.counts[o]) pairEntries.push({ color: D.pair_colors[o], text: pairWords(o, first, second) + ' ' + count(c.counts[o]) + ' (' + pct(c.counts[o], c.done) + ')' });
    }
    if (c.missing) pairEntries.push({ color: D.not_run_color, text: 'not run yet ' + count(c.missing) });
    legend(document.getElementById('x-pair-legend'), pairEntries);
    var entries = [];
    if (S.map === 'outcome' || !D.detail) {
      var sum = [0, 0, 0, 0, 0], missing = 0, done = 0;
      shown.slice(1).forEach(function (panel) {
        var t = tallies(panel);
        for (var k = 0; k < 5; k++) sum[k] += t.counts[k];
        missing += t.missing; done += t.done;
      });
      for (var k = 0; k < 5; k++) {
        if (sum[k]) entries.push({ color: D.label_colors[k], text: D.labels[k] + ' ' + count(sum[k]) + ' (' + pct(sum[k], done) + ')' });
      }
      if (missing) entries.push({ color: D.not_run_color, text: 'not run yet ' + count(missing) });
    } else {
      var scale = S.map === 'speed' ? D.speed : D.loss;
      var bar = el('span', { 'class': 'item' });
      var stops = [];
      for (var i = 0; i <= 10; i++) stops.push('rgb(' + viridis(1 - i / 10).join(',') + ')');
      var g = el('span', { 'class': 'bar' });
      g.style.background = 'linear-gradient(to right,' + stops.join(',') + ')';
      var box = document.getElementById('x-legend');
      box.textContent = '';
      bar.appendChild(document.createTextNode((S.map === 'speed' ? 'converged_at ' : 'mean loss ') + fmt(scale.min, 3) + ' '));
      bar.appendChild(g);
      bar.appendChild(document.createTextNode(' ' + fmt(scale.max, 3) + (scale.log ? ' (log scale)' : '')));
      box.appendChild(bar);
      if (S.map === 'speed') {
        var nc = el('span', { 'class': 'item' });
        nc.appendChild(swatch('#969696'));
        nc.appendChild(document.createTextNode('did not converge'));
        box.appendChild(nc);
      }
      return;
    }
    legend(document.getElementById('x-legend'), entries);
  }

  // ---- the panel canvases
  var grid = document.getElementById('x-panels');
  var canvases = [];
  function build() {
    grid.textContent = '';
    canvases = [];
    panels().forEach(function (panel, k) {
      var box = el('div', { 'class': 'xpanel' + (panel.kind === 'compare' ? ' compare' : '') });
      var title = el('div', { 'class': 'xtitle' });
      var canvas = el('canvas', { tabindex: '0', role: 'img', 'data-panel': String(k) });
      canvas.setAttribute('data-kind', panel.kind);
      if (panel.activation !== undefined) canvas.setAttribute('data-activation', D.activations[panel.activation]);
      box.appendChild(title);
      box.appendChild(canvas);
      grid.appendChild(box);
      canvases.push({ canvas: canvas, title: title, panel: panel });
      attach(canvas, panel);
    });
    drawAll();
  }
  var TICK_FONT = '12px "DejaVu Sans", Verdana, Arial, sans-serif';
  // Room for the widest y tick label of the plane, measured once.
  function leftMargin(p) {
    if (p.left === undefined) {
      var ctx = document.createElement('canvas').getContext('2d'), widest = 0;
      ctx.font = TICK_FONT;
      p.y_values.forEach(function (v) { widest = Math.max(widest, ctx.measureText(fmt(v, 4)).width); });
      p.left = Math.ceil(widest) + 26;
    }
    return p.left;
  }
  function plotArea(canvas) {
    var w = canvas.clientWidth;
    var p = plane(), left = leftMargin(p);
    var pw = Math.max(w - left - MARGIN.right, 40);
    var ph = Math.round(pw * Math.min(Math.max(p.ny / p.nx, 0.5), 2));
    return { x: left, y: MARGIN.top, w: pw, h: ph, width: w, height: ph + MARGIN.top + MARGIN.bottom };
  }
  function ticks(values, lo, hi) {
    var first = Math.max(0, Math.ceil(lo - 0.5)), last = Math.min(values.length - 1, Math.floor(hi - 0.5));
    if (last < first) return [];
    var span = last - first, step = 1;
    var nice = [1, 2, 5];
    for (var e = 1; span / step > 5; e *= 10) {
      for (var j = 0; j < 3 && span / step > 5; j++) step = nice[j] * e;
    }
    var out = [];
    for (var i = Math.ceil(first / step) * step; i <= last; i += step) out.push(i);
    return out;
  }
  function draw(entry) {
    var canvas = entry.canvas, panel = entry.panel, p = plane(), v = S.view;
    var area = plotArea(canvas);
    var dpr = window.devicePixelRatio || 1;
    canvas.style.height = area.height + 'px';
    canvas.width = Math.round(area.width * dpr);
    canvas.height = Math.round(area.height * dpr);
    var ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, area.width, area.height);
    ctx.imageSmoothingEnabled = false;
    var img = panelImage(panel);
    ctx.drawImage(img, v.u0 * p.nx, (1 - v.v1) * p.ny, (v.u1 - v.u0) * p.nx, (v.v1 - v.v0) * p.ny,
      area.x, area.y, area.w, area.h);
    ctx.strokeStyle = '#444';
    ctx.lineWidth = 1;
    ctx.strokeRect(area.x - 0.5, area.y - 0.5, area.w + 1, area.h + 1);
    // ticks at cell centres
    ctx.fillStyle = '#222';
    ctx.font = TICK_FONT;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ticks(p.x_values, v.u0 * p.nx, v.u1 * p.nx).forEach(function (i) {
      var x = area.x + ((i + 0.5) / p.nx - v.u0) / (v.u1 - v.u0) * area.w;
      ctx.fillRect(Math.round(x), area.y + area.h, 1, 4);
      ctx.fillText(fmt(p.x_values[i], 4), x, area.y + area.h + 5);
    });
    ctx.fillText(p.x + '₀', area.x + area.w / 2, area.y + area.h + 20);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ticks(p.y_values, v.v0 * p.ny, v.v1 * p.ny).forEach(function (i) {
      var y = area.y + (1 - ((i + 0.5) / p.ny - v.v0) / (v.v1 - v.v0)) * area.h;
      ctx.fillRect(area.x - 4, Math.round(y), 4, 1);
      ctx.fillText(fmt(p.y_values[i], 4), area.x - 6, y);
    });
    ctx.save();
    ctx.translate(9, area.y + area.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText(p.y + '₀', 0, 0);
    ctx.restore();
    // the pinned start and the keyboard cursor
    [[S.pinned, '#000', []], [S.cursor, '#000', [3, 2]]].forEach(function (m) {
      var c = m[0];
      if (!c || c.plane !== S.plane) return;
      var r = cellRect(area, c.ix, c.iy);
      ctx.save();
      ctx.setLineDash(m[2]);
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#fff';
      ctx.strokeRect(r.x - 2, r.y - 2, Math.max(r.w, 4) + 4, Math.max(r.h, 4) + 4);
      ctx.strokeStyle = m[1];
      ctx.lineWidth = 1.5;
      ctx.strokeRect(r.x - 1, r.y - 1, Math.max(r.w, 4) + 2, Math.max(r.h, 4) + 2);
      ctx.restore();
    });
    entry.title.textContent = panelTitle(panel);
    canvas.setAttribute('aria-label', entry.title.textContent + '. Arrow keys move a cursor over the starts, Enter pins one, + and − zoom, Shift with arrows pans, 0 resets.');
  }
  function cellRect(area, ix, iy) {
    var p = plane(), v = S.view;
    var x0 = area.x + (ix / p.nx - v.u0) / (v.u1 - v.u0) * area.w;
    var x1 = area.x + ((ix + 1) / p.nx - v.u0) / (v.u1 - v.u0) * area.w;
    var y0 = area.y + (1 - ((iy + 1) / p.ny - v.v0) / (v.v1 - v.v0)) * area.h;
    var y1 = area.y + (1 - (iy / p.ny - v.v0) / (v.v1 - v.v0)) * area.h;
    return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  }
  function drawAll() {
    canvases.forEach(draw);
    drawLegends();
  }
  // Fraction of the plane under a canvas point, or null outside the cells.
  function fractionAt(canvas, clientX, clientY) {
    var rect = canvas.getBoundingClientRect();
    var area = plotArea(canvas), v = S.view;
    var fx = (clientX - rect.left - area.x) / area.w, fy = (clientY - rect.top - area.y) / area.h;
    return { u: v.u0 + fx * (v.u1 - v.u0), v: v.v1 - fy * (v.v1 - v.v0), inside: fx >= 0 && fx < 1 && fy >= 0 && fy < 1 };
  }
  function cellAt(canvas, clientX, clientY) {
    var f = fractionAt(canvas, clientX, clientY), p = plane();
    if (!f.inside) return null;
    var ix = Math.floor(f.u * p.nx), iy = Math.floor(f.v * p.ny);
    if (ix < 0 || iy < 0 || ix >= p.nx || iy >= p.ny) return null;
    return { plane: S.plane, ix: ix, iy: iy };
  }

  // ---- zoom and pan: one view for every panel
  function minSpan() {
    var p = plane();
    return Math.min(1, 2 / Math.min(p.nx, p.ny));
  }
  function setView(u0, v0, span) {
    span = Math.min(1, Math.max(minSpan(), span));
    u0 = Math.min(Math.max(u0, 0), 1 - span);
    v0 = Math.min(Math.max(v0, 0), 1 - span);
    S.view = { u0: u0, v0: v0, u1: u0 + span, v1: v0 + span };
    canvases.forEach(function (c) { c.canvas.style.touchAction = span < 1 ? 'none' : 'pan-y'; });
    drawAll();
  }
  function zoom(factor, u, v) {
    var span = S.view.u1 - S.view.u0;
    var next = Math.min(1, Math.max(minSpan(), span * factor));
    setView(u - (u - S.view.u0) * next / span, v - (v - S.view.v0) * next / span, next);
  }
  function pan(du, dv) {
    var span = S.view.u1 - S.view.u0;
    setView(S.view.u0 + du * span, S.view.v0 + dv * span, span);
  }

  // ---- hover, click, keys, touch
  var tip = document.getElementById('x-tip');
  function tipLines(c, panel) {
    var p = D.planes[c.plane];
    var st = start(p, c.ix, c.iy);
    var lines = ['start a₀=' + fmt(st[0]) + ', b₀=' + fmt(st[1]) + ', c₀=' + fmt(st[2]) + ', d₀=' + fmt(st[3])];
    function describe(variant, activation) {
      var r = run(p, variant, activation, c.ix, c.iy);
      var name = D.activations[activation] + variantSuffix(variant);
      if (!r.label) return [name + ': not run yet'];
      var out = [name + ': ' + r.label + (D.replicates > 1 ? ' (most frequent of ' + D.replicates + ' replicates; replicate 0 below)' : '')];
      if (!r.params) {
        out.push(D.detail ? '' : 'details not embedded: the maps hold ' + count(D.map_runs) + ' runs, more than the page\'s budget of ' + count(D.detail_budget) + '; click for the command that reruns this start');
        return out;
      }
      out.push('settled (step ' + r.settled_step + '): a=' + fmt(r.params[0]) + ', b=' + fmt(r.params[1]) + ', c=' + fmt(r.params[2]) + ', d=' + fmt(r.params[3]));
      out.push('train loss ' + fmt(r.train_loss) + ', eval loss ' + fmt(r.eval_loss) + ', mean loss ' + fmt(r.mean_loss));
      out.push(r.converged_at === null ? 'did not converge' : 'converged at step ' + r.converged_at);
      return out;
    }
    if (panel.kind === 'compare') {
      lines = lines.concat(describe(S.first.variant, S.first.activation), describe(S.second.variant, S.second.activation));
    } else {
      lines = lines.concat(describe(panel.variant, panel.activation));
    }
    return lines.filter(function (l) { return l; });
  }
  function showTip(c, panel, clientX, clientY) {
    if (!c) { tip.hidden = true; return; }
    tip.textContent = '';
    tipLines(c, panel).forEach(function (line, i) {
      tip.appendChild(i === 0 ? el('strong', null, line) : el('div', null, line));
    });
    tip.hidden = false;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var x = clientX + 14, y = clientY + 14;
    if (x + w > window.innerWidth - 4) x = Math.max(4, clientX - w - 14);
    if (y + h > window.innerHeight - 4) y = Math.max(4, clientY - h - 14);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }
  function attach(canvas, panel) {
    var pointers = {}, drag = null, pinch = null;
    canvas.addEventListener('pointermove', function (e) {
      if (drag && pointers[e.pointerId]) {
        var area = plotArea(canvas);
        var span = S.view.u1 - S.view.u0;
        var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        if (drag.moved && !pinch) {
          setView(drag.u0 - dx / area.w * span, drag.v0 + dy / area.h * span, span);
        }
      }
      pointers[e.pointerId] && (pointers[e.pointerId] = { x: e.clientX, y: e.clientY });
      var ids = Object.keys(pointers);
      if (ids.length === 2) {
        var a = pointers[ids[0]], b = pointers[ids[1]];
        var d = Math.hypot(a.x - b.x, a.y - b.y);
        if (pinch && d > 0) {
          var f = fractionAt(canvas, (a.x + b.x) / 2, (a.y + b.y) / 2);
          zoom(pinch / d, f.u, f.v);
        }
        pinch = d;
        return;
      }
      showTip(cellAt(canvas, e.clientX, e.clientY), panel, e.clientX, e.clientY);
    });
    canvas.addEventListener('pointerleave', function () { tip.hidden = true; });
    canvas.addEventListener('pointerdown', function (e) {
      pointers[e.pointerId] = { x: e.clientX, y: e.clientY };
      if (canvas.setPointerCapture) { try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* synthetic */ } }
      drag = { x: e.clientX, y: e.clientY, u0: S.view.u0, v0: S.view.v0, moved: false };
    });
    function end(e) {
      var wasDrag = drag && drag.moved;
      delete pointers[e.pointerId];
      if (Object.keys(pointers).length < 2) pinch = null;
      if (!Object.keys(pointers).length) drag = null;
      return wasDrag;
    }
    canvas.addEventListener('pointerup', function (e) {
      if (!end(e) && e.button === 0) {
        var c = cellAt(canvas, e.clientX, e.clientY);
        if (c) pin(c, panel, null);
      }
    });
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('wheel', function (e) {
      e.preventDefault();
      var f = fractionAt(canvas, e.clientX, e.clientY);
      zoom(Math.exp(e.deltaY * 0.0015), f.u, f.v);
    }, { passive: false });
    canvas.addEventListener('keydown', function (e) {
      var p = plane();
      var c = S.cursor && S.cursor.plane === S.plane ? S.cursor : { plane: S.plane, ix: p.nx >> 1, iy: p.ny >> 1 };
      var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
      var handled = true;
      if (moves[e.key] && e.shiftKey) {
        pan(moves[e.key][0] * 0.1, moves[e.key][1] * 0.1);
      } else if (moves[e.key]) {
        c = { plane: S.plane, ix: Math.min(p.nx - 1, Math.max(0, c.ix + moves[e.key][0])), iy: Math.min(p.ny - 1, Math.max(0, c.iy + moves[e.key][1])) };
        S.cursor = c;
        follow(c);
        var r = canvas.getBoundingClientRect(), cr = cellRect(plotArea(canvas), c.ix, c.iy);
        showTip(c, panel, r.left + cr.x + cr.w, r.top + cr.y + cr.h);
      } else if (e.key === 'Enter' || e.key === ' ') {
        pin(c, panel, null);
      } else if (e.key === '+' || e.key === '=') {
        zoom(0.5, (c.ix + 0.5) / p.nx, (c.iy + 0.5) / p.ny);
      } else if (e.key === '-' || e.key === '_') {
        zoom(2, (c.ix + 0.5) / p.nx, (c.iy + 0.5) / p.ny);
      } else if (e.key === '0' || e.key === 'Home') {
        setView(0, 0, 1);
      } else if (e.key === 'Escape') {
        tip.hidden = true;
      } else {
        handled = false;
      }
      if (handled) e.preventDefault();
    });
    canvas.addEventListener('blur', function () { tip.hidden = true; });
  }
  // Keeps the keyboard cursor in view.
  function follow(c) {
    var p = plane(), v = S.view, span = v.u1 - v.u0;
    var u = (c.ix + 0.5) / p.nx, w = (c.iy + 0.5) / p.ny;
    if (u < v.u0 || u > v.u1 || w < v.v0 || w > v.v1) setView(u - span / 2, w - span / 2, span);
    else drawAll();
  }

  // ---- the pinned start: every activation's run, the learned functions, the command
  var pinned = document.getElementById('x-pinned');
  var home = pinned.parentNode, homeNext = pinned.nextSibling;
  function command(c, variant, activation) {
    var st = start(D.planes[c.plane], c.ix, c.iy);
    var args = ['basinmap', 'train', '--spec', D.spec_path, '--act', D.activations[activation], '--start', st.map(String).join(',')];
    args = args.concat(D.variants[variant].flags);
    if (D.replicates > 1 && D.variants[variant].data_seed !== null) args.push('--data-seed', String(D.variants[variant].data_seed));
    return args.map(function (a) { return /^[A-Za-z0-9_.,\/=+:-]+$/.test(a) ? a : "'" + a.replace(/'/g, "'\\''") + "'"; }).join(' ');
  }
  function pin(c, panel, figure) {
    var variant = panel.kind === 'compare' ? S.first.variant : panel.variant;
    var activation = panel.kind === 'compare' ? S.first.activation : panel.activation;
    S.pinned = { plane: c.plane, ix: c.ix, iy: c.iy, variant: variant, activation: activation };
    S.cursor = { plane: c.plane, ix: c.ix, iy: c.iy };
    if (figure) figure.after(pinned); else if (pinned.parentNode !== home || pinned.nextSibling !== homeNext) home.insertBefore(pinned, homeNext);
    showPinned();
    drawAll();
  }
  function showPinned() {
    var c = S.pinned;
    pinned.hidden = false;
    var p = D.planes[c.plane];
    var st = start(p, c.ix, c.iy);
    document.getElementById('x-pinned-start').textContent = 'a₀=' + fmt(st[0]) + ', b₀=' + fmt(st[1]) + ', c₀=' + fmt(st[2]) + ', d₀=' + fmt(st[3]) + variantSuffix(c.variant);
    var body = document.getElementById('x-runs');
    body.textContent = '';
    var curves = [];
    D.activations.forEach(function (name, a) {
      var r = run(p, c.variant, a, c.ix, c.iy);
      var tr = el('tr', { 'data-activation': name });
      if (a === c.activation) tr.className = 'chosen';
      var first = el('td');
      var b = el('button', { type: 'button', 'class': 'link', title: 'show the command for ' + name }, name);
      b.addEventListener('click', function () { S.pinned.activation = a; showPinned(); });
      first.appendChild(b);
      tr.appendChild(first);
      var lab = el('td');
      if (r.label) { lab.appendChild(swatch(D.label_colors[+r.code])); lab.appendChild(document.createTextNode(r.label)); } else lab.textContent = 'not run yet';
      tr.appendChild(lab);
      var cells = r.params ? [fmt(r.params[0]), fmt(r.params[1]), fmt(r.params[2]), fmt(r.params[3]), fmt(r.train_loss), fmt(r.eval_loss), fmt(r.mean_loss),
        r.converged_at === null ? '–' : String(r.converged_at), String(r.settled_step)] : ['', '', '', '', '', '', '', '', ''];
      cells.forEach(function (t, k) { tr.appendChild(el('td', { 'data-field': D.detail_fields[k] }, t)); });
      body.appendChild(tr);
      if (r.params) curves.push({ name: name, index: a, params: r.params, label: r.label, chosen: a === c.activation });
    });
    drawFunctions(curves);
    var cmd = command(c, c.variant, c.activation);
    document.getElementById('x-command').textContent = cmd;
    document.getElementById('x-copied').textContent = '';
  }
  function drawFunctions(curves) {
    var svg = document.getElementById('x-function');
    var note = document.getElementById('x-function-note');
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var list = document.getElementById('x-function-legend');
    list.textContent = '';
    if (!curves.length) {
      svg.setAttribute('hidden', '');
      note.textContent = D.detail ? 'No trained run at this start: not run yet, or filled by refinement (it took the label its coarse cell\'s corners share).' :
        'The learned functions are not drawn: the maps hold ' + count(D.map_runs) + ' runs, more than the page embeds details for (' + count(D.detail_budget) + '). The command below reruns one.';
      return;
    }
    svg.removeAttribute('hidden');
    note.textContent = '';
    var W = 480, H = 300, L = 46, R = 10, T = 10, B = 34, N = 201;
    var xs = [];
    for (var i = 0; i < N; i++) xs.push(-0.5 + i / (N - 1));
    var series = curves.map(function (c) {
      var f = ACTIVATIONS[c.name];
      return xs.map(function (x) { return c.params[2] * f(c.params[0] * x + c.params[1]) + c.params[3]; });
    });
    var lo = -0.05, hi = 0.55;
    series.forEach(function (ys) { ys.forEach(function (y) { if (Number.isFinite(y)) { lo = Math.min(lo, Math.max(y, -3)); hi = Math.max(hi, Math.min(y, 3)); } }); });
    var pad = (hi - lo) * 0.05; lo -= pad; hi += pad;
    function X(x) { return L + (x + 0.5) * (W - L - R); }
    function Y(y) { return T + (hi - Math.min(Math.max(y, lo), hi)) / (hi - lo) * (H - T - B); }
    var NS = 'http://www.w3.org/2000/svg';
    function add(tag, attrs, text) {
      var e = document.createElementNS(NS, tag);
      for (var k in attrs) e.setAttribute(k, attrs[k]);
      if (text !== undefined) e.textContent = text;
      svg.appendChild(e);
      return e;
    }
    add('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: '#fff', stroke: '#444' });
    [-0.5, -0.25, 0, 0.25, 0.5].forEach(function (x) {
      add('line', { x1: X(x), x2: X(x), y1: H - B, y2: H - B + 4, stroke: '#444' });
      add('text', { x: X(x), y: H - B + 16, 'text-anchor': 'middle', 'font-size': 11 }, fmt(x));
    });
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / 4)));
    if ((hi - lo) / step > 10) step *= 2;
    if ((hi - lo) / step > 10) step *= 2.5;
    for (var y = Math.ceil(lo / step) * step; y <= hi; y += step) {
      var yy = Math.abs(y) < step / 1e6 ? 0 : y;
      add('line', { x1: L - 4, x2: L, y1: Y(yy), y2: Y(yy), stroke: '#444' });
      add('text', { x: L - 6, y: Y(yy) + 4, 'text-anchor': 'end', 'font-size': 11 }, fmt(Number(yy.toPrecision(6))));
    }
    add('text', { x: L + (W - L - R) / 2, y: H - 4, 'text-anchor': 'middle', 'font-size': 12 }, 'x');
    var target = xs.map(function (x) { return X(x) + ',' + Y(Math.max(x, 0)); }).join(' ');
    add('polyline', { points: target, fill: 'none', stroke: '#b9b9b9', 'stroke-width': 6, 'stroke-linejoin': 'round', 'class': 'target' });
    var ordered = curves.map(function (c, i) { return i; }).sort(function (i, j) { return curves[i].chosen - curves[j].chosen; });
    ordered.forEach(function (i) {
      var c = curves[i];
      var pts = xs.map(function (x, k) { return X(x) + ',' + Y(series[i][k]); }).join(' ');
      add('polyline', { points: pts, fill: 'none', stroke: D.activation_colors[c.index], 'stroke-width': c.chosen ? 3 : 1.6,
        'stroke-dasharray': c.chosen ? '' : ['', '6 3', '2 2', '8 3 2 3'][i % 4], 'class': 'learned', 'data-activation': c.name });
    });
    var li = el('li');
    li.appendChild(swatch('#b9b9b9'));
    li.appendChild(document.createTextNode('relu(x), the target'));
    list.appendChild(li);
    curves.forEach(function (c) {
      var a = c.params[0], b = c.params[1];
      var words;
      if (!KINKED[c.name]) words = 'smooth: no kink';
      else if (a === 0) words = 'a = 0: one piece everywhere';
      else {
        var k = -b / a;
        if (k >= -0.5 && k <= 0.5) {
          words = 'kink at x = ' + fmt(k, 4);
          add('line', { x1: X(k), x2: X(k), y1: T, y2: H - B, stroke: D.activation_colors[c.index], 'stroke-dasharray': '3 3', 'class': 'kink', 'data-activation': c.name });
          add('path', { d: 'M' + X(k) + ',' + (H - B) + 'l-5,8h10z', fill: D.activation_colors[c.index] });
        } else {
          words = 'kink at x = ' + fmt(k, 4) + ', outside [−0.5, 0.5]: every input on one piece, so g is a straight line';
        }
      }
      var item = el('li', { 'data-activation': c.name });
      item.appendChild(swatch(D.activation_colors[c.index]));
      item.appendChild(document.createTextNode(c.name + ' (' + c.label + '): ' + words));
      list.appendChild(item);
    });
  }
  document.getElementById('x-copy').addEventListener('click', function () {
    var text = document.getElementById('x-command').textContent;
    var done = function () { document.getElementById('x-copied').textContent = 'Copied.'; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else { fallbackCopy(text); done(); }
  });
  function fallbackCopy(text) {
    var t = el('textarea');
    t.value = text;
    document.body.appendChild(t);
    t.select();
    try { document.execCommand('copy'); } catch (e) { /* nothing else to try */ }
    document.body.removeChild(t);
  }

  // ---- controls
  function options(select, items, value) {
    select.textContent = '';
    items.forEach(function (it) {
      var o = el('option', { value: it.value }, it.text);
      if (it.value === value) o.selected = true;
      select.appendChild(o);
    });
  }
  var sides = [];
  D.variants.forEach(function (v, vi) {
    D.activations.forEach(function (a, ai) { sides.push({ value: vi + ':' + ai, text: a + variantSuffix(vi) }); });
  });
  function sideValue(s) { return s.variant + ':' + s.activation; }
  function parseSide(v) { var p = v.split(':'); return { variant: +p[0], activation: +p[1] }; }
  var firstSel = document.getElementById('x-first'), secondSel = document.getElementById('x-second');
  options(firstSel, sides, sideValue(S.first));
  options(secondSel, sides, sideValue(S.second));
  firstSel.addEventListener('change', function () { S.first = parseSide(firstSel.value); drawAll(); });
  secondSel.addEventListener('change', function () { S.second = parseSide(secondSel.value); drawAll(); });
  var mapSel = document.getElementById('x-map');
  mapSel.addEventListener('change', function () { S.map = mapSel.value; build(); });
  if (!D.detail) {
    Array.prototype.forEach.call(mapSel.options, function (o) { if (o.value !== 'outcome') o.disabled = true; });
  }
  var planeSel = document.getElementById('x-plane');
  if (D.planes.length > 1) {
    options(planeSel, D.planes.map(function (p, i) { return { value: String(i), text: p.x + '–' + p.y }; }), '0');
    planeSel.addEventListener('change', function () { S.plane = +planeSel.value; S.view = { u0: 0, v0: 0, u1: 1, v1: 1 }; S.cursor = null; build(); });
  } else planeSel.parentNode.hidden = true;
  var variantSel = document.getElementById('x-variant');
  if (D.variants.length > 1) {
    options(variantSel, D.variants.map(function (v, i) { return { value: String(i), text: v.title }; }), '0');
    variantSel.addEventListener('change', function () { S.variant = +variantSel.value; build(); });
  } else variantSel.parentNode.hidden = true;
  document.getElementById('x-reset').addEventListener('click', function () { setView(0, 0, 1); });

  // ---- hover and click on the static pictures
  Array.prototype.forEach.call(document.querySelectorAll('img[data-picture]'), function (img) {
    var info = D.pictures.filter(function (p) { return p.file === img.getAttribute('data-picture'); })[0];
    if (!info) return;
    var planeIndex = D.planes.map(function (p) { return p.stem; }).indexOf(info.stem);
    if (planeIndex < 0) return;
    function hit(e) {
      var r = img.getBoundingClientRect();
      var lx = (e.clientX - r.left) * info.width / r.width, ly = (e.clientY - r.top) * info.height / r.height;
      for (var k = 0; k < info.panels.length; k++) {
        var q = info.panels[k];
        var ix = Math.floor((lx - q.left) / info.cell_width), row = Math.floor((ly - q.top) / info.cell_height);
        if (ix >= 0 && ix < info.nx && row >= 0 && row < info.ny) {
          var panel = q.activation === null ? { kind: 'compare' } : { kind: info.kind, variant: q.variant, activation: q.activation };
          return { cell: { plane: planeIndex, ix: ix, iy: info.ny - 1 - row }, panel: panel, variant: q.variant };
        }
      }
      return null;
    }
    // The static compare map shows the [render] pair of its variant.
    function withPair(h, f) {
      if (h.panel.kind !== 'compare') return f();
      var keep = [S.first, S.second];
      S.first = { variant: h.variant, activation: D.compare[0] };
      S.second = { variant: h.variant, activation: D.compare[1] };
      try { return f(); } finally { S.first = keep[0]; S.second = keep[1]; }
    }
    img.addEventListener('mousemove', function (e) {
      var h = hit(e);
      if (!h) { tip.hidden = true; return; }
      withPair(h, function () { showTip(h.cell, h.panel, e.clientX, e.clientY); });
    });
    img.addEventListener('mouseleave', function () { tip.hidden = true; });
    img.addEventListener('click', function (e) {
      var h = hit(e);
      if (!h) return;
      if (h.panel.kind === 'compare') h.panel = { kind: 'outcome', variant: h.variant, activation: D.compare[0] };
      pin(h.cell, h.panel, img.closest('figure'));
    });
  });

  // ---- start: every panel drawn, and the start that answers the headline pinned
  function representative() {
    var p = D.planes[0];
    var f = panelOf(p, 0, D.compare[0]).labels, s = panelOf(p, 0, D.compare[1]).labels;
    var cells = [];
    for (var i = 0; i < p.nx * p.ny; i++) if (pairOutcome(f[i], s[i]) === 2) cells.push([i % p.nx, Math.floor(i / p.nx)]);
    if (!cells.length) return null;
    var mx = median(cells.map(function (c) { return c[0]; })), my = median(cells.map(function (c) { return c[1]; }));
    cells.sort(function (a, b) { return Math.hypot(a[0] - mx, a[1] - my) - Math.hypot(b[0] - mx, b[1] - my); });
    return { plane: 0, ix: cells[0][0], iy: cells[0][1] };
  }
  build();
  var first = representative();
  if (first) pin(first, { kind: 'outcome', variant: 0, activation: D.compare[0] }, null);
  var resizeTimer = null;
  window.addEventListener('resize', function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(drawAll, 100); });

  // For tests and for readers' own scripts.
  window.basinmap = {
    data: D,
    activations: ACTIVATIONS,
    command: command,
    state: S,
    // Client coordinates of the middle of a cell on explorer panel k.
    cellCenter: function (k, ix, iy) {
      var c = canvases[k].canvas, r = c.getBoundingClientRect(), cr = cellRect(plotArea(c), ix, iy);
      return { x: r.left + cr.x + cr.w / 2, y: r.top + cr.y + cr.h / 2 };
    },
    canvases: function () { return canvases.map(function (c) { return c.canvas; }); },
    zoom: zoom,
    setView: setView
  };
  document.documentElement.setAttribute('data-explorer', 'ready');
})();
