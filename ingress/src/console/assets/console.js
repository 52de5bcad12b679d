// ferry's operator console: the one script. The pages work without it for reading; it adds
// actions (sent to the admin API with the X-Ferry-Console header the server requires of
// browsers), confirmations, live figures over server-sent events, pretty views of payloads
// and diff folding. It inserts data as text only, never as HTML.
'use strict';

(function () {
  const guardHeader = { 'X-Ferry-Console': '1' };

  function flash(message, problem) {
    let box = document.getElementById('flash');
    if (!box) {
      box = document.createElement('div');
      box.id = 'flash';
      box.setAttribute('role', 'status');
      document.body.appendChild(box);
    }
    const item = document.createElement('div');
    if (problem) item.className = 'problem';
    item.textContent = message;
    box.appendChild(item);
    setTimeout(() => item.remove(), problem ? 15000 : 5000);
  }

  // The admin API's answer as {ok, status, body}; body is parsed JSON when it is JSON.
  async function call(method, url, body, contentType) {
    const headers = Object.assign({}, guardHeader);
    if (body !== undefined) headers['Content-Type'] = contentType || 'application/json';
    const response = await fetch(url, { method, headers, body, credentials: 'same-origin' });
    const text = await response.text();
    let parsed = text;
    try { parsed = JSON.parse(text); } catch (e) { /* not JSON */ }
    return { ok: response.ok, status: response.status, body: parsed };
  }

  function problemText(answer) {
    const b = answer.body;
    if (b && typeof b === 'object' && b.error) return b.error + (b.detail ? ': ' + b.detail : '');
    return 'status ' + answer.status;
  }

  // The checked rows of the table a button names (data-selection="table id").
  function selected(tableId) {
    const table = document.getElementById(tableId);
    if (!table) return [];
    return Array.from(table.querySelectorAll('input.select:checked')).map((box) => box.value);
  }

  function fill(template, value) {
    return template.split('{}').join(encodeURIComponent(value));
  }

  // What a successful action leads to: data-then="reload" (default), "stay", or a URL in which
  // {field} is taken from the answer ("/_console/replays/{replay_id}").
  function follow(button, answer) {
    const then = button.dataset.then || 'reload';
    if (then === 'stay') return;
    if (then === 'reload') { setTimeout(() => location.reload(), 400); return; }
    const body = answer && typeof answer.body === 'object' ? answer.body : {};
    location.href = then.replace(/\{(\w+)\}/g, (m, key) => encodeURIComponent(body[key] || ''));
  }

  async function act(button) {
    const method = button.dataset.method || 'POST';
    const ids = button.dataset.selection ? selected(button.dataset.selection) : null;
    if (ids && ids.length === 0) { flash('Select one or more rows first.', true); return; }
    const count = ids ? ids.length : 0;
    const question = (button.dataset.confirm || '').replace('{n}', String(count));
    if (question && !window.confirm(question)) return;
    button.disabled = true;
    try {
      let last;
      if (ids && button.dataset.urlEach) {
        // One request per selected row (pause these listeners, resend these dead letters).
        let failed = 0;
        for (const id of ids) {
          last = await call(method, fill(button.dataset.urlEach, id));
          if (!last.ok) { failed += 1; flash(id + ': ' + problemText(last), true); }
        }
        flash((ids.length - failed) + ' of ' + ids.length + ' done.', failed > 0);
        if (failed === 0) follow(button, last);
        return;
      }
      const body = ids ? JSON.stringify({ ids }) : button.dataset.body;
      last = await call(method, button.dataset.url, body);
      if (!last.ok) { flash(problemText(last), true); return; }
      flash(button.dataset.done || 'Done.');
      follow(button, last);
    } catch (e) {
      flash(String(e), true);
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-url], button[data-url-each]');
    if (button) { event.preventDefault(); act(button); return; }
    const view = event.target.closest('button[data-view]');
    if (view) { showView(view); return; }
    const fold = event.target.closest('button[data-fold]');
    if (fold) { toggleFold(fold); }
  });

  document.addEventListener('change', (event) => {
    const all = event.target.closest('input.select-all');
    if (!all) return;
    const table = all.closest('table');
    for (const box of table.querySelectorAll('input.select')) box.checked = all.checked;
  });

  // Deploy by upload: the file's text to the admin API; its refusal (FILE:LINE:COLUMN:
  // sentence) shown under the form.
  for (const form of document.querySelectorAll('form[data-deploy]')) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const input = form.querySelector('input[type=file]');
      const result = form.parentElement.querySelector('.deploy-result');
      result.textContent = '';
      result.className = 'deploy-result';
      const file = input.files[0];
      if (!file) { flash('Choose a process or API file first.', true); return; }
      const activate = form.querySelector('input[name=activate]');
      const query = '?file=' + encodeURIComponent(file.name) +
        (activate && !activate.checked ? '&activate=false' : '');
      const answer = await call('POST', form.dataset.deploy + query, await file.text(),
        'application/yaml');
      if (!answer.ok) {
        result.className = 'deploy-result problem';
        result.textContent = problemText(answer);
        return;
      }
      const b = answer.body;
      flash(b.changed === false ? 'That definition is already deployed.'
        : 'Deployed ' + (b.process || b.api) + ' version ' + b.version + '.');
      setTimeout(() => location.reload(), 600);
    });
  }

  // Payload views: the exact stored text (raw) or an indented copy of JSON or XML (pretty).
  function pretty(text) {
    const trimmed = text.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try { return JSON.stringify(JSON.parse(trimmed), null, 2); } catch (e) { return null; }
    }
    if (trimmed.startsWith('<')) {
      const doc = new DOMParser().parseFromString(trimmed, 'application/xml');
      if (doc.getElementsByTagName('parsererror').length > 0) return null;
      return indentXml(doc.documentElement, 0);
    }
    return null;
  }

  function indentXml(node, depth) {
    const pad = '  '.repeat(depth);
    const serializer = new XMLSerializer();
    const elements = Array.from(node.childNodes).filter((n) => n.nodeType === 1);
    const texts = Array.from(node.childNodes).filter((n) => n.nodeType === 3 && n.textContent.trim());
    const shallow = node.cloneNode(false);
    const open = serializer.serializeToString(shallow).replace(/\/>$/, '>').replace(/<\/[^>]+>$/, '');
    const close = '</' + node.nodeName + '>';
    if (elements.length === 0) return pad + serializer.serializeToString(node);
    if (texts.length > 0) return pad + serializer.serializeToString(node);
    return pad + open + '\n' + elements.map((e) => indentXml(e, depth + 1)).join('\n') + '\n' + pad + close;
  }

  function showView(button) {
    const doc = button.closest('.doc');
    const pre = doc.querySelector('pre.payload');
    if (!pre.dataset.raw) pre.dataset.raw = pre.textContent;
    const wanted = button.dataset.view;
    let text = pre.dataset.raw;
    if (wanted === 'pretty') {
      const indented = pretty(text);
      if (indented === null) { flash('Not JSON or well-formed XML: shown as stored.', true); return; }
      text = indented;
    }
    pre.textContent = text;
    for (const b of doc.querySelectorAll('button[data-view]')) {
      b.setAttribute('aria-pressed', String(b === button));
    }
  }

  function toggleFold(button) {
    const table = document.getElementById(button.dataset.fold);
    const folded = table.classList.toggle('only-changes');
    for (const row of table.querySelectorAll('tr.same')) row.classList.toggle('folded', folded);
    button.textContent = folded ? 'Show the whole files' : 'Show changes only';
  }

  // Live figures: /_console/events sends one JSON event a second.
  const history = {};
  function remember(key, value) {
    const list = history[key] || (history[key] = []);
    list.push(value);
    if (list.length > 60) list.shift();
    return list;
  }

  function drawSpark(svg, values, cls) {
    const width = 120;
    const height = 28;
    const top = Math.max(1, ...values);
    const step = width / 59;
    const points = values.map((v, i) =>
      (width - (values.length - 1 - i) * step).toFixed(1) + ',' +
      (height - 2 - (v / top) * (height - 4)).toFixed(1)).join(' ');
    let line = svg.querySelector('polyline' + (cls ? '.' + cls : ':not(.errors)'));
    if (!line) {
      line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
      if (cls) line.setAttribute('class', cls);
      svg.appendChild(line);
    }
    line.setAttribute('points', points);
  }

  function number(value, digits) {
    if (value === null || value === undefined) return '–';
    return Number(value).toFixed(digits);
  }

  function onLive(figures) {
    for (const el of document.querySelectorAll('[data-field]')) {
      const value = figures[el.dataset.field];
      if (value === undefined) continue;
      el.textContent = typeof value === 'number' ? number(value, Number(el.dataset.digits || 0)) : value;
    }
    const rates = remember('requests', figures.requests_per_second || 0);
    for (const svg of document.querySelectorAll('svg[data-spark=requests]')) drawSpark(svg, rates);
    const operations = figures.operations || {};
    for (const row of document.querySelectorAll('[data-operation]')) {
      const name = row.dataset.operation;
      const figure = operations[name] || { rate: 0, errors: 0 };
      const rate = row.querySelector('[data-rate]');
      if (rate) rate.textContent = number(figure.rate, 1);
      const svg = row.querySelector('svg.spark');
      if (svg) {
        drawSpark(svg, remember('rate:' + name, figure.rate));
        drawSpark(svg, remember('errors:' + name, figure.errors), 'errors');
      }
    }
  }

  if (document.querySelector('[data-live]') && window.EventSource) {
    const source = new EventSource('/_console/events');
    source.addEventListener('figures', (event) => onLive(JSON.parse(event.data)));
  }
})();

