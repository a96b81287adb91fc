// vcd runtime: draws each chart with vega-embed from the query results it names
// in the site's data/ folder, runs the data tables and KPI cards, applies the
// page's inputs and cross-filters to all of them, keeps that state in the URL,
// and switches dark and light.
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  var manifestEl = document.getElementById("vcd-page");
  // Written by the build (variants.rs): the inputs, and per query its columns and variant files.
  var manifest = manifestEl ? JSON.parse(manifestEl.textContent) : { inputs: [], queries: {} };
  var inputs = manifest.inputs;
  var state = { values: {}, cross: null };
  var loads = {};

  // ---- Data: one fetch per file, however many components read it. ----
  function load(file) {
    if (!loads[file]) {
      loads[file] = fetch(root + "data/" + encodeURIComponent(file)).then(function (r) {
        if (!r.ok) throw new Error("cannot load data/" + file + " (HTTP " + r.status + ")");
        return r.json();
      });
    }
    return loads[file];
  }

  function inputNamed(name) {
    for (var i = 0; i < inputs.length; i++) if (inputs[i].name === name) return inputs[i];
    return null;
  }

  // The position of an input's value in the list the build pre-computed (Input::domain).
  function domainIndex(input) {
    var v = state.values[input.name];
    if (input.kind === "checkbox") return v ? 1 : 0;
    if (v === null || v === undefined) return 0;
    return v + (input.all !== null ? 1 : 0);
  }

  // The file holding a query's rows for the inputs' current values.
  function fileFor(query) {
    var q = manifest.queries[query];
    if (q && q.params) {
      var key = q.params.map(function (p) { return domainIndex(inputNamed(p)); }).join(",");
      return q.files[key];
    }
    return query + ".json";
  }

  function text(v) {
    return v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  }

  function initial(input) {
    switch (input.kind) {
      case "dropdown": return input.default === null ? null : input.default;
      case "multiselect": return [];
      case "date_range": return { from: "", to: "" };
      case "search": return "";
      default: return false;
    }
  }

  // Whether an input currently narrows anything (a dropdown with no "all" always does).
  function active(input) {
    var v = state.values[input.name];
    switch (input.kind) {
      case "dropdown": return v !== null;
      case "multiselect": return v.length > 0;
      case "date_range": return !!(v.from || v.to);
      case "search": return v.trim() !== "";
      default: return v === true;
    }
  }

  // A row predicate for an input on one of its fields.
  function predicate(input, columns) {
    var v = state.values[input.name];
    var fields = input.fields.filter(function (f) { return columns.indexOf(f) >= 0; });
    if (!fields.length) return null;
    var f = fields[0];
    switch (input.kind) {
      case "dropdown":
        var want = text(input.options[v].value);
        return function (row) { return text(row[f]) === want; };
      case "multiselect":
        var set = {};
        v.forEach(function (i) { set[text(input.options[i].value)] = true; });
        return function (row) { return set.hasOwnProperty(text(row[f])); };
      case "date_range":
        return function (row) {
          var d = text(row[f]).slice(0, 10);
          return d !== "" && (!v.from || d >= v.from) && (!v.to || d <= v.to);
        };
      case "search":
        var needle = v.trim().toLowerCase();
        return function (row) {
          return fields.some(function (g) { return text(row[g]).toLowerCase().indexOf(needle) >= 0; });
        };
      default:
        return function (row) { return row[f] === true || row[f] === 1 || row[f] === "true"; };
    }
  }

  // A query's rows as the page's filters leave them for one component, and the
  // labels of the active filters that cannot apply to it (shown, never ignored silently).
  function rowsFor(query, owner, skip) {
    var q = manifest.queries[query] || { columns: [] };
    var tests = [], missing = [];
    inputs.forEach(function (input) {
      if (input.name === skip) return;
      if (q.params && q.params.indexOf(input.name) >= 0) return; // exact, from the pre-computed file
      if (!active(input)) return;
      var p = predicate(input, q.columns);
      if (p) tests.push(p); else missing.push(input.label);
    });
    var c = state.cross;
    if (c && c.source !== owner) {
      if (q.columns.indexOf(c.field) >= 0) {
        tests.push(function (row) { return text(row[c.field]) === text(c.value); });
      } else {
        missing.push(c.field + " = " + text(c.value));
      }
    }
    return load(fileFor(query)).then(function (rows) {
      return { rows: tests.length ? rows.filter(function (r) { return tests.every(function (t) { return t(r); }); }) : rows, missing: missing };
    });
  }

  // Labels of every active filter, for components that read no query at all.
  function allActive(owner) {
    var labels = inputs.filter(active).map(function (i) { return i.label; });
    if (state.cross && state.cross.source !== owner) labels.push(state.cross.field + " = " + text(state.cross.value));
    return labels;
  }

  function element(tag, props) {
    var e = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) { e[k] = props[k]; });
    return e;
  }

  // The "not filtered by …" note a component carries while a filter cannot reach it.
  function note(container, labels, before) {
    var el = container.querySelector(":scope > .vcd-unfiltered");
    if (!labels.length) { if (el) el.remove(); return; }
    if (!el) {
      el = element("p", { className: "vcd-unfiltered" });
      container.insertBefore(el, before || container.firstChild);
    }
    el.textContent = "Not filtered by " + labels.join(", ") + " (this data has no such column)";
  }

  // ---- Charts ----
  function dataNames(node, found) {
    if (Array.isArray(node)) {
      node.forEach(function (n) { dataNames(n, found); });
    } else if (node && typeof node === "object") {
      Object.keys(node).forEach(function (key) {
        var v = node[key];
        if (key === "data" && v && typeof v.name === "string") found[v.name] = true;
        else if (key !== "datasets") dataNames(v, found);
      });
    }
    return found;
  }

  function isSingleView(spec) {
    return !spec.facet && !spec.repeat && !spec.concat && !spec.hconcat && !spec.vconcat && !spec.layer;
  }

  // The reader's choice (data-theme, kept in localStorage) wins over the system's.
  function dark() {
    var chosen = document.documentElement.getAttribute("data-theme");
    if (chosen) return chosen === "dark";
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  // The fields a chart encodes, for its data table: top-level encoding first.
  function encodedFields(spec) {
    var out = [];
    (function walk(node) {
      if (Array.isArray(node)) { node.forEach(walk); return; }
      if (!node || typeof node !== "object") return;
      if (node.encoding) {
        Object.keys(node.encoding).forEach(function (ch) {
          [].concat(node.encoding[ch]).forEach(function (d) {
            if (d && typeof d.field === "string" && out.indexOf(d.field) < 0) out.push(d.field);
          });
        });
      }
      ["layer", "concat", "hconcat", "vconcat", "spec"].forEach(function (k) { if (node[k]) walk(node[k]); });
    })(spec);
    return out;
  }

  // An accessible table of the data a chart draws; for a chart that cross-filters,
  // each category is a button, so the filter works from the keyboard too.
  function dataTable(figure, rows, fields, select) {
    var box = figure.querySelector(":scope > details.vcd-chart-data");
    var open = box ? box.open : false;
    var fresh = element("details", { className: "vcd-chart-data", open: open });
    fresh.append(element("summary", { textContent: "Data (" + rows.length + " rows)" }));
    var cols = fields.filter(function (f) { return rows.length === 0 || f in rows[0]; });
    if (!cols.length && rows.length) cols = Object.keys(rows[0]);
    var limit = 500;
    var table = element("table");
    var head = element("tr");
    cols.forEach(function (c) { head.append(element("th", { scope: "col", textContent: c })); });
    var thead = element("thead");
    thead.append(head);
    table.append(thead);
    var body = element("tbody");
    rows.slice(0, limit).forEach(function (r) {
      var tr = element("tr");
      cols.forEach(function (c) {
        var td = element("td");
        if (c === select) {
          var b = element("button", { type: "button", className: "vcd-select", textContent: text(r[c]) });
          b.title = "Filter the page by " + c + " = " + text(r[c]);
          b.addEventListener("click", function () { crossFilter(select, r[c], figure.id); });
          td.append(b);
        } else {
          td.textContent = text(r[c]);
        }
        tr.append(td);
      });
      body.append(tr);
    });
    table.append(body);
    fresh.append(table);
    if (rows.length > limit) fresh.append(element("p", { textContent: "First " + limit + " of " + rows.length + " rows." }));
    if (box) box.replaceWith(fresh); else figure.append(fresh);
  }

  function renderChart(figure, spec0) {
    var view = figure.querySelector(".vcd-chart-view");
    var spec = JSON.parse(JSON.stringify(spec0));
    var inline = spec.datasets || {};
    var names = Object.keys(dataNames(spec, {})).filter(function (n) { return !(n in inline); });
    var select = spec.usermeta && spec.usermeta.vcd && spec.usermeta.vcd.select;
    figure.setAttribute("data-status", "loading");
    return Promise.all(names.map(function (n) { return rowsFor(n, figure.id); })).then(function (got) {
      var missing = [];
      spec.datasets = Object.assign({}, inline);
      names.forEach(function (n, i) {
        spec.datasets[n] = got[i].rows;
        got[i].missing.forEach(function (m) { if (missing.indexOf(m) < 0) missing.push(m); });
      });
      if (!names.length) missing = allActive(figure.id);
      note(figure, missing);
      figure.setAttribute("data-rows", names.length ? got[0].rows.length : "");
      figure.vcdRows = names.length ? got[0].rows : [];
      var c = state.cross;
      if (c && c.source === figure.id && spec.encoding && isSingleView(spec)) {
        // The chart that was clicked keeps every mark and highlights the chosen one.
        spec.encoding.opacity = {
          condition: { test: "datum[" + JSON.stringify(c.field) + "] === " + JSON.stringify(c.value), value: 1 },
          value: 0.25
        };
      }
      if (spec.width === undefined && (isSingleView(spec) || spec.layer)) {
        spec.width = "container";
        spec.autosize = spec.autosize || { type: "fit-x", contains: "padding" };
      }
      if (view.clientWidth && view.clientWidth < 480 && !figure.classList.contains("vcd-spark")) {
        // On a phone a legend beside the plot would take half its width.
        spec.config = Object.assign({}, spec.config);
        spec.config.legend = Object.assign({ orient: "bottom" }, spec.config.legend);
      }
      // The card behind the chart is the theme's; Vega's dark theme would paint its own grey box.
      if (spec.background === undefined) spec.background = "transparent";
      var options = { mode: "vega-lite", renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } };
      if (figure.classList.contains("vcd-spark")) options.actions = false;
      if (dark()) options.theme = "dark";
      if (figure.vcdView) figure.vcdView.finalize();
      return vegaEmbed(view, spec, options).then(function (result) {
        figure.vcdView = result.view;
        if (select) {
          figure.setAttribute("data-select", select);
          result.view.addEventListener("click", function (event, item) {
            var d = item && item.datum;
            if (d && d[select] !== undefined) crossFilter(select, d[select], figure.id);
          });
        }
        if (!figure.classList.contains("vcd-spark") && names.length) dataTable(figure, got[0].rows, encodedFields(spec), select);
        figure.setAttribute("data-status", "rendered");
      });
    }).catch(function (err) {
      figure.setAttribute("data-status", "error");
      var box = element("div", { className: "vcd-chart-error" });
      box.textContent = "This chart could not be drawn: " + (err && err.message ? err.message : err);
      view.replaceChildren(box);
      console.error("vcd: chart " + figure.id + ": ", err);
    });
  }

  // ---- KPI cards bound to a query (kpi(…, data=…)); formats match components.rs. ----
  function group(n, d) {
    var s = new Intl.NumberFormat("en-US", { minimumFractionDigits: d, maximumFractionDigits: d }).format(Math.abs(n));
    return (n < 0 && /[1-9]/.test(s) ? "-" : "") + s;
  }

  function format(n, fmt, d) {
    if (fmt === "percent") return group(n * 100, d) + "%";
    if (fmt === "currency") { var body = group(Math.abs(n), d); return (n < 0 && /[1-9]/.test(body) ? "-" : "") + "$" + body; }
    if (fmt === "compact") {
      var a = Math.abs(n), units = [[1e9, "B"], [1e6, "M"], [1e3, "K"]];
      for (var i = 0; i < units.length; i++) {
        if (a >= units[i][0]) {
          var t = (n / units[i][0]).toFixed(d);
          if (t.indexOf(".") >= 0) t = t.replace(/0+$/, "").replace(/\.$/, "");
          return t + units[i][1];
        }
      }
      return group(n, Number.isInteger(n) ? 0 : d);
    }
    return group(n, d);
  }

  function numeric(v) {
    if (typeof v === "number") return v;
    if (typeof v === "string" && v.trim() !== "" && !isNaN(+v)) return +v;
    return null;
  }

  function aggregate(agg, rows, col) {
    if (agg === "count") return rows.length;
    var xs = [];
    rows.forEach(function (r) { var n = numeric(r[col]); if (n !== null) xs.push(n); });
    if (agg === "first") return rows.length && rows[0][col] !== null ? numeric(rows[0][col]) : null;
    if (agg === "sum") return xs.reduce(function (s, x) { return s + x; }, 0);
    if (!xs.length) return null;
    if (agg === "mean") return xs.reduce(function (s, x) { return s + x; }, 0) / xs.length;
    if (agg === "min") return Math.min.apply(null, xs);
    if (agg === "max") return Math.max.apply(null, xs);
    return null;
  }

  function delta(now, before, spec) {
    var diff = now - before;
    var direction = diff > 0 ? "up" : diff < 0 ? "down" : "flat";
    var tone = direction === "flat" ? "neutral" : (direction === "up") === spec.up_is_good ? "good" : "bad";
    var sign = diff > 0 ? "+" : "";
    var change = spec.format === "percent"
      ? sign + group(diff * 100, spec.decimals) + " pts"
      : sign + format(diff, spec.format, spec.decimals) + (before !== 0 ? " (" + sign + format(diff / Math.abs(before), "percent", 1) + ")" : "");
    var el = element("div", { className: "kpi-delta " + direction + " " + tone });
    var arrow = element("span", { textContent: { up: "▲", down: "▼", flat: "■" }[direction] });
    arrow.setAttribute("aria-hidden", "true");
    el.append(arrow, " " + change + " " + spec.compare);
    return el;
  }

  // Day numbers (days since 1970-01-01) of ISO dates and timestamps, for windows of time.
  function dayOf(v) {
    var t = text(v);
    if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return null;
    return Math.round(Date.UTC(+t.slice(0, 4), +t.slice(5, 7) - 1, +t.slice(8, 10)) / 864e5);
  }

  // A period KPI (kpi(…, period=column)): the figure over a window of days and
  // over the window of the same length just before. The window is the page's
  // date range on that column when one is set, else the last `days` days of data.
  function periodFigures(spec, all, rows) {
    var range = inputs.filter(function (i) { return i.kind === "date_range" && i.fields.indexOf(spec.period) >= 0 && active(i); })[0];
    var end = null, first = null;
    all.forEach(function (r) {
      var d = dayOf(r[spec.period]);
      if (d !== null) { end = end === null ? d : Math.max(end, d); first = first === null ? d : Math.min(first, d); }
    });
    if (end === null) return { now: null, before: null, days: spec.days };
    var from = end - spec.days + 1, to = end;
    if (range) {
      var v = state.values[range.name];
      from = v.from ? dayOf(v.from) : first;
      to = v.to ? dayOf(v.to) : end;
    }
    var len = to - from + 1;
    var within = function (a, b) {
      return rows.filter(function (r) { var d = dayOf(r[spec.period]); return d !== null && d >= a && d <= b; });
    };
    return {
      now: aggregate(spec.agg, within(from, to), spec.value),
      before: aggregate(spec.agg, within(from - len, from - 1), spec.value),
      days: len,
      ranged: !!range
    };
  }

  function updateKpi(card) {
    var spec = JSON.parse(card.querySelector("script.vcd-kpi-spec").textContent);
    if (spec.period) {
      var range = inputs.filter(function (i) { return i.kind === "date_range" && i.fields.indexOf(spec.period) >= 0; })[0];
      return Promise.all([load(fileFor(spec.query)), rowsFor(spec.query, null, range ? range.name : null)]).then(function (got) {
        var f = periodFigures(spec, got[0], got[1].rows);
        var compare = f.ranged || spec.compare_auto ? "vs the " + f.days + " days before" : spec.compare;
        showKpi(card, Object.assign({}, spec, { compare: compare }), f.now, f.before, got[1].missing);
      });
    }
    return rowsFor(spec.query, null).then(function (got) {
      var now = aggregate(spec.agg, got.rows, spec.value);
      var before = spec.previous ? aggregate(spec.agg, got.rows, spec.previous) : null;
      showKpi(card, spec, now, before, got.missing);
    });
  }

  function showKpi(card, spec, now, before, missing) {
    var value = card.querySelector(".kpi-value");
    value.textContent = now === null ? "–" : format(now, spec.format, spec.decimals);
    value.setAttribute("data-value", now === null ? "" : String(now));
    value.setAttribute("data-previous", before === null ? "" : String(before));
    var old = card.querySelector(".kpi-delta");
    if (old) old.remove();
    if (now !== null && before !== null) value.insertAdjacentElement("afterend", delta(now, before, spec));
    note(card, missing, card.querySelector(".kpi-value"));
  }

  // ---- Data tables: sort, search, pages and CSV download, in the browser. ----
  // Cells are formatted as the build formats the first page (see components.rs).
  function formatCell(v, fmt) {
    if (v === null || v === undefined) return "";
    if (fmt === "date" && typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v)) {
      var d = new Date(Date.UTC(+v.slice(0, 4), +v.slice(5, 7) - 1, +v.slice(8, 10)));
      return d.toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
    }
    var n = numeric(v);
    if (n === null || fmt === "text" || fmt === "date") return text(v);
    var whole = Number.isInteger(n);
    var opts = {
      number: { minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: whole ? 0 : 2 },
      percent: { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 },
      currency: { style: "currency", currency: "USD" },
      compact: { notation: "compact", maximumFractionDigits: 1 }
    }[fmt];
    return new Intl.NumberFormat("en-US", opts).format(n);
  }

  function csvField(v) {
    var s = text(v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function setupTable(fig) {
    var spec = JSON.parse(fig.querySelector("script.vcd-table-spec").textContent);
    var field = {};
    spec.fields.forEach(function (f, i) { field[f] = i; });
    var cols = spec.columns.map(function (c) { return Object.assign({ at: field[c.name] }, c); });
    var state = { query: "", sort: -1, dir: 1, page: 0 };
    if (spec.sort) {
      state.sort = cols.map(function (c) { return c.name; }).indexOf(spec.sort.column);
      state.dir = spec.sort.dir;
    }
    var all = spec.rows || [];
    var table = fig.querySelector("table");
    var search = element("input", { type: "search", placeholder: "Search", className: "vcd-table-search" });
    search.setAttribute("aria-label", "Search this table");
    var download = element("button", { type: "button", textContent: "Download CSV", className: "vcd-table-csv" });
    var bar = element("div", { className: "vcd-table-bar" });
    bar.append(search, download);
    var prev = element("button", { type: "button", textContent: "Previous" });
    var next = element("button", { type: "button", textContent: "Next" });
    var info = element("span", { className: "vcd-table-info" });
    info.setAttribute("aria-live", "polite");
    var pager = element("div", { className: "vcd-table-pager" });
    pager.append(prev, info, next);
    fig.insertBefore(bar, table);
    table.insertAdjacentElement("afterend", pager);
    var heads = table.querySelectorAll("thead th");
    cols.forEach(function (c, i) {
      var b = element("button", { type: "button", textContent: c.label, className: "vcd-sort" });
      b.addEventListener("click", function () {
        state.dir = state.sort === i ? -state.dir : 1;
        state.sort = i;
        state.page = 0;
        draw();
      });
      heads[i].replaceChildren(b);
    });

    // The rows that match the search, in the chosen order: what the table shows and the CSV holds.
    function shown() {
      var q = state.query.toLowerCase();
      var rows = all.filter(function (r) {
        return !q || cols.some(function (c) { return formatCell(r[c.at], c.format).toLowerCase().indexOf(q) >= 0; });
      });
      if (state.sort >= 0) {
        var at = cols[state.sort].at, dir = state.dir;
        rows = rows.slice().sort(function (a, b) {
          var x = a[at], y = b[at];
          if (x === null || x === undefined) return 1;
          if (y === null || y === undefined) return -1;
          var nx = +x, ny = +y;
          var cmp = typeof x !== "boolean" && x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny) ? nx - ny : String(x).localeCompare(String(y));
          return cmp * dir;
        });
      }
      return rows;
    }

    function href(template, row) {
      return root + template.replace(/\{(\w+)\}/g, function (_, name) { return encodeURIComponent(row[field[name]]); });
    }

    function draw() {
      var rows = shown();
      var size = spec.page_size;
      var pages = Math.max(1, Math.ceil(rows.length / size));
      state.page = Math.min(state.page, pages - 1);
      var first = state.page * size;
      var body = element("tbody");
      rows.slice(first, first + size).forEach(function (r) {
        var tr = element("tr");
        cols.forEach(function (c) {
          var td = element("td");
          if (["number", "percent", "currency", "compact"].indexOf(c.format) >= 0) td.className = "num";
          var t = formatCell(r[c.at], c.format);
          if (c.link) td.append(element("a", { href: href(c.link, r), textContent: t }));
          else td.textContent = t;
          tr.append(td);
        });
        body.append(tr);
      });
      table.querySelector("tbody").replaceWith(body);
      heads.forEach(function (th, i) {
        th.setAttribute("aria-sort", state.sort === i ? (state.dir > 0 ? "ascending" : "descending") : "none");
      });
      info.textContent = rows.length ? (first + 1) + "–" + Math.min(first + size, rows.length) + " of " + rows.length : "no rows match";
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      fig.setAttribute("data-rows", String(rows.length));
    }

    search.addEventListener("input", function () { state.query = search.value; state.page = 0; draw(); });
    prev.addEventListener("click", function () { state.page -= 1; draw(); });
    next.addEventListener("click", function () { state.page += 1; draw(); });
    fig.vcdTable = {
      csv: function () {
        var lines = [cols.map(function (c) { return csvField(c.label); }).join(",")];
        shown().forEach(function (r) { lines.push(cols.map(function (c) { return csvField(r[c.at]); }).join(",")); });
        return lines.join("\r\n") + "\r\n";
      },
      // Rows from the query as the page's filters leave them (query-bound tables only).
      refresh: function () {
        if (!spec.query) { note(fig, allActive(null), bar); return Promise.resolve(); }
        return rowsFor(spec.query, null).then(function (got) {
          all = got.rows.map(function (r) { return spec.fields.map(function (f) { return r[f]; }); });
          note(fig, got.missing, bar);
          draw();
        });
      }
    };
    download.addEventListener("click", function () {
      var url = URL.createObjectURL(new Blob([fig.vcdTable.csv()], { type: "text/csv" }));
      var a = element("a", { href: url, download: "table.csv" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    });
    if (spec.rows) draw();
  }

  // ---- Inputs, the active-filter bar, and the URL ----
  var controls = {};
  Array.prototype.forEach.call(document.querySelectorAll("[data-input]"), function (el) {
    controls[el.getAttribute("data-input")] = el;
  });

  // Values in the URL are the options' own values, so a shared link reads well.
  function toUrl() {
    var params = new URLSearchParams();
    inputs.forEach(function (input) {
      var v = state.values[input.name];
      if (input.kind === "dropdown" && v !== input.default) params.set(input.name, v === null ? "" : text(input.options[v].value));
      if (input.kind === "multiselect" && v.length) params.set(input.name, v.map(function (i) { return text(input.options[i].value); }).join(","));
      if (input.kind === "date_range" && (v.from || v.to)) params.set(input.name, v.from + ".." + v.to);
      if (input.kind === "search" && v) params.set(input.name, v);
      if (input.kind === "checkbox" && v) params.set(input.name, "1");
    });
    if (state.cross) params.set("filter." + state.cross.field, text(state.cross.value));
    var qs = params.toString();
    history.replaceState(null, "", location.pathname + (qs ? "?" + qs : "") + location.hash);
  }

  function optionIndex(input, value) {
    for (var i = 0; i < input.options.length; i++) if (text(input.options[i].value) === value) return i;
    return -1;
  }

  function fromUrl() {
    var params = new URLSearchParams(location.search);
    inputs.forEach(function (input) {
      state.values[input.name] = initial(input);
      if (!params.has(input.name)) return;
      var raw = params.get(input.name);
      if (input.kind === "dropdown") {
        var i = optionIndex(input, raw);
        if (i >= 0) state.values[input.name] = i;
        else if (raw === "" && input.all !== null) state.values[input.name] = null;
      } else if (input.kind === "multiselect") {
        state.values[input.name] = raw.split(",").map(function (v) { return optionIndex(input, v); }).filter(function (i) { return i >= 0; });
      } else if (input.kind === "date_range") {
        var parts = raw.split("..");
        var ok = function (d) { return /^\d{4}-\d{2}-\d{2}$/.test(d || "") ? d : ""; };
        state.values[input.name] = { from: ok(parts[0]), to: ok(parts[1]) };
      } else if (input.kind === "search") {
        state.values[input.name] = raw;
      } else {
        state.values[input.name] = raw === "1" || raw === "true";
      }
    });
    state.cross = null;
    params.forEach(function (value, key) {
      if (key.indexOf("filter.") === 0) state.cross = { field: key.slice(7), value: value, source: null };
    });
  }

  // Puts the state into the form controls (after a URL load or a cross-filter click).
  function showState() {
    inputs.forEach(function (input) {
      var el = controls[input.name], v = state.values[input.name];
      if (!el) return;
      if (input.kind === "dropdown") el.value = v === null ? "" : String(v);
      else if (input.kind === "multiselect") {
        Array.prototype.forEach.call(el.querySelectorAll("input"), function (box) { box.checked = v.indexOf(+box.value) >= 0; });
      } else if (input.kind === "date_range") {
        el.querySelector("[data-end=from]").value = v.from;
        el.querySelector("[data-end=to]").value = v.to;
      } else if (input.kind === "search") el.value = v;
      else el.checked = v;
    });
  }

  function readControl(input) {
    var el = controls[input.name];
    if (input.kind === "dropdown") return el.value === "" ? null : +el.value;
    if (input.kind === "multiselect") {
      return Array.prototype.filter.call(el.querySelectorAll("input"), function (b) { return b.checked; }).map(function (b) { return +b.value; });
    }
    if (input.kind === "date_range") return { from: el.querySelector("[data-end=from]").value, to: el.querySelector("[data-end=to]").value };
    if (input.kind === "search") return el.value;
    return el.checked;
  }

  // An input's value in words, for its chip in the active-filter bar.
  function describe(input) {
    var v = state.values[input.name];
    switch (input.kind) {
      case "dropdown": return input.options[v].label;
      case "multiselect": return v.map(function (i) { return input.options[i].label; }).join(", ");
      case "date_range": return (v.from || "…") + " to " + (v.to || "…");
      case "search": return "“" + v.trim() + "”";
      default: return "yes";
    }
  }

  var bar = null;
  function filterBar() {
    if (!bar) {
      bar = element("div", { className: "vcd-active" });
      bar.setAttribute("aria-live", "polite");
      var first = document.querySelector(".vcd-input");
      var main = document.querySelector("main") || document.body;
      if (first) first.parentNode.insertBefore(bar, first);
      else main.insertBefore(bar, main.querySelector("h1") ? main.querySelector("h1").nextSibling : main.firstChild);
    }
    bar.replaceChildren();
    var chips = [];
    inputs.forEach(function (input) {
      if (!active(input) || state.values[input.name] === input.default) return;
      chips.push([input.label + ": " + describe(input), function () { state.values[input.name] = initial(input); }]);
    });
    if (state.cross) chips.push([state.cross.field + " = " + text(state.cross.value), function () { state.cross = null; }]);
    bar.hidden = chips.length === 0;
    if (!chips.length) return;
    bar.append(element("span", { textContent: "Filtered:" }));
    chips.forEach(function (c) {
      var b = element("button", { type: "button", className: "vcd-chip", textContent: c[0] + " ✕" });
      b.setAttribute("aria-label", "Clear filter " + c[0]);
      b.addEventListener("click", function () { c[1](); changed(); });
      bar.append(b);
    });
    var clear = element("button", { type: "button", className: "vcd-clear", textContent: "Clear all filters" });
    clear.addEventListener("click", function () {
      inputs.forEach(function (input) { state.values[input.name] = initial(input); });
      state.cross = null;
      changed();
    });
    bar.append(clear);
  }

  // A click on a mark: through an input on that field when there is one (so a
  // pre-computed variant gives exact figures), otherwise as a row filter.
  function crossFilter(field, value, source) {
    var input = inputs.filter(function (i) { return (i.kind === "dropdown" || i.kind === "multiselect") && i.fields[0] === field; })[0];
    var i = input ? optionIndex(input, text(value)) : -1;
    if (i >= 0) {
      var same = input.kind === "dropdown" ? state.values[input.name] === i : state.values[input.name].length === 1 && state.values[input.name][0] === i;
      state.values[input.name] = same ? initial(input) : input.kind === "dropdown" ? i : [i];
    } else {
      var again = state.cross && state.cross.field === field && text(state.cross.value) === text(value);
      state.cross = again ? null : { field: field, value: value, source: source };
    }
    changed();
  }

  // ---- Putting it together ----
  var figures = Array.prototype.slice.call(document.querySelectorAll("figure.vcd-chart"));
  var tables = Array.prototype.slice.call(document.querySelectorAll("figure.vcd-table"));
  var kpis = Array.prototype.slice.call(document.querySelectorAll(".kpi"));
  var specs = figures.map(function (f) { return JSON.parse(f.querySelector("script.vcd-spec").textContent); });
  tables.forEach(setupTable);

  function refresh() {
    var work = [];
    if (typeof vegaEmbed === "function") figures.forEach(function (f, i) { work.push(renderChart(f, specs[i])); });
    tables.forEach(function (t) { work.push(t.vcdTable.refresh()); });
    kpis.forEach(function (k) {
      if (k.querySelector("script.vcd-kpi-spec")) work.push(updateKpi(k));
      else note(k, allActive(null), k.querySelector(".kpi-value"));
    });
    window.vcd.ready = Promise.all(work);
    return window.vcd.ready;
  }

  function changed() {
    showState();
    filterBar();
    toUrl();
    return refresh();
  }

  inputs.forEach(function (input) {
    var el = controls[input.name];
    if (!el) return;
    var event = input.kind === "search" ? "input" : "change";
    el.addEventListener(event, function () { state.values[input.name] = readControl(input); changed(); });
  });

  window.vcd = { ready: null, render: refresh, state: state };
  fromUrl();
  showState();
  filterBar();
  refresh();

  // Charts take their colours from the theme, so they are drawn again when it changes.
  function toggleTheme() {
    var next = dark() ? "light" : "dark";
    document.documentElement.setAttribute("data-theme", next);
    try { localStorage.setItem("vcd-theme", next); } catch (e) { /* private mode: not remembered */ }
    refresh();
  }
  Array.prototype.forEach.call(document.querySelectorAll(".vcd-theme-toggle"), function (b) {
    b.addEventListener("click", toggleTheme);
  });
  if (window.matchMedia) {
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () {
      if (!document.documentElement.getAttribute("data-theme")) refresh();
    });
  }
})();
