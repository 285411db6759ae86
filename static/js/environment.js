/* Environment charts: temperature and RH over time (uPlot), with the target band shaded.
   The server sends bucketed min/avg/max columns (see catalog.environment.services.series). */
(function () {
  "use strict";

  function targetBandPlugin(lo, hi) {
    return {
      hooks: {
        drawClear: function (u) {
          if (lo === null && hi === null) { return; }
          var ctx = u.ctx;
          var top = hi === null ? u.bbox.top : u.valToPos(hi, "y", true);
          var bottom = lo === null ? u.bbox.top + u.bbox.height : u.valToPos(lo, "y", true);
          ctx.save();
          ctx.fillStyle = "rgba(46, 160, 67, 0.12)";
          ctx.fillRect(u.bbox.left, top, u.bbox.width, bottom - top);
          ctx.restore();
        }
      }
    };
  }

  function draw(el, data) {
    var measure = el.dataset.measure;
    var target = data.target || {};
    var lo = target[measure + "_min"], hi = target[measure + "_max"];
    lo = lo === undefined ? null : lo;
    hi = hi === undefined ? null : hi;
    var colour = measure === "temp" ? "#c0392b" : "#1f6feb";
    var unit = measure === "temp" ? " °C" : " %";
    var values = [].concat(data[measure + "_min"], data[measure + "_max"]).filter(function (v) {
      return v !== null;
    });
    if (!values.length) {
      /* e.g. a light-only logger: nothing to draw for this measure */
      el.textContent = measure === "temp" ? "No temperature readings in this period." : "No humidity readings in this period.";
      return null;
    }
    if (lo !== null) { values.push(lo); }
    if (hi !== null) { values.push(hi); }
    var yMin = Math.min.apply(null, values), yMax = Math.max.apply(null, values);
    var pad = Math.max(1, (yMax - yMin) * 0.1);
    var opts = {
      width: Math.max(300, el.clientWidth || 600),
      height: 260,
      plugins: [targetBandPlugin(lo, hi)],
      scales: { x: { time: true }, y: { range: [yMin - pad, yMax + pad] } },
      series: [
        {},
        { label: "min", stroke: colour, width: 0.5, value: function (u, v) { return v === null ? "—" : v.toFixed(1) + unit; } },
        { label: "mean", stroke: colour, width: 2, value: function (u, v) { return v === null ? "—" : v.toFixed(1) + unit; } },
        { label: "max", stroke: colour, width: 0.5, value: function (u, v) { return v === null ? "—" : v.toFixed(1) + unit; } }
      ],
      bands: [{ series: [3, 1], fill: measure === "temp" ? "rgba(192, 57, 43, 0.15)" : "rgba(31, 111, 235, 0.15)" }]
    };
    el.textContent = "";
    /* global uPlot */
    return new uPlot(opts, [data.t, data[measure + "_min"], data[measure + "_avg"], data[measure + "_max"]], el);
  }

  function init() {
    var charts = document.querySelectorAll(".env-chart[data-series-url]");
    if (!charts.length || typeof uPlot === "undefined") { return; }
    var status = document.getElementById("chart-status");
    fetch(charts[0].dataset.seriesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        if (!data.t.length) {
          if (status) { status.textContent = "No readings in this period."; }
          return;
        }
        var plots = [];
        charts.forEach(function (el) { plots.push(draw(el, data)); el.dataset.ready = "1"; });
        if (status) {
          status.textContent = data.t.length + " points, each summarising " + Math.round(data.bucket_seconds / 60) + " minute(s); shaded: target band.";
        }
        window.addEventListener("resize", function () {
          plots.forEach(function (p, i) { if (p) { p.setSize({ width: Math.max(300, charts[i].clientWidth), height: 260 }); } });
        });
      })
      .catch(function () { if (status) { status.textContent = "The chart data could not be loaded."; } });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
