// Recordline records desk: the few behaviours the pages need beyond htmx. Nothing is written to the browser's
// storage: chart points live in this page's memory and are gone when it is left.
(function () {
  "use strict";

  // The editor: "Show line N" selects that line of the record; the gutter follows the text's scrolling.
  function wireEditor(root) {
    var text = root.querySelector("#record-editor");
    var gutter = root.querySelector(".editor .gutter");
    if (!text || !gutter || text.dataset.wired) { return; }
    text.dataset.wired = "1";
    text.addEventListener("scroll", function () { gutter.scrollTop = text.scrollTop; });
    root.querySelectorAll("button.goto").forEach(function (b) {
      b.addEventListener("click", function () {
        var line = parseInt(b.dataset.line, 10), lines = text.value.split("\n"), start = 0;
        for (var i = 0; i < line - 1 && i < lines.length; i++) { start += lines[i].length + 1; }
        var end = start + (lines[line - 1] || "").length;
        text.focus();
        text.setSelectionRange(start, end);
        var lh = parseFloat(getComputedStyle(text).lineHeight) || 19;
        text.scrollTop = Math.max(0, (line - 4) * lh);
      });
    });
  }

  var palette = ["#0b4f9c", "#a1151b", "#17602a", "#8a4b00", "#5b2a86", "#00677a", "#6b6b00", "#b0306a"];

  // A live chart of named series over time, redrawn as points arrive (kept in this page's memory only).
  function LiveChart(el, yLabel) {
    var keys = [], xs = [], rows = {}, plot = null;
    this.add = function (at, values) {
      Object.keys(values).forEach(function (k) {
        if (keys.indexOf(k) < 0) { keys.push(k); rows[k] = xs.map(function () { return null; }); }
      });
      xs.push(at);
      keys.forEach(function (k) { rows[k].push(values[k] === undefined ? null : values[k]); });
      if (xs.length > 120) { xs.shift(); keys.forEach(function (k) { rows[k].shift(); }); }
      var data = [xs].concat(keys.map(function (k) { return rows[k]; }));
      var series = [{}].concat(keys.map(function (k, i) { return { label: k, stroke: palette[i % palette.length], width: 2 }; }));
      if (plot) { plot.destroy(); }
      plot = new uPlot({ width: Math.min(el.clientWidth || 900, 1100), height: 260, series: series,
        axes: [{}, { label: yLabel }] }, data, el);
      // ten minutes at least, so that the first points do not stretch over years
      var end = xs[xs.length - 1];
      plot.setScale("x", { min: Math.min(xs[0], end - 600), max: end + 5 });
    };
  }

  // The pipeline: counters read every 5 s, drawn as per-minute rates; lag and the quarantine's size as they are.
  function wirePipeline(root) {
    var el = root.querySelector("#throughput-chart");
    var backlogEl = root.querySelector("#backlog-chart");
    if (!el || el.dataset.wired || typeof uPlot === "undefined") { return; }
    el.dataset.wired = "1";
    var throughput = new LiveChart(el, "per minute");
    var backlog = backlogEl ? new LiveChart(backlogEl, "records") : null;
    var last = null;
    function table(f, rates) {
      var body = root.querySelector("#throughput-table tbody");
      if (!body) { return; }
      body.textContent = "";
      Object.keys(f.processed).sort().forEach(function (k) {
        var tr = document.createElement("tr");
        [k, rates[k] === undefined ? "—" : rates[k].toFixed(1), Math.round(f.processed[k])].forEach(function (v) {
          var td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
        });
        body.appendChild(tr);
      });
    }
    function tick() {
      if (!document.body.contains(el)) { return; }
      fetch("/pipeline/figures", { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (f) {
          if (!f) { return; }
          var rates = {};
          if (last) {
            var minutes = (f.at - last.at) / 60000;
            Object.keys(f.processed).forEach(function (k) {
              var r = minutes > 0 ? ((f.processed[k] || 0) - (last.processed[k] || 0)) / minutes : 0;
              rates[k] = Math.max(0, r);
            });
            throughput.add(f.at / 1000, rates);
          }
          if (backlog) {
            var now = {};
            Object.keys(f.lag).forEach(function (k) { now["lag, " + k] = f.lag[k]; });
            if (f.quarantine >= 0) { now["open in quarantine"] = f.quarantine; }
            now["dead letters"] = Object.keys(f.deadLetters).reduce(function (a, k) { return a + f.deadLetters[k]; }, 0);
            backlog.add(f.at / 1000, now);
          }
          table(f, rates);
          last = f;
        })
        .finally(function () { setTimeout(tick, 5000); });
    }
    tick();
  }

  // Quality by source: share passing per day, one line per source, from the table's own data.
  function wireQuality(root) {
    var el = root.querySelector("#quality-chart");
    if (!el || el.dataset.wired || typeof uPlot === "undefined") { return; }
    el.dataset.wired = "1";
    var sources = JSON.parse(el.dataset.series || "[]");
    var days = {};
    sources.forEach(function (s) { (s.byDay || []).forEach(function (d) { days[d.day] = true; }); });
    var xs = Object.keys(days).sort();
    if (xs.length === 0) { el.textContent = "No days to chart."; return; }
    var data = [xs.map(function (d) { return Date.parse(d + "T00:00:00Z") / 1000; })];
    var series = [{}];
    sources.forEach(function (s, i) {
      var byDay = {};
      (s.byDay || []).forEach(function (d) { byDay[d.day] = d; });
      data.push(xs.map(function (d) {
        var x = byDay[d]; var n = x ? x.passed + x.quarantined : 0;
        return n > 0 ? x.passed / n : null;
      }));
      series.push({ label: s.sourceSystem, stroke: palette[i % palette.length], width: 2 });
    });
    var chart = new uPlot({ width: Math.min(el.clientWidth || 900, 1100), height: 260, series: series,
      scales: { y: { range: [0, 1] } }, axes: [{}, { label: "share passing" }] }, data, el);
    // a week at least, so that one day's point does not stretch over years
    var last = data[0][data[0].length - 1];
    chart.setScale("x", { min: Math.min(data[0][0], last - 6 * 86400) - 43200, max: last + 43200 });
  }

  function wire(root) { wireEditor(root); wirePipeline(root); wireQuality(root); }
  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:load", function (e) { wire(e.detail.elt || document); });
})();