// A page of something in progress (a replay running) refreshes itself.
(function () {
  const marker = document.querySelector('[data-refresh]');
  if (marker) setTimeout(() => location.reload(), Number(marker.dataset.refresh) * 1000);
})();

// Forms whose fields go to the admin API as one JSON object (register a runtime), and the
// "Deploy to <runtime>" forms.
(function () {
  async function send(method, url, body) {
    const response = await fetch(url, {
      method,
      headers: { 'X-Ferry-Console': '1', 'Content-Type': 'application/json' },
      body,
      credentials: 'same-origin',
    });
    let parsed = null;
    try { parsed = await response.json(); } catch (e) { /* not JSON */ }
    return { ok: response.ok, status: response.status, body: parsed };
  }

  function problem(answer) {
    const b = answer.body;
    return b && b.error ? b.error + (b.detail ? ': ' + b.detail : '') : 'status ' + answer.status;
  }

  function say(form, text, bad) {
    let out = form.parentElement.querySelector('.form-result');
    if (!out) {
      out = document.createElement('div');
      out.className = 'form-result';
      form.after(out);
    }
    out.className = 'form-result' + (bad ? ' problem' : ' done');
    out.textContent = text;
  }

  for (const form of document.querySelectorAll('form[data-json-post]')) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const fields = {};
      for (const input of form.querySelectorAll('input[name]')) fields[input.name] = input.value;
      const answer = await send('POST', form.dataset.jsonPost, JSON.stringify(fields));
      if (!answer.ok) { say(form, problem(answer), true); return; }
      location.reload();
    });
  }

  for (const form of document.querySelectorAll('form[data-deploy-to]')) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const runtime = form.querySelector('select[name=runtime]').value;
      const url = form.dataset.deployTo.replace('{}', encodeURIComponent(runtime));
      const answer = await send('POST', url);
      if (!answer.ok) { say(form, runtime + ': ' + problem(answer), true); return; }
      const b = answer.body || {};
      say(form, runtime + ': ' + (b.changed === false ? 'already deployed there'
        : 'deployed version ' + b.version + (b.active ? ', serving' : ', kept inactive')), false);
    });
  }
})();
