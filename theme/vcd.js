// vcd runtime: draws each chart with vega-embed from the query results it names
// in the site's data/ folder, runs the data tables, and switches dark and light.
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  var loads = {};

  // Each query's JSON is fetched once per page, however many charts use it.
  function load(name) {
    if (!loads[name]) {
      loads[name] = fetch(root + "data/" + encodeURIComponent(name) + ".json").then(function (r) {
        if (!r.ok) throw new Error("cannot load data/" + name + ".json (HTTP " + r.status + ")");
        return r.json();
      });
    }
    return loads[name];
  }

  // Named data sources anywhere in the spec (layers and concatenations may differ).
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

  // A single or layered view fills its container's width unless the author set one.
  function isSingleView(spec) {
    return !spec.facet && !spec.repeat && !spec.concat && !spec.hconcat && !spec.vconcat;
  }

  // The reader's choice (data-theme, kept in localStorage) wins over the system's.
  function dark() {
    var chosen = document.documentElement.getAttribute("data-theme");
    if (chosen) return chosen === "dark";
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function render(figure) {
    var view = figure.querySelector(".vcd-chart-view");
    var spec = JSON.parse(figure.querySelector("script.vcd-spec").textContent);
    var inline = spec.datasets || {};
    var names = Object.keys(dataNames(spec, {})).filter(function (n) { return !(n in inline); });
    figure.setAttribute("data-status", "loading");
    return Promise.all(names.map(load)).then(function (tables) {
      spec.datasets = Object.assign({}, inline);
      names.forEach(function (n, i) { spec.datasets[n] = tables[i]; });
      if (spec.width === undefined && isSingleView(spec)) {
        spec.width = "container";
        spec.autosize = spec.autosize || { type: "fit-x", contains: "padding" };
      }
      var options = { mode: "vega-lite", renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } };
      if (dark()) options.theme = "dark";
      return vegaEmbed(view, spec, options);
    }).then(function (result) {
      figure.vcdView = result.view;
      figure.setAttribute("data-status", "rendered");
    }).catch(function (err) {
      figure.setAttribute("data-status", "error");
      var box = document.createElement("div");
      box.className = "vcd-chart-error";
      box.textContent = "This chart could not be drawn: " + (err && err.message ? err.message : err);
      view.replaceChildren(box);
      console.error("vcd: chart " + figure.id + ": ", err);
    });
  }

  // ---- Data tables: sort, search, pages and CSV download, in the browser. ----
  // Cells are formatted as the build formats the first page (see components.rs).
  function formatCell(v, fmt) {
    if (v === null || v === undefined) return "";
    if (fmt === "date" && typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v)) {
      var d = new Date(Date.UTC(+v.slice(0, 4), +v.slice(5, 7) - 1, +v.slice(8, 10)));
      return d.toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
    }
    var n = typeof v === "number" ? v : (typeof v === "string" && v.trim() !== "" && !isNaN(+v) ? +v : null);
    if (n === null || fmt === "text" || fmt === "date") return typeof v === "object" ? JSON.stringify(v) : String(v);
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
    var s = v === null || v === undefined ? "" : (typeof v === "object" ? JSON.stringify(v) : String(v));
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function element(tag, props) {
    var e = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) { e[k] = props[k]; });
    return e;
  }

  function setupTable(fig) {
    var spec = JSON.parse(fig.querySelector("script.vcd-table-spec").textContent);
    var field = {};
    spec.fields.forEach(function (f, i) { field[f] = i; });
    var cols = spec.columns.map(function (c) { return Object.assign({ at: field[c.name] }, c); });
    var state = { query: "", sort: -1, dir: 1, page: 0 };
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
      var rows = spec.rows.filter(function (r) {
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
          var text = formatCell(r[c.at], c.format);
          if (c.link) td.append(element("a", { href: href(c.link, r), textContent: text }));
          else td.textContent = text;
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
    }

    search.addEventListener("input", function () { state.query = search.value; state.page = 0; draw(); });
    prev.addEventListener("click", function () { state.page -= 1; draw(); });
    next.addEventListener("click", function () { state.page += 1; draw(); });
    fig.vcdTable = {
      csv: function () {
        var lines = [cols.map(function (c) { return csvField(c.label); }).join(",")];
        shown().forEach(function (r) { lines.push(cols.map(function (c) { return csvField(r[c.at]); }).join(",")); });
        return lines.join("\r\n") + "\r\n";
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
    draw();
  }
  Array.prototype.forEach.call(document.querySelectorAll("figure.vcd-table"), setupTable);

  var figures = Array.prototype.slice.call(document.querySelectorAll("figure.vcd-chart"));
  function renderAll() {
    figures.forEach(function (f) { if (f.vcdView) f.vcdView.finalize(); });
    window.vcd.ready = Promise.all(figures.map(render));
    return window.vcd.ready;
  }
  window.vcd = { ready: null, render: renderAll };
  if (figures.length && typeof vegaEmbed === "function") renderAll();

  // Charts take their colours from the theme, so they are drawn again when it changes.
  function toggleTheme() {
    var next = dark() ? "light" : "dark";
    document.documentElement.setAttribute("data-theme", next);
    try { localStorage.setItem("vcd-theme", next); } catch (e) { /* private mode: not remembered */ }
    if (figures.length && typeof vegaEmbed === "function") renderAll();
  }
  Array.prototype.forEach.call(document.querySelectorAll(".vcd-theme-toggle"), function (b) {
    b.addEventListener("click", toggleTheme);
  });
  if (window.matchMedia) {
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () {
      if (!document.documentElement.getAttribute("data-theme") && figures.length && typeof vegaEmbed === "function") renderAll();
    });
  }
})();
