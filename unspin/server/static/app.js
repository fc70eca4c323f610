// unspin's page: plain JavaScript, no build step. Every piece of text that comes from the user,
// the server or the archive is put on the page with textContent (never parsed as HTML), so it
// cannot inject markup. Offsets: the API gives each one in UTF-16 units too (start_utf16 ...),
// which is how JavaScript indexes strings, so highlights stay in place after an emoji.
'use strict';

const $ = id => document.getElementById(id);
const POLL_MS = 400;
const LEVELS = [  // probability bands, most likely first (the legend says the same)
  {min: 0.9, cls: 'c-high', label: 'very likely a spinner\'s edit (≥ 0.9)'},
  {min: 0.7, cls: 'c-mid', label: 'likely (0.7 to 0.9)'},
  {min: 0.0, cls: 'c-low', label: 'possible (below 0.7)'},
];
// a detected span's probability of being a spinner's edit (what the server paints by)
const spanScore = s => (s.edit_probability !== undefined && s.edit_probability !== null) ? s.edit_probability : s.confidence;
let current = null;     // the running job: {id, cancelled}
let lastText = '';      // the text the shown result is about

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function say(msg, isError) {
  const s = $('status');
  s.textContent = msg;
  s.classList.toggle('error', !!isError);
}

function busy(on, label) {
  $('busy').hidden = !on;
  for (const id of ['detect', 'restore', 'trace', 'report']) $(id).disabled = on;
  if (on) { $('bar').removeAttribute('value'); $('bar-text').textContent = label || ''; }
}

async function jsonOrError(r) {
  let j = null;
  try { j = await r.json(); } catch (e) { /* not JSON */ }
  if (!r.ok) {
    const detail = j && j.detail ? j.detail : 'HTTP ' + r.status;
    const wait = r.headers.get('Retry-After');
    throw new Error(detail + (wait ? ' (retry in ' + wait + ' s)' : ''));
  }
  return j;
}

// Start a job and poll it until it ends; resolves with the finished job (state done).
async function runJob(body, label) {
  const r = await fetch('/api/jobs', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                      body: JSON.stringify(body)});
  let job = await jsonOrError(r);
  current = {id: job.id, cancelled: false};
  busy(true, label);
  try {
    for (;;) {
      showProgress(job, label);
      if (job.state === 'done') return job;
      if (job.state === 'failed') throw new Error(job.error || 'failed');
      if (job.state === 'cancelled') throw new Error('cancelled');
      await new Promise(res => setTimeout(res, POLL_MS));
      job = await jsonOrError(await fetch(job.url));
    }
  } finally {
    busy(false);
    current = null;
  }
}

function showProgress(job, label) {
  const p = job.progress || {};
  const bar = $('bar');
  if (p.total) { bar.max = p.total; bar.value = p.done; } else bar.removeAttribute('value');
  let msg = label + ': ' + job.state;
  if (p.total) msg += ' · ' + p.done.toLocaleString() + ' / ' + p.total.toLocaleString() + ' ' + (p.unit || '');
  if (job.state === 'queued') msg += ' (waiting for a free worker)';
  if (job.cancel_requested) msg += ' · stopping…';
  msg += ' · ' + Math.round(job.elapsed_s || 0) + ' s';
  $('bar-text').textContent = msg;
}

async function cancel() {
  if (!current) return;
  current.cancelled = true;
  say('cancelling…');
  await fetch('/api/jobs/' + encodeURIComponent(current.id), {method: 'DELETE'});
}

function text() {
  const t = $('text').value;
  if (!t.trim()) { say('Paste some text first.', true); $('text').focus(); return null; }
  return t;
}

async function act(kind) {
  const t = text();
  if (t === null || current) return;
  const labels = {detect: 'detecting', restore: 'restoring', trace: 'tracing', report: 'writing the report'};
  say('');
  try {
    const body = {kind, text: t};
    if (kind === 'restore' || kind === 'report') body.use_lm = !$('fast').checked;
    const job = await runJob(body, labels[kind]);
    lastText = t;
    if (kind === 'detect') showDetection(t, job.result);
    else if (kind === 'restore') showRestoration(t, job.result);
    else if (kind === 'trace') showTrace(t, job.result);
    else showReport(job);
  } catch (e) {
    say(e.message === 'cancelled' ? 'Cancelled; the server stopped the work.' : 'Error: ' + e.message,
        e.message !== 'cancelled');
  }
}

