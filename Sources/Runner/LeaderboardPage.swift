import Foundation
import Harness
import Reports

/// `index.html` of `forgetbench leaderboard`: one self-contained file (inline CSS, SVG and a little
/// vanilla JavaScript; no network, no external resource) with sortable columns, a filter box,
/// rows that expand to per-task details, and the flipped items of compared pairs.
///
/// Safety: the ``Leaderboard`` travels as JSON in a `<script type="application/json">` data island
/// (escaped by ``HTMLEscaping/scriptJSON(_:)``) and the script builds the DOM with `textContent`
/// and `setAttribute` only, so no task name, prompt or answer is ever parsed as markup. The charts
/// are SVG written by an XML serialiser (labels escaped). A Content-Security-Policy forbids every
/// network request and lets only the page's own script run (by its sha256): an injected inline
/// script or event handler would not execute.
///
/// Hooks for tests and links: `?sort=COLUMN&dir=asc|desc` sorts every table on load (`COLUMN` is
/// `model`, `task:NAME`, `ti`, `bwt` or `fingerprint`), `?filter=TEXT` fills the filter box, and
/// `window.forgetbench.sort(column, dir)` / `.filter(text)` do the same from a script. After
/// sorting, `<html data-sort="COLUMN:DIR">` records the order applied.
public enum LeaderboardPage {
    /// The page for `board`.
    public static func html(_ board: Leaderboard) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        var payload = board
        payload.tables = payload.tables.map { var t = $0; t.tradeoffSVG = nil; return t }
        let json = HTMLEscaping.scriptJSON(try encoder.encode(payload))
        var charts = ""
        for table in board.tables {
            guard let svg = table.tradeoffSVG else { continue }
            charts += "<figure class=\"chart\" id=\"chart-\(table.number)\">\(svg)</figure>\n"
        }
        // The page's one script, allowed by its hash: no other inline script or event handler runs.
        let scriptBody = "\n" + script + "\n"
        let hex = ContentHash.sha256(scriptBody)
        var digest = Data()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            digest.append(UInt8(hex[index ..< next], radix: 16)!)
            index = next
        }
        let page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-\(digest.base64EncodedString())'; img-src data:">
        <meta name="generator" content="forgetbench \(HTMLEscaping.text(board.harnessVersion))">
        <title>ForgetBench leaderboard</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        <header class="top">
        <div><h1>ForgetBench leaderboard</h1><p id="summary" class="muted"></p></div>
        <input id="filter" type="search" placeholder="Filter models, regimes, settings…" aria-label="Filter rows">
        </header>
        <main id="app"><noscript><p>This page builds its tables with JavaScript; leaderboard.md and leaderboard.json hold the same data.</p></noscript></main>
        <div id="charts" hidden>
        \(charts)</div>
        <footer class="muted">Written by forgetbench leaderboard. Scores with 95% intervals; changes in points for 0–1 metrics; * p &lt; 0.05, ** p &lt; 0.01, *** p &lt; 0.001 (paired tests, Holm-adjusted across non-target tasks); ? significance unknown. Click a column to sort, a row to expand it.</footer>
        <script type="application/json" id="leaderboard-data">\(json)</script>
        <script>\(scriptBody)</script>
        </body>
        </html>

        """
        return Data(page.utf8)
    }

    static let style = """
    :root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0969da; --good: #1a7f37; --bad: #cf222e; }
    * { box-sizing: border-box; }
    body { margin: 0; padding: 24px 32px 40px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: #fff; }
    .top { display: flex; gap: 24px; align-items: flex-end; justify-content: space-between; border-bottom: 1px solid var(--line); padding-bottom: 12px; margin-bottom: 16px; }
    h1 { font-size: 22px; margin: 0 0 4px; font-weight: 600; }
    h2 { font-size: 17px; margin: 28px 0 6px; font-weight: 600; }
    h3 { font-size: 14px; margin: 18px 0 6px; font-weight: 600; }
    .muted { color: var(--muted); }
    p { margin: 4px 0; }
    #filter { width: 300px; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
    #filter:focus { outline: 2px solid var(--accent); outline-offset: -1px; }
    .scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; margin: 10px 0; }
    table { border-collapse: collapse; width: 100%; }
    table.board th, table.board td { padding: 7px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
    table.board thead th { position: sticky; top: 0; background: var(--soft); font-weight: 600; text-align: right; cursor: pointer; user-select: none; vertical-align: bottom; }
    table.board thead th.left { text-align: left; }
    table.board thead th .sub { display: block; font-weight: 400; color: var(--muted); font-size: 12px; }
    table.board thead th[aria-sort="ascending"]::after { content: " ▲"; color: var(--accent); }
    table.board thead th[aria-sort="descending"]::after { content: " ▼"; color: var(--accent); }
    tr.row { cursor: pointer; }
    tr.row:hover { background: #f3f7fd; }
    tr.row.base { background: #fbfaf2; }
    tr.row td.num { text-align: right; font-variant-numeric: tabular-nums; }
    td .ci { color: var(--muted); font-size: 12px; margin-left: 4px; }
    td .delta { display: block; font-size: 12px; }
    td .adapter { display: block; font-size: 11px; color: var(--muted); margin-top: 2px; }
    .pos { color: var(--good); } .neg { color: var(--bad); } .unknown { color: var(--muted); }
    .toggle { display: inline-block; width: 14px; color: var(--muted); }
    .tag { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 10px; background: #ddf4ff; color: #0550ae; margin-left: 6px; vertical-align: 1px; }
    .tag.base { background: #fff1c2; color: #7d4e00; }
    .tag.target { background: #ffebe9; color: #a40e26; }
    code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft); padding: 1px 4px; border-radius: 4px; }
    tr.detail > td { background: #fcfcfd; padding: 12px 16px 16px 34px; white-space: normal; }
    table.inner { width: auto; margin: 6px 0 10px; font-size: 13px; }
    table.inner th, table.inner td { padding: 4px 10px; border-bottom: 1px solid #eaeef2; text-align: right; white-space: nowrap; }
    table.inner th:first-child, table.inner td:first-child { text-align: left; }
    table.flips th, table.flips td { text-align: left; }
    table.flips td { white-space: pre-wrap; max-width: 420px; }
    table.flips td.flip-kind { white-space: nowrap; }
    dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0; }
    dl.settings dt { color: var(--muted); } dl.settings dd { margin: 0; overflow-wrap: anywhere; }
    details.pair { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; margin: 8px 0; }
    details.pair > summary { cursor: pointer; font-weight: 600; }
    figure.chart { margin: 12px 0; } figure.chart svg { max-width: 100%; height: auto; }
    .note { border-left: 3px solid #d4a72c; background: #fff8c5; padding: 6px 10px; border-radius: 4px; }
    footer { margin-top: 32px; font-size: 12px; border-top: 1px solid var(--line); padding-top: 10px; }
    """

    static let script = #"""
    (function () {
      'use strict';
      var data = JSON.parse(document.getElementById('leaderboard-data').textContent);
      var app = document.getElementById('app');
      function el(tag, cls, text) {
        var e = document.createElement(tag);
        if (cls) e.className = cls;
        if (text !== undefined && text !== null) e.textContent = String(text);
        return e;
      }
      function num(v) { return typeof v === 'number' && isFinite(v) ? v : null; }
      function fixed(v, d) { v = num(v); return v === null ? 'n/a' : v.toFixed(d === undefined ? 3 : d); }
      function signed(v, d) { var s = fixed(v, d); return num(v) !== null && v > 0 ? '+' + s : s; }
      function mark(p) { if (num(p) === null) return ' ?'; return p < 0.001 ? '***' : p < 0.01 ? '**' : p < 0.05 ? '*' : ''; }
      function pText(p) { if (num(p) === null) return 'unknown'; return p < 0.001 ? 'p < 0.001' : 'p = ' + p.toFixed(3); }
      function deltaText(c) { return c.deltaInPoints ? signed(c.delta, 1) + ' pts' : signed(c.delta, 3); }
      function interval(ci, scale) { return ci ? '[' + fixed(ci[0], scale) + ', ' + fixed(ci[1], scale) + ']' : ''; }

      var rowCount = data.tables.reduce(function (n, t) { return n + t.rows.length; }, 0);
      document.getElementById('summary').textContent = rowCount + ' models from ' + data.inputs.length + ' outputs' +
        (data.tables.length > 1 ? ' in ' + data.tables.length + ' tables (task versions or hashes differ between them)' : '');

      var sorters = [];
      data.tables.forEach(function (t) {
        var section = el('section', 'board-section');
        section.setAttribute('data-table', String(t.number));
        if (data.tables.length > 1) section.appendChild(el('h2', null, 'Table ' + t.number));
        if (t.separation) section.appendChild(el('p', 'note', 'Not in table 1: ' + t.separation + '.'));
        var byId = {};
        t.rows.forEach(function (r) { byId[r.id] = r; });
        if (t.base && byId[t.base]) {
          var p = el('p', 'muted', 'Changes against ');
          p.appendChild(el('strong', null, byId[t.base].label));
          p.appendChild(document.createTextNode(t.baseReason ? ' (' + t.baseReason + ').' : '.'));
          section.appendChild(p);
        }
        var columns = [{ key: 'model', title: 'Model', left: true, value: function (r) { return r.label.toLowerCase(); } }];
        t.tasks.forEach(function (task, i) {
          columns.push({ key: 'task:' + task.name, title: task.name, sub: task.metric + (task.polarity === 'higher' ? ' ↑' : ' ↓'),
            role: task.role, value: function (r) { return r.cells[i] ? num(r.cells[i].value) : null; } });
        });
        if (t.rolesKnown) {
          columns.push({ key: 'ti', title: 'TI', sub: '% target', value: function (r) { return num(r.targetImprovement); } });
          columns.push({ key: 'bwt', title: 'BWT', sub: '% non-target', value: function (r) { return num(r.backwardTransfer); } });
        }
        columns.push({ key: 'fingerprint', title: 'Fingerprint', left: true, value: function (r) { return r.model.fingerprint.sha256; } });

        var wrap = el('div', 'scroll');
        var table = el('table', 'board');
        var thead = el('thead'), head = el('tr');
        columns.forEach(function (c) {
          var th = el('th', c.left ? 'left' : null);
          th.setAttribute('data-col', c.key);
          th.setAttribute('scope', 'col');
          th.appendChild(document.createTextNode(c.title));
          if (c.role === 'target') th.appendChild(el('span', 'tag target', 'target'));
          if (c.sub) th.appendChild(el('span', 'sub', c.sub));
          th.addEventListener('click', function () {
            var next = th.getAttribute('aria-sort') === 'descending' ? 'asc' : 'desc';
            sortAll(c.key, next);
          });
          head.appendChild(th);
        });
        thead.appendChild(head);
        table.appendChild(thead);
        var tbody = el('tbody');
        var entries = [];
        t.rows.forEach(function (r, index) {
          var tr = el('tr', 'row' + (r.id === t.base ? ' base' : ''));
          tr.setAttribute('data-row', r.id);
          var search = [r.label, r.group, r.model.source, r.model.fingerprint.sha256].concat(r.sources)
            .concat(r.settings.map(function (s) { return s.name + ' ' + s.value; })).join(' ').toLowerCase();
          var name = el('td');
          name.appendChild(el('span', 'toggle', '▸'));
          name.appendChild(el('span', 'label', r.label));
          if (r.id === t.base) name.appendChild(el('span', 'tag base', 'base'));
          else if (r.group) name.appendChild(el('span', 'tag', r.group));
          tr.appendChild(name);
          r.cells.forEach(function (c, i) {
            var td = el('td', 'num');
            if (!c) { td.textContent = '—'; tr.appendChild(td); return; }
            td.appendChild(el('span', 'value', fixed(c.value)));
            if (c.interval95) td.appendChild(el('span', 'ci', interval(c.interval95)));
            if (num(c.delta) !== null) {
              var better = t.tasks[i].polarity === 'higher' ? c.delta > 0 : c.delta < 0;
              var cls = num(c.pValue) === null ? 'unknown' : (c.delta === 0 ? '' : better ? 'pos' : 'neg');
              var d = el('span', 'delta ' + cls, deltaText(c) + mark(c.pValue));
              d.title = pText(c.pValue) + (c.test ? ' (' + c.test + ')' : '');
              td.appendChild(d);
            }
            tr.appendChild(td);
          });
          if (t.rolesKnown) {
            [r.targetImprovement, r.backwardTransfer].forEach(function (v) {
              var td = el('td', 'num', num(v) === null ? '—' : signed(v, 2) + '%');
              if (num(v) !== null && v !== 0) td.classList.add(v > 0 ? 'pos' : 'neg');
              tr.appendChild(td);
            });
          }
          var fp = el('td');
          fp.appendChild(el('code', null, 'sha256:' + r.model.fingerprint.sha256.slice(0, 12)));
          if (r.model.adapter) fp.appendChild(el('span', 'adapter', '+ adapter sha256:' + r.model.adapter.sha256.slice(0, 12)));
          tr.appendChild(fp);

          var detail = el('tr', 'detail');
          detail.hidden = true;
          var cell = el('td');
          cell.setAttribute('colspan', String(columns.length));
          cell.appendChild(details(t, r, byId));
          detail.appendChild(cell);
          tr.addEventListener('click', function () {
            detail.hidden = !detail.hidden;
            tr.querySelector('.toggle').textContent = detail.hidden ? '▸' : '▾';
          });
          tbody.appendChild(tr);
          tbody.appendChild(detail);
          entries.push({ row: r, tr: tr, detail: detail, index: index, search: search });
        });
        table.appendChild(tbody);
        wrap.appendChild(table);
        section.appendChild(wrap);
        var chart = document.getElementById('chart-' + t.number);
        if (chart) section.appendChild(chart);
        if (t.pairs.some(function (p) { return p.tasks.some(function (k) { return k.flips; }); })) section.appendChild(flipsSection(t, byId));
        app.appendChild(section);

        sorters.push({
          sort: function (key, dir) {
            var column = columns.filter(function (c) { return c.key === key; })[0];
            head.querySelectorAll('th').forEach(function (th) { th.removeAttribute('aria-sort'); });
            if (!column) return;
            head.querySelector('th[data-col="' + CSS.escape(key) + '"]').setAttribute('aria-sort', dir === 'asc' ? 'ascending' : 'descending');
            var sign = dir === 'asc' ? 1 : -1;
            entries.slice().sort(function (a, b) {
              var x = column.value(a.row), y = column.value(b.row);
              if (x === null && y === null) return a.index - b.index;
              if (x === null) return 1;
              if (y === null) return -1;
              if (x < y) return -sign;
              if (x > y) return sign;
              return a.index - b.index;
            }).forEach(function (e) { tbody.appendChild(e.tr); tbody.appendChild(e.detail); });
          },
          filter: function (text) {
            entries.forEach(function (e) {
              var show = !text || e.search.indexOf(text) >= 0;
              e.tr.hidden = !show;
              if (!show) e.detail.hidden = true;
            });
          }
        });
      });

      function details(t, r, byId) {
        var box = el('div');
        box.appendChild(el('h3', null, 'Per task'));
        var inner = el('table', 'inner');
        var head = el('tr');
        ['task', 'metric', 'value', '95% CI', 'items', 'change', '95% CI of change', 'p', 'test', 'right → wrong', 'wrong → right']
          .forEach(function (h) { head.appendChild(el('th', null, h)); });
        inner.appendChild(head);
        t.tasks.forEach(function (task, i) {
          var c = r.cells[i];
          var tr = el('tr');
          var values = c ? [task.name + (task.role === 'target' ? ' (target)' : ''), task.metric, fixed(c.value), interval(c.interval95) || '—',
            c.items === undefined || c.items === null ? '—' : String(c.items),
            num(c.delta) === null ? '—' : deltaText(c), c.deltaInterval95 ? interval(c.deltaInterval95, c.deltaInPoints ? 1 : 3) : '—',
            num(c.delta) === null ? '—' : pText(c.pValue), c.test || '—',
            c.rightToWrong === undefined || c.rightToWrong === null ? '—' : String(c.rightToWrong),
            c.wrongToRight === undefined || c.wrongToRight === null ? '—' : String(c.wrongToRight)]
            : [task.name, task.metric, 'not evaluated', '', '', '', '', '', '', '', ''];
          values.forEach(function (v) { tr.appendChild(el('td', null, v)); });
          inner.appendChild(tr);
        });
        box.appendChild(inner);
        box.appendChild(el('h3', null, 'Model and settings'));
        var dl = el('dl', 'settings');
        function item(k, v) { dl.appendChild(el('dt', null, k)); dl.appendChild(el('dd', null, v)); }
        item('model', r.model.source);
        item('engine', r.model.engine);
        item('fingerprint', 'sha256:' + r.model.fingerprint.sha256);
        if (r.model.adapter) item('adapter', 'sha256:' + r.model.adapter.sha256);
        r.settings.forEach(function (s) { item(s.name, s.value); });
        item('outputs', r.sources.join(', '));
        item('per-item samples', r.hasSamples ? 'yes' : 'no');
        box.appendChild(dl);
        return box;
      }

      function flipsSection(t, byId) {
        var box = el('div', 'flips-section');
        box.appendChild(el('h3', null, 'Items that flipped'));
        t.pairs.forEach(function (p) {
          p.tasks.forEach(function (k) {
            if (!k.flips) return;
            var lost = k.flips.filter(function (f) { return f.direction === 'right_to_wrong'; });
            var gained = k.flips.filter(function (f) { return f.direction === 'wrong_to_right'; });
            var d = el('details', 'pair');
            d.setAttribute('data-pair', p.base + '>' + p.candidate);
            d.setAttribute('data-task', k.task);
            var base = byId[p.base] ? byId[p.base].label : p.base, cand = byId[p.candidate] ? byId[p.candidate].label : p.candidate;
            d.appendChild(el('summary', null, cand + ' against ' + base + ' · ' + k.task + ' ' + k.metric + ': ' + lost.length +
              ' right → wrong, ' + gained.length + ' wrong → right of ' + k.pairedItems + ' items'));
            d.appendChild(el('p', 'muted', 'From ' + p.source + '. McNemar b = ' + (k.baseOnlyCorrect === undefined ? 'n/a' : k.baseOnlyCorrect) +
              ', c = ' + (k.candidateOnlyCorrect === undefined ? 'n/a' : k.candidateOnlyCorrect) + '.'));
            if (k.flips.length) {
              var ft = el('table', 'inner flips');
              var h = el('tr');
              ['item', 'flip', 'prompt', 'base answer', 'candidate answer', 'target'].forEach(function (x) { h.appendChild(el('th', null, x)); });
              ft.appendChild(h);
              lost.concat(gained).forEach(function (f) {
                var tr = el('tr', 'flip');
                tr.setAttribute('data-item', f.id);
                [f.id, f.direction === 'right_to_wrong' ? 'right → wrong' : 'wrong → right', f.prompt || '', f.baseAnswer, f.candidateAnswer, f.target]
                  .forEach(function (v, i) { tr.appendChild(el('td', i === 1 ? 'flip-kind ' + (f.direction === 'right_to_wrong' ? 'neg' : 'pos') : null, v)); });
                ft.appendChild(tr);
              });
              d.appendChild(ft);
            }
            box.appendChild(d);
          });
        });
        return box;
      }

      function sortAll(key, dir) {
        dir = dir === 'asc' ? 'asc' : 'desc';
        sorters.forEach(function (s) { s.sort(key, dir); });
        document.documentElement.setAttribute('data-sort', key + ':' + dir);
      }
      function filterAll(text) {
        text = String(text || '').toLowerCase().trim();
        var box = document.getElementById('filter');
        if (box.value.toLowerCase().trim() !== text) box.value = text;
        sorters.forEach(function (s) { s.filter(text); });
      }
      document.getElementById('filter').addEventListener('input', function (e) { filterAll(e.target.value); });
      window.forgetbench = { sort: sortAll, filter: filterAll, data: data };
      var params = new URLSearchParams(window.location.search);
      if (params.get('sort')) sortAll(params.get('sort'), params.get('dir'));
      if (params.get('filter')) filterAll(params.get('filter'));
      if (params.get('expand')) {
        document.querySelectorAll('tr.row').forEach(function (tr) {
          if (tr.getAttribute('data-row') === params.get('expand')) tr.click();
        });
      }
      if (params.get('open') === 'flips') document.querySelectorAll('details.pair').forEach(function (d) { d.open = true; });
      document.documentElement.setAttribute('data-ready', 'true');
    })();
    """#
}
