/* global Plotly, document, window, location */
// The hyperzone dashboard's browser side: plain script, no build step. Every number it shows comes aggregated from
// /api (a page of the table, a grid for the surface, the improving points of best-so-far), so the page stays light
// with 100,000 trials. It polls the study's summary twice a second and redraws what changed (its `version`).
'use strict';

(function () {
  const POLL_MS = 500;
  const token = new URLSearchParams(location.search).get('token');
  const app = document.getElementById('app');
  const crumb = document.getElementById('crumb');
  const live = document.getElementById('live');
  const updated = document.getElementById('updated');
  const plotConfig = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };
  const font = { family: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif', size: 12, color: '#1d2330' };
  const fmtTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

  let pollTimer = null;
  let view = null; // the study page's state, or null on the list

  function api(path, params) {
    const q = new URLSearchParams(params || {});
    if (token) q.set('token', token);
    const s = q.toString();
    return fetch('/api/' + path + (s ? '?' + s : ''), { cache: 'no-store' }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body && body.error ? body.error : 'HTTP ' + r.status);
        return body;
      });
    });
  }

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    if (attrs) for (const k of Object.keys(attrs)) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
    for (const c of children || []) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  function num(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    if (typeof v !== 'number') return String(v);
    if (Number.isInteger(v) && Math.abs(v) < 1e9) return v.toLocaleString('en-US');
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
    return String(Number(v.toPrecision(4)));
  }

  function duration(s) {
    if (s === null || s === undefined) return '–';
    if (s < 60) return s.toFixed(1) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
  }

  function stateBadge(s) {
    return el('span', { class: 'state ' + s, text: s });
  }

  function showError(where, e) {
    where.replaceChildren(el('p', { class: 'error', text: e.message }));
  }

  function markLive(ok) {
    live.classList.toggle('stale', !ok);
    updated.textContent = (ok ? 'updated ' : 'no answer since ') + fmtTime.format(new Date());
  }

  function afterPaint() {
    return new Promise(function (resolve) { window.requestAnimationFrame(function () { setTimeout(resolve, 0); }); });
  }

  function schedule(fn) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(fn, POLL_MS);
  }

  // ---- the study list ----

  function renderList(data) {
    const rows = data.studies.map(function (s) {
      const c = s.counts;
      return el('tr', { class: 'clickable', onclick: function () { location.hash = '#/study/' + encodeURIComponent(s.name); } }, [
        el('td', {}, [el('a', { href: '#/study/' + encodeURIComponent(s.name), text: s.name })]),
        el('td', { text: s.metric + (s.direction === 'maximize' ? ' ↑' : ' ↓') }),
        el('td', { class: 'num', text: num(s.total) }),
        el('td', { class: 'num', text: num(c.complete) }), el('td', { class: 'num', text: num(c.running) }),
        el('td', { class: 'num', text: num(c.waiting) }), el('td', { class: 'num', text: num(c.pruned) }), el('td', { class: 'num', text: num(c.failed) }),
        el('td', { text: new Date(s.createdAt).toLocaleString() }),
      ]);
    });
    const head = ['study', 'objective', 'trials', 'complete', 'running', 'waiting', 'pruned', 'failed', 'created'].map(function (h) { return el('th', { text: h }); });
    app.replaceChildren(el('div', { class: 'card' }, [
      el('h2', { text: 'Studies (' + data.studies.length + ')' }),
      data.studies.length === 0 ? el('p', { class: 'muted', text: 'This storage has no studies yet: start one with `hyperzone run SPEC`.' })
        : el('div', { class: 'table-wrap' }, [el('table', { id: 'studies' }, [el('thead', {}, [el('tr', {}, head)]), el('tbody', {}, rows)])]),
    ]));
  }

  function pollList() {
    api('studies').then(function (d) {
      if (view !== null) return;
      renderList(d);
      markLive(true);
    }, function (e) {
      markLive(false);
      showError(app, e);
    }).finally(function () { if (view === null) schedule(pollList); });
  }

  // ---- the study page ----

  function card(id, title, extra) {
    return el('section', { class: 'card', id: id + '-card' }, [el('h2', { text: title })].concat(extra || []));
  }

  function buildStudyPage(name) {
    const v = {
      name: name, version: -1, summary: null, sort: 'number', order: 'asc', states: [], page: 1, limit: 25, selected: null,
      x: null, y: null, epochIndex: null, bestBy: 'epochs', sliceParam: null, parallelData: null, surfaceStage: null,
      parts: {},
    };
    const p = v.parts;
    p.summary = el('div', { class: 'card summary', id: 'summary' });
    p.bestBy = el('select', { id: 'best-by', onchange: function () { v.bestBy = p.bestBy.value; drawBest(v); } }, [
      el('option', { value: 'epochs', text: 'cumulative epochs' }), el('option', { value: 'seconds', text: 'cumulative seconds' })]);
    p.best = el('div', { class: 'plot', id: 'best' });
    p.importance = el('div', { class: 'bars', id: 'importance' });
    p.importanceNote = el('p', { class: 'note' });
    p.xSel = el('select', { id: 'surface-x', onchange: function () { v.x = p.xSel.value; drawSurface(v); } });
    p.ySel = el('select', { id: 'surface-y', onchange: function () { v.y = p.ySel.value; drawSurface(v); } });
    p.epoch = el('input', { id: 'epoch', type: 'range', min: '0', max: '0', step: '1', value: '0' });
    p.epoch.addEventListener('input', function () { v.epochIndex = Number(p.epoch.value); drawSurface(v); });
    p.epochLabel = el('span', { class: 'epoch-label', id: 'epoch-label' });
    p.surface3d = el('div', { class: 'plot tall', id: 'surface3d' });
    p.heatmap = el('div', { class: 'plot tall', id: 'heatmap' });
    p.surfaceNote = el('p', { class: 'note', id: 'surface-note' });
    p.stageSel = el('select', { id: 'surface-stage', onchange: function () { v.surfaceStage = p.stageSel.value; drawSurface(v); } });
    p.stageLabel = el('label', { text: 'trials:' });
    // The zone strategy's card: shown once the summary says the study used it.
    p.zoneSteps = el('div', { class: 'zone-steps', id: 'zone-steps' });
    p.zoneDocs = el('div', { class: 'zone-docs', id: 'zone-docs' });
    p.forest = el('div', { class: 'plot', id: 'forest' });
    p.forestNote = el('div', { class: 'verdicts', id: 'verdicts' });
    p.zonesCard = el('section', { class: 'card', id: 'zones-card', style: 'display:none' }, [
      el('h2', { text: 'Zone strategy: stages and their documents' }), p.zoneSteps, p.zoneDocs,
      el('h2', { text: 'Stage 4: confirmation over seeds (mean and 95% interval)', class: 'sub' }), p.forest, p.forestNote]);
    p.parallel = el('div', { class: 'plot', id: 'parallel' });
    p.parallelNote = el('p', { class: 'note' });
    p.sliceSel = el('select', { id: 'slice-param', onchange: function () { v.sliceParam = p.sliceSel.value; drawSlice(v); } });
    p.slice = el('div', { class: 'plot', id: 'slice' });
    p.pareto = el('div', { class: 'plot', id: 'size' });
    p.paretoNote = el('div', { class: 'note', id: 'size-note' });
    p.stateBoxes = el('span', {}, ['complete', 'running', 'waiting', 'pruned', 'failed'].map(function (s) {
      const box = el('input', { type: 'checkbox', value: s, 'data-state': s });
      box.addEventListener('change', function () {
        v.states = Array.from(p.stateBoxes.querySelectorAll('input:checked')).map(function (b) { return b.value; });
        v.page = 1;
        drawTrials(v);
      });
      return el('label', {}, [box, ' ' + s + ' ']);
    }));
    p.limitSel = el('select', { id: 'page-size', onchange: function () { v.limit = Number(p.limitSel.value); v.page = 1; drawTrials(v); } },
      [25, 50, 100, 200].map(function (n) { return el('option', { value: String(n), text: n + ' rows' }); }));
    p.table = el('table', { id: 'trials' });
    p.pager = el('div', { class: 'pager' });
    p.curve = el('div', { class: 'plot', id: 'curve' });
    p.curveTitle = el('h2', { text: 'Learning curves: click a trial in the table' });
    p.workers = el('div', { class: 'table-wrap', id: 'workers' });

    app.replaceChildren(
      p.summary,
      p.zonesCard,
      el('div', { class: 'grid2' }, [
        card('best', 'Best so far against compute', [el('div', { class: 'controls' }, [el('label', { text: 'compute:' }), p.bestBy]), p.best,
          el('p', { class: 'note', text: 'Compute counts every finished trial, pruned and failed ones too; each step is a new best.' })]),
        card('importance', 'Parameter importance (main effects)', [p.importance, p.importanceNote]),
      ]),
      card('surface', 'Objective surface over two params, by epoch', [
        el('div', { class: 'controls' }, [el('label', { text: 'x:' }), p.xSel, el('label', { text: 'y:' }), p.ySel,
          el('label', { text: 'epoch:' }), p.epoch, p.epochLabel, p.stageLabel, p.stageSel]),
        el('div', { class: 'grid2' }, [p.surface3d, p.heatmap]), p.surfaceNote]),
      el('div', { class: 'grid2' }, [
        card('parallel', 'Parallel coordinates', [p.parallel, p.parallelNote]),
        card('slice', 'Slice plot', [el('div', { class: 'controls' }, [el('label', { text: 'param:' }), p.sliceSel]), p.slice]),
      ]),
      card('trials', 'Trials', [el('div', { class: 'controls' }, [el('label', { text: 'show:' }), p.stateBoxes, p.limitSel]),
        el('div', { class: 'table-wrap' }, [p.table]), p.pager]),
      el('div', { class: 'grid2' }, [
        el('section', { class: 'card', id: 'curve-card' }, [p.curveTitle, p.curve]),
        el('div', {}, [card('workers', 'Workers', [p.workers]), card('size', 'Objective against trainable parameters', [p.pareto, p.paretoNote])]),
      ]),
    );
    return v;
  }

  // The summary is asked for every POLL_MS whatever the charts are doing; what changed (its `version`) is redrawn, the
  // table at once, the charts one redraw at a time (a change seen during a redraw is drawn right after it).
  function pollStudy(v) {
    v.polls = (v.polls || 0) + 1;
    api('studies/' + encodeURIComponent(v.name)).then(function (s) {
      if (view !== v) return;
      markLive(true);
      v.summary = s;
      drawSummary(v);
      if (v.polls % 4 === 1) drawWorkers(v);
      if (s.version !== v.version) redraw(v, s.version);
    }, function (e) {
      markLive(false);
      if (v.version === -1) showError(app, e);
    }).finally(function () { if (view === v) schedule(function () { pollStudy(v); }); });
  }

  // The table (and counts) redraw at once on every change; the charts, heavier (the 3D surface is WebGL), one redraw at
  // a time and at most every CHART_MS, so a study that changes many times a second keeps the page responsive.
  const CHART_MS = 2000;
  function redraw(v, version) {
    v.version = version;
    const table = drawTrials(v);
    if (v.drawing) { v.pending = true; return; }
    v.drawing = true;
    document.body.setAttribute('data-charts', 'busy');
    const started = Date.now();
    // The charts start once the new rows are painted, so a slow WebGL redraw never holds back the table.
    table.then(afterPaint).then(function () {
      return Promise.all([drawBest(v), drawImportance(v), drawSurfaceControls(v), drawParallel(v), drawWorkers(v), drawZones(v)]);
    }).finally(function () {
      setTimeout(function () {
        v.drawing = false;
        if (v.pending && view === v) { v.pending = false; redraw(v, v.version); } else document.body.setAttribute('data-charts', 'idle');
      }, Math.max(0, CHART_MS - (Date.now() - started)));
    });
  }

  function drawSummary(v) {
    const s = v.summary;
    const c = s.counts;
    v.parts.summary.replaceChildren(
      el('h1', { text: s.name }),
      el('span', { text: s.metric + ' (' + s.direction + ')' }),
      el('span', {}, ['best ', el('span', { class: 'big', id: 'best-value', text: s.best ? num(s.best.value) : '–' }),
        s.best ? el('span', { class: 'muted', text: ' trial #' + s.best.number }) : null]),
      // A large study is read in pages when the dashboard first opens it: say how far, the charts cover what is in.
      s.loading ? el('span', { class: 'loading', id: 'loading', text: 'reading trials: ' + num(s.loading.loaded) + ' of ' + num(s.loading.total)
        + ' (the charts and table show those so far)' }) : '',
      el('div', { class: 'chips', id: 'counts' }, [el('span', { class: 'chip', text: num(s.total) + ' trials' })].concat(
        ['complete', 'running', 'waiting', 'pruned', 'failed'].map(function (k) { return el('span', { class: 'chip', text: num(c[k]) + ' ' + k }); }),
        Object.keys(s.stages).map(function (k) { return el('span', { class: 'chip', text: 'zones ' + k + ': ' + num(s.stages[k]) }); }))),
    );
    crumb.textContent = '/ ' + s.name;
  }

  // Table ---------------------------------------------------------------

  function drawTrials(v) {
    const q = { sort: v.sort, order: v.order, page: String(v.page), limit: String(v.limit) };
    if (v.states.length) q.state = v.states.join(',');
    return api('studies/' + encodeURIComponent(v.name) + '/trials', q).then(function (d) {
      if (d.page > d.pages && d.total > 0) { v.page = d.pages; return drawTrials(v); }
      const cols = [['number', '#']].concat(d.params.map(function (n) { return ['param:' + n, n]; }),
        [['state', 'state'], ['value', v.summary.metric], ['epoch', 'epoch'], ['parameters', 'parameters'], ['seconds', 'duration']],
        Object.keys(v.summary.stages).length ? [['stage', 'zone stage']] : []);
      // The header is built once per set of columns and only its classes change after, so a click on it is never lost
      // to a redraw while trials stream in.
      const headKey = cols.map(function (c) { return c[0]; }).join('\n');
      if (v.headKey !== headKey) {
        v.headKey = headKey;
        v.head = el('thead', {}, [el('tr', {}, cols.map(function (c) {
          const th = el('th', { class: 'sortable', 'data-sort': c[0], text: c[1] });
          th.addEventListener('click', function () {
            if (v.sort === c[0]) v.order = v.order === 'asc' ? 'desc' : 'asc';
            else { v.sort = c[0]; v.order = c[0] === 'value' && v.summary.direction === 'maximize' ? 'desc' : 'asc'; }
            v.page = 1;
            drawTrials(v);
          });
          return th;
        }))]);
      }
      for (const th of v.head.querySelectorAll('th')) {
        th.className = 'sortable' + (v.sort === th.getAttribute('data-sort') ? ' sorted' + (v.order === 'desc' ? ' desc' : '') : '');
      }
      const body = d.rows.map(function (r) {
        const tr = el('tr', { class: 'clickable' + (v.selected === r.number ? ' selected' : ''), 'data-number': String(r.number) }, [
          el('td', { class: 'num', text: String(r.number) })].concat(
          d.params.map(function (n) { return el('td', { class: typeof r.params[n] === 'number' ? 'num' : '', text: num(r.params[n]) }); }),
          [el('td', {}, [stateBadge(r.state)]), el('td', { class: 'num', text: num(r.value) }), el('td', { class: 'num', text: num(r.epoch) }),
            el('td', { class: 'num', text: num(r.parameters) }), el('td', { class: 'num', text: duration(r.seconds) })],
          Object.keys(v.summary.stages).length ? [el('td', { text: r.stage || '–' })] : []));
        tr.addEventListener('click', function () { v.selected = r.number; drawCurve(v); drawTrials(v); });
        return tr;
      });
      // data-drawn-at: when these rows went in (the browser test times live updates by it).
      const tbody = el('tbody', { 'data-drawn-at': String(Date.now()) }, body);
      if (v.parts.table.firstChild !== v.head) v.parts.table.replaceChildren(v.head, tbody);
      else v.parts.table.replaceChild(tbody, v.parts.table.lastChild);
      const prev = el('button', { text: '‹ previous', onclick: function () { v.page -= 1; drawTrials(v); } });
      const next = el('button', { text: 'next ›', onclick: function () { v.page += 1; drawTrials(v); } });
      prev.disabled = d.page <= 1;
      next.disabled = d.page >= d.pages;
      v.parts.pager.replaceChildren(prev, el('span', { id: 'page-info', text: 'page ' + d.page + ' of ' + d.pages + ' · ' + num(d.total) + ' trials' }), next);
    }, function (e) { showError(v.parts.pager, e); });
  }

  function drawCurve(v) {
    if (v.selected === null) return Promise.resolve();
    return api('studies/' + encodeURIComponent(v.name) + '/trials/' + v.selected).then(function (t) {
      v.parts.curveTitle.textContent = 'Learning curves of trial #' + t.number + ' (' + t.state + ')';
      const names = [];
      for (const s of t.steps) for (const k of Object.keys(s.metrics)) if (names.indexOf(k) < 0) names.push(k);
      const traces = names.map(function (k) {
        const loss = /loss/i.test(k);
        return { type: 'scatter', mode: 'lines+markers', name: k, yaxis: loss ? 'y2' : 'y', line: { dash: loss ? 'dot' : 'solid' },
          x: t.steps.filter(function (s) { return k in s.metrics; }).map(function (s) { return s.step; }),
          y: t.steps.filter(function (s) { return k in s.metrics; }).map(function (s) { return s.metrics[k]; }) };
      });
      Plotly.react(v.parts.curve, traces, {
        font: font, margin: { l: 60, r: 60, t: 10, b: 45 }, legend: { orientation: 'h', y: -0.2 },
        xaxis: { title: { text: 'epoch (step)' } }, yaxis: { title: { text: 'metric' } },
        yaxis2: { title: { text: 'loss' }, overlaying: 'y', side: 'right', showgrid: false },
        annotations: traces.length ? [] : [{ text: 'no steps reported yet', showarrow: false, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5 }],
      }, plotConfig);
    }, function (e) { showError(v.parts.curve, e); });
  }

  // Workers -------------------------------------------------------------

  function drawWorkers(v) {
    return api('studies/' + encodeURIComponent(v.name) + '/workers').then(function (d) {
      if (d.workers.length === 0) { v.parts.workers.replaceChildren(el('p', { class: 'muted', text: 'No worker has reported a heartbeat for this study.' })); return; }
      const head = el('tr', {}, ['worker', 'host', 'pid', 'last heartbeat', 'running trials'].map(function (h) { return el('th', { text: h }); }));
      const rows = d.workers.map(function (w) {
        return el('tr', {}, [el('td', { text: w.id }), el('td', { text: w.host }), el('td', { class: 'num', text: String(w.pid) }),
          el('td', { text: duration(w.secondsSinceHeartbeat) + ' ago' }), el('td', { text: w.running.length ? w.running.map(function (n) { return '#' + n; }).join(', ') : '–' })]);
      });
      v.parts.workers.replaceChildren(el('table', {}, [el('thead', {}, [head]), el('tbody', {}, rows)]));
    }, function (e) { showError(v.parts.workers, e); });
  }

  // Best so far ---------------------------------------------------------

  function drawBest(v) {
    return api('studies/' + encodeURIComponent(v.name) + '/best', { by: v.bestBy }).then(function (d) {
      const xs = d.points.map(function (p) { return p.compute; });
      const ys = d.points.map(function (p) { return p.best; });
      Plotly.react(v.parts.best, [{
        type: 'scatter', mode: 'lines+markers', line: { shape: 'hv', color: '#2f5fd0' }, x: xs, y: ys,
        text: d.points.map(function (p) { return 'trial #' + p.number; }), hovertemplate: '%{text}<br>best %{y}<br>after %{x} ' + d.by + '<extra></extra>',
      }], {
        font: font, margin: { l: 60, r: 20, t: 10, b: 45 }, showlegend: false,
        xaxis: { title: { text: d.by === 'epochs' ? 'epochs trained (all finished trials)' : 'seconds of training (all finished trials)' } },
        yaxis: { title: { text: 'best ' + v.summary.metric } },
        annotations: xs.length ? [] : [{ text: 'no complete trial yet', showarrow: false, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5 }],
      }, plotConfig);
    }, function (e) { showError(v.parts.best, e); });
  }

  // Importance ----------------------------------------------------------

  function drawImportance(v) {
    return api('studies/' + encodeURIComponent(v.name) + '/importance').then(function (d) {
      const ps = d.params.slice().reverse();
      Plotly.react(v.parts.importance, [{
        type: 'bar', orientation: 'h', x: ps.map(function (p) { return p.share; }), y: ps.map(function (p) { return p.param; }),
        text: ps.map(function (p) { return (100 * p.share).toFixed(1) + '%'; }), textposition: 'auto', marker: { color: '#2f5fd0' },
        hovertemplate: '%{y}: %{x:.1%} of the variance<extra></extra>',
      }], {
        font: font, margin: { l: 120, r: 20, t: 10, b: 45 }, xaxis: { title: { text: 'share of the objective\'s variance' }, tickformat: '.0%', rangemode: 'tozero' },
        yaxis: { automargin: true },
      }, plotConfig);
      v.parts.importanceNote.textContent = 'What this is: for each param alone, the share of the variance of ' + v.summary.metric + ' over the ' + num(d.trials)
        + ' complete trials that its value (binned like the surface axes) explains, adjusted for the number of groups (ε²: the raw correlation ratio η² grows with the groups whatever the param does), a main effect as in'
        + ' fANOVA but on the observed values, not on a fitted model. Interactions are not split out.';
    }, function (e) { showError(v.parts.importance, e); });
  }

  // Zone strategy ---------------------------------------------------------

  const ZONE_STAGES = ['zones', 'refine', 'schedules', 'confirm'];
  const STAGE_TITLES = { zones: 'stage 1: zones', refine: 'stage 2: refine', schedules: 'stage 3: schedules', confirm: 'stage 4: confirm' };
  const ZONE_COLORS = ['#f15bb5', '#ff9f1c', '#ffffff', '#9b5de5'];
  // How each kind of mark is drawn: name (legend), colour, symbol, and its corner of the heatmap cell.
  const MARK_STYLES = [
    { kind: 'extent', name: 'zone (stage 1)' },
    { kind: 'peak', name: 'zone peak', color: '#ffffff', symbol: 'triangle-up', symbol3d: 'diamond', size: 11, size3d: 6, dx: -0.3, dy: 0.3 },
    { kind: 'line', name: 'stage-2 line point', color: '#c9d3e6', symbol: 'circle', symbol3d: 'circle', size: 6, size3d: 3, dx: -0.3, dy: -0.3 },
    { kind: 'candidate', name: 'refined candidate', color: '#00bbf9', symbol: 'circle', symbol3d: 'circle', size: 10, size3d: 5, dx: -0.3, dy: -0.3 },
    { kind: 'baseline', name: 'plain-grid best', color: '#ffd23f', symbol: 'square', symbol3d: 'square', size: 10, size3d: 5, dx: 0.3, dy: 0.3 },
    { kind: 'selected', name: 'selected in stage 4', color: '#e4572e', symbol: 'star', symbol3d: 'cross', size: 16, size3d: 7, dx: 0.3, dy: -0.3 },
  ];

  function markGroups(marks) {
    return MARK_STYLES.map(function (st) {
      return Object.assign({ marks: (marks || []).filter(function (m) { return m.kind === st.kind; }) }, st);
    }).filter(function (g) { return g.marks.length > 0; });
  }

  function paramsText(p) {
    return Object.keys(p).map(function (k) { return k + '=' + num(p[k]); }).join(' ');
  }

  function ci(m) {
    if (!m) return '–';
    return num(m.mean) + ' ± ' + (m.halfWidth === null || m.halfWidth === undefined || !Number.isFinite(m.halfWidth) ? '?' : m.halfWidth.toFixed(4)) + (m.n !== undefined ? ' (n=' + m.n + ')' : '');
  }

  function smallTable(head, rows, id) {
    return el('div', { class: 'table-wrap' }, [el('table', id ? { id: id } : {}, [el('thead', {}, [el('tr', {}, head.map(function (h) { return el('th', { text: h }); }))]),
      el('tbody', {}, rows.map(function (r) { return el('tr', {}, r.map(function (c) { return typeof c === 'object' && c !== null ? el('td', {}, [c]) : el('td', { class: typeof c === 'number' ? 'num' : '', text: c === null || c === undefined ? '–' : (typeof c === 'number' ? num(c) : String(c)) }); })); }))])]);
  }

  // Each stage's document as the CLI prints it (src/reports/zones-report.ts), in tables.
  function stageDoc(st, metric) {
    const o = st.output;
    const parts = [el('h3', { text: STAGE_TITLES[st.stage] })];
    if (!o) {
      parts.push(el('p', { class: 'muted', text: st.status === 'running' ? 'running: ' + num(st.planned) + ' planned trial(s) still to finish.' : (st.note || 'not started') }));
      return el('div', { class: 'zone-doc', 'data-stage': st.stage }, parts);
    }
    if (st.stage === 'zones') {
      parts.push(el('p', { class: 'note', text: num(o.points) + ' grid points' + (o.epoch !== null ? ', read at epoch ' + o.epoch : '') + '. Noise band: '
        + (o.noise.note || (o.noise.source + (o.noise.sd !== null && o.noise.sd !== undefined ? ', sd ' + num(o.noise.sd) : ''))) + '.' }));
      const epochs = o.persistenceEpochs || [];
      parts.push(smallTable(['zone', 'peak', metric, 'runs', 'prominence', 'extent'].concat(epochs.length ? ['persists at ' + epochs.join('/')] : []),
        o.zones.map(function (z) {
          return [z.rank, paramsText(z.peak), z.value, z.n, z.prominence, z.extent.length + ' points'].concat(epochs.length ? [epochs.map(function (e) { return z.persistsAt && z.persistsAt.indexOf(e) >= 0 ? String(e) : '–'; }).join(' ')] : []);
        }), 'zones-table'));
      parts.push(el('p', { class: 'note', text: 'plain grid best: ' + paramsText(o.gridBest.params) + ' → ' + num(o.gridBest.value) }));
    } else if (st.stage === 'refine') {
      parts.push(el('p', { class: 'note', text: o.lines.length + ' line searches through the zones\' peaks; potentially optimal configurations:' }));
      parts.push(smallTable(['zone', 'configuration', metric, 'found by'], o.candidates.map(function (c) { return [c.zone, paramsText(c.params), c.value, c.source]; }), 'candidates-table'));
    } else if (st.stage === 'schedules') {
      parts.push(smallTable(['configuration', 'schedule', metric, 'runs'], o.ranking.slice(0, 8).map(function (r) {
        const p = Object.assign({}, r.params); delete p.lr_schedule;
        return [paramsText(p), r.schedule, r.value, r.n];
      })));
      if (o.ranking.length > 8) parts.push(el('p', { class: 'note', text: 'best 8 of ' + o.ranking.length + ' candidate × schedule runs' }));
      if (o.surveyRank) parts.push(el('p', { class: 'note', text: 'Did the survey\'s ranking hold? Spearman ρ between epoch ' + o.surveyRank.epoch + ' and epoch ' + o.surveyRank.final + ': ' + o.surveyRank.rho.toFixed(2) }));
    } else if (st.stage === 'confirm') {
      parts.push(el('p', { class: 'note', text: 'selected: ' + o.best + (o.selectedBy ? ', by ' + o.selectedBy : '') }));
      parts.push(smallTable(['configuration', o.metric + ' (validation)', o.testMetric + ' (test)'], o.configs.map(function (c) {
        const role = c.label === o.best ? 'selected' : (c.baseline ? 'plain-grid best' : '');
        return [el('span', {}, [c.label, role ? el('span', { class: 'role', text: role }) : null]), ci(c.validation), c.test ? ci(c.test) : '–'];
      }), 'confirm-table'));
    }
    return el('div', { class: 'zone-doc', 'data-stage': st.stage }, parts);
  }

  function drawZones(v) {
    if (v.summary.strategy !== 'zones') { v.parts.zonesCard.style.display = 'none'; return Promise.resolve(); }
    v.parts.zonesCard.style.display = '';
    return api('studies/' + encodeURIComponent(v.name) + '/zones').then(function (d) {
      const metric = v.summary.metric;
      v.parts.zoneSteps.replaceChildren.apply(v.parts.zoneSteps, d.stages.map(function (st) {
        const t = st.trials;
        const counts = [num(t.complete) + ' complete'].concat(t.running ? [num(t.running) + ' running'] : [], t.waiting ? [num(t.waiting) + ' waiting'] : [],
          t.failed ? [num(t.failed) + ' failed'] : [], t.pruned ? [num(t.pruned) + ' pruned'] : []).join(', ');
        return el('div', { class: 'zone-step ' + st.status, 'data-stage': st.stage, 'data-status': st.status }, [
          el('div', { class: 'zone-step-title', text: STAGE_TITLES[st.stage] }),
          el('span', { class: 'state ' + ({ done: 'complete', running: 'running', waiting: 'waiting', error: 'failed' })[st.status], text: st.status }),
          el('div', { class: 'muted', text: counts + ' · ' + num(st.epochs) + ' epochs' }),
        ]);
      }));
      v.parts.zoneDocs.replaceChildren.apply(v.parts.zoneDocs, d.stages.map(function (st) { return stageDoc(st, metric); }));
      drawForest(v, d.confirm);
    }, function (e) { showError(v.parts.zoneDocs, e); });
  }

  // Stage 4's forest plot: each confirmed configuration's mean and 95% interval over seeds, on validation (which
  // selects) and test (reported); the selected one a red diamond with a dashed line at its mean, the baseline a square.
  function drawForest(v, c) {
    if (!c) {
      Plotly.purge(v.parts.forest);
      v.parts.forest.replaceChildren(el('p', { class: 'muted', text: 'Stage 4 has not finished: its forest plot and verdicts come when it does.' }));
      v.parts.forestNote.replaceChildren();
      return;
    }
    if (v.parts.forest.firstChild && v.parts.forest.firstChild.tagName === 'P') v.parts.forest.replaceChildren();
    const rows = c.configs.slice().reverse();
    const withTest = rows.every(function (r) { return r.test; });
    const panels = [{ get: function (r) { return r.validation; }, name: c.metric + ' (validation, selects)', axis: '' }]
      .concat(withTest ? [{ get: function (r) { return r.test; }, name: c.testMetric + ' (test, reported)', axis: '2' }] : []);
    const style = function (r) {
      if (r.label === c.best) return { symbol: 'diamond', color: '#e4572e', size: 13 };
      if (r.baseline) return { symbol: 'square', color: '#ffb000', size: 11 };
      return { symbol: 'circle', color: '#2f5fd0', size: 9 };
    };
    const traces = [];
    const shapes = [];
    const picked = rows.filter(function (r) { return r.label === c.best; })[0];
    panels.forEach(function (p) {
      traces.push({ type: 'scatter', mode: 'markers', xaxis: 'x' + p.axis, yaxis: 'y', showlegend: false, name: p.name,
        x: rows.map(function (r) { return p.get(r).mean; }), y: rows.map(function (r) { return r.label; }),
        error_x: { type: 'data', symmetric: false, array: rows.map(function (r) { return p.get(r).high - p.get(r).mean; }),
          arrayminus: rows.map(function (r) { return p.get(r).mean - p.get(r).low; }), color: '#5d6675', thickness: 1.5, width: 4 },
        marker: { symbol: rows.map(function (r) { return style(r).symbol; }), color: rows.map(function (r) { return style(r).color; }),
          size: rows.map(function (r) { return style(r).size; }), line: { color: '#1d2330', width: 1 } },
        text: rows.map(function (r) { return ci(p.get(r)); }), hovertemplate: '%{y}<br>' + p.name + ': %{text}<extra></extra>' });
      if (picked) {
        shapes.push({ type: 'line', xref: 'x' + p.axis, yref: 'paper', x0: p.get(picked).mean, x1: p.get(picked).mean, y0: 0, y1: 1,
          line: { color: '#e4572e', width: 1.2, dash: 'dash' } });
      }
    });
    const layout = {
      font: font, margin: { l: 20, r: 20, t: 30, b: 45 }, height: Math.max(220, 60 + rows.length * 42), shapes: shapes,
      yaxis: { automargin: true, tickfont: { size: 11 } },
      xaxis: { domain: withTest ? [0, 0.48] : [0, 1], title: { text: panels[0].name }, zeroline: false },
    };
    if (withTest) layout.xaxis2 = { domain: [0.52, 1], title: { text: panels[1].name }, zeroline: false, anchor: 'y' };
    v.parts.forest.style.height = layout.height + 'px';
    Plotly.react(v.parts.forest, traces, layout, plotConfig);
    const own = c.verdicts || [];
    const verdicts = own.concat(c.improvement && c.improvement.verdict && own.indexOf(c.improvement.verdict) < 0 ? [c.improvement.verdict] : []);
    v.parts.forestNote.replaceChildren(el('p', { class: 'note', text: 'Red diamond: the configuration selected (by ' + (c.selectedBy || 'stage 3') + '); square: the plain grid\'s best rerun; dashed: the selected mean. Verdicts:' }),
      el('ul', { id: 'verdict-list' }, verdicts.map(function (t) { return el('li', { text: t }); })));
  }

  // Surface -------------------------------------------------------------

  function fillSelect(sel, names, current) {
    const have = Array.from(sel.options).map(function (o) { return o.value; }).join('\n');
    if (have !== names.join('\n')) sel.replaceChildren.apply(sel, names.map(function (n) { return el('option', { value: n, text: n }); }));
    sel.value = current;
  }

  function drawSurfaceControls(v) {
    const s = v.summary;
    const names = s.params.map(function (p) { return p.name; });
    if (names.length < 2) {
      v.parts.surfaceNote.textContent = 'The surface needs two params; this study has ' + names.length + '.';
      return Promise.resolve();
    }
    const varied = s.params.filter(function (p) { return p.distinct > 1; });
    const numeric = varied.filter(function (p) { return p.numeric; }).concat(varied.filter(function (p) { return !p.numeric; }), s.params);
    if (v.x === null || names.indexOf(v.x) < 0) v.x = numeric[0].name;
    if (v.y === null || names.indexOf(v.y) < 0 || v.y === v.x) v.y = numeric.filter(function (p) { return p.name !== v.x; })[0].name;
    fillSelect(v.parts.xSel, names, v.x);
    fillSelect(v.parts.ySel, names, v.y);
    // Zone-strategy studies: which stage's trials the surface shows (stage 1's grid by default, as the zones were read).
    const stages = ZONE_STAGES.filter(function (k) { return s.stages[k] !== undefined; })
      .concat(Object.keys(s.stages).filter(function (k) { return ZONE_STAGES.indexOf(k) < 0; }));
    v.parts.stageSel.style.display = v.parts.stageLabel.style.display = stages.length ? '' : 'none';
    if (stages.length) {
      if (v.surfaceStage === null || (v.surfaceStage !== 'all' && stages.indexOf(v.surfaceStage) < 0)) v.surfaceStage = stages.indexOf('zones') >= 0 ? 'zones' : 'all';
      const have = Array.from(v.parts.stageSel.options).map(function (o) { return o.value; }).join('\n');
      if (have !== ['all'].concat(stages).join('\n')) {
        v.parts.stageSel.replaceChildren.apply(v.parts.stageSel, [el('option', { value: 'all', text: 'every stage' })].concat(stages.map(function (k) {
          return el('option', { value: k, text: (STAGE_TITLES[k] || k) + ' only' });
        })));
      }
      v.parts.stageSel.value = v.surfaceStage;
    } else v.surfaceStage = 'all';
    if (v.sliceParam === null) v.sliceParam = v.x;
    fillSelect(v.parts.sliceSel, names, v.sliceParam);
    // The slider's stops: every epoch reported, then the final objective value; it keeps its epoch as new ones arrive.
    const stops = s.epochs.concat(['final']);
    const keep = v.epochStops && v.epochIndex !== null ? v.epochStops[v.epochIndex] : undefined;
    v.epochStops = stops;
    let i = keep === undefined ? stops.length - 1 : stops.indexOf(keep);
    if (i < 0) i = stops.length - 1;
    v.epochIndex = i;
    v.parts.epoch.max = String(stops.length - 1);
    v.parts.epoch.value = String(i);
    return drawSurface(v);
  }

  // Both views put the cells at even steps (0, 1, 2, ...) labelled with their values, as a grid search's axes are read
  // (16, 32, ..., 512 evenly, not bunched at one end); binned axes are labelled with each bin's centre in 3D.
  function axisLayout(a, forHeatmap) {
    // The heatmap: cells at 0, 1, 2, ... labelled with their values, so marks can sit anywhere in a cell.
    if (forHeatmap) {
      return { title: { text: a.param + (a.log ? ' (log scale)' : '') }, automargin: true, zeroline: false, showgrid: false,
        tickvals: cellIndex(a), ticktext: a.labels, range: [-0.5, a.labels.length - 0.5] };
    }
    const title = { text: a.param + (a.log ? ' (log)' : '') };
    const labels = a.kind === 'bins' ? a.positions.map(num) : a.labels;
    const every = Math.max(1, Math.ceil(labels.length / 8));
    const ticks = a.positions.map(function (_, i) { return i; }).filter(function (i) { return i % every === 0; });
    return { title: title, tickvals: ticks, ticktext: ticks.map(function (i) { return labels[i]; }) };
  }

  function cellIndex(a) {
    return a.positions.map(function (_, i) { return i; });
  }

  function drawSurface(v) {
    if (v.x === null || v.y === null) return Promise.resolve();
    if (v.x === v.y) { v.parts.surfaceNote.textContent = 'Pick two different params.'; return Promise.resolve(); }
    const stop = v.epochStops[v.epochIndex];
    v.parts.epochLabel.textContent = stop === 'final' ? 'final value' : 'epoch ' + stop;
    const req = { x: v.x, y: v.y, epoch: String(stop), stage: v.surfaceStage || 'all' };
    const asked = JSON.stringify(req);
    v.surfaceAsked = asked;
    const zoned = v.summary.strategy === 'zones';
    return Promise.all([api('studies/' + encodeURIComponent(v.name) + '/surface', req),
      zoned ? api('studies/' + encodeURIComponent(v.name) + '/zones', { x: v.x, y: v.y, stage: req.stage }) : null]).then(function (both) {
      const d = both[0];
      const marks = both[1] ? both[1].marks : [];
      if (v.surfaceAsked !== asked) return; // the slider moved on meanwhile
      const metric = v.summary.metric;
      const what = (d.epoch === null ? metric + ' (final)' : metric + ' at epoch ' + d.epoch);
      const hover = d.z.map(function (row, yi) {
        return row.map(function (z, xi) {
          return d.x.param + ' ' + d.x.labels[xi] + '<br>' + d.y.param + ' ' + d.y.labels[yi] + '<br>' + (z === null ? 'no trial' : 'mean ' + num(z) + ' over ' + d.n[yi][xi]);
        });
      });
      const traces3d = [{
        type: 'surface', x: cellIndex(d.x), y: cellIndex(d.y), z: d.z, text: hover, hoverinfo: 'text', colorscale: 'Viridis',
        colorbar: { title: { text: metric, side: 'right' }, len: 0.8, thickness: 14 }, connectgaps: false,
      }];
      if (d.best) {
        traces3d.push({ type: 'scatter3d', mode: 'markers', name: 'best cell', x: [d.best.xi], y: [d.best.yi], z: [d.best.value],
          marker: { size: 6, color: '#e4572e', symbol: 'diamond' }, hovertemplate: 'best cell: %{z}<extra></extra>' });
      }
      // The zone strategy's marks in 3D: on the cell's mean where the surface has one, else at the mark's own value.
      for (const g of markGroups(marks)) {
        if (g.kind === 'extent') continue;
        const ms = g.marks;
        traces3d.push({ type: 'scatter3d', mode: 'markers', name: g.name, x: ms.map(function (m) { return m.xi; }), y: ms.map(function (m) { return m.yi; }),
          z: ms.map(function (m) { const c = d.z[m.yi] ? d.z[m.yi][m.xi] : undefined; return c !== null && c !== undefined ? c : m.value; }),
          text: ms.map(function (m) { return m.label; }), hovertemplate: '%{text}<extra></extra>',
          marker: { size: g.size3d, color: g.color, symbol: g.symbol3d, line: { color: '#1d2330', width: 1 } } });
      }
      Plotly.react(v.parts.surface3d, traces3d, {
        font: font, margin: { l: 0, r: 0, t: 30, b: 0 }, showlegend: false,
        title: { text: what, font: { size: 13 } },
        scene: { xaxis: axisLayout(d.x, false), yaxis: axisLayout(d.y, false), zaxis: { title: { text: metric } },
          camera: { eye: { x: 1.6, y: -1.6, z: 1.0 } } },
      }, plotConfig);
      const texts = d.z.map(function (row) { return row.map(function (z) { return z === null ? '' : num(z); }); });
      const heat = [{
        type: 'heatmap', x: cellIndex(d.x), y: cellIndex(d.y), z: d.z, text: texts, texttemplate: d.x.labels.length * d.y.labels.length <= 100 ? '%{text}' : '',
        customdata: hover, hovertemplate: '%{customdata}<extra></extra>',
        colorscale: 'Viridis', colorbar: { title: { text: metric, side: 'right' }, thickness: 14 }, xgap: 1, ygap: 1, hoverongaps: false,
      }];
      const shapes = d.best ? [{ type: 'rect', xref: 'x', yref: 'y', x0: d.best.xi - 0.5, x1: d.best.xi + 0.5, y0: d.best.yi - 0.5, y1: d.best.yi + 0.5,
        line: { color: '#e4572e', width: 3 } }] : [];
      // Zones: each zone's cells outlined (dashed, one colour per zone); the other marks as symbols over the cells.
      for (const m of marks) {
        if (m.kind !== 'extent') continue;
        shapes.push({ type: 'rect', xref: 'x', yref: 'y', x0: m.xi - 0.5, x1: m.xi + 0.5, y0: m.yi - 0.5, y1: m.yi + 0.5,
          line: { color: ZONE_COLORS[(m.zone - 1) % ZONE_COLORS.length], width: 2.5, dash: 'dash' } });
      }
      for (const g of markGroups(marks)) {
        if (g.kind === 'extent') continue;
        // Each kind of mark sits in its own corner of the cell, so the cell's value and the other marks stay readable.
        // A mark between grid values (a refined point) sits where its value falls, not in a corner.
        const off = function (p, d) { return Number.isInteger(p) ? p + d : p; };
        heat.push({ type: 'scatter', mode: 'markers', name: g.name, x: g.marks.map(function (m) { return off(m.xi, g.dx); }),
          y: g.marks.map(function (m) { return off(m.yi, g.dy); }), text: g.marks.map(function (m) { return m.label; }), hovertemplate: '%{text}<extra></extra>',
          marker: { size: g.size, color: g.color, symbol: g.symbol, line: { color: '#1d2330', width: 1.2 } } });
      }
      const withMarks = marks.length > 0;
      Plotly.react(v.parts.heatmap, heat, {
        font: font, margin: { l: 90, r: 10, t: 30, b: withMarks ? 110 : 80 }, title: { text: what, font: { size: 13 } },
        xaxis: axisLayout(d.x, true), yaxis: axisLayout(d.y, true), shapes: shapes, plot_bgcolor: '#f4f6f9',
        showlegend: withMarks, legend: { orientation: 'h', y: -0.22, x: 0, font: { size: 11 } },
      }, plotConfig);
      v.parts.surface3d.setAttribute('data-epoch', String(d.epoch));
      v.parts.surfaceNote.textContent = 'Each cell is the mean of ' + what + ' over its trials (seeds and repeats), ' + num(d.trials)
        + ' trials in all; empty cells had none'
        + (d.epoch === null ? '' : ' reaching that epoch') + '. ' + (d.x.kind === 'bins' || d.y.kind === 'bins' ? 'Params with many distinct values are binned (16 bins, log-spaced on log axes). ' : '')
        + 'The red mark is the best cell.'
        + (zoned ? ' Zone strategy: dashed outlines are the zones found in stage 1 (one colour per zone), with their peaks, the points stage 2\'s line searches ran,'
          + ' the refined candidates, the plain grid\'s best and the configuration stage 4 selected (hover for each).'
          + (v.surfaceStage === 'zones' ? ' Points between grid values (stage 2\'s) sit where their values fall between the cells.' : '') : '');
    }, function (e) { showError(v.parts.surfaceNote, e); });
  }

  // Parallel coordinates, slice plot and size -----------------------------

  function drawParallel(v) {
    return api('studies/' + encodeURIComponent(v.name) + '/parallel').then(function (d) {
      v.parallelData = d;
      const objective = d.dimensions[d.dimensions.length - 1];
      const dims = d.dimensions.map(function (dim) {
        const out = { label: dim.label, values: dim.values };
        if (dim.categories) { out.tickvals = dim.categories.map(function (_, i) { return i; }); out.ticktext = dim.categories; }
        if (dim.log) {
          // parcoords has no log axis: the values go as log10, with the server's ticks (d3's) put where they fall.
          out.values = dim.values.map(function (x) { return Math.log10(x); });
          if (dim.ticks) { out.tickvals = dim.ticks.values.map(function (t) { return Math.log10(t); }); out.ticktext = dim.ticks.labels; }
          out.label = dim.label + ' (log)';
        }
        return out;
      });
      Plotly.react(v.parts.parallel, d.shown ? [{
        // The plot keeps the left 86% so the colour bar sits clear of the last axis and its labels.
        type: 'parcoords', dimensions: dims, domain: { x: [0, 0.86] },
        line: { color: objective.values, colorscale: 'Viridis', showscale: true,
          colorbar: { title: { text: objective.label, side: 'right' }, thickness: 12, x: 0.94, xanchor: 'left' } },
      }] : [], { font: font, margin: { l: 60, r: 40, t: 50, b: 20 } }, plotConfig);
      v.parts.parallelNote.textContent = d.shown === d.total ? 'Every complete trial (' + num(d.total) + '), coloured by ' + objective.label + '.'
        : 'Showing ' + num(d.shown) + ' of ' + num(d.total) + ' complete trials: the best fifth of them plus an even sample of the rest.';
      drawSlice(v);
      if (v.summary && v.summary.objectives && v.summary.objectives.length === 2) return drawPareto(v);
      drawSize(v);
    }, function (e) { showError(v.parts.parallelNote, e); });
  }

  function drawSlice(v) {
    const d = v.parallelData;
    if (!d || v.sliceParam === null) return;
    const dim = d.dimensions.filter(function (x) { return x.label === v.sliceParam; })[0];
    const objective = d.dimensions[d.dimensions.length - 1];
    if (!dim) return;
    Plotly.react(v.parts.slice, [{
      type: 'scatter', mode: 'markers', x: dim.categories ? dim.values.map(function (i) { return dim.categories[i]; }) : dim.values, y: objective.values,
      text: d.numbers.map(function (n) { return 'trial #' + n; }), marker: { color: d.numbers, colorscale: 'Blues', size: 7, opacity: 0.75,
        colorbar: { title: { text: 'trial #', side: 'right' }, thickness: 12 } },
      hovertemplate: '%{text}<br>' + v.sliceParam + ' %{x}<br>' + objective.label + ' %{y}<extra></extra>',
    }], {
      font: font, margin: { l: 60, r: 20, t: 10, b: 45 },
      xaxis: { title: { text: v.sliceParam + (dim.log ? ' (log)' : '') }, type: dim.log ? 'log' : (dim.categories ? 'category' : 'linear') },
      yaxis: { title: { text: objective.label } },
    }, plotConfig);
  }

  function drawSize(v) {
    const d = v.parallelData;
    const size = d.dimensions.filter(function (x) { return x.label === 'parameters'; })[0];
    const objective = d.dimensions[d.dimensions.length - 1];
    if (!size) {
      Plotly.react(v.parts.pareto, [], { font: font,
        annotations: [{ text: 'the trainer reports no `parameters` metric', showarrow: false, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5 }],
        xaxis: { visible: false }, yaxis: { visible: false } }, plotConfig);
      return;
    }
    // The points: the sample parallel coordinates show. The Pareto front (fewest parameters for the objective reached:
    // no trial is both smaller and better) comes from the server over every complete trial, not over the sample.
    const pts = size.values.map(function (s, i) { return { s: s, o: objective.values[i], n: d.numbers[i] }; })
      .filter(function (p) { return !Number.isNaN(p.s); })
      .sort(function (a, b) { return a.s - b.s; });
    const f = d.front || { parameters: [], values: [], numbers: [], trials: 0 };
    Plotly.react(v.parts.pareto, [
      { type: 'scatter', mode: 'markers', name: 'trials', x: pts.map(function (p) { return p.s; }), y: pts.map(function (p) { return p.o; }),
        text: pts.map(function (p) { return 'trial #' + p.n; }), marker: { color: '#9aa6bd', size: 6 } },
      { type: 'scatter', mode: 'lines+markers', name: 'Pareto front', line: { shape: 'hv', color: '#e4572e' }, x: f.parameters,
        y: f.values, text: f.numbers.map(function (n) { return 'trial #' + n; }) },
    ], { font: font, margin: { l: 60, r: 20, t: 10, b: 45 },
      // Ticks from the server (d3's 1-2-5 per decade, labelled in full, not Plotly's bare minor digits).
      xaxis: Object.assign({ title: { text: 'trainable parameters' }, type: 'log' }, d.sizeTicks ? { tickvals: d.sizeTicks.values, ticktext: d.sizeTicks.labels } : {}),
      yaxis: { title: { text: objective.label } }, legend: { orientation: 'h', y: 1.12 } }, plotConfig);
    v.parts.paretoNote.textContent = 'Pareto front over all ' + num(f.trials) + ' complete trials that report `parameters` (' + f.parameters.length + ' on it)'
      + (d.shown < d.total ? '; grey points: the ' + num(d.shown) + ' the parallel coordinates show.' : '.');
  }

  // A two-objective study: its Pareto front over every complete trial (from the server, kept current there), an even
  // sample of the trials around it, the hypervolume and its reference point, and the front listed.
  function drawPareto(v) {
    return api('studies/' + encodeURIComponent(v.name) + '/pareto').then(function (d) {
      const title = document.querySelector('#size-card h2');
      if (title) title.textContent = 'Pareto front: ' + d.y.metric + ' against ' + d.x.metric;
      // Along x ascending, the staircase turns at the corner both neighbours dominate: across then up when x is
      // minimised, up then across when it is maximised.
      const order = d.front.x.map(function (_, i) { return i; }).sort(function (a, b) { return d.front.x[a] - d.front.x[b] || d.front.y[a] - d.front.y[b]; });
      const pick = function (col) { return order.map(function (i) { return col[i]; }); };
      const traces = [
        { type: 'scatter', mode: 'markers', name: 'trials', x: d.points.x, y: d.points.y, text: d.points.numbers.map(function (n) { return 'trial #' + n; }),
          marker: { color: '#9aa6bd', size: 6, opacity: 0.7 }, hovertemplate: '%{text}<br>' + d.y.metric + ' %{y}<br>' + d.x.metric + ' %{x}<extra></extra>' },
        { type: 'scatter', mode: 'lines+markers', name: 'Pareto front (' + num(d.frontTotal) + ')', x: pick(d.front.x), y: pick(d.front.y),
          text: pick(d.front.numbers).map(function (n) { return 'trial #' + n + ' (on the front)'; }), line: { shape: d.x.direction === 'minimize' ? 'hv' : 'vh', color: '#e4572e', width: 2 },
          marker: { color: '#e4572e', size: 9, line: { color: '#5a1a08', width: 1 } }, hovertemplate: '%{text}<br>' + d.y.metric + ' %{y}<br>' + d.x.metric + ' %{x}<extra></extra>' },
      ];
      if (d.region) {
        // What the front dominates up to the reference point, shaded as in the report (drawn first, under the points).
        traces.unshift({ type: 'scatter', mode: 'lines', name: 'dominated', x: d.region.x, y: d.region.y, fill: 'toself',
          fillcolor: 'rgba(228, 87, 46, 0.09)', line: { width: 0 }, hoverinfo: 'skip', showlegend: false });
      }
      if (d.reference) {
        traces.push({ type: 'scatter', mode: 'markers', name: 'reference point', x: [d.reference.x], y: [d.reference.y],
          marker: { symbol: 'cross-thin', size: 12, color: '#1d2330', line: { color: '#1d2330', width: 2 } },
          hovertemplate: 'reference point (the worst observed)<br>' + d.y.metric + ' %{y}<br>' + d.x.metric + ' %{x}<extra></extra>' });
      }
      const axis = function (a) {
        const out = { title: { text: a.metric + ' (' + a.direction + (a.log ? ', log' : '') + ')' }, type: a.log ? 'log' : 'linear', zeroline: false };
        if (a.ticks) { out.tickvals = a.ticks.values; out.ticktext = a.ticks.labels; }
        return out;
      };
      Plotly.react(v.parts.pareto, traces, { font: font, margin: { l: 60, r: 20, t: 10, b: 45 }, xaxis: axis(d.x), yaxis: axis(d.y),
        legend: { orientation: 'h', y: 1.14 } }, plotConfig);
      const ref = d.reference ? ' (reference point: the worst observed, ' + d.y.metric + ' ' + num(d.reference.y) + ', ' + d.x.metric + ' ' + num(d.reference.x) + ')' : '';
      const hv = d.hypervolume === null ? 'no hypervolume yet (an objective has a single value)'
        : 'hypervolume ' + d.hypervolume.toFixed(4) + ' with each objective scaled to [0, 1] from its best to its worst observed value' + ref;
      const rows = d.front.numbers.slice(0, 12).map(function (n, i) { return [n, d.front.y[i], d.front.x[i]]; });
      v.parts.paretoNote.replaceChildren(
        el('span', { text: 'Pareto front over all ' + num(d.total) + ' complete trials: ' + num(d.frontTotal) + ' on it; ' + hv + '. '
          + (d.points.numbers.length < d.total ? 'Grey: an even sample of ' + num(d.points.numbers.length) + ' of them.' : 'Grey: every trial.') }),
        smallTable(['#', d.y.metric, d.x.metric], rows, 'pareto-table'),
        d.frontTotal > rows.length ? el('span', { text: '… ' + num(d.frontTotal - rows.length) + ' more on the front (hyperzone status lists them)' }) : '');
    }, function (e) { showError(v.parts.paretoNote, e); });
  }

  // Routing ---------------------------------------------------------------

  function route() {
    clearTimeout(pollTimer);
    const m = /^#\/study\/(.+)$/.exec(location.hash);
    if (m) {
      view = buildStudyPage(decodeURIComponent(m[1]));
      pollStudy(view);
    } else {
      view = null;
      crumb.textContent = '';
      pollList();
    }
  }
  window.addEventListener('hashchange', route);
  route();
})();
