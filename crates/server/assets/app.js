// Sluice web UI. Every page reads fine without this script; it adds live updates (the execution
// summary and log lines) and the actions (run, save, kill, restart, replay) over the REST API.
(function () {
  'use strict';

  var $ = function (sel, root) { return (root || document).querySelector(sel); };

  function setStatus(form, text, isError) {
    var status = form.querySelector('.form-status') || $('#action-status');
    if (!status) return;
    status.textContent = text;
    status.classList.toggle('error', !!isError);
  }

  // The message of an API error response, whatever its shape.
  function errorText(response, body) {
    if (body && typeof body === 'object' && body.message) return body.message;
    if (typeof body === 'string' && body) return body.slice(0, 300);
    return 'The server answered ' + response.status + ' ' + response.statusText + '.';
  }

  function readBody(response) {
    var type = response.headers.get('Content-Type') || '';
    return type.indexOf('json') >= 0 ? response.json().catch(function () { return null; }) : response.text();
  }

  // ---- Flow list: filter the rows as one types. ----
  var filter = $('[data-filter-rows]');
  if (filter) {
    var table = $(filter.getAttribute('data-filter-rows'));
    filter.addEventListener('input', function () {
      var q = filter.value.trim().toLowerCase();
      if (!table) return;
      table.querySelectorAll('tbody tr').forEach(function (tr) {
        tr.hidden = q !== '' && tr.getAttribute('data-key').indexOf(q) < 0;
      });
    });
  }

  // ---- Run form: multipart to the API, then to the new execution. ----
  function runForm(form) {
    var data = new FormData(form);
    form.querySelectorAll('input, select, textarea').forEach(function (el) {
      if (!el.name) return;
      if (el.type === 'checkbox') {
        data.set(el.name, el.checked ? 'true' : 'false');
      } else if (el.type === 'file') {
        if (!el.files.length) data.delete(el.name);
      } else if (el.multiple) {
        var chosen = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
        data.set(el.name, JSON.stringify(chosen));
      } else if (el.value === '') {
        data.delete(el.name); // the input's default applies
      } else if (el.hasAttribute('data-utc')) {
        var v = el.value.length === 16 ? el.value + ':00' : el.value;
        data.set(el.name, v + 'Z');
      }
    });
    setStatus(form, 'Starting…');
    return fetch(form.action, { method: 'POST', body: data, headers: { Accept: 'application/json' } })
      .then(function (r) {
        return readBody(r).then(function (body) {
          if (!r.ok) throw new Error(errorText(r, body) + details(body));
          location.href = '/ui/executions/' + encodeURIComponent(body.id);
        });
      });
  }

  function details(body) {
    if (!body || !Array.isArray(body.details)) return '';
    return ' ' + body.details.map(function (d) { return d.message || ''; }).join(' ');
  }

  // ---- Editor: PUT the YAML, list the diagnostics of a 422. ----
  function saveForm(form) {
    var text = $('textarea', form);
    var list = $('#save-diagnostics');
    list.hidden = true;
    list.textContent = '';
    setStatus(form, 'Saving…');
    return fetch(form.action, {
      method: 'PUT', body: text.value,
      headers: { 'Content-Type': 'application/x-yaml', Accept: 'application/json' }
    }).then(function (r) {
      return readBody(r).then(function (body) {
        if (r.ok) {
          setStatus(form, 'Saved.');
          location.reload();
          return;
        }
        var diags = body && Array.isArray(body.details) ? body.details : [];
        diags.forEach(function (d) { list.appendChild(diagnostic(d, text)); });
        list.hidden = diags.length === 0;
        throw new Error(errorText(r, body));
      });
    });
  }

  function diagnostic(d, textarea) {
    var li = document.createElement('li');
    var pos = document.createElement('button');
    pos.type = 'button';
    pos.className = 'pos';
    pos.textContent = (d.line || '?') + ':' + (d.column || '?');
    pos.title = 'Go to line ' + d.line;
    pos.addEventListener('click', function () { goToLine(textarea, d.line || 1); });
    li.appendChild(pos);
    li.appendChild(document.createTextNode(' ' + (d.severity || 'error') + ': ' + (d.message || '')));
    if (d.help) {
      var help = document.createElement('div');
      help.className = 'help';
      help.textContent = 'help: ' + d.help;
      li.appendChild(help);
    }
    return li;
  }

  function goToLine(textarea, line) {
    var lines = textarea.value.split('\n');
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    textarea.focus();
    textarea.setSelectionRange(start, start + (lines[line - 1] || '').length);
  }

  // ---- Kill, restart, replay, a task run's state. ----
  function actionForm(form) {
    var question = form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) return Promise.resolve();
    setStatus(form, 'Sending…');
    // A form with fields (a task run's new state) sends them as a JSON object.
    var request = { method: 'POST', headers: { Accept: 'application/json' } };
    var fields = form.querySelectorAll('[name]');
    if (fields.length) {
      var body = {};
      fields.forEach(function (f) { body[f.name] = f.value; });
      request.headers['Content-Type'] = 'application/json';
      request.body = JSON.stringify(body);
    }
    return fetch(form.action, request).then(function (r) {
      return readBody(r).then(function (body) {
        if (!r.ok) throw new Error(errorText(r, body));
        var live = $('#live');
        var current = live && location.pathname.split('/').pop();
        if (body && body.id && decodeURIComponent(current) !== body.id) {
          location.href = '/ui/executions/' + encodeURIComponent(body.id);
        } else {
          setStatus(form, 'Requested.');
          refreshLive(true);
        }
      });
    });
  }

  var handlers = { run: runForm, save: saveForm, action: actionForm };
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var handler = handlers[form.getAttribute('data-api')];
    if (!handler) return;
    event.preventDefault();
    var button = $('button[type=submit]', form);
    if (button) button.disabled = true;
    handler(form).catch(function (e) {
      setStatus(form, e.message || String(e), true);
    }).then(function () {
      if (button) button.disabled = false;
    });
  });

  // ---- Execution page: the live part (state, Gantt, task runs). ----
  var refreshing = false, again = false;
  function refreshLive(now) {
    var live = $('#live');
    if (!live) return;
    if (refreshing) { again = true; return; }
    refreshing = true;
    setTimeout(function () {
      fetch(live.getAttribute('data-fragment'), { cache: 'no-store' }).then(function (r) {
        return r.ok ? r.text() : null;
      }).then(function (html) {
        var current = $('#live');
        if (html && current) {
          var focused = document.activeElement && current.contains(document.activeElement);
          var status = $('#action-status');
          var said = status && status.textContent, failed = status && status.classList.contains('error');
          current.outerHTML = html;
          // What the last action said stays, in the new live part.
          if (said) { $('#action-status').textContent = said; $('#action-status').classList.toggle('error', failed); }
          if (focused) $('#live').focus();
        }
      }).catch(function () {}).then(function () {
        refreshing = false;
        if (again) { again = false; refreshLive(); }
      });
    }, now ? 0 : 300);
  }

  function terminal() {
    var live = $('#live');
    return !live || live.getAttribute('data-terminal') === 'true';
  }

  // Event streams open once the page has loaded: opened before, they keep it "loading" for ever.
  function afterLoad(start) {
    if (document.readyState === 'complete') setTimeout(start, 0);
    else window.addEventListener('load', function () { setTimeout(start, 0); });
  }

  var liveEl = $('#live');
  if (liveEl && !terminal()) afterLoad(followExecution);

  function followExecution() {
    var el = $('#live');
    try {
      var follow = new EventSource(el.getAttribute('data-follow'));
      follow.onmessage = function () { refreshLive(); };
      follow.addEventListener('execution', function () { refreshLive(); });
      follow.onerror = function () { if (terminal()) follow.close(); };
    } catch (e) { /* polling below still updates the page */ }
    // Bars of running tasks grow with time even when no event comes.
    var poll = setInterval(function () {
      if (terminal()) { clearInterval(poll); return; }
      refreshLive();
    }, 2500);
  }

  // ---- Execution page: logs. ----
  var logs = $('#logs');
  if (logs) initLogs(logs);

  function initLogs(panel) {
    var MAX = 5000;
    var PAGE = +panel.getAttribute('data-page') || 1000;
    var RANK = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, WARNING: 4, ERROR: 5 };
    var api = panel.getAttribute('data-api');
    var box = $('#log-lines');
    var earlierLink = $('#log-earlier'), laterLink = $('#log-later'), liveNote = $('#log-live');
    var status = $('#log-status');
    var minLevel = panel.getAttribute('data-min-level');
    var taskId = panel.getAttribute('data-task-id');
    var attempt = panel.getAttribute('data-attempt');
    var first = +panel.getAttribute('data-first');
    var last = +panel.getAttribute('data-last');
    var atEnd = panel.getAttribute('data-at-end') === 'true';
    var source = null, pending = [], scheduled = false;

    function params(extra) {
      var p = new URLSearchParams();
      if (minLevel) p.set('minLevel', minLevel);
      if (taskId) p.set('taskId', taskId);
      if (attempt) p.set('attempt', attempt);
      Object.keys(extra).forEach(function (k) { p.set(k, extra[k]); });
      return p.toString();
    }

    // A line from the API, whatever the names of its fields.
    function normalize(l, seq) {
      var at = l.at || l.timestamp || l.date || '';
      var n = l.attempt != null ? l.attempt : l.attemptNumber;
      return {
        seq: +(l.seq != null ? l.seq : seq), at: at, level: String(l.level || 'INFO').toUpperCase(),
        task: l.taskId || '', attempt: n == null ? '' : String(n), message: l.message == null ? '' : String(l.message)
      };
    }

    function matches(l) {
      if (minLevel && (RANK[l.level] || 0) < (RANK[minLevel] || 0)) return false;
      if (taskId && l.task !== taskId) return false;
      if (attempt && l.attempt !== attempt) return false;
      return true;
    }

    function element(l) {
      var div = document.createElement('div');
      div.className = 'log-line lv-' + l.level;
      div.setAttribute('data-seq', l.seq);
      var time = document.createElement('time');
      var d = new Date(l.at);
      if (!isNaN(d)) {
        time.setAttribute('datetime', d.toISOString());
        time.textContent = d.toISOString().slice(11, 23);
      }
      var lvl = document.createElement('span');
      lvl.className = 'lvl';
      lvl.textContent = l.level;
      var task = document.createElement('span');
      task.className = 'task';
      task.textContent = l.task + (l.attempt ? '#' + l.attempt : '');
      var msg = document.createElement('span');
      msg.className = 'msg';
      msg.textContent = l.message;
      div.append(time, ' ', lvl, ' ', task, ' ', msg);
      return div;
    }

    function seqOf(el) { return el ? +el.getAttribute('data-seq') : 0; }

    function updateStatus() {
      if (!box.firstElementChild) return;
      status.textContent = 'Lines ' + seqOf(box.firstElementChild) + '–' + seqOf(box.lastElementChild) +
        ' shown (' + box.children.length + ' in the page).';
    }

    function trimTop() {
      var dropped = false;
      while (box.children.length > MAX) { box.firstElementChild.remove(); dropped = true; }
      if (dropped) {
        first = seqOf(box.firstElementChild);
        earlierLink.hidden = false;
      }
    }

    function trimBottom() {
      var dropped = false;
      while (box.children.length > MAX) { box.lastElementChild.remove(); dropped = true; }
      if (dropped) {
        last = seqOf(box.lastElementChild);
        atEnd = false;
        stopFollowing();
        laterLink.hidden = false;
      }
    }

    function append(lines) {
      var stick = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
      var frag = document.createDocumentFragment();
      lines.forEach(function (l) {
        frag.appendChild(element(l));
        last = Math.max(last, l.seq);
      });
      box.appendChild(frag);
      trimTop();
      if (stick) box.scrollTop = box.scrollHeight;
      updateStatus();
    }

    // Live lines arrive one event each: add them in batches, once per frame.
    function onLine(event) {
      var l;
      try { l = normalize(JSON.parse(event.data), event.lastEventId); } catch (e) { return; }
      if (l.seq <= last) return; // seen already (a reconnect may repeat lines)
      last = l.seq;
      if (!matches(l)) return;
      pending.push(l);
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(function () {
          scheduled = false;
          var batch = pending;
          pending = [];
          append(batch);
        });
      }
    }

    function startFollowing() {
      if (source) return;
      source = new EventSource(api + '/follow?' + params({ afterSeq: last }));
      source.addEventListener('log', onLine);
      source.onmessage = onLine;
      source.onerror = function () {
        // Reconnect from the last line seen (not from where the stream first started).
        stopFollowing();
        if (!terminal()) setTimeout(function () { if (atEnd) startFollowing(); }, 2000);
      };
      liveNote.hidden = false;
    }

    function stopFollowing() {
      if (source) { source.close(); source = null; }
      liveNote.hidden = true;
    }

    function fetchPage(after) {
      return fetch(api + '?' + params({ afterSeq: after, size: PAGE }), { headers: { Accept: 'application/json' } })
        .then(function (r) { if (!r.ok) throw new Error('logs: ' + r.status); return r.json(); })
        .then(function (body) {
          var list = Array.isArray(body) ? body : (body.results || body.logs || []);
          return list.map(function (l) { return normalize(l, 0); });
        });
    }

    // Lines before the first shown: a window of PAGE sequence numbers before it, widened while
    // it holds no matching line (filters may leave windows empty).
    function loadEarlier(width) {
      var after = Math.max(0, first - 1 - width);
      return fetchPage(after).then(function (lines) {
        var older = lines.filter(function (l) { return l.seq < first; });
        if (!older.length && after > 0) return loadEarlier(width * 4);
        var frag = document.createDocumentFragment();
        older.forEach(function (l) { frag.appendChild(element(l)); });
        var height = box.scrollHeight;
        box.insertBefore(frag, box.firstChild);
        box.scrollTop += box.scrollHeight - height;
        if (older.length) first = older[0].seq;
        earlierLink.hidden = after === 0;
        trimBottom();
        updateStatus();
      });
    }

    function loadLater() {
      return fetchPage(last).then(function (lines) {
        append(lines.filter(function (l) { return l.seq > last; }));
        if (lines.length < PAGE) {
          atEnd = true;
          laterLink.hidden = true;
          if (!terminal()) startFollowing();
        }
      });
    }

    function intercept(link, load) {
      link.addEventListener('click', function (event) {
        event.preventDefault();
        if (link.getAttribute('aria-busy') === 'true') return;
        link.setAttribute('aria-busy', 'true');
        load().catch(function () { location.href = link.href; }).then(function () {
          link.removeAttribute('aria-busy');
        });
      });
    }
    intercept(earlierLink, function () { return loadEarlier(PAGE); });
    intercept(laterLink, loadLater);

    if (panel.getAttribute('data-follow') === 'true') afterLoad(startFollowing);
  }
})();