// ---- rendering ------------------------------------------------------------------------------

function level(conf) { return LEVELS.find(l => conf >= l.min); }

function reset(title) {
  $('result').hidden = false;
  $('summary').textContent = '';
  $('legend').hidden = true;
  $('views').hidden = true;
  $('detail').hidden = true;
  $('columns').textContent = '';
  $('columns').className = 'columns';
  if (title) $('summary').append(el('h2', {text: title}));
}

function detail(...nodes) {
  const d = $('detail');
  d.textContent = '';
  d.append(...nodes);
  d.hidden = false;
}

// text split at [a, b) ranges (UTF-16 offsets), each range made by make(range) -> Node
function marked(t, ranges, make) {
  const frag = document.createDocumentFragment();
  let pos = 0;
  for (const r of ranges.slice().sort((x, y) => x.a - y.a)) {
    if (r.a < pos) continue;
    frag.append(t.slice(pos, r.a), make(r));
    pos = r.b;
  }
  frag.append(t.slice(pos));
  return frag;
}

function showDetection(t, d) {
  reset('Detection: ' + d.verdict);
  $('summary').append(el('p', {class: 'verdict v-' + d.verdict, text: d.explanation}));
  const painted = d.spans.filter(s => s.painted);
  const legend = $('legend');
  legend.textContent = '';
  legend.append(el('span', {text: 'Marked words, by the probability that a spinner wrote them: '}));
  for (const l of LEVELS) legend.append(el('span', {class: 'key ' + l.cls, text: l.label}));
  legend.append(el('span', {text: ' Spans below ' + d.paint_at + ', and every span of a text judged clean, are not marked.'}));
  legend.hidden = false;
  const all = el('input', {type: 'checkbox', id: 'show-all'});
  $('summary').append(el('label', {class: 'opt'}, all,
    ' also show the ' + (d.spans.length - painted.length) + ' unmarked suspects (words a spinner could have written)'));
  const draw = () => {
    const spans = all.checked ? d.spans : painted;
    const box = el('div', {class: 'col text', 'aria-label': 'Text with suspicious spans'});
    box.append(marked(t, spans.map(s => ({a: s.start_utf16, b: s.end_utf16, s})), r => {
      const s = r.s, p = spanScore(s), cls = s.painted ? level(p).cls : 'c-none';
      return el('button', {type: 'button', class: 'span ' + cls, text: t.slice(r.a, r.b),
        title: 'probability of a spinner\'s edit ' + p.toFixed(2),
        onclick: () => detail(el('p', {}, el('b', {text: s.text}),
          s.suggestion ? ' — original may have been “' + s.suggestion + '”' : ''),
          el('p', {text: 'probability that a spinner wrote it ' + p.toFixed(2) +
                         ' · 3-gram confidence ' + s.confidence.toFixed(2) + (s.painted ? '' : ' (not marked)')}),
          el('p', {class: 'hint', text: s.evidence}))});
    }));
    $('columns').textContent = '';
    $('columns').append(box);
  };
  all.addEventListener('change', draw);
  draw();
}

function editButton(t, e, side) {
  const conf = e.confidence.toFixed(2);
  return el('button', {type: 'button', class: 'edit ' + side + ' ' + level(e.confidence).cls,
    text: side === 'from' ? e.from : e.to,
    title: e.from + ' → ' + e.to + ' (confidence ' + conf + ')',
    onclick: () => {
      const alts = el('ul');
      for (const a of e.alternatives || []) alts.append(el('li', {text: a.to + ' (' + a.confidence.toFixed(2) + ')'}));
      detail(el('p', {}, el('del', {text: e.from}), ' → ', el('ins', {text: e.to})),
             el('p', {text: 'confidence ' + conf + ' that “' + e.to + '” is the original wording'}),
             (e.alternatives || []).length ? el('div', {}, el('p', {text: 'Other candidates weighed:'}), alts)
                                           : el('p', {class: 'hint', text: 'No other candidate was close.'}));
    }});
}

