// vcd runtime: renders each chart on the page with vega-embed, loading the
// query results it names from the site's data/ folder; and the dark/light toggle.
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
