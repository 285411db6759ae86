// Import page: while an import runs, poll its status and move the progress bar.
(function () {
  "use strict";
  var box = document.getElementById("import-status");
  if (!box || box.dataset.status !== "running") { return; }
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (bar) { bar.max = s.total; bar.value = s.done; }
        if (text) { text.textContent = s.done + " / " + s.total + " rows"; }
        if (s.status === "running") { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
}());
