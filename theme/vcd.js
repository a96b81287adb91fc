// vcd runtime: draws each chart with vega-embed from the query results it names
// in the site's data/ folder, runs the data tables and KPI cards, applies the
// page's inputs and cross-filters to all of them, keeps that state in the URL,
// and switches dark and light.
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  var manifestEl = document.getElementById("vcd-page");
  // Written by the build (variants.rs): the inputs, and per query its columns and
  // variant files.
  var manifest = manifestEl ? JSON.parse(manifestEl.textContent) : { inputs: [], queries: {} };
  var inputs = manifest.inputs;
  // ---- Names from data: any column, query or input name, JavaScript built-ins included. ----
  // Maps keyed by such names have no prototype, and lookups check own
  // properties, so a column called "constructor" or "__proto__" reads as itself.
  function dict() { return Object.create(null); }
  function own(obj, key) { return obj && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined; }
  // Assignment to "__proto__" would set the prototype; a defined property is just a key.
  function put(obj, key, value) {
    Object.defineProperty(obj, key, { value: value, writable: true, enumerable: true, configurable: true });
    return obj;
  }

  var state = { values: dict(), cross: null };
  var loads = dict();
  // A page made from a row carries its own rows of the queries keyed like it (slices.rs).
  var ownRows = dict();
  Array.prototype.forEach.call(document.querySelectorAll("script.vcd-rows"), function (el) {
    put(ownRows, el.getAttribute("data-query"), JSON.parse(el.textContent));
  });

  // ---- Data: one fetch per file, however many components read it. ----
  function load(file) {
    if (!loads[file]) {
      // Chunks sit in a folder of their own (post_facts.t…/0.json): each segment is encoded.
      var url = root + "data/" + file.split("/").map(encodeURIComponent).join("/");
      loads[file] = fetch(url).then(function (r) {
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

  // A query's rows for the inputs' current values: a page made from a row
  // carries its own rows of the queries it gets only those of (slices.rs);
  // otherwise the file of the query's result, or of the variant the inputs choose.
  function queryRows(query) {
    var mine = own(ownRows, query);
    if (mine) return Promise.resolve(mine);
    var q = own(manifest.queries, query);
    if (q && q.params) {
      var key = q.params.map(function (p) { return domainIndex(inputNamed(p)); }).join(",");
      return load(q.files[key]);
    }
    return load(query + ".json");
  }

  function text(v) {
    return v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  }

  function initial(input) {
    switch (input.kind) {
      case "dropdown": return input.default === null ? null : input.default;
      case "multiselect": return [];
      case "date_range": return { from: "", to: "" };
      case "slider": return { lo: 0, hi: input.range.count };
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
      case "slider": return v.lo > 0 || v.hi < input.range.count;
      case "search": return v.trim() !== "";
      default: return v === true;
    }
  }

  // A row predicate for an input on one of its fields.
  function predicate(input, columns) {
    var v = state.values[input.name];
    if (input.kind === "slider") return sliderPredicate(input, v, columns);
    var fields = input.fields.filter(function (f) { return columns.indexOf(f) >= 0; });
    if (!fields.length) return null;
    var f = fields[0];
    switch (input.kind) {
      case "dropdown":
        var want = text(input.options[v].value);
        return function (row) { return text(row[f]) === want; };
      case "multiselect":
        var set = new Set();
        v.forEach(function (i) { set.add(text(input.options[i].value)); });
        return function (row) { return set.has(text(row[f])); };
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

  // A slider keeps the rows whose value's step is in the span chosen: a
  // rollup row holds its step's number (under range.alias; the engine worked
  // it out as src/query/rollup.rs Bin::sql does), a query's row its value,
  // whose step is worked out the same way here, in doubles.
  function sliderStep(r, x) {
    var d = decimalOf(x);
    if (!d) return null;
    var i = Math.floor((toNumber(d) - r.min) / r.step);
    return isNaN(i) ? null : Math.min(Math.max(i, 0), r.count - 1);
  }
  function sliderPredicate(input, v, columns) {
    var r = input.range;
    if (columns.indexOf(r.alias) >= 0) {
      return function (row) { var i = row[r.alias]; return i !== null && i !== undefined && i >= v.lo && i < v.hi; };
    }
    var f = input.fields.filter(function (x) { return columns.indexOf(x) >= 0; })[0];
    if (f === undefined) return null;
    return function (row) { var i = sliderStep(r, row[f]); return i !== null && i >= v.lo && i < v.hi; };
  }
  // Where step i starts, as the slider writes it (the ends say "any").
  function sliderEnd(input, i) {
    var r = input.range;
    return formatNumber(r.min + i * r.step, r.format, r.format === "number" || r.format === "currency" ? sliderPlaces(r) : 1);
  }
  // Enough decimals to tell the steps apart (0 for whole steps).
  function sliderPlaces(r) {
    var p = 0;
    while (p < 12 && Math.abs(Math.round(r.step * Math.pow(10, p)) - r.step * Math.pow(10, p)) > 1e-9) p++;
    return p;
  }
  function sliderText(input, v) {
    var any = v.lo === 0 && v.hi === input.range.count;
    if (any) return "any";
    return (v.lo === 0 ? "up to" : sliderEnd(input, v.lo)) + (v.lo === 0 ? " " : " to ") +
      (v.hi === input.range.count ? "or more" : sliderEnd(input, v.hi));
  }

  // The tests the page's filters make of a row with these columns (inputs
  // bound as the query's parameters are exact already, from the pre-computed
  // file), and the labels of the active filters that cannot apply to it
  // (shown, never ignored silently).
  function filtersFor(columns, params, owner, skip) {
    var tests = [], missing = [], dated = false;
    inputs.forEach(function (input) {
      if (input.name === skip) return;
      if (params && params.indexOf(input.name) >= 0) return;
      if (!active(input)) return;
      var p = predicate(input, columns);
      if (p) { tests.push(p); dated = dated || input.kind === "date_range"; } else missing.push(input.label);
    });
    var c = state.cross;
    if (c && c.source !== owner) {
      if (columns.indexOf(c.field) >= 0) {
        tests.push(function (row) { return text(row[c.field]) === text(c.value); });
      } else {
        missing.push(c.field + " = " + text(c.value));
      }
    }
    return { tests: tests, missing: missing, dated: dated };
  }

  function passing(rows, tests) {
    return tests.length ? rows.filter(function (r) { return tests.every(function (t) { return t(r); }); }) : rows;
  }

  // A query's rows as the page's filters leave them for one component, and the
  // labels of the active filters that cannot apply to it.
  // (`file`: the chart's own projection of the query's columns, projection.rs.)
  function rowsFor(query, owner, skip, file) {
    var q = own(manifest.queries, query) || { columns: [] };
    var f = filtersFor(q.columns, q.params, owner, skip);
    return (file ? load(file) : queryRows(query)).then(function (rows) {
      return { rows: passing(rows, f.tests), missing: f.missing };
    });
  }

  // ---- Rollups (src/query/rollup.rs): a component that aggregates reads its
  // query aggregated by the engine at the grain of the page's filters, and
  // combines the partials of the rows the filters keep. ----
  var PARTS = Symbol("partials");
  var rollupLoads = dict();

  // A rollup file (one array per column: grain, row count, partials) as rows:
  // objects of the grain's columns (a date range's column holds the day), the
  // partials under PARTS.
  function rollupRows(r) {
    if (!rollupLoads[r.file]) {
      rollupLoads[r.file] = load(r.file).then(function (cols) {
        var names = r.keys.concat(r.days), n = cols.length ? cols[0].length : 0, rows = new Array(n);
        for (var i = 0; i < n; i++) {
          var row = dict();
          for (var k = 0; k < names.length; k++) put(row, names[k], cols[k][i]);
          var parts = [];
          for (var j = names.length; j < cols.length; j++) parts.push(cols[j][i]);
          row[PARTS] = parts;
          rows[i] = row;
        }
        return rows;
      });
    }
    return rollupLoads[r.file];
  }

  // Component `id`'s rollup rows as the page's filters leave them, all of
  // them, its measures ({op, at}: the position of the first partial), the
  // keys it groups by, and the filters that cannot apply. They come from the
  // smallest rollup that answers the filters in force (the same figures from
  // each): while none applies, the one at the component's own grain; without
  // a date range, the one without days; else the full one.
  function requestRows(id, owner, skip) {
    var req = manifest.requests[id], full = manifest.rollups[req.full.rollup];
    var f = filtersFor(full.keys.concat(full.days), null, owner, skip);
    var use = !f.tests.length ? req.base : f.dated ? req.full : req.undated, r = manifest.rollups[use.rollup];
    var at = [], next = 1; // partial 0 is the group's row count
    r.measures.forEach(function (m) { at.push(next); next += m[0] === "mean" ? 2 : 1; });
    return rollupRows(r).then(function (rows) {
      return {
        rows: passing(rows, f.tests), all: rows, missing: f.missing, group: req.group,
        measures: use.measures.map(function (i) { return { op: r.measures[i][0], at: at[i] }; })
      };
    });
  }

  // The rows behind rollup rows: the sum of their counts.
  function sourceRows(rows) {
    return rows.reduce(function (t, r) { return t + Number(r[PARTS][0]); }, 0);
  }

  // A measure over rollup rows, for a chart: counts and sums add, a mean is
  // Σsum ÷ Σcount, min and max take the extreme (in the table order); null
  // where there is no value to take.
  function combine(m, rows) {
    var a = null, count = 0;
    rows.forEach(function (row) {
      var p = row[PARTS], v = p[m.at];
      if (v === null || v === undefined) return;
      if (m.op === "min" || m.op === "max") {
        if (a === null || compareValues(v, a) * (m.op === "min" ? -1 : 1) > 0) a = v;
        return;
      }
      a = (a || 0) + Number(v);
      if (m.op === "mean") count += Number(p[m.at + 1]);
    });
    if (m.op === "mean") return count ? a / count : null;
    if (m.op === "min" || m.op === "max") return typeof a === "string" && decimalOf(a) ? Number(a) : a;
    return a === null ? 0 : a;
  }

  // Rollup rows combined into one row per value of the component's keys, each
  // measure under its alias: the rows the chart draws, one mark per group.
  // A rollup's rows stay the same objects from one redraw to the next, so each
  // row's group key is worked out once per grouping (groupKeys).
  var groupKeys = new Map();
  function regroup(got, aliases) {
    var groups = new Map(), order = [];
    var grouping = JSON.stringify(got.group), keys = groupKeys.get(grouping);
    if (!keys) { keys = new WeakMap(); groupKeys.set(grouping, keys); }
    got.rows.forEach(function (row) {
      var key = keys.get(row);
      if (key === undefined) {
        key = JSON.stringify(got.group.map(function (g) { return row[g]; }));
        keys.set(row, key);
      }
      var b = groups.get(key);
      if (!b) { b = []; groups.set(key, b); order.push(b); }
      b.push(row);
    });
    return order.map(function (b) {
      var o = {};
      got.group.forEach(function (g) { put(o, g, b[0][g]); });
      got.measures.forEach(function (m, i) { put(o, aliases[i], combine(m, b)); });
      return o;
    });
  }

  // A KPI figure from rollup rows, exact as kpiAggregate makes it from rows:
  // sums of integers in BigInt, a mean marked approximate when its sum is.
  function kpiRollup(m, rows) {
    if (m.op === "count") return figure(decimalOf(sourceRows(rows)), true);
    var ds = [], count = 0;
    rows.forEach(function (r) {
      var d = decimalOf(r[PARTS][m.at]);
      if (!d) return;
      ds.push(d);
      if (m.op === "mean") count += Number(r[PARTS][m.at + 1]);
    });
    if (m.op === "sum") return sumFigure(ds);
    if (!ds.length) return null;
    if (m.op === "mean") {
      var s = sumFigure(ds);
      return doubleFigure(figureNumber(s) / count, s.exact && figureFits(s));
    }
    var best = ds[0], sign = m.op === "min" ? -1 : 1;
    ds.forEach(function (d) { if (compareDecimals(d, best) * sign > 0) best = d; });
    return figure(best, true);
  }

  // Rows a page ships (its own slice, a variant) as rollup rows of one row
  // each: the row count 1, then each measure's partials as the engine would
  // compute them over that row. A chart of means over them regroups them
  // as it does a rollup's, so its figures and intervals are worked out alike.
  // (`local.days`: columns grouped by their day, as a rollup's days are.)
  function localRollup(rows, local) {
    var measures = [], next = 1, days = local.days || [];
    local.measures.forEach(function (m) { measures.push({ op: m[0], at: next }); next += m[0] === "mean" ? 2 : 1; });
    return {
      group: local.keys.concat(days), measures: measures, rows: rows.map(function (r) {
        var o = dict(), parts = [1];
        local.keys.forEach(function (k) { put(o, k, own(r, k)); });
        days.forEach(function (k) { var v = own(r, k); put(o, k, v === null || v === undefined ? null : text(v).slice(0, 10)); });
        local.measures.forEach(function (m) {
          var v = m[1] === null ? null : own(r, m[1]);
          var x = v === undefined ? null : v;
          if (m[0] === "count") parts.push(1);
          else if (m[0] === "valid") parts.push(x === null ? 0 : 1);
          else if (m[0] === "mean") parts.push(x, x === null ? 0 : 1);
          else if (m[0] === "sum_squares") parts.push(x === null ? null : Number(x) * Number(x));
          else parts.push(x);
        });
        o[PARTS] = parts;
        return o;
      })
    };
  }

  // ---- How sure a mean is: docs/uncertainty.md, as src/util/interval.rs does it ----
  // tests/uncertainty_vectors.json holds both to the same figures.
  var Z975 = 1.959963984540054;
  var T975 = [12.706204736174705, 4.302652729749464, 3.182446305283710, 2.776445105197794, 2.570581835636316,
    2.446911851144970, 2.364624251592785, 2.306004135204167, 2.262157162798206, 2.228138851986275,
    2.200985160091640, 2.178812829667229, 2.160368656462793, 2.144786687917804, 2.131449545559776,
    2.119905299221255, 2.109815577833317, 2.100922040241039, 2.093024054408310, 2.085963447265865,
    2.079613844727680, 2.073873067904026, 2.068657610419049, 2.063898561628026, 2.059538552753298,
    2.055529438642873, 2.051830516480286, 2.048407141795245, 2.045229642132704, 2.042272456301238];

  function t975(df) {
    if (df <= 30) return T975[Math.max(df, 1) - 1];
    var z = Z975, x2 = z * z;
    var g1 = z * (x2 + 1) / 4;
    var g2 = z * ((5 * x2 + 16) * x2 + 3) / 96;
    var g3 = z * (((3 * x2 + 19) * x2 + 17) * x2 - 15) / 384;
    var g4 = z * ((((79 * x2 + 776) * x2 + 1482) * x2 - 1920) * x2 - 945) / 92160;
    return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
  }

  // The 95 % interval [low, high] of the mean of n values with this sum and
  // sum of squares, by method "t" or "wilson"; null where there is none.
  function interval(method, n, sum, sumSquares) {
    if (method === "wilson") {
      if (n < 1) return null;
      var p = sum / n, z2 = Z975 * Z975, d = 1 + z2 / n;
      var centre = (p + z2 / (2 * n)) / d;
      var h = Z975 * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / d;
      return [Math.max(centre - h, 0), Math.min(centre + h, 1)];
    }
    if (n < 2) return null;
    var mean = sum / n;
    var variance = Math.max((sumSquares - sum * mean) / (n - 1), 0);
    var half = t975(n - 1) * Math.sqrt(variance / n);
    return [mean - half, mean + half];
  }

  // The fields a chart of means gains (each named apart from the rows' own):
  // a note on the sample, whether it is small, and the interval's ends.
  function uncertainFields(rows) {
    var taken = rows.length ? Object.keys(rows[0]) : [];
    var name = function (n) { while (taken.indexOf(n) >= 0) n += "_"; taken.push(n); return n; };
    return { sample: name("Sample"), small: name("small sample"), low: name("95% low"), high: name("95% high") };
  }

  // Adds each group's sample note, small-sample flag and interval to the rows a chart draws.
  function uncertainRows(rows, u, f) {
    rows.forEach(function (r) {
      var n = Number(own(r, u.n) || 0), small = n < u.min_n;
      put(r, f.small, small);
      var values = n + (n === 1 ? " value" : " values");
      put(r, f.sample, small ? values + ", under " + u.min_n + ": a small sample" : values);
      if (u.ci) {
        var iv = interval(u.method, n, Number(own(r, u.mean)) * n, Number(own(r, u.sum_squares)));
        put(r, f.low, iv ? iv[0] : null);
        put(r, f.high, iv ? iv[1] : null);
      }
    });
  }

  // The spec of a chart of means, redrawn to show how sure each figure is:
  // small samples lighter (a point layer on a line, whose one stroke cannot
  // fade in parts), the sample in the tooltip and the data table, and for
  // ci an error bar on each bar or a band along each line.
  // The value axis's extent when intervals are drawn: every mean, and the
  // intervals of the groups that are not small samples. A small sample's
  // interval can span many times the rest (two posts in a month) and would
  // flatten every other bar; it is clipped at the edge, its ends in the tooltip.
  function intervalDomain(rows, u, f) {
    var lo = 0, hi = 0;
    rows.forEach(function (r) {
      var ends = [Number(own(r, u.mean))];
      if (!own(r, f.small)) ends.push(own(r, f.low), own(r, f.high));
      ends.forEach(function (v) { if (v !== null && isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
    });
    return hi > lo ? [lo, hi] : null;
  }

  function uncertainSpec(spec, u, f, rows) {
    var enc = spec.encoding, mark = typeof spec.mark === "string" ? spec.mark : spec.mark.type;
    var value = u.channel, across = value === "x" ? "y" : "x";
    var valueDef = enc[value] || {};
    var tip = [].concat(enc.tooltip || []);
    var like = tip.filter(function (t) { return t.field === valueDef.field; })[0] || {};
    var numberTip = function (field, title) {
      var t = { field: field, type: "quantitative", title: title };
      ["format", "formatType"].forEach(function (k) { if (like[k] !== undefined) t[k] = like[k]; });
      return t;
    };
    if (u.ci) tip.push(numberTip(f.low, "95% interval from"), numberTip(f.high, "95% interval to"));
    tip.push({ field: f.sample, type: "nominal", title: "Sample" });
    var small = "datum[" + JSON.stringify(f.small) + "]";
    var fade = function (e) {
      var conditions = [{ test: small, value: 0.35 }], base = 1;
      if (e.opacity && e.opacity.condition) {
        conditions.unshift({ test: "!(" + e.opacity.condition.test + ")", value: e.opacity.value });
        base = e.opacity.condition.value;
      }
      e.opacity = { condition: conditions, value: base };
    };
    var main = { mark: spec.mark, encoding: Object.assign({}, enc, { tooltip: tip }) };
    // A sort by the value channel ("-y") becomes the categories in that
    // order, which every layer shares: Vega-Lite drops sorts that differ
    // between layers, and the error bars' value is not the bars'.
    var sort = enc[across] && enc[across].sort;
    if (sort === value || sort === "-" + value) {
      var key = unescapeField(enc[across].field), totals = new Map();
      rows.forEach(function (r) {
        var k = own(r, key), m = Number(own(r, u.mean));
        totals.set(k, (totals.get(k) || 0) + (isFinite(m) ? m : 0));
      });
      var order = Array.from(totals.keys()).sort(function (a, b) {
        return (totals.get(a) - totals.get(b)) * (sort.charAt(0) === "-" ? -1 : 1);
      });
      main.encoding[across] = Object.assign({}, enc[across], { sort: order });
    }
    var layers = [main], along = mark === "line" || mark === "area";
    if (along) {
      // The layer's points stand for the line's own (points=true), which could
      // not fade, or mark an area's figures, whose one shape cannot fade in parts.
      if (typeof main.mark === "object") main.mark = Object.assign({}, main.mark, { point: false });
      var points = { mark: { type: "point", filled: true, size: 40 }, encoding: Object.assign({}, main.encoding) };
      // On stacked areas the points sit on their series' stack, as the area is drawn.
      var v = points.encoding[value];
      if (mark === "area" && v && v.stack === undefined) points.encoding[value] = Object.assign({}, v, { stack: "zero" });
      delete main.encoding.tooltip;
      fade(points.encoding);
      layers.push(points);
    } else {
      fade(main.encoding);
    }
    // A log axis cannot start at 0: it keeps Vega-Lite's own extent.
    var log = valueDef.scale && valueDef.scale.type && valueDef.scale.type !== "linear";
    var domain = u.ci && !log ? intervalDomain(rows, u, f) : null;
    if (domain) {
      main.encoding[value] = Object.assign({}, valueDef, { scale: Object.assign({}, valueDef.scale, { domain: domain, nice: true }) });
    }
    if (u.ci && along) {
      var band = { mark: { type: "area", opacity: 0.18, clip: true }, encoding: { x: enc.x, color: enc.color } };
      band.encoding.y = { field: f.low, type: "quantitative", title: valueDef.title };
      band.encoding.y2 = { field: f.high };
      layers.unshift(band);
    } else if (u.ci && mark === "bar") {
      var bars = { mark: { type: "errorbar", ticks: { size: 12 }, clip: true, color: dark() ? "#d0d7de" : "#1f2328" }, encoding: {} };
      bars.encoding[across] = main.encoding[across];
      if (enc[across + "Offset"]) bars.encoding[across + "Offset"] = enc[across + "Offset"];
      bars.encoding[value] = { field: f.low, type: "quantitative", title: valueDef.title };
      bars.encoding[value + "2"] = { field: f.high };
      bars.encoding.tooltip = tip;
      layers.push(bars);
    }
    var out = withoutView(spec);
    out.layer = layers;
    // What the marks of uncertainty mean, under the title.
    var said = [];
    if (u.ci) said.push((along ? "Bands" : "Error bars") + ": 95% intervals (" + (u.method === "wilson" ? "Wilson" : "Student's t") + ")");
    if (u.min_n > 0) said.push("Faded: fewer than " + u.min_n + " values");
    if (said.length) {
      // One line each, so a phone's narrow chart shows them whole.
      out.title = subtitled(spec.title, said);
    }
    return out;
  }

  // A copy of a spec's top level without its view (mark and encoding, and
  // any other keys named), for a shaped chart to draw its own layers under
  // the same title, data, size and usermeta.
  function withoutView(spec) {
    var drop = ["mark", "encoding"].concat(Array.prototype.slice.call(arguments, 1)), out = {};
    Object.keys(spec).forEach(function (k) { if (drop.indexOf(k) < 0) out[k] = spec[k]; });
    return out;
  }

  // A chart's title with lines under it saying how to read the chart. Vega
  // draws no subtitle under an empty title, so there the lines take its
  // place, in a subtitle's weight.
  function subtitled(title, lines) {
    var t = typeof title === "object" && title ? title : { text: title || "" };
    if (!t.text) return Object.assign({}, t, { text: lines, fontWeight: "normal", fontSize: 11 });
    return Object.assign({}, t, { subtitle: lines });
  }

  // A box plot's figures, box by box (usermeta.vcd.box): quartiles as d3's
  // quantile (R's type 7: linear between the closest ranks) gives them,
  // whiskers to the furthest value within extent × the interquartile range
  // (or the extremes for "min-max"), the values beyond them outliers. `rows`
  // are the query's rows, or rollup rows that each hold one value of a box
  // and how many rows hold it (under `count`), which give the same figures.
  // Returns the boxes (its data table and the marks' data), their field
  // names, and the outliers (one per value, with its count).
  function boxSummary(rows, box, count) {
    var groups = new Map(), order = [];
    // Past browser_rows the rows are intervals of the value: each reads as its middle.
    var bins = box.bins;
    var valueOf = bins
      ? function (r) { var i = own(r, bins.alias); return i === null || i === undefined ? null : bins.start + (Number(i) + 0.5) * bins.step; }
      : function (r) { var d = decimalOf(own(r, box.value)); return d ? toNumber(d) : null; };
    rows.forEach(function (r) {
      var x = valueOf(r), w = count ? Number(own(r, count)) : 1;
      if (x === null || !(w > 0)) return;
      var key = JSON.stringify(box.keys.map(function (k) { return own(r, k); }));
      var g = groups.get(key);
      if (!g) { g = { row: r, values: [] }; groups.set(key, g); order.push(g); }
      g.values.push([x, w]);
    });
    var taken = box.keys.slice();
    var name = function (n) { while (taken.indexOf(n) >= 0) n += "_"; taken.push(n); return n; };
    var f = { n: name("values"), lo: name("lower whisker"), q1: name("Q1"), median: name("median"), q3: name("Q3"),
      hi: name("upper whisker"), out: name("outliers"), v: name("value"), w: name("rows") };
    var outliers = [];
    var boxes = order.map(function (g) {
      var v = g.values.sort(function (a, b) { return a[0] - b[0]; }), n = 0, ends = [];
      v.forEach(function (p) { n += p[1]; ends.push(n); });
      // The value at 0-based rank k of the sorted values, each repeated by its count.
      var at = function (k) { var i = 0; while (ends[i] <= k) i++; return v[i][0]; };
      var q = function (p) {
        var h = (n - 1) * p, i = Math.floor(h), a = at(i);
        return i + 1 < n ? a + (at(i + 1) - a) * (h - i) : a;
      };
      var q1 = q(0.25), q3 = q(0.75), span = box.extent === "min-max" ? Infinity : box.extent * (q3 - q1);
      var o = {}, lo = null, hi = null, out = 0;
      box.keys.forEach(function (k) { put(o, k, own(g.row, k)); });
      v.forEach(function (p) {
        if (p[0] >= q1 - span && p[0] <= q3 + span) {
          if (lo === null) lo = p[0];
          hi = p[0];
        } else {
          out += p[1];
          var x = {};
          box.keys.forEach(function (k) { put(x, k, own(g.row, k)); });
          put(x, f.v, p[0]); put(x, f.w, p[1]);
          outliers.push(x);
        }
      });
      put(o, f.n, n); put(o, f.lo, lo); put(o, f.q1, q1); put(o, f.median, q(0.5)); put(o, f.q3, q3);
      put(o, f.hi, hi); put(o, f.out, out);
      return o;
    });
    return { rows: boxes, fields: taken.slice(0, box.keys.length + 7), names: f, outliers: outliers };
  }

  // A box plot drawn in layers from its boxes: a whisker from the lower to
  // the upper whisker, a box from Q1 to Q3, a tick at the median and a
  // hollow point per outlying value, series side by side as the spec's
  // xOffset puts them. Each part's tooltip gives the box's figures.
  function boxSpec(spec, boxes) {
    var enc = spec.encoding, f = boxes.names, y = enc.y || {};
    var shared = {};
    ["x", "xOffset", "color"].forEach(function (c) { if (enc[c]) shared[c] = enc[c]; });
    var value = function (field) {
      var d = { field: field, type: "quantitative", title: y.title };
      if (y.axis) d.axis = y.axis;
      if (y.scale) d.scale = y.scale;
      return d;
    };
    var number = function (field) {
      var t = { field: field, type: "quantitative", title: field };
      if (y.axis && y.axis.format) { t.format = y.axis.format; if (y.axis.formatType) t.formatType = y.axis.formatType; }
      return t;
    };
    var keys = ["x", "color"].filter(function (c) {
      return enc[c] && !(c === "color" && enc.x && enc.x.field === enc.color.field);
    }).map(function (c) {
      return { field: enc[c].field, type: enc[c].type, title: enc[c].title };
    });
    var tip = keys.concat([{ field: f.n, type: "quantitative", title: "values" }],
      [f.lo, f.q1, f.median, f.q3, f.hi].map(number), [{ field: f.out, type: "quantitative", title: "outliers" }]);
    var ink = dark() ? "#d0d7de" : "#1f2328";
    var part = function (mark, enc2) { return { mark: mark, encoding: Object.assign({}, shared, enc2, { tooltip: tip }) }; };
    var layers = [
      part({ type: "rule", color: ink }, { y: value(f.lo), y2: { field: f.hi }, color: undefined }),
      part({ type: "bar", size: 14 }, { y: value(f.q1), y2: { field: f.q3 } }),
      part({ type: "tick", color: "white", size: 14, thickness: 2 }, { y: value(f.median), color: undefined })
    ];
    layers.forEach(function (l) { if (l.encoding.color === undefined) delete l.encoding.color; });
    if (boxes.outliers.length) {
      layers.push({
        data: { values: boxes.outliers },
        mark: { type: "point" },
        encoding: Object.assign({}, shared, { y: value(f.v),
          tooltip: keys.concat([number(f.v), { field: f.w, type: "quantitative", title: "rows" }]) })
      });
    }
    var out = withoutView(spec);
    out.layer = layers;
    var bins = spec.usermeta.vcd.box.bins;
    if (bins) {
      // Read from intervals of the value: say how close the figures are.
      // The interval's width rounded up to two significant digits.
      var scale = Math.pow(10, Math.floor(Math.log10(bins.step)) - 1), step = Math.ceil(bins.step / scale) * scale;
      var width = y.axis && y.axis.format && /^(number|percent|currency|compact)$/.test(y.axis.format)
        ? formatNumber(step, y.axis.format, Math.max(0, -Math.floor(Math.log10(step)) + 1 - (y.axis.format === "percent" ? 2 : 0)))
        : String(+step.toPrecision(2));
      out.title = subtitled(spec.title, ["Quartiles to within " + width + ", whiskers near", "(the values in " + bins.count + " intervals)"]);
    }
    return out;
  }

  // A reference label's `{column}` placeholders filled from a query's row.
  function refLabel(label, row) {
    return !row ? label : label.replace(/\{([^}]*)\}/g, function (all, name) {
      var v = own(row, name);
      return v === undefined ? all : text(v);
    });
  }

  // Reference lines and bands (usermeta.vcd.refs; components/shorthand/refs.rs)
  // as layers over the chart: a dashed rule per value, a faint rectangle per
  // band behind the marks, each with its label at the plot's edge. A query's
  // rows are those the page's filters keep. The axes the marks share take
  // the chart's own titles, so Vega-Lite does not join field names into them.
  function withRefs(spec, refs, refRows) {
    var colour = dark() ? "#aab4be" : "#57606a";
    var main = spec.layer ? spec.layer : [{ mark: spec.mark, encoding: spec.encoding }];
    var titleOf = function (axis) {
      for (var i = 0; i < main.length; i++) {
        var d = main[i].encoding && main[i].encoding[axis];
        if (d && d.title !== undefined) return d.title;
      }
      return null;
    };
    var before = [], after = [];
    refs.forEach(function (r, i) {
      var rows = r.query ? refRows[i] || [] : [null];
      var num = function (v) { var d = decimalOf(v); return d ? toNumber(d) : null; };
      var band = r.to !== undefined;
      var values = rows.map(function (row) {
        var a = row ? num(own(row, band ? r.from : r.column)) : band ? r.from : r.value;
        var b = !band ? null : row ? num(own(row, r.to)) : r.to;
        return { a: a, b: b, label: refLabel(r.label, row) };
      }).filter(function (v) { return v.a !== null && (!band || v.b !== null); });
      if (!values.length) return;
      var axis = r.axis, across = axis === "x" ? "y" : "x";
      var at = { field: "a", type: "quantitative", title: titleOf(axis) };
      if (band) {
        var rect = { data: { values: values }, mark: { type: "rect", opacity: 0.12, color: colour }, encoding: {} };
        rect.encoding[axis] = at;
        rect.encoding[axis + "2"] = { field: "b" };
        before.push(rect);
      } else {
        var rule = { data: { values: values }, mark: { type: "rule", strokeDash: [4, 4], color: colour }, encoding: {} };
        rule.encoding[axis] = at;
        after.push(rule);
      }
      var label = { data: { values: values }, encoding: { text: { field: "label" } },
        mark: axis === "y" ? { type: "text", align: "left", baseline: "bottom", dx: 3, dy: -2, color: colour }
          : { type: "text", align: "left", baseline: "top", dx: 3, dy: 3, color: colour } };
      label.encoding[axis] = at;
      label.encoding[across] = { value: 0 };
      after.push(label);
    });
    if (!before.length && !after.length) return spec;
    // An explicit domain (intervals set one) still takes in every reference.
    before.concat(after).forEach(function (l) {
      var axis = l.encoding.y && l.encoding.y.field === "a" ? "y" : "x";
      main.forEach(function (m) {
        var d = m.encoding && m.encoding[axis], dom = d && d.scale && d.scale.domain;
        if (!Array.isArray(dom)) return;
        l.data.values.forEach(function (v) {
          [v.a, v.b].forEach(function (x) { if (x !== null) { dom[0] = Math.min(dom[0], x); dom[1] = Math.max(dom[1], x); } });
        });
      });
    });
    var out = withoutView(spec, "layer");
    out.layer = before.concat(main, after);
    return out;
  }

  // A funnel's stages (usermeta.vcd.funnel; components/funnel.rs): each
  // stage's total over the rows the filters keep (from its rollup's sums,
  // under `aliases`, or added up from the rows), its share of the first
  // stage and the share it keeps of the stage before.
  function funnelRows(rows, f, aliases) {
    var totals = f.stages.map(function (s, i) {
      if (aliases) return rows.length ? Number(own(rows[0], aliases[i])) || 0 : 0;
      return rows.reduce(function (t, r) { var d = decimalOf(own(r, s.column)); return d ? t + toNumber(d) : t; }, 0);
    });
    var fields = ["stage", "total", "share of the first", "kept from the stage before"];
    var out = f.stages.map(function (s, i) {
      var o = {};
      o[fields[0]] = s.label;
      o[fields[1]] = totals[i];
      o[fields[2]] = totals[0] ? totals[i] / totals[0] : null;
      o[fields[3]] = i > 0 && totals[i - 1] ? totals[i] / totals[i - 1] : null;
      return o;
    });
    return { rows: out, fields: fields };
  }

  // A funnel drawn as bars, each labelled with its share of the first stage.
  function funnelSpec(spec, funnel, meta) {
    var f = funnel.fields, fmt = { formatType: "vcdFormat" }, format = meta.format;
    var tip = [{ field: f[0], type: "nominal", title: "Stage" },
      Object.assign({ field: f[1], type: "quantitative", title: "Total", format: format }, fmt),
      Object.assign({ field: f[2], type: "quantitative", title: "Share of the first", format: "percent" }, fmt),
      Object.assign({ field: f[3], type: "quantitative", title: "Kept from the stage before", format: "percent" }, fmt)];
    var enc = Object.assign({}, spec.encoding, { tooltip: tip });
    var label = { mark: { type: "text", align: "left", dx: 4, color: dark() ? "#d0d7de" : "#1f2328" },
      encoding: { y: enc.y, x: enc.x, text: Object.assign({ field: f[2], format: "percent:2" }, fmt) } };
    var out = withoutView(spec);
    out.layer = [{ mark: spec.mark, encoding: enc }, label];
    return out;
  }

  // A function giving each name it is asked for, with "_" added until it
  // differs from those in `taken` and those it gave before.
  function namesApart(taken) {
    return function (n) { while (taken.indexOf(n) >= 0) n += "_"; taken.push(n); return n; };
  }

  // A calendar heatmap's days (usermeta.vcd.calendar; components/calendar.rs),
  // from rows regrouped by day (under `aliases`: the rows, the figure, for a
  // mean its count of values): every day of each year in view, Monday-first
  // weeks across (0 holds January 1), weekdays down (0 = Monday), the figure
  // null on a day without rows. All in UTC on the ISO day, so a day is the
  // same cell in every time zone. The data table lists the days with rows.
  function calendarRows(rows, cal, aliases) {
    if (!aliases) throw new Error("a calendar needs its figures by day");
    var f = { day: "day", year: "year", week: "week", weekday: "weekday", value: "value", n: "rows", values: "values",
      small: "small", month: "month" };
    var byDay = new Map(), first = null, last = null;
    rows.forEach(function (r) {
      var day = own(r, cal.date);
      if (typeof day !== "string" || !isoDay(day)) return;
      byDay.set(day, r);
      if (first === null || day < first) first = day;
      if (last === null || day > last) last = day;
    });
    var apart = namesApart([]), out = [], table = [];
    var fields = [apart("Day"), apart("Rows")].concat(cal.agg === "count" ? [] : [apart(cal.title)], cal.min_n ? [apart("Values")] : []);
    for (var y = first === null ? 1 : +first.slice(0, 4); first !== null && y <= +last.slice(0, 4); y++) {
      var lead = (utcDate(y, 0, 1).getUTCDay() + 6) % 7;
      for (var i = 0, t = utcDate(y, 0, 1); t.getUTCFullYear() === y; t = utcDate(y, 0, 2 + i), i++) {
        var day = t.toISOString().slice(0, 10), r = byDay.get(day), o = {};
        var n = r ? Number(own(r, aliases[0])) : 0, v = r ? (aliases[1] ? own(r, aliases[1]) : n) : null;
        o[f.day] = day; o[f.year] = String(y); o[f.week] = Math.floor((i + lead) / 7); o[f.weekday] = (i + lead) % 7;
        o[f.value] = v === null || v === undefined ? null : Number(v);
        o[f.n] = n;
        // A mean's sample is its count of values, which nulls leave below the rows.
        o[f.values] = cal.min_n ? Number(r ? own(r, aliases[2]) : 0) : null;
        o[f.small] = Boolean(cal.min_n) && o[f.values] < cal.min_n;
        // Each month's name goes over the week that holds its first day, in its own year.
        o[f.month] = t.getUTCDate() === 1 ? MONTHS[t.getUTCMonth()] : null;
        out.push(o);
        if (r) {
          var row = {};
          [day, n, v, o[f.values]].slice(0, fields.length).forEach(function (x, k) { put(row, fields[k], x); });
          table.push(row);
        }
      }
    }
    return { rows: out, table: table, fields: fields, names: f };
  }

  var WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

  // A calendar drawn as one grid per year (a row facet), cells sized to the
  // chart's width: blank days in the page's faint grey, days with rows in the
  // colour of their figure, a month's name over the week that holds its first day.
  function calendarSpec(spec, shaped, cal, width) {
    var f = shaped.names, fmt = { format: cal.format, formatType: "vcdFormat" };
    // The year's heading and the weekdays' labels take about 100 pixels.
    var cell = Math.max(4, Math.min(18, Math.floor(((width || 700) - 100) / 54))), round = cell >= 10 ? 2 : 0;
    var weeks = [], x = { field: f.week, type: "ordinal", title: null, scale: { domain: weeks, paddingInner: 0.12 }, axis: null };
    for (var k = 0; k < 54; k++) weeks.push(k);
    var y = { field: f.weekday, type: "ordinal", title: null, scale: { domain: [0, 1, 2, 3, 4, 5, 6], paddingInner: 0.12 },
      axis: { domain: false, ticks: false, labelFontSize: 9, labelExpr: JSON.stringify(WEEKDAYS) + "[datum.value]",
        values: [0, 2, 4] } };
    var tip = [Object.assign({ field: f.day, type: "nominal", title: "Day", format: "date", formatType: "vcdFormat" }),
      { field: f.n, type: "quantitative", title: "Rows" }];
    if (cal.agg !== "count") tip.push(Object.assign({ field: f.value, type: "quantitative", title: cal.title }, fmt));
    if (cal.min_n) tip.push({ field: f.values, type: "quantitative", title: "Values" });
    var faint = dark() ? "#21262d" : "#ebedf0";
    var filled = { mark: { type: "rect", cornerRadius: round }, transform: [{ filter: "isValid(datum[" + JSON.stringify(f.value) + "])" }],
      encoding: { x: x, y: y, tooltip: tip,
        color: Object.assign({ field: f.value, type: "quantitative", title: cal.title,
          // The palest quarter of the scheme would look like a blank day.
          scale: { scheme: { name: "greens", extent: [0.25, 1] } },
          legend: Object.assign({ orient: "bottom", direction: "horizontal", gradientLength: 160 }, fmt) }) } };
    if (cal.min_n) {
      filled.encoding.opacity = { condition: { test: "datum[" + JSON.stringify(f.small) + "]", value: 0.35 }, value: 1 };
    }
    var out = withoutView(spec, "height");
    out.facet = { row: { field: f.year, type: "nominal", title: null, header: { labelAngle: 0, labelAlign: "left", labelFontWeight: "bold" } } };
    var months = { transform: [{ filter: "isValid(datum[" + JSON.stringify(f.month) + "])" }],
      mark: { type: "text", align: "left", baseline: "bottom", dy: -Math.ceil(cell / 2) - 1, fontSize: 10, color: dark() ? "#9198a1" : "#59636e" },
      // Over the top row (Monday), whatever the weekday of the 1st.
      encoding: { x: Object.assign({}, x, { bandPosition: 0 }), y: { datum: 0, type: "ordinal" }, text: { field: f.month } } };
    out.spec = { width: cell * 54, height: cell * 7, layer: [
      { mark: { type: "rect", color: faint, cornerRadius: round }, encoding: { x: x, y: y, tooltip: tip.slice(0, 1) } }, filled, months] };
    out.spacing = 20;
    if (cal.min_n) out.title = subtitled(spec.title, ["Faded: fewer than " + cal.min_n + " values"]);
    return out;
  }

  // A Sankey diagram's paths (usermeta.vcd.sankey; components/sankey.rs):
  // rows regrouped by every step, each with its figure (under aliases[0]),
  // laid out in columns, one per step: each value of the step a node as tall
  // as the figure through it, nodes largest first with a gap between, and a
  // band for each (value, next value, first step's value) from the right of
  // one node to the left of the next, its ends stacked in the order of the
  // other end, drawn as an S of POINTS points. The data table lists the paths.
  var SANKEY_POINTS = 17, SANKEY_GAP = 0.04, SANKEY_NODE = 0.012;
  function sankeyRows(rows, sk, aliases) {
    if (!aliases) throw new Error("a Sankey diagram needs its figures by path");
    var steps = sk.steps.map(function (s) { return s.column; }), k = steps.length;
    var name = function (v) { return v === null || v === undefined ? "(none)" : text(v); };
    var all = rows.map(function (r) {
      return { keys: steps.map(function (c) { return name(own(r, c)); }), value: Number(own(r, aliases[0])) || 0, row: r };
    });
    // A band cannot be narrower than nothing: paths of zero or less are drawn
    // as none (the data table still lists them).
    var paths = all.filter(function (p) { return p.value > 0; });
    var total = paths.reduce(function (t, p) { return t + p.value; }, 0);
    // Nodes per step, largest first.
    var cols = steps.map(function (c, i) {
      var sums = new Map();
      paths.forEach(function (p) { sums.set(p.keys[i], (sums.get(p.keys[i]) || 0) + p.value); });
      return Array.from(sums.keys()).sort(function (a, b) { return sums.get(b) - sums.get(a) || compareValues(a, b); })
        .map(function (n) { return { name: n, value: sums.get(n) }; });
    });
    var most = Math.max.apply(null, cols.map(function (c) { return c.length; }).concat([1]));
    var span = total * (1 + SANKEY_GAP * (most - 1)) || 1, gap = total * SANKEY_GAP;
    var at = cols.map(function (nodes, i) {
      var height = total + gap * (nodes.length - 1), y = (span - height) / 2, map = new Map();
      nodes.forEach(function (n) { n.y0 = y; n.y1 = y + n.value; n.x = k > 1 ? i / (k - 1) : 0; n.out = n.y0; n.in = n.y0; y = n.y1 + gap; map.set(n.name, n); });
      return map;
    });
    var f = { link: "band", origin: "origin", from: "from", to: "to", x: "x", y0: "y0", y1: "y1", value: "value" };
    var links = [];
    for (var i = 0; i + 1 < k; i++) {
      var flows = new Map();
      paths.forEach(function (p) {
        var key = JSON.stringify([p.keys[i], p.keys[i + 1], p.keys[0]]), l = flows.get(key);
        if (!l) { l = { from: at[i].get(p.keys[i]), to: at[i + 1].get(p.keys[i + 1]), origin: p.keys[0], value: 0 }; flows.set(key, l); }
        l.value += p.value;
      });
      var list = Array.from(flows.values()), order = function (a, b) { return a.y0 - b.y0; };
      var originRank = new Map(cols[0].map(function (n, r) { return [n.name, r]; }));
      list.sort(function (a, b) { return order(a.to, b.to) || originRank.get(a.origin) - originRank.get(b.origin); })
        .forEach(function (l) { l.a = l.from.out; l.from.out += l.value; });
      list.sort(function (a, b) { return order(a.from, b.from) || originRank.get(a.origin) - originRank.get(b.origin); })
        .forEach(function (l) { l.b = l.to.in; l.to.in += l.value; });
      list.forEach(function (l) {
        var id = links.length / SANKEY_POINTS, x0 = l.from.x + SANKEY_NODE, x1 = l.to.x - SANKEY_NODE;
        for (var j = 0; j < SANKEY_POINTS; j++) {
          var t = j / (SANKEY_POINTS - 1), e = t * t * (3 - 2 * t), o = {};
          o[f.link] = id; o[f.origin] = l.origin; o[f.from] = l.from.name; o[f.to] = l.to.name;
          o[f.x] = x0 + (x1 - x0) * t; o[f.y0] = l.a + (l.b - l.a) * e; o[f.y1] = o[f.y0] + l.value; o[f.value] = l.value;
          links.push(o);
        }
      });
    }
    var nodes = [];
    cols.forEach(function (c, i) {
      c.forEach(function (n) {
        nodes.push({ step: sk.steps[i].label, node: n.name, x0: n.x - SANKEY_NODE, x1: n.x + SANKEY_NODE, y0: n.y0, y1: n.y1,
          mid: (n.y0 + n.y1) / 2, value: n.value, align: i + 1 === k ? "right" : "left",
          label: n.name + " " + chartFormat(n.value, sk.format),
          lx: i + 1 === k ? n.x - SANKEY_NODE : n.x + SANKEY_NODE });
      });
    });
    var apart = namesApart(steps.slice()), fields = steps.concat([apart(sk.title)]);
    var table = all.map(function (p) {
      var o = {};
      steps.forEach(function (c, i) { put(o, c, p.keys[i]); });
      put(o, fields[k], p.value);
      return o;
    });
    return { rows: links, table: table, fields: fields, names: f, nodes: nodes, span: span,
      first: cols[0].map(function (n) { return n.name; }) };
  }

  // A Sankey diagram drawn in layers: the bands (areas, one per band,
  // coloured by the first step's value), the nodes (bars) and their labels.
  function sankeySpec(spec, shaped, sk) {
    var f = shaped.names, fmt = { format: sk.format, formatType: "vcdFormat" }, ink = dark() ? "#d0d7de" : "#1f2328";
    var X = function (field) { return { field: field, type: "quantitative", axis: null, scale: { domain: [0, 1], nice: false, zero: false } }; };
    var Y = function (field) { return { field: field, type: "quantitative", axis: null, scale: { domain: [0, shaped.span], reverse: true, nice: false, zero: false } }; };
    var value = function (field) { return Object.assign({ field: field, type: "quantitative", title: sk.title }, fmt); };
    var bands = { mark: { type: "area", opacity: 0.45, interpolate: "linear" }, encoding: {
      x: X(f.x), y: Y(f.y0), y2: { field: f.y1 }, detail: { field: f.link, type: "nominal" },
      color: { field: f.origin, type: "nominal", title: sk.steps[0].label, sort: shaped.first },
      tooltip: [{ field: f.from, type: "nominal", title: "From" }, { field: f.to, type: "nominal", title: "To" },
        { field: f.origin, type: "nominal", title: sk.steps[0].label }, value(f.value)] } };
    var nodes = { data: { values: shaped.nodes }, mark: { type: "rect", color: ink }, encoding: {
      x: X("x0"), x2: { field: "x1" }, y: Y("y0"), y2: { field: "y1" },
      tooltip: [{ field: "step", type: "nominal", title: "Step" }, { field: "node", type: "nominal", title: "Value" }, value("value")] } };
    var label = function (align) {
      return { data: { values: shaped.nodes }, transform: [{ filter: "datum.align === " + JSON.stringify(align) }],
        mark: { type: "text", align: align, dx: align === "left" ? 4 : -4, baseline: "middle", color: ink, fontSize: 11 },
        encoding: { x: X("lx"), y: Y("mid"), text: { field: "label", type: "nominal" } } };
    };
    var out = withoutView(spec);
    out.layer = [bands, nodes, label("left"), label("right")];
    out.config = Object.assign({}, spec.config, { view: { stroke: null } });
    out.title = subtitled(spec.title, [sk.steps.map(function (s) { return s.label; }).join(" → ")]);
    return out;
  }

  // A combo chart's figures (usermeta.vcd.combo; components/shorthand/combo.rs),
  // from rows regrouped by its x (under `aliases`: the bars' figure, the
  // line's, for a line of means its count of values), in the order of x.
  function comboRows(rows, c, aliases) {
    if (!aliases) throw new Error("a combo chart needs its figures by x");
    var apart = namesApart([c.x]), f = { bar: apart("bars"), line: apart("line"), n: apart("values"), small: apart("small") };
    var num = function (v) { return v === null || v === undefined ? null : Number(v); };
    var out = rows.map(function (r) {
      var o = {};
      put(o, c.x, own(r, c.x));
      o[f.bar] = num(own(r, aliases[0]));
      o[f.line] = num(own(r, aliases[1]));
      if (c.min_n) { o[f.n] = Number(own(r, aliases[2]) || 0); o[f.small] = o[f.n] < c.min_n; }
      return o;
    });
    out = sortRows(out, function (r) { return own(r, c.x); }, 1);
    var tableApart = namesApart([c.x]), cols = [c.x, tableApart(c.bar.title), tableApart(c.line.title)];
    if (c.min_n) cols.push(tableApart("values"));
    var table = out.map(function (r) {
      var t = {};
      [own(r, c.x), r[f.bar], r[f.line], r[f.n]].slice(0, cols.length).forEach(function (v, i) { put(t, cols[i], v); });
      return t;
    });
    return { rows: out, table: table, fields: cols, names: f };
  }

  // A combo chart in layers: the bars on the left axis, the line (and its
  // points, faded where a mean rests on few values) on the right, each axis
  // titled in its marks' colour, the scales apart; the subtitle says which is which.
  function comboSpec(spec, shaped, c) {
    var enc = spec.encoding, f = shaped.names, barInk = "#4c78a8", lineInk = dark() ? "#ffb86b" : "#e45756";
    var axis = function (def, field, ink, orient) {
      var a = Object.assign({}, def.axis, { titleColor: ink, orient: orient });
      return Object.assign({}, def, { field: field, type: "quantitative", aggregate: undefined, axis: a });
    };
    var number = function (def, field, title) {
      var t = { field: field, type: "quantitative", title: title };
      if (def.axis && def.axis.format) { t.format = def.axis.format; if (def.axis.formatType) t.formatType = def.axis.formatType; }
      return t;
    };
    // Bars stand in bands: x is read as ordered categories, a date's label
    // written by its own format (a day's, when it names none).
    var time = enc.x.type === "temporal", given = enc.x.axis && enc.x.axis.format;
    var label = given ? { format: enc.x.axis.format, formatType: enc.x.axis.formatType }
      : time ? { format: "utc:%b %-d, %Y", formatType: "vcdFormat" } : {};
    var x = { field: enc.x.field, type: "ordinal", title: enc.x.title, axis: Object.assign({}, enc.x.axis, label) };
    var tip = [Object.assign({ field: enc.x.field, type: "ordinal", title: enc.x.title }, label),
      number(enc.y, f.bar, c.bar.title), number(enc.yLine, f.line, c.line.title)];
    if (c.min_n) tip.push({ field: f.n, type: "quantitative", title: "Values behind the line" });
    var bars = { mark: { type: "bar", color: barInk, opacity: 0.85 }, encoding: { x: x, y: axis(enc.y, f.bar, barInk, "left"), tooltip: tip } };
    var line = { mark: { type: "line", color: lineInk, strokeWidth: 2 }, encoding: { x: x, y: axis(enc.yLine, f.line, lineInk, "right") } };
    var points = { mark: { type: "point", filled: true, color: lineInk, size: 45 }, encoding: { x: x, y: line.encoding.y, tooltip: tip } };
    if (c.min_n) points.encoding.opacity = { condition: { test: "datum[" + JSON.stringify(f.small) + "]", value: 0.3 }, value: 1 };
    var out = withoutView(spec);
    out.layer = [bars, line, points];
    out.resolve = { scale: { y: "independent" } };
    var said = ["Bars: " + c.bar.title + " (left axis) · line: " + c.line.title + " (right axis)"];
    if (c.min_n) said.push("Faded points: fewer than " + c.min_n + " values");
    out.title = subtitled(spec.title, said);
    return out;
  }

  // The charts the runtime shapes from their figures rather than drawing the
  // query's rows: `rows(rows, meta, aliases)` works out what they draw
  // (`rows`), list (`table`, else `rows`, under `fields`) and name; `spec`
  // draws it. `aliases`: the names of the rollup's figures, when the rows are
  // regrouped (a rollup's, or the page's own rows as one).
  var SHAPES = {
    box: { rows: function (rows, b, aliases) { return boxSummary(rows, b, aliases ? aliases[0] : null); }, spec: boxSpec },
    funnel: { rows: funnelRows, spec: funnelSpec },
    calendar: { rows: calendarRows, spec: calendarSpec },
    sankey: { rows: sankeyRows, spec: sankeySpec },
    combo: { rows: comboRows, spec: comboSpec }
  };

  // ---- Tabs (components/layout.rs `tabs`): one panel shown at a time ----
  // The WAI-ARIA tabs pattern: a click or Enter shows a tab's panel, the
  // arrow keys, Home and End move along the row. Without this script every
  // panel shows under its label. Charts drawn in a hidden panel measured no
  // width; a resize event lets Vega lay them out once they show.
  function setupTabs(box) {
    var tabs = Array.prototype.slice.call(box.querySelectorAll(":scope > .vcd-tablist > [role=tab]"));
    var show = function (i, focus) {
      tabs.forEach(function (t, k) {
        var on = k === i;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        var panel = document.getElementById(t.getAttribute("aria-controls"));
        if (panel) panel.hidden = !on;
      });
      if (focus) tabs[i].focus();
      window.dispatchEvent(new Event("resize"));
    };
    tabs.forEach(function (t, i) {
      t.addEventListener("click", function () { show(i, false); });
      t.addEventListener("keydown", function (e) {
        var to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
        if (to === undefined) return;
        e.preventDefault();
        show((to + tabs.length) % tabs.length, true);
      });
    });
    box.classList.add("vcd-tabs-ready");
    show(0, false);
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
      // Inside a sentence (an inline value) the note is a span, not a paragraph.
      el = element(container.classList.contains("vcd-value") ? "span" : "p", { className: "vcd-unfiltered" });
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
        if (key === "data" && v && typeof v.name === "string") put(found, v.name, true);
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

  // ---- Field names Vega-Lite cannot take ----
  // Vega-Lite 6.5 fails ("Cannot read properties of undefined (reading
  // 'params')") on a field named like a member of Object.prototype:
  // constructor, toString, __proto__, hasOwnProperty, valueOf… (and on an
  // axis, legend or tooltip title that is exactly such a name). Such a column
  // reaches it under an alias (its name plus underscores, unused by the data),
  // in the rows and in every field reference of the spec, while titles keep
  // the real name. (A Vega expression naming such a column, `datum.constructor`,
  // is text and is not rewritten.)
  function unsafeField(name) { return name in Object.prototype; }

  // Column name → alias, for the unsafe ones among `columns`.
  function aliasesFor(columns) {
    var aliases = new Map();
    columns.forEach(function (c) {
      if (!unsafeField(c)) return;
      var a = c + "_";
      while (columns.indexOf(a) >= 0 || unsafeField(a)) a += "_";
      aliases.set(c, a);
    });
    return aliases;
  }

  // A field reference as written in a spec, unescaped: `Petal\.Width` names
  // the column `Petal.Width` (Vega-Lite reads a bare `.` or `[` as a path).
  function unescapeField(f) { return f.replace(/\\(.)/g, "$1"); }

  function aliasRows(rows, aliases) {
    if (!aliases.size) return rows;
    return rows.map(function (r) {
      var out = {};
      Object.keys(r).forEach(function (k) { put(out, aliases.has(k) ? aliases.get(k) : k, r[k]); });
      return out;
    });
  }

  // The default title Vega-Lite would give the real field ("Sum of toString").
  function fieldTitle(def, real) {
    var op = typeof def.aggregate === "string" ? def.aggregate : "";
    return op ? op.charAt(0).toUpperCase() + op.slice(1) + " of " + real : real;
  }

  // Rewrites, in place, every field reference to an aliased column.
  function aliasSpec(node, aliases) {
    if (Array.isArray(node)) { node.forEach(function (n) { aliasSpec(n, aliases); }); return; }
    if (!node || typeof node !== "object") return;
    var swap = function (f) {
      return typeof f === "string" && aliases.has(unescapeField(f)) ? aliases.get(unescapeField(f)) : f;
    };
    Object.keys(node).forEach(function (k) {
      var v = node[k];
      if (k === "field") {
        node.field = swap(v);
      } else if ((k === "groupby" || k === "fields") && Array.isArray(v)) {
        node[k] = v.map(swap);
      } else if (k === "encoding" && v && typeof v === "object") {
        Object.keys(v).forEach(function (ch) {
          [].concat(v[ch]).forEach(function (def) {
            if (!def || typeof def !== "object") return;
            var real = typeof def.field === "string" ? unescapeField(def.field) : null;
            // Vega-Lite's own title would show the alias, or the escapes (`a\[0\]`).
            var renamed = real !== null && (aliases.has(real) || real !== def.field);
            if (renamed && def.title === undefined) def.title = fieldTitle(def, real);
            // A title that is such a name fails as well ("Operator not defined"):
            // a zero-width space, unseen, sets it apart.
            if (typeof def.title === "string" && unsafeField(def.title)) def.title += "\u200B";
          });
        });
        aliasSpec(v, aliases);
      } else if (k !== "datasets") {
        aliasSpec(v, aliases);
      }
    });
  }

  // The fields a chart encodes (as column names), for its data table: top-level encoding first.
  function encodedFields(spec) {
    return fieldsWhere(spec, function () { return true; });
  }

  // The column names of the field definitions `keep` accepts, in every view of
  // a spec (top-level encoding first, then layers and concatenations), once each.
  function fieldsWhere(spec, keep) {
    var out = [];
    (function walk(node) {
      if (Array.isArray(node)) { node.forEach(walk); return; }
      if (!node || typeof node !== "object") return;
      if (node.encoding) {
        Object.keys(node.encoding).forEach(function (ch) {
          [].concat(node.encoding[ch]).forEach(function (d) {
            var f = d && typeof d.field === "string" && keep(d) ? unescapeField(d.field) : null;
            if (f !== null && out.indexOf(f) < 0) out.push(f);
          });
        });
      }
      ["layer", "concat", "hconcat", "vconcat", "spec"].forEach(function (k) { if (node[k]) walk(node[k]); });
    })(spec);
    return out;
  }

  // An accessible table of the data a chart draws; for a chart that cross-filters,
  // each category is a button, so the filter works from the keyboard too.
  // The first drawing fills it; after that a closed table only keeps the rows
  // of the last redraw and is filled when opened, so a filter change does not
  // build thousands of cells nobody sees. The same element stays, so focus
  // on its summary does too.
  function dataTable(figure, rows, fields, select) {
    var box = figure.querySelector(":scope > details.vcd-chart-data");
    var first = !box;
    if (first) {
      box = element("details", { className: "vcd-chart-data" });
      box.append(element("summary"));
      figure.append(box);
      box.addEventListener("toggle", function () { if (box.open && box.vcdRows) fillTable(figure, box); });
    }
    box.querySelector(":scope > summary").textContent = "Data (" + rows.length + " rows)";
    box.vcdRows = [rows, fields, select];
    if (first || box.open) fillTable(figure, box);
    else while (box.lastElementChild && box.lastElementChild.tagName !== "SUMMARY") box.lastElementChild.remove();
  }

  function fillTable(figure, box) {
    var rows = box.vcdRows[0], fields = box.vcdRows[1], select = box.vcdRows[2];
    box.vcdRows = null;
    var fresh = document.createDocumentFragment();
    var cols = fields.filter(function (f) { return rows.length === 0 || own(rows[0], f) !== undefined; });
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
    while (box.lastElementChild && box.lastElementChild.tagName !== "SUMMARY") box.lastElementChild.remove();
    box.append(fresh);
  }

  var MANY_MARKS = 500;

  // A chart's width, measured once and then kept up to date by a
  // ResizeObserver: reading clientWidth during a redraw, after other charts
  // changed the page, would make the browser lay the page out again each time.
  var widths = typeof ResizeObserver === "function"
    ? new ResizeObserver(function (entries) { entries.forEach(function (e) { e.target.vcdWidth = e.target.clientWidth; }); })
    : null;
  function widthOf(view) {
    if (!widths) return view.clientWidth;
    if (view.vcdWidth === undefined) { view.vcdWidth = view.clientWidth; widths.observe(view); }
    return view.vcdWidth;
  }

  function renderChart(figure, spec0) {
    var view = figure.querySelector(".vcd-chart-view");
    var spec = JSON.parse(JSON.stringify(spec0));
    var inline = spec.datasets || {};
    var names = Object.keys(dataNames(spec, dict())).filter(function (n) { return own(inline, n) === undefined; });
    var fields = encodedFields(spec);
    var select = spec.usermeta && spec.usermeta.vcd && spec.usermeta.vcd.select;
    var vcdMeta = (spec.usermeta && spec.usermeta.vcd) || {};
    var rolled = vcdMeta.rollup !== undefined && names.length === 1;
    figure.setAttribute("data-status", "loading");
    var local = !rolled && vcdMeta.local && names.length === 1;
    var fetches = rolled
      ? [requestRows(vcdMeta.rollup, figure.id).then(function (got) {
          return { rows: regroup(got, vcdMeta.measures), missing: got.missing, source: sourceRows(got.rows) };
        })]
      : names.map(function (n) {
        var file = vcdMeta.projection !== undefined ? manifest.projections[vcdMeta.projection] : undefined;
        return rowsFor(n, figure.id, undefined, file).then(function (got) {
          if (!local) return got;
          var rows = regroup(localRollup(got.rows, vcdMeta.local), vcdMeta.measures);
          return { rows: rows, missing: got.missing, source: got.rows.length };
        });
      });
    var refs = vcdMeta.refs || [];
    var refFetches = refs.map(function (r) {
      return r.query ? rowsFor(r.query, figure.id).then(function (got) { return got.rows; }) : Promise.resolve(null);
    });
    return Promise.all(fetches.concat(refFetches)).then(function (got) {
      var refRows = got.slice(names.length);
      got = got.slice(0, names.length);
      var missing = [], columns = [];
      var drawn = got.map(function (g) { return g.rows; });
      // A chart the runtime shapes from its figures (SHAPES) draws its own rows.
      var kind = names.length === 1 ? Object.keys(SHAPES).filter(function (k) { return vcdMeta[k]; })[0] : undefined;
      var shaped = kind ? SHAPES[kind].rows(got[0].rows, vcdMeta[kind], rolled || local ? vcdMeta.measures : null) : null;
      if (shaped) drawn[0] = shaped.rows;
      var u = vcdMeta.uncertainty, uf = null;
      if (u && u.n && names.length === 1 && spec.encoding && spec.mark) {
        uf = uncertainFields(got[0].rows);
        uncertainRows(got[0].rows, u, uf);
      }
      names.forEach(function (n, i) {
        var known = (own(manifest.queries, n) || { columns: [] }).columns.concat(drawn[i].length ? Object.keys(drawn[i][0]) : []);
        known.forEach(function (k) { if (columns.indexOf(k) < 0) columns.push(k); });
      });
      var aliases = aliasesFor(columns);
      var named = function (f) { return aliases.has(f) ? aliases.get(f) : f; };
      spec.datasets = dict();
      Object.keys(inline).forEach(function (n) { put(spec.datasets, n, inline[n]); });
      names.forEach(function (n, i) {
        put(spec.datasets, n, aliasRows(drawn[i], aliases));
        got[i].missing.forEach(function (m) { if (missing.indexOf(m) < 0) missing.push(m); });
      });
      aliasSpec(spec, aliases);
      // Dates as UTC instants, for the UTC scales and formats of the spec (see utcTime).
      var times = temporalFields(spec);
      if (times.length) names.forEach(function (n) { put(spec.datasets, n, utcRows(own(spec.datasets, n), times)); });
      if (!names.length) missing = allActive(figure.id);
      note(figure, missing);
      // The query rows behind the chart (for a rollup, the rows its groups add up).
      figure.setAttribute("data-rows", !names.length ? "" : rolled || local ? got[0].source : got[0].rows.length);
      figure.vcdRows = names.length ? got[0].rows : [];
      var c = state.cross;
      if (c && c.source === figure.id && spec.encoding && isSingleView(spec)) {
        // The chart that was clicked keeps every mark and highlights the chosen one.
        spec.encoding.opacity = {
          condition: { test: "datum[" + JSON.stringify(named(c.field)) + "] === " + JSON.stringify(c.value), value: 1 },
          value: 0.25
        };
      }
      if (uf) {
        spec = uncertainSpec(spec, u, uf, got[0].rows);
        fields = encodedFields(spec);
      }
      var width = widthOf(view);
      if (shaped) spec = SHAPES[kind].spec(spec, shaped, vcdMeta[kind], width);
      if (refs.length) spec = withRefs(spec, refs, refRows);
      if (spec.width === undefined && (isSingleView(spec) || spec.layer)) {
        spec.width = "container";
        spec.autosize = spec.autosize || { type: "fit-x", contains: "padding" };
      }
      if (width && width < 480 && !figure.classList.contains("vcd-spark")) {
        // On a phone a legend beside the plot would take half its width.
        spec.config = Object.assign({}, spec.config);
        spec.config.legend = Object.assign({ orient: "bottom" }, spec.config.legend);
      }
      // The card behind the chart is the theme's; Vega's dark theme would paint its own grey box.
      if (spec.background === undefined) spec.background = "transparent";
      // Lets axes, legends and tooltips name the runtime's formatter (chartFormat) as their formatType.
      spec.config = Object.assign({ customFormatTypes: true }, spec.config);
      // Past MANY_MARKS rows a chart is drawn on a canvas: a filter change
      // redraws the demo's scatter of 1,000 posts in about two thirds of the
      // time SVG takes. Its data table stays the readable form of its marks.
      var renderer = names.length && got[0].rows.length > MANY_MARKS ? "canvas" : "svg";
      var options = { mode: "vega-lite", renderer: renderer, actions: { export: true, source: false, compiled: false, editor: false } };
      if (figure.classList.contains("vcd-spark")) options.actions = false;
      if (dark()) options.theme = "dark";
      var done = function () {
        if (shaped) {
          // What the data table lists, for tests and for readers without the chart.
          figure.vcdShaped = shaped.table || shaped.rows;
          dataTable(figure, figure.vcdShaped, shaped.fields, select);
        } else if (!figure.classList.contains("vcd-spark") && names.length) dataTable(figure, got[0].rows, fields, select);
        figure.setAttribute("data-status", "rendered");
      };
      // The same chart with other rows (a filter changed, nothing else): the
      // view it has takes the new rows, without compiling and drawing anew.
      var datasets = spec.datasets;
      spec.datasets = undefined;
      // The renderer is not part of the shape: a filter that takes a chart
      // across MANY_MARKS switches the view it has rather than building anew.
      var shape = JSON.stringify([spec, options.theme || ""]);
      spec.datasets = datasets;
      if (figure.vcdView && figure.vcdShape === shape) {
        var v = figure.vcdView;
        try {
          if (v.renderer() !== renderer) v.renderer(renderer);
          names.forEach(function (n) { v.data(n, own(datasets, n)); });
          return v.runAsync().then(done);
        } catch (err) {
          // A dataset the compiled view does not name as such: drawn anew below.
        }
      }
      if (figure.vcdView) figure.vcdView.finalize();
      figure.vcdShape = shape;
      return vegaEmbed(view, spec, options).then(function (result) {
        figure.vcdView = result.view;
        if (select) {
          figure.setAttribute("data-select", select);
          result.view.addEventListener("click", function (event, item) {
            var d = item && item.datum, v = d ? own(d, named(select)) : undefined;
            if (v !== undefined) crossFilter(select, v, figure.id);
          });
        }
        done();
      });
    }).catch(function (err) {
      figure.setAttribute("data-status", "error");
      var box = element("div", { className: "vcd-chart-error" });
      box.textContent = "This chart could not be drawn: " + (err && err.message ? err.message : err);
      view.replaceChildren(box);
      console.error("vcd: chart " + figure.id + ": ", err);
    });
  }

  // ---- Formatting: the rules of docs/formatting.md, as src/util/format.rs and ----
  // src/components/figure.rs implement them; tests/format_vectors.json holds both to the
  // same text. Numbers are handled as exact decimals { neg, digits, exp }
  // (value = digits × 10^exp, digits without leading or trailing zeros): a
  // double enters as its shortest round-trip decimal (String(n)), a numeric
  // string (big integers, exact decimals) digit by digit, so rounding, ×100 and
  // ÷1000 never lose a digit.
  var NUMBER_GRAMMAR = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d{1,6}))?$/;
  var UNITS = [[12, "T"], [9, "B"], [6, "M"], [3, "K"]];
  var MISSING = "–";
  var INEXACT = "Approximate: these values have more digits than the browser can add exactly";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function decimal(neg, digits, exp) {
    digits = digits.replace(/^0+/, "");
    var m = /0+$/.exec(digits);
    if (m) { exp += m[0].length; digits = digits.slice(0, m.index); }
    return digits === "" ? { neg: false, digits: "", exp: 0 } : { neg: neg, digits: digits, exp: exp };
  }

  // A decimal from a JSON number, a string in JSON's number grammar or a
  // BigInt; null for anything else (so "00501" stays text).
  function decimalOf(v) {
    if (typeof v === "number") { if (!isFinite(v)) return null; v = String(v); }
    else if (typeof v === "bigint") v = String(v);
    else if (typeof v !== "string") return null;
    var m = NUMBER_GRAMMAR.exec(v);
    if (!m) return null;
    var frac = m[3] || "";
    return decimal(m[1] === "-", m[2] + frac, (m[4] ? parseInt(m[4], 10) : 0) - frac.length);
  }

  function intLen(d) { return d.digits === "" ? 0 : d.digits.length + d.exp; }
  function shift(d, by) { return d.digits === "" ? d : { neg: d.neg, digits: d.digits, exp: d.exp + by }; }

  // Half away from zero, on the decimal digits.
  function roundTo(d, places) {
    var keep = -places;
    if (d.exp >= keep) return d;
    var drop = keep - d.exp;
    if (drop > d.digits.length) return decimal(false, "", 0);
    var kept = d.digits.slice(0, d.digits.length - drop);
    if (d.digits.charAt(kept.length) >= "5") {
      var i = kept.length - 1;
      while (i >= 0 && kept.charAt(i) === "9") i--;
      kept = i < 0 ? "1" + kept.replace(/9/g, "0") : kept.slice(0, i) + String(+kept.charAt(i) + 1) + kept.slice(i + 1).replace(/9/g, "0");
    }
    return decimal(d.neg, kept, keep);
  }

  // The integer digits and `places` fraction digits of |d|, d already rounded to places.
  function unsignedParts(d, places) {
    var all = d.digits + "0".repeat(Math.max(0, d.exp + places));
    while (all.length < places + 1) all = "0" + all;
    return [all.slice(0, all.length - places), all.slice(all.length - places)];
  }

  function groupDigits(int) { return int.replace(/\B(?=(\d{3})+$)/g, ","); }

  function fixed(d, places) {
    var r = roundTo(d, places), p = unsignedParts(r, places);
    return (r.neg ? "-" : "") + groupDigits(p[0]) + (places > 0 ? "." + p[1] : "");
  }

  // Plain decimal text (`-1234.5`), no grouping, no exponent.
  function decimalText(d) {
    var places = Math.max(0, -d.exp), p = unsignedParts(d, places);
    return (d.neg ? "-" : "") + p[0] + (places > 0 ? "." + p[1] : "");
  }

  function compareDecimals(a, b) {
    if (a.neg !== b.neg) return a.neg ? -1 : 1;
    var za = a.digits === "", zb = b.digits === "";
    var mag = za || zb ? (za === zb ? 0 : za ? -1 : 1)
      : intLen(a) !== intLen(b) ? (intLen(a) < intLen(b) ? -1 : 1)
      : a.digits === b.digits ? 0 : a.digits < b.digits ? -1 : 1;
    return a.neg ? -mag : mag;
  }

  // K, M, B or T chosen after rounding: 999,999 → 1M, never 1000K.
  function compactText(d, places) {
    var unit = -1;
    for (var i = 0; i < UNITS.length; i++) if (intLen(d) > UNITS[i][0]) { unit = i; break; }
    for (;;) {
      var r = roundTo(shift(d, unit < 0 ? 0 : -UNITS[unit][0]), places);
      var next = unit < 0 ? UNITS.length - 1 : unit - 1;
      if (intLen(r) > 3 && (unit < 0 || unit > 0)) { unit = next; continue; }
      return fixed(r, Math.max(0, -r.exp)) + (unit < 0 ? "" : UNITS[unit][1]);
    }
  }

  // A number (a JS number, numeric string, BigInt or decimal) in a style:
  // number, percent, currency (symbol, default $) or compact.
  function formatNumber(v, style, places, symbol) {
    if (typeof v === "number" && isNaN(v)) return MISSING;
    if (v === Infinity || v === -Infinity) return v > 0 ? "∞" : "-∞";
    var d = v && typeof v === "object" && "digits" in v ? v : decimalOf(v);
    if (!d) return MISSING;
    if (style === "percent") return fixed(shift(d, 2), places) + "%";
    if (style === "currency") {
      var neg = roundTo(d, places).neg;
      return (neg ? "-" : "") + (symbol === undefined ? "$" : symbol) + fixed({ neg: false, digits: d.digits, exp: d.exp }, places);
    }
    if (style === "compact") return compactText(d, places);
    return fixed(d, places);
  }

  // Text of a value in a cell: strings as they are, numbers as plain decimals.
  function cellText(v) {
    var d = typeof v === "number" ? decimalOf(v) : null;
    return d ? decimalText(d) : text(v);
  }

  // The UTC instant of a date and time, for any year: Date.UTC() reads years
  // 0–99 as 1900–1999, setUTCFullYear() takes the year as given (0050 is year 50).
  function utcDate(y, month, day, h, min, sec, ms) {
    var t = new Date(0);
    t.setUTCFullYear(y, month, day);
    t.setUTCHours(h || 0, min || 0, sec || 0, ms || 0);
    return t;
  }

  // The UTC midnight of the ISO day that starts `v` (`2024-05-01…`) as a Date,
  // or null when there is none or the day does not exist (2024-02-30 is not
  // rolled over into March).
  function isoDay(v) {
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]|$)/.exec(v);
    if (!m) return null;
    var t = utcDate(+m[1], +m[2] - 1, +m[3]);
    return t.getUTCMonth() === +m[2] - 1 && t.getUTCDate() === +m[3] ? t : null;
  }

  // `May 1, 2024` for a value that starts with an ISO date: the day as written,
  // in any time zone.
  function calendarDay(v) {
    var t = isoDay(v);
    return t && MONTHS[t.getUTCMonth()] + " " + t.getUTCDate() + ", " + v.slice(0, 4);
  }

  // A table cell (src/util/format.rs cell()): null is empty; number: integers with
  // none and others with 2 decimals; percent 1; currency 2; compact 1; date the day.
  function formatCell(v, fmt) {
    if (v === null || v === undefined) return "";
    if (fmt === "date" && typeof v === "string") { var day = calendarDay(v); if (day) return day; }
    var d = decimalOf(v);
    var places = { number: d && d.exp >= 0 ? 0 : 2, percent: 1, currency: 2, compact: 1 }[fmt];
    if (!d || places === undefined) return cellText(v);
    return formatNumber(d, fmt, places);
  }

  // Text by Unicode code points (what Rust's str order is), not UTF-16 units.
  function byCodePoint(a, b) {
    var i = 0, j = 0;
    while (i < a.length && j < b.length) {
      var x = a.codePointAt(i), y = b.codePointAt(j);
      if (x !== y) return x < y ? -1 : 1;
      i += x > 0xffff ? 2 : 1;
      j += y > 0xffff ? 2 : 1;
    }
    return i < a.length ? 1 : j < b.length ? -1 : 0;
  }

  // The table order (src/util/format.rs compare()): numbers by exact value before
  // any text; text, booleans and JSON by code points. Nulls are handled by the caller.
  function compareValues(a, b) {
    var x = decimalOf(a), y = decimalOf(b);
    if (x && y) return compareDecimals(x, y);
    if (x || y) return x ? -1 : 1;
    return byCodePoint(cellText(a), cellText(b));
  }

  // Rows in the table order of one value (src/util/format.rs table_order()):
  // ascending is stable; descending is the ascending order reversed (ties in
  // reverse query order); nulls last either way, in query order.
  function sortRows(rows, value, dir) {
    var values = [], nulls = [];
    rows.forEach(function (r) { var v = value(r); (v === null || v === undefined ? nulls : values).push(r); });
    values.sort(function (a, b) { return compareValues(value(a), value(b)); });
    if (dir < 0) values.reverse();
    return values.concat(nulls);
  }

  // Chart labels: an axis, legend or tooltip with `"formatType": "vcdFormat"`
  // (what src/components/shorthand/channel.rs writes for number, percent, currency and
  // compact, optionally `name:decimals`) is formatted here, as a table cell of
  // that format; `auto` (a tooltip's number) has up to 4 decimals, trailing
  // zeros dropped; `date` is a table cell's day; `utc:<d3 time format>`
  // formats a date in UTC.
  var utcFormats = dict();
  function chartFormat(value, fmt) {
    if (value === null || value === undefined) return "";
    var time = /^utc:([\s\S]*)$/.exec(String(fmt));
    if (time) {
      // A d3 time format applied in UTC (dates reach Vega as UTC instants, see utcTime).
      var f = own(utcFormats, time[1]) || put(utcFormats, time[1], vega.timeFormatLocale().utcFormat(time[1]))[time[1]];
      return f(value);
    }
    if (fmt === "date") return formatCell(value, "date");
    var m = /^(number|percent|currency|compact|auto)(?::(\d{1,2}))?$/.exec(String(fmt));
    var d = decimalOf(value);
    if (!m || !d) return cellText(value);
    if (m[1] === "auto") { var r = roundTo(d, m[2] !== undefined ? +m[2] : 4); return fixed(r, Math.max(0, -r.exp)); }
    return m[2] === undefined ? formatCell(value, m[1]) : formatNumber(d, m[1], +m[2]);
  }
  if (typeof vega !== "undefined" && vega.expressionFunction) vega.expressionFunction("vcdFormat", chartFormat);

  // Dates for charts: an ISO date or timestamp as its wall-clock time, read as
  // UTC so that on a UTC scale 2024-05-01 is May 1 for every reader, as in the
  // tables. A zoned value (…-04:00) is already the project time zone's
  // wall-clock time (vcd.toml `timezone`): its offset is dropped, not applied,
  // so 22:40-04:00 is drawn at 22:40 on May 1, the day its table cell shows.
  var ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?$/;
  function utcTime(v) {
    var m = typeof v === "string" ? ISO_TIME.exec(v) : null;
    if (!m) return v;
    return utcDate(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0), +((m[7] || "") + "000").slice(0, 3)).getTime();
  }

  // The fields a spec encodes as time (type temporal, or a timeUnit), as row keys.
  function temporalFields(spec) {
    return fieldsWhere(spec, function (d) { return d.type === "temporal" || d.timeUnit; });
  }

  // Copies of the rows with those fields as UTC instants (milliseconds); the
  // loaded rows stay as they are for tables, filters and other charts. Each
  // text is read once (remembered, up to MEMO entries), since a redraw reads
  // the same dates again.
  function utcRows(rows, fields) {
    if (!fields.length) return rows;
    return rows.map(function (r) {
      var c = {};
      Object.keys(r).forEach(function (k) {
        var v = fields.indexOf(k) >= 0 ? remembered(utcTimes, r[k], utcTime) : r[k];
        // A column named __proto__ is an own property (put), not the prototype.
        if (k === "__proto__") put(c, k, v); else c[k] = v;
      });
      return c;
    });
  }
  var utcTimes = new Map();

  // f(v) for a text v, remembered in `memo` (emptied past MEMO entries); f(v) for anything else.
  var MEMO = 100000;
  function remembered(memo, v, f) {
    if (typeof v !== "string") return f(v);
    var out = memo.get(v);
    if (out === undefined && !memo.has(v)) {
      out = f(v);
      if (memo.size >= MEMO) memo.clear();
      memo.set(v, out);
    }
    return out;
  }

  // ---- KPI figures (src/components/figure.rs): exact with BigInt where the values are
  // integers, marked approximate where a double had to stand in. ----
  var I128 = BigInt("170141183460469231731687303715884105727");
  function isInteger(d) { return d.exp >= 0; }
  function toNumber(d) { return Number(decimalText(d)); }
  function inI128(b) { return b <= I128 && b >= -I128 - BigInt(1); }
  // A double holds d and shows the same digits (its shortest decimal is d).
  function fitsDouble(d) {
    var back = decimalOf(toNumber(d));
    return !!back && compareDecimals(back, d) === 0;
  }
  function figureFits(f) { return !!f.dec && fitsDouble(f.dec); }
  function figure(d, exact) { return { dec: d, exact: exact }; }
  function doubleFigure(n, exact) { return { dec: decimalOf(n), nonFinite: isFinite(n) ? null : n, exact: exact }; }
  function figureNumber(f) { return f.dec ? toNumber(f.dec) : f.nonFinite; }

  function sumFigure(ds) {
    if (ds.every(isInteger)) {
      var s = BigInt(0), ok = true;
      ds.forEach(function (d) { var b = BigInt(decimalText(d)); if (!inI128(b)) ok = false; s += b; if (!inI128(s)) ok = false; });
      if (ok) return figure(decimalOf(s), true);
    }
    var total = ds.reduce(function (t, d) { return t + toNumber(d); }, 0);
    return doubleFigure(total, ds.every(fitsDouble));
  }

  function kpiAggregate(agg, rows, col) {
    if (agg === "count") return figure(decimalOf(rows.length), true);
    if (agg === "first") { var f = rows.length ? decimalOf(rows[0][col]) : null; return f ? figure(f, true) : null; }
    var ds = [];
    rows.forEach(function (r) { var d = decimalOf(r[col]); if (d) ds.push(d); });
    if (agg === "sum") return sumFigure(ds);
    if (!ds.length) return null;
    if (agg === "mean") {
      var s = sumFigure(ds), n = figureNumber(s);
      return doubleFigure(n / ds.length, s.exact && figureFits(s));
    }
    if (agg === "min" || agg === "max") {
      var best = ds[0], sign = agg === "min" ? -1 : 1;
      ds.forEach(function (d) { if (compareDecimals(d, best) * sign > 0) best = d; });
      return figure(best, true);
    }
    return null;
  }

  function figureDifference(now, before) {
    var a = now.dec, b = before.dec;
    if (a && b && isInteger(a) && isInteger(b)) {
      var x = BigInt(decimalText(a)), y = BigInt(decimalText(b));
      if (inI128(x) && inI128(y) && inI128(x - y)) return figure(decimalOf(x - y), now.exact && before.exact);
    }
    var p = figureNumber(now), q = figureNumber(before);
    return doubleFigure(p - q, now.exact && before.exact && figureFits(now) && figureFits(before));
  }

  function figureText(f, fmt, places) {
    var t = formatNumber(f.dec || f.nonFinite, fmt, places);
    return f.exact ? t : "≈" + t;
  }

  // ---- KPI cards bound to a query (kpi(…, data=…)); figures as src/components/figure.rs makes them. ----
  function delta(now, before, spec) {
    var change = figureDifference(now, before), diff = figureNumber(change);
    var direction = diff > 0 ? "up" : diff < 0 ? "down" : "flat";
    var tone = direction === "flat" ? "neutral" : (direction === "up") === spec.up_is_good ? "good" : "bad";
    var sign = diff > 0 ? "+" : "";
    var was = figureNumber(before);
    var points = change.dec ? Object.assign({}, change, { dec: shift(change.dec, 2) }) : change;
    var shown = spec.format === "percent"
      ? sign + figureText(points, "number", spec.decimals) + " pts"
      : sign + figureText(change, spec.format, spec.decimals) + (was !== 0 ? " (" + sign + formatNumber(diff / Math.abs(was), "percent", 1) + ")" : "");
    var el = element("div", { className: "kpi-delta " + direction + " " + tone });
    var arrow = element("span", { textContent: { up: "▲", down: "▼", flat: "■" }[direction] });
    arrow.setAttribute("aria-hidden", "true");
    el.append(arrow, " " + shown + " " + spec.compare);
    return el;
  }

  // Day numbers (days since 1970-01-01) of ISO dates and timestamps, for
  // windows of time; null for a day that does not exist, which the build's
  // KPI (src/components/kpi.rs day_of) leaves out too.
  function dayOf(v) {
    return remembered(days, v, function (v) {
      var t = typeof v === "string" ? isoDay(v.slice(0, 10)) : null;
      return t && Math.round(t.getTime() / 864e5);
    });
  }
  var days = new Map();
  // The first and last day of a period column in rows that do not change
  // between redraws (a query's rows, a rollup's), by rows and column.
  var spans = new WeakMap();

  // A period KPI (kpi(…, period=column)): the figure over a window of days and
  // over the window of the same length just before. The window is the page's
  // date range on that column when one is set, else the last `days` days of data.
  function periodFigures(spec, all, rows, aggregate) {
    var range = inputs.filter(function (i) { return i.kind === "date_range" && i.fields.indexOf(spec.period) >= 0 && active(i); })[0];
    var known = spans.get(all) || dict();
    if (!own(known, spec.period)) {
      var last = null, start = null;
      all.forEach(function (r) {
        var d = dayOf(r[spec.period]);
        if (d !== null) { last = last === null ? d : Math.max(last, d); start = start === null ? d : Math.min(start, d); }
      });
      put(known, spec.period, [start, last]);
      spans.set(all, known);
    }
    var first = own(known, spec.period)[0], end = own(known, spec.period)[1];
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
    var current = within(from, to);
    return {
      now: aggregate(current),
      before: aggregate(within(from - len, from - 1)),
      rows: current,
      days: len,
      ranged: !!range
    };
  }

  function updateKpi(card) {
    // A card's spec is a script element; an inline value's, its data-spec attribute.
    var held = card.getAttribute("data-spec");
    var spec = JSON.parse(held !== null ? held : card.querySelector("script.vcd-kpi-spec").textContent);
    if (spec.rollup !== null && spec.rollup !== undefined) return updateRolledKpi(card, spec);
    var aggregate = function (rows) { return kpiAggregate(spec.agg, rows, spec.value); };
    var moments = function (rows) { return spec.sure ? rowMoments(rows, spec.value) : null; };
    if (spec.period) {
      var range = periodRange(spec);
      return Promise.all([queryRows(spec.query), rowsFor(spec.query, null, range ? range.name : null)]).then(function (got) {
        var f = periodFigures(spec, got[0], got[1].rows, aggregate);
        showKpi(card, Object.assign({}, spec, { compare: periodCompare(spec, f) }), f.now, f.before, got[1].missing,
          f.rows ? moments(f.rows) : null);
      });
    }
    return rowsFor(spec.query, null).then(function (got) {
      var now = aggregate(got.rows);
      var before = spec.previous ? kpiAggregate(spec.agg, got.rows, spec.previous) : null;
      showKpi(card, spec, now, before, got.missing, moments(got.rows));
    });
  }

  // The date range a period KPI's window follows, if the page has one on its column.
  function periodRange(spec) {
    return inputs.filter(function (i) { return i.kind === "date_range" && i.fields.indexOf(spec.period) >= 0; })[0];
  }

  function periodCompare(spec, f) {
    return f.ranged || spec.compare_auto ? "vs the " + f.days + " days before" : spec.compare;
  }

  // A KPI card read from its rollup: the same figures as from the rows.
  function updateRolledKpi(card, spec) {
    var range = spec.period ? periodRange(spec) : null;
    return requestRows(spec.rollup, null, range ? range.name : null).then(function (got) {
      var value = got.measures[0], previous = got.measures[1];
      var squares = spec.sure && spec.sure.sum_squares !== null ? got.measures[spec.sure.sum_squares] : null;
      var moments = function (rows) { return spec.sure ? rollupMoments(value, squares, rows) : null; };
      if (spec.period) {
        var f = periodFigures(spec, got.all, got.rows, function (rows) { return kpiRollup(value, rows); });
        showKpi(card, Object.assign({}, spec, { compare: periodCompare(spec, f) }), f.now, f.before, got.missing,
          f.rows ? moments(f.rows) : null);
        return;
      }
      var before = spec.previous && previous ? kpiRollup(previous, got.rows) : null;
      showKpi(card, spec, kpiRollup(value, got.rows), before, got.missing, moments(got.rows));
    });
  }

  // A card's mean's moments ({n, sum, sumSquares}) over its rows, in their
  // order, as src/util/interval.rs Moments::of adds them; and over rollup
  // rows (the mean's partial sums and counts, and the sum of squares), as
  // DeferredKpi::figures adds them.
  function rowMoments(rows, col) {
    var m = { n: 0, sum: 0, sumSquares: 0 };
    rows.forEach(function (r) {
      var d = decimalOf(r[col]);
      if (!d) return;
      var x = toNumber(d);
      m.n += 1; m.sum += x; m.sumSquares += x * x;
    });
    return m;
  }

  function rollupMoments(mean, squares, rows) {
    var m = { n: 0, sum: 0, sumSquares: 0 };
    var number = function (v) { var d = decimalOf(v); return d ? toNumber(d) : 0; };
    rows.forEach(function (r) {
      var p = r[PARTS], d = decimalOf(p[mean.at]);
      if (!d) return;
      m.sum += toNumber(d);
      m.n += number(p[mean.at + 1]);
      m.sumSquares += squares ? number(p[squares.at]) : 0;
    });
    return m;
  }

  // The line under a card's mean saying how sure it is, as kpi.rs sure_line writes it.
  function sureLine(sure, m, fmt, places) {
    var small = m.n < sure.min_n, parts = [];
    if (sure.ci) {
      var iv = interval(sure.method, m.n, m.sum, m.sumSquares);
      var amount = function (x) {
        var d = decimalOf(x);
        return fmt === "percent" && d ? formatNumber(shift(d, 2), "number", places) + " pts" : formatNumber(x, fmt, places);
      };
      if (!iv) parts.push("no interval");
      else if (sure.method === "wilson") parts.push("95% CI " + formatNumber(iv[0], fmt, places) + "–" + formatNumber(iv[1], fmt, places));
      else parts.push("± " + amount((iv[1] - iv[0]) / 2));
    }
    if (sure.ci || small) {
      var values = m.n === 1 ? "1 value" : m.n + " values";
      parts.push(small ? values + ": a small sample" : values);
    }
    if (!parts.length) return null;
    return element("div", { className: small ? "kpi-sure kpi-small" : "kpi-sure", textContent: parts.join(" · ") });
  }

  function showKpi(card, spec, now, before, missing, moments) {
    var value = card.querySelector(".kpi-value");
    value.textContent = now === null ? MISSING : figureText(now, spec.format, spec.decimals);
    value.setAttribute("data-value", now === null || !now.dec ? "" : decimalText(now.dec));
    value.setAttribute("data-previous", before === null || !before.dec ? "" : decimalText(before.dec));
    if (now !== null && !now.exact) value.title = INEXACT; else value.removeAttribute("title");
    var old = card.querySelector(".kpi-delta");
    if (old) old.remove();
    if (now !== null && before !== null) value.insertAdjacentElement("afterend", delta(now, before, spec));
    var sure = card.querySelector(".kpi-sure");
    if (sure) sure.remove();
    var line = spec.sure && moments ? sureLine(spec.sure, moments, spec.format, spec.decimals) : null;
    if (line) (card.querySelector(".kpi-delta") || value).insertAdjacentElement("afterend", line);
    note(card, missing, card.querySelector(".kpi-value"));
  }

  // ---- Data tables: sort, search, pages and CSV download, in the browser. ----
  // Cells are formatted by formatCell (the Formatting section), as the build formats the first page.

  // ---- What data may not become: a script link, or a spreadsheet formula. ----
  // The URL rule of src/util/urlsafe.rs, tested against the same vectors
  // (tests/fixtures/safety/url_vectors.json): decode character references, drop
  // what a browser may skip inside a scheme, refuse javascript:, vbscript:,
  // livescript: and data:. Everything else (relative, #, ?, http(s), mailto, tel) passes.
  var decoder = document.createElement("textarea");
  var IGNORABLE = /[\u0000-\u0020\u007F-\u009F]/g;
  function safeUrl(url) {
    var s = String(url);
    // A detached textarea reads its content as text: references decode, no element
    // is made. (It would turn a NUL into U+FFFD, so NULs go in as another control.)
    if (s.indexOf("&") >= 0) { decoder.innerHTML = s.replace(/</g, "&lt;").replace(/\u0000/g, "\u0001"); s = decoder.value; }
    var m = /^([a-z][a-z0-9+.\-]*):/i.exec(s.replace(IGNORABLE, ""));
    return !m || ["javascript", "vbscript", "livescript", "data"].indexOf(m[1].toLowerCase()) < 0;
  }

  // A cell a spreadsheet would read as a formula (OWASP's CSV injection rule:
  // it starts with = + - @, a tab or a carriage return) gets a leading quote.
  // A number, or text that is exactly a decimal number (-12.5, a big integer's
  // digits), stays as it is: it cannot hold a formula and stays a number.
  var NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  function csvField(v) {
    var s = text(v);
    if (typeof v !== "number" && /^[=+\-@\t\r]/.test(s) && !NUMBER_TEXT.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  // ---- Tables over large results: sorted chunks (src/query/chunks.rs). ----
  // A chunk file (one array per field) as row objects.
  function chunkRows(t, folder, k) {
    return load(folder + "/" + k + ".json").then(function (cols) {
      var n = cols.length ? cols[0].length : 0, rows = new Array(n);
      for (var i = 0; i < n; i++) {
        var row = dict();
        for (var f = 0; f < t.fields.length; f++) put(row, t.fields[f], cols[f][i]);
        rows[i] = row;
      }
      return rows;
    });
  }

  // The chunks of an order in reading order: the values' chunks forwards, or
  // backwards with their rows reversed for descending, then the nulls'.
  function chunkSequence(t, o, dir) {
    var nv = Math.ceil(o.values / t.size), nn = Math.ceil(o.nulls / t.size), seq = [], k;
    if (dir < 0) for (k = nv - 1; k >= 0; k--) seq.push({ k: k, reverse: true });
    else for (k = 0; k < nv; k++) seq.push({ k: k, reverse: false });
    for (k = nv; k < nv + nn; k++) seq.push({ k: k, reverse: false });
    return seq;
  }

  // Tests of a chunk's index entry (per filter column: [texts or null, first
  // day, last day]; src/query/chunks.rs summary()) that fail only when no
  // row of the chunk can pass the active filters; a filter the index cannot
  // judge (a search, a column it lists as "any") lets every chunk through.
  function chunkTests(t, columns) {
    var tests = [];
    function listed(field, want) {
      var at = t.filters.indexOf(field);
      if (at < 0) return;
      tests.push(function (entry) {
        var texts = entry[at][0];
        return texts === null || want.some(function (w) { return texts.indexOf(w) >= 0; });
      });
    }
    inputs.forEach(function (input) {
      if (!active(input)) return;
      var f = input.fields.filter(function (x) { return columns.indexOf(x) >= 0; })[0];
      var v = state.values[input.name];
      if (f === undefined) return;
      if (input.kind === "dropdown") listed(f, [text(input.options[v].value)]);
      else if (input.kind === "multiselect") listed(f, v.map(function (i) { return text(input.options[i].value); }));
      else if (input.kind === "checkbox") listed(f, ["true", "1"]);
      else if (input.kind === "date_range" && t.filters.indexOf(f) >= 0) {
        var at = t.filters.indexOf(f);
        tests.push(function (entry) {
          var lo = entry[at][1], hi = entry[at][2];
          return lo === null || ((!v.from || hi >= v.from) && (!v.to || lo <= v.to));
        });
      }
    });
    if (state.cross) listed(state.cross.field, [text(state.cross.value)]);
    return tests;
  }

  function setupTable(fig) {
    var spec = JSON.parse(fig.querySelector("script.vcd-table-spec").textContent);
    // Column name → position in a row (a Map: any name, "__proto__" included).
    var field = new Map();
    spec.fields.forEach(function (f, i) { field.set(f, i); });
    var cols = spec.columns.map(function (c) { return Object.assign({ at: field.get(c.name) }, c); });
    var view = { query: "", sort: -1, dir: 1, page: 0 };
    if (spec.sort) {
      view.sort = cols.map(function (c) { return c.name; }).indexOf(spec.sort.column);
      view.dir = spec.sort.dir;
    }
    var all = spec.rows || [];
    // A table over more rows than a page ships reads sorted chunks of them, as
    // far as the rows it shows need, and counts the rows the filters keep from a rollup.
    var paged = spec.paged ? manifest.tables[spec.paged.table] : null, scan = null, drawing = 0, filling = 0;
    var table = fig.querySelector("table");
    // Its first page as the build wrote it: what it shows while nothing filters, searches or re-sorts it.
    var opening = table.querySelector("tbody").cloneNode(true);
    // The lines the build wrote, by key text, for the first fill to take.
    var built = new Map();
    opening.querySelectorAll("td.vcd-spark[data-key]").forEach(function (td) {
      var svg = td.querySelector("svg");
      if (svg) built.set(td.getAttribute("data-key"), svg);
    });
    var openingFoot = table.querySelector("tfoot") && table.querySelector("tfoot").cloneNode(true);
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
    // The sortable headings: a sparkline's (the last) is not one.
    var heads = table.querySelectorAll("thead tr:last-child th:not(.vcd-spark-head)");
    var extras = spec.extras || { totals: [], bars: [], colors: [] };
    var scaled = extras.bars.concat(extras.colors.filter(function (c) { return extras.bars.indexOf(c) < 0; }));
    // Totals and the ranges of scaled columns, over the rows the filters keep
    // (not the search): as the build wrote them until a filter applies.
    var summary = null;
    cols.forEach(function (c, i) {
      var b = element("button", { type: "button", textContent: c.label, className: "vcd-sort" });
      b.addEventListener("click", function () {
        view.dir = view.sort === i ? -view.dir : 1;
        view.sort = i;
        view.page = 0;
        draw();
      });
      heads[i].replaceChildren(b);
    });

    // The rows that match the search, in the chosen order: what the table shows and the CSV holds.
    function shown() {
      var q = view.query.toLowerCase();
      var rows = all.filter(function (r) {
        return !q || cols.some(function (c) { return formatCell(r[c.at], c.format).toLowerCase().indexOf(q) >= 0; });
      });
      if (view.sort >= 0) {
        var at = cols[view.sort].at;
        rows = sortRows(rows, function (r) { return r[at]; }, view.dir);
      }
      return rows;
    }

    // As components.rs link() fills it at build time: `{any column name}` takes
    // the value's text as a cell shows it (null is empty), every byte outside
    // A-Z a-z 0-9 - _ . ~ percent-encoded (encodeURIComponent leaves ! ' ( ) *).
    function href(template, row) {
      return root + template.replace(/\{([^}]*)\}/g, function (all, name) {
        if (!field.has(name)) return all;
        var v = row[field.get(name)];
        return encodeURIComponent(v === null || v === undefined ? "" : cellText(v)).replace(/[!'()*]/g, function (c) {
          return "%" + c.charCodeAt(0).toString(16).toUpperCase();
        });
      });
    }

    function draw() {
      if (paged) return drawPaged();
      var rows = shown();
      var size = spec.page_size;
      var pages = Math.max(1, Math.ceil(rows.length / size));
      view.page = Math.min(view.page, pages - 1);
      var first = view.page * size;
      return fill(rows.slice(first, first + size), function () {
        info.textContent = rows.length ? (first + 1) + "–" + Math.min(first + size, rows.length) + " of " + rows.length : "no rows match";
        prev.disabled = view.page === 0;
        next.disabled = view.page >= pages - 1;
        fig.setAttribute("data-rows", String(rows.length));
      });
    }

    // The summary of rows the table holds: each total as a KPI card's figure
    // (kpiAggregate), each scaled column's least and greatest number.
    function summaryOf(rows) {
      var domains = new Map();
      scaled.forEach(function (c) {
        var at = field.get(c), lo = null, hi = null;
        rows.forEach(function (r) {
          var x = cellNumber(r[at]);
          if (x === null) return;
          lo = lo === null ? x : Math.min(lo, x);
          hi = hi === null ? x : Math.max(hi, x);
        });
        if (lo !== null) domains.set(c, [lo, hi]);
      });
      return { totals: extras.totals.map(function (t) { return kpiAggregate(t[1], rows, field.get(t[0])); }), domains: domains };
    }

    // The same from a paged table's rollup: its row count, then each total's
    // measure, then least and greatest of each scaled column (extras.rs measures()).
    function summaryOfRollup(got) {
      var ms = got.measures.slice(1), domains = new Map();
      var totals = extras.totals.map(function (t, i) { return kpiRollup(ms[i], got.rows); });
      scaled.forEach(function (c, i) {
        var lo = kpiRollup(ms[extras.totals.length + 2 * i], got.rows), hi = kpiRollup(ms[extras.totals.length + 2 * i + 1], got.rows);
        if (lo && hi && lo.dec && hi.dec) domains.set(c, [toNumber(lo.dec), toNumber(hi.dec)]);
      });
      return { totals: totals, domains: domains };
    }

    // The totals row (extras.rs totals_row): a figure in its column's cell
    // format, ≈ before one a double stood in for, the aggregate's word before
    // any but a sum when the row is a "Summary".
    var WORDS = { sum: "total", mean: "mean", min: "least", max: "greatest", count: "count" };
    function drawTotals() {
      var foot = table.querySelector("tfoot tr");
      if (!foot || !summary) return;
      var allSums = extras.totals.every(function (t) { return t[1] === "sum"; });
      extras.totals.forEach(function (t, i) {
        var k = cols.map(function (c) { return c.name; }).indexOf(t[0]), f = summary.totals[i];
        var shown = !f || !f.dec ? "" : (f.exact ? "" : "≈") + formatCell(decimalText(f.dec), cols[k].format);
        if (shown && t[1] !== "sum" && !allSums) shown = WORDS[t[1]] + " " + shown;
        foot.cells[k].textContent = shown;
      });
    }

    // A cell's bar and colour (util/cellscale.rs): its classes and style, from its column's range.
    function scaleCell(td, c, v) {
      var d = summary ? summary.domains.get(c.name) : null, styles = [];
      if (!d) return;
      var bar = extras.bars.indexOf(c.name) >= 0 ? barStyle(v, d[0], d[1]) : null;
      var heat = extras.colors.indexOf(c.name) >= 0 ? heatStyle(v, d[0], d[1]) : null;
      if (bar) { td.classList.add("vcd-bar"); styles.push(bar); }
      if (heat) { td.classList.add("vcd-heat"); styles.push(heat); }
      if (styles.length) td.setAttribute("style", styles.join(";"));
    }

    // The rows of the open page into the table body, the headers' sort state
    // and what `after` sets (the pager). With a sparkline column, they go in
    // once the rows' lines are (one fetch per shard not yet read), so a
    // redraw never shows them blank; a later fill or the opening page
    // supersedes one still waiting. The first fill takes the lines the build
    // wrote for the keys it shows, fetching none for them. Returns (and
    // leaves in fig.vcdSparks) a Promise of the body being in.
    function fill(rows, after) {
      var body = element("tbody"), lines = [], mine = ++filling, reuse = built;
      built = null;
      rows.forEach(function (r) {
        var tr = element("tr");
        cols.forEach(function (c) {
          var td = element("td");
          if (["number", "percent", "currency", "compact"].indexOf(c.format) >= 0) td.className = "num";
          scaleCell(td, c, r[c.at]);
          var t = formatCell(r[c.at], c.format);
          var url = c.link ? href(c.link, r) : null, linked = url !== null && safeUrl(url);
          if (linked) td.append(element("a", { href: url, textContent: t }));
          else td.textContent = t;
          if (url !== null && !linked) console.warn("vcd: link dropped, it would run script:", url, "row", r);
          tr.append(td);
        });
        if (spec.spark) tr.append(sparkCell(spec.spark, r[field.get(spec.spark.key)], lines, reuse));
        body.append(tr);
      });
      function show() {
        if (mine !== filling) return;
        table.querySelector("tbody").replaceWith(body);
        sortMarks();
        if (after) after();
      }
      if (!lines.length) show();
      fig.vcdSparks = lines.length ? Promise.all(lines).then(show) : Promise.resolve();
      return fig.vcdSparks;
    }

    function sortMarks() {
      heads.forEach(function (th, i) {
        th.setAttribute("aria-sort", view.sort === i ? (view.dir > 0 ? "ascending" : "descending") : "none");
      });
    }

    // The scan of the chunks for the current order, filters and search: the
    // rows found so far that pass them, in order, and how far it has read.
    // A new order, filter or search starts a new scan.
    function scanFor() {
      var q = own(manifest.queries, spec.query) || { columns: [] };
      var f = filtersFor(q.columns, q.params, null);
      var name = view.sort >= 0 ? cols[view.sort].name : null, dir = view.sort >= 0 ? view.dir : 1;
      // The page's filters (the global state) are part of the scan's key.
      var key = JSON.stringify([state.values, state.cross, view.query, name, dir]);
      if (scan && scan.key === key) return scan;
      var o = paged.orders.filter(function (x) { return x.column === name; })[0];
      var needle = view.query.toLowerCase();
      var tests = f.tests.slice();
      if (needle) {
        tests.push(function (r) {
          return cols.some(function (c) { return formatCell(r[c.name], c.format).toLowerCase().indexOf(needle) >= 0; });
        });
      }
      scan = {
        key: key, order: o, seq: chunkSequence(paged, o, dir), next: 0, rows: [], read: 0,
        tests: tests, skip: chunkTests(paged, q.columns), missing: f.missing, searched: !!needle,
        pristine: !tests.length && (spec.sort ? name === spec.sort.column && dir === spec.sort.dir : name === null),
        total: null, reading: Promise.resolve()
      };
      return scan;
    }

    // Reads chunks until `s` holds `upto` rows, reaches `total` or runs out.
    function extend(s, upto, total) {
      if (s.rows.length >= upto || (total !== null && s.rows.length >= total) || s.next >= s.seq.length) {
        return Promise.resolve(s);
      }
      var step = s.seq[s.next], o = s.order, nv = Math.ceil(o.values / paged.size);
      var index = s.skip.length ? load(o.folder + "/index.json") : Promise.resolve(null);
      return index.then(function (ix) {
        if (ix && !s.skip.every(function (t) { return t(ix.chunks[step.k]); })) {
          s.next += 1;
          s.read += step.k < nv ? Math.min(paged.size, o.values - step.k * paged.size)
            : Math.min(paged.size, o.nulls - (step.k - nv) * paged.size);
          return extend(s, upto, total);
        }
        // The next chunk loads while this one is filtered.
        if (s.next + 1 < s.seq.length) chunkRows(paged, o.folder, s.seq[s.next + 1].k);
        return chunkRows(paged, o.folder, step.k).then(function (rows) {
          if (step.reverse) rows = rows.slice().reverse();
          s.next += 1;
          s.read += rows.length;
          // Kept as the table keeps rows: values in the order of spec.fields.
          passing(rows, s.tests).forEach(function (r) { s.rows.push(spec.fields.map(function (f) { return own(r, f); })); });
          return extend(s, upto, total);
        });
      });
    }

    // A paged table's open page: its rows from the scan, the rows the filters
    // keep from the rollup (or, under a search, the matches found so far and
    // how many rows were searched).
    function drawPaged() {
      var mine = ++drawing, s = scanFor(), size = spec.page_size;
      note(fig, s.missing, bar);
      if (view.page === 0 && s.pristine) {
        filling += 1;
        table.querySelector("tbody").replaceWith(opening.cloneNode(true));
        if (openingFoot) table.querySelector("tfoot").replaceWith(openingFoot.cloneNode(true));
        sortMarks();
        var n = spec.paged.total;
        info.textContent = n ? "1–" + Math.min(size, n) + " of " + n : "no rows match";
        prev.disabled = true;
        next.disabled = size >= n;
        fig.setAttribute("data-rows", String(n));
        return Promise.resolve();
      }
      // The rows the filters keep, from the rollup: unknown under a search until
      // the scan ends. Its totals and ranges are the filters' either way.
      if (!s.total) {
        s.total = requestRows(spec.paged.count, null).then(function (got) {
          // Only the current scan's figures: a slower read for filters since changed is dropped.
          if (s === scan) { summary = summaryOfRollup(got); drawTotals(); }
          return s.searched ? null : sourceRows(got.rows);
        });
      }
      return s.total.then(function (total) {
        // One read at a time per scan: two draws in flight would read a chunk twice.
        s.reading = s.reading.then(function () { return extend(s, (view.page + 1) * size, total); });
        return s.reading.then(function () {
          if (mine !== drawing) return;
          var done = s.next >= s.seq.length || (total !== null && s.rows.length >= total);
          var count = total !== null ? total : done ? s.rows.length : null;
          if (count !== null && view.page > 0 && view.page * size >= count) {
            view.page = Math.max(0, Math.ceil(count / size) - 1);
            return drawPaged();
          }
          var first = view.page * size, rows = s.rows.slice(first, first + size);
          return fill(rows, function () {
            info.textContent = !rows.length ? "no rows match"
              : (first + 1) + "–" + (first + rows.length) + " of " + (count !== null ? count : s.rows.length + "+") +
                (s.searched && count === null ? " (searched " + s.read + " of " + spec.paged.total + " rows)" : "");
            prev.disabled = view.page === 0;
            next.disabled = count !== null ? first + size >= count : false;
            if (count !== null) fig.setAttribute("data-rows", String(count));
            else fig.removeAttribute("data-rows");
          });
        });
      });
    }

    search.addEventListener("input", function () { view.query = search.value; view.page = 0; draw(); });
    prev.addEventListener("click", function () { view.page -= 1; draw(); });
    next.addEventListener("click", function () { view.page += 1; draw(); });
    function csv(rows, value) {
      var lines = [cols.map(function (c) { return csvField(c.label); }).join(",")];
      rows.forEach(function (r) { lines.push(cols.map(function (c) { return csvField(value(r, c)); }).join(",")); });
      return lines.join("\r\n") + "\r\n";
    }
    fig.vcdTable = {
      // The CSV of every row the table's filters and search keep, in its order
      // (a paged table reads all its chunks for it: a Promise).
      csv: function () {
        if (!paged) return csv(shown(), function (r, c) { return r[c.at]; });
        var s = scanFor();
        s.reading = s.reading.then(function () { return extend(s, Infinity, null); });
        return s.reading.then(function () { return csv(s.rows, function (r, c) { return r[c.at]; }); });
      },
      // Rows from the query as the page's filters leave them (query-bound tables only).
      refresh: function () {
        if (paged) return drawPaged();
        if (!spec.query) { note(fig, allActive(null), bar); return Promise.resolve(); }
        return rowsFor(spec.query, null).then(function (got) {
          all = got.rows.map(function (r) { return spec.fields.map(function (f) { return r[f]; }); });
          summary = summaryOf(all);
          drawTotals();
          note(fig, got.missing, bar);
          return draw();
        });
      }
    };
    download.addEventListener("click", function () {
      // The byte-order mark tells Excel the file is UTF-8 (without it, Côté reads CÃ´tÃ©).
      Promise.resolve(fig.vcdTable.csv()).then(function (text) {
        var url = URL.createObjectURL(new Blob(["\uFEFF" + text], { type: "text/csv;charset=utf-8" }));
        var a = element("a", { href: url, download: "table.csv" });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
      });
    });
    if (spec.rows) { summary = summaryOf(all); drawTotals(); draw(); }
  }

  // A sparkline column's cell for a row whose key is `key`: its line from the
  // key's shard (src/query/sparks.rs), built as components/table/spark.rs
  // writes it, or empty for a key without one: a copy of the line in `reuse`
  // (key text → svg) if there is one, else from the shard, whose load joins `pending`.
  var SVG = "http://www.w3.org/2000/svg";
  function svgElement(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    attrs.forEach(function (a) { e.setAttribute(a[0], a[1]); });
    return e;
  }
  function sparkCell(sp, key, pending, reuse) {
    var td = element("td", { className: "vcd-spark" });
    var k = key === null || key === undefined ? "" : cellText(key);
    td.setAttribute("data-key", k);
    if (reuse && reuse.has(k)) {
      td.append(reuse.get(k).cloneNode(true));
      return td;
    }
    pending.push(load(sp.folder + "/" + sparkShard(k, sp.shards) + ".json").then(function (lines) {
      var p = own(lines, k);
      if (!p) return;
      var svg = svgElement("svg", [["viewBox", "0 0 " + sp.size[0] + " " + sp.size[1]], ["width", String(sp.size[0])],
        ["height", String(sp.size[1])], ["role", "img"], ["aria-label", p[3]]]);
      var title = svgElement("title", []);
      title.textContent = p[3];
      svg.append(title, svgElement("path", [["d", p[0]]]), svgElement("circle", [["cx", p[1]], ["cy", p[2]], ["r", "2"]]));
      td.append(svg);
    }).catch(function (e) { console.warn("vcd: sparkline not drawn:", e.message); }));
    return td;
  }
  // The shard of a key's text: FNV-1a, 32-bit, of its UTF-8 bytes, modulo the
  // shards (query/sparks.rs shard_of; tests/format_vectors.json spark_shard).
  function sparkShard(key, shards) {
    var bytes = new TextEncoder().encode(key), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return h % Math.max(1, shards);
  }

  // An in-cell bar and a colour scale's share, as src/util/cellscale.rs writes
  // them (docs/formatting.md "Cell scales"); null for a cell that is not a number.
  function cellNumber(v) { var d = decimalOf(v), x = d ? toNumber(d) : null; return x !== null && isFinite(x) ? x : null; }
  function barStyle(v, lo, hi) {
    var x = cellNumber(v), a = Math.min(lo, 0), b = Math.max(hi, 0);
    if (x === null || !(b > a)) return null;
    return "--vcd-from:" + formatNumber((Math.min(x, 0) - a) / (b - a) * 100, "number", 1) +
      "%;--vcd-to:" + formatNumber((Math.max(x, 0) - a) / (b - a) * 100, "number", 1) + "%";
  }
  function heatStyle(v, lo, hi) {
    var x = cellNumber(v);
    return x === null ? null : "--vcd-heat:" + formatNumber(hi > lo ? (x - lo) / (hi - lo) : 0.5, "number", 2);
  }

  // ---- Inputs, the active-filter bar, and the URL ----
  var controls = dict();
  Array.prototype.forEach.call(document.querySelectorAll("[data-input]"), function (el) {
    put(controls, el.getAttribute("data-input"), el);
  });

  // Values in the URL are the options' own values, so a shared link reads well.
  function toUrl() {
    var params = new URLSearchParams();
    inputs.forEach(function (input) {
      var v = state.values[input.name];
      if (input.kind === "dropdown" && v !== input.default) params.set(input.name, v === null ? "" : text(input.options[v].value));
      // One key per chosen value, so a value holding a comma (Toronto, ON) survives.
      if (input.kind === "multiselect") v.forEach(function (i) { params.append(input.name, text(input.options[i].value)); });
      if (input.kind === "date_range" && (v.from || v.to)) params.set(input.name, v.from + ".." + v.to);
      // A slider's ends as values, each end left empty where it is open (?reach=1000..).
      if (input.kind === "slider" && active(input)) {
        var r = input.range, end = function (i, open) { return i === open ? "" : String(r.min + i * r.step); };
        params.set(input.name, end(v.lo, 0) + ".." + end(v.hi, r.count));
      }
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

  // A multiselect's values, one query key each (?city=Toronto%2C+ON&city=Ottawa).
  // Older links joined them with commas (?type=photo,video): a value that is no
  // option is read as such a list, taking at each step the longest run of
  // pieces that names an option, so "Toronto, ON,Ottawa" still finds both.
  function multiFromUrl(input, raws) {
    var found = [];
    raws.forEach(function (raw) {
      // The whole value first: an option may hold commas of its own.
      var pieces = optionIndex(input, raw) >= 0 ? [raw] : raw.split(","), a = 0;
      while (a < pieces.length) {
        var b = pieces.length, i = -1;
        while (b > a && (i = optionIndex(input, pieces.slice(a, b).join(","))) < 0) b--;
        if (i >= 0) { found.push(i); a = b; } else a += 1;
      }
    });
    return found.filter(function (i, k) { return found.indexOf(i) === k; });
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
        state.values[input.name] = multiFromUrl(input, params.getAll(input.name));
      } else if (input.kind === "date_range") {
        var parts = raw.split("..");
        var ok = function (d) { return /^\d{4}-\d{2}-\d{2}$/.test(d || "") ? d : ""; };
        state.values[input.name] = { from: ok(parts[0]), to: ok(parts[1]) };
        // A date input's link may name its day once.
        var one = controls[input.name];
        if (one && one.tagName === "INPUT") state.values[input.name].to = state.values[input.name].from;
      } else if (input.kind === "slider") {
        var r = input.range, ends = raw.split("..");
        var step = function (t, open) {
          var x = t === undefined || t.trim() === "" ? NaN : Number(t);
          return isFinite(x) ? Math.min(Math.max(Math.round((x - r.min) / r.step), 0), r.count) : open;
        };
        var lo = step(ends[0], 0), hi = step(ends[1], r.count);
        state.values[input.name] = lo < hi ? { lo: lo, hi: hi } : initial(input);
      } else if (input.kind === "search") {
        state.values[input.name] = raw;
      } else {
        state.values[input.name] = raw === "1" || raw === "true";
      }
    });
    state.cross = null;
    params.forEach(function (value, key) {
      // From a link, the filter came from no component: it applies to all of them
      // (a source of null would match the tables' and cards' own null owner).
      if (key.indexOf("filter.") === 0) state.cross = { field: key.slice(7), value: value, source: "" };
    });
  }

  // Puts the state into the form controls (after a URL load or a cross-filter click).
  function showState() {
    inputs.forEach(function (input) {
      var el = controls[input.name], v = state.values[input.name];
      if (!el) return;
      if (input.kind === "dropdown") setChoice(el, v === null ? "" : String(v));
      else if (input.kind === "multiselect") {
        Array.prototype.forEach.call(el.querySelectorAll("input"), function (box) { box.checked = v.indexOf(+box.value) >= 0; });
      } else if (input.kind === "date_range" && el.tagName === "INPUT") {
        el.value = v.from;
      } else if (input.kind === "date_range") {
        el.querySelector("[data-end=from]").value = v.from;
        el.querySelector("[data-end=to]").value = v.to;
      } else if (input.kind === "slider") {
        el.querySelector("[data-end=from]").value = v.lo;
        el.querySelector("[data-end=to]").value = v.hi;
        showSlider(input, el, v);
      } else if (input.kind === "search") el.value = v;
      else el.checked = v;
    });
  }

  // A slider's text beside it and what a screen reader hears for each end.
  function showSlider(input, el, v) {
    var count = input.range.count;
    el.querySelector("output").textContent = sliderText(input, v);
    el.querySelector("[data-end=from]").setAttribute("aria-valuetext", v.lo === 0 ? "any" : sliderEnd(input, v.lo));
    el.querySelector("[data-end=to]").setAttribute("aria-valuetext", v.hi === count ? "any" : sliderEnd(input, v.hi));
  }

  // A dropdown's control is a select, or a button group's fieldset of radio buttons.
  function choiceOf(el) {
    if (el.tagName !== "FIELDSET") return el.value;
    var on = el.querySelector("input:checked");
    return on ? on.value : "";
  }

  function setChoice(el, value) {
    if (el.tagName !== "FIELDSET") el.value = value;
    else Array.prototype.forEach.call(el.querySelectorAll("input"), function (r) { r.checked = r.value === value; });
  }

  function readControl(input) {
    var el = controls[input.name];
    if (input.kind === "dropdown") {
      var chosen = choiceOf(el);
      return chosen === "" ? null : +chosen;
    }
    if (input.kind === "multiselect") {
      return Array.prototype.filter.call(el.querySelectorAll("input"), function (b) { return b.checked; }).map(function (b) { return +b.value; });
    }
    // A date input is a range of one day.
    if (input.kind === "date_range" && el.tagName === "INPUT") return { from: el.value, to: el.value };
    if (input.kind === "date_range") return { from: el.querySelector("[data-end=from]").value, to: el.querySelector("[data-end=to]").value };
    if (input.kind === "slider") {
      // The ends keep their order: moving one past the other takes it along.
      var lo = +el.querySelector("[data-end=from]").value, hi = +el.querySelector("[data-end=to]").value;
      var count = input.range.count;
      if (lo >= hi && el.vcdMoved === "to") { hi = Math.max(hi, 1); lo = hi - 1; }
      else if (lo >= hi) { lo = Math.min(lo, count - 1); hi = lo + 1; }
      return { lo: lo, hi: hi };
    }
    if (input.kind === "search") return el.value;
    return el.checked;
  }

  // An input's value in words, for its chip in the active-filter bar.
  function describe(input) {
    var v = state.values[input.name];
    switch (input.kind) {
      case "dropdown": return input.options[v].label;
      case "multiselect": return v.map(function (i) { return input.options[i].label; }).join(", ");
      case "date_range": return v.from && v.from === v.to ? v.from : (v.from || "…") + " to " + (v.to || "…");
      case "slider": return sliderText(input, v);
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
  Array.prototype.forEach.call(document.querySelectorAll(".vcd-tabs"), setupTabs);
  var kpis = Array.prototype.slice.call(document.querySelectorAll(".kpi, .vcd-value"));
  var specs = figures.map(function (f) { return JSON.parse(f.querySelector("script.vcd-spec").textContent); });
  tables.forEach(setupTable);

  function refresh() {
    var work = [];
    if (typeof vegaEmbed === "function") figures.forEach(function (f, i) { work.push(renderChart(f, specs[i])); });
    tables.forEach(function (t) { work.push(t.vcdTable.refresh()); });
    kpis.forEach(function (k) {
      if (k.hasAttribute("data-spec") || k.querySelector("script.vcd-kpi-spec")) work.push(updateKpi(k));
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
    // A slider's text follows the thumb; the page redraws when it is let go.
    if (input.kind === "slider") {
      el.addEventListener("input", function (e) {
        el.vcdMoved = e.target.getAttribute("data-end");
        showSlider(input, el, readControl(input));
      });
    }
  });

  window.vcd = { ready: null, render: refresh, state: state };
  // The formatter and table order, for themes and for the test vectors (tests/it/format.rs).
  window.vcd.format = formatNumber;
  window.vcd.formatCell = formatCell;
  window.vcd.compare = compareValues;
  window.vcd.sortRows = sortRows;
  window.vcd.chartTime = utcTime;
  window.vcd.kpiFigure = function (agg, values) {
    var f = kpiAggregate(agg, values.map(function (v) { return { v: v }; }), "v");
    return f && { text: f.dec ? decimalText(f.dec) : String(f.nonFinite), exact: f.exact };
  };
  // The URL rule, for themes that build links of their own (and for its browser test).
  window.vcd.safeUrl = safeUrl;
  window.vcd.sparkShard = sparkShard;
  window.vcd.barStyle = barStyle;
  window.vcd.heatStyle = heatStyle;
  window.vcd.interval = interval;
  window.vcd.t975 = t975;
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