function showRestoration(t, r) {
  reset('Restoration: ' + r.edits.length + ' edit' + (r.edits.length === 1 ? '' : 's'));
  $('summary').append(el('p', {text: 'Each change is marked; select one to see its confidence and the other candidates. ' +
                                     'Green: the restored original wording; struck red: the spun text.'}));
  // the restorer's estimate of how spun the page is, in the server's words (view.spin_rate_note;
  // empty without the language model)
  if (r.spin_rate_note)
    $('summary').append(el('p', {class: 'hint', text: r.spin_rate_note.charAt(0).toUpperCase() + r.spin_rate_note.slice(1)}));
  $('views').hidden = r.edits.length === 0;
  const ranges = r.edits.map(e => ({a: e.start_utf16, b: e.end_utf16, e}));
  const orig = el('div', {class: 'col text', 'aria-label': 'Original (spun) text'},
                  el('h3', {text: 'As submitted'}), marked(t, ranges, x => editButton(t, x.e, 'from')));
  const rest = el('div', {class: 'col text', 'aria-label': 'Restored text'},
                  el('h3', {text: 'Restored'}), marked(t, ranges, x => editButton(t, x.e, 'to')));
  $('columns').append(orig, rest);
  const apply = () => {
    const v = document.querySelector('input[name=view]:checked').value;
    orig.hidden = v === 'restored';
    rest.hidden = v === 'original';
    $('columns').classList.toggle('two', v === 'both');
  };
  for (const radio of document.querySelectorAll('input[name=view]')) radio.onchange = apply;
  apply();
}

function showTrace(t, res) {
  const ms = res.matches;
  reset(ms.length ? 'Trace: ' + ms.length + ' source' + (ms.length === 1 ? '' : 's') : 'Trace: no source found');
  if (!ms.length) {
    $('summary').append(el('p', {text: 'No article in the archive is copied or covered by this text.'}));
    return;
  }
  for (const [i, m] of ms.entries()) {
    const head = el('h3', {}, (i + 1) + '. ', el('span', {class: 'rel rel-' + m.relation, text: m.relation}),
                    ' ' + m.id + (m.title ? ' — ' + m.title : ''));
    const meta = el('p', {class: 'hint', text: 'coverage ' + Math.round(m.coverage * 100) + ' % of the text · score ' +
                                                m.score.toFixed(2) + ' · source ' + (m.source || '')});
    const table = el('div', {class: 'passages'});
    for (const p of m.passages) {
      table.append(el('div', {class: 'pair k-' + p.kind},
        el('div', {class: 'col'}, el('span', {class: 'kind', text: p.kind}), t.slice(p.query_start_utf16, p.query_end_utf16)),
        el('div', {class: 'col'}, el('span', {class: 'kind', text: 'source'}), p.source_text)));
    }
    const box = el('details', {class: 'match'}, el('summary', {}, head), meta,
                   el('p', {class: 'hint', text: 'Aligned passages: the text on the left, the archived source on the right.'}),
                   table);
    if (i === 0) box.open = true;
    $('columns').append(box);
  }
}

function showReport(job) {
  reset('Evidence report');
  $('summary').append(el('p', {}, 'The report is ready: ',
    el('a', {href: job.download, download: 'unspin-report.html', text: 'download unspin-report.html'}),
    ' (a self-contained page to share).'));
}

// ---- files ----------------------------------------------------------------------------------

async function load(file) {
  if (!file || current) return;
  say('reading ' + file.name + '…');
  try {
    const r = await fetch('/api/extract?name=' + encodeURIComponent(file.name),
                          {method: 'POST', headers: {'Content-Type': 'application/octet-stream'}, body: file});
    const j = await jsonOrError(r);
    $('text').value = j.text;
    say(file.name + ': ' + j.text.length.toLocaleString() + ' characters of text');
  } catch (e) {
    say('Error: ' + e.message, true);
  }
}

async function init() {
  $('detect').onclick = () => act('detect');
  $('restore').onclick = () => act('restore');
  $('trace').onclick = () => act('trace');
  $('report').onclick = () => act('report');
  $('cancel').onclick = cancel;
  $('file').onchange = e => load(e.target.files[0]);
  const drop = $('drop');
  drop.onkeydown = e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('file').click(); } };
  drop.ondragover = e => { e.preventDefault(); drop.classList.add('over'); };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = e => { e.preventDefault(); drop.classList.remove('over'); load(e.dataTransfer.files[0]); };
  document.addEventListener('keydown', e => { if (e.key === 'Escape' && current) cancel(); });
  try {
    const h = await jsonOrError(await fetch('/api/health'));
    if (h.archive) for (const n of document.querySelectorAll('.needs-archive')) n.hidden = false;
  } catch (e) {
    say('The server does not answer: ' + e.message, true);
  }
}

init();
