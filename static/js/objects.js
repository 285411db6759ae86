// Object forms: warn about a duplicate object number while it is being typed.
// The server has the last word (the database refuses duplicates); this only saves a wasted save.
(function () {
  "use strict";
  var config = document.getElementById("check-number-config");
  var input = document.querySelector("input[data-check-number]");
  var warning = document.getElementById("number-warning");
  if (!config || !input || !warning) { return; }
  var url = config.getAttribute("data-url");
  var exclude = config.getAttribute("data-exclude");
  var timer = null;
  var latest = 0;

  function show(data) {
    warning.textContent = "";
    if (!data || !data.duplicate) {
      warning.hidden = true;
      input.removeAttribute("aria-invalid");
      return;
    }
    warning.appendChild(document.createTextNode(data.message + " "));
    var link = document.createElement("a");
    link.href = data.object.url;
    link.textContent = "Open " + data.object.object_number;
    warning.appendChild(link);
    warning.hidden = false;
    input.setAttribute("aria-invalid", "true");
  }

  function check() {
    var value = input.value.trim();
    if (!value) { show(null); return; }
    var query = "?number=" + encodeURIComponent(value) + (exclude ? "&exclude=" + exclude : "");
    var ticket = ++latest;
    fetch(url + query, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (ticket === latest) { show(data); } })
      .catch(function () { /* offline: the server still checks on save */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });
  input.addEventListener("blur", check);
  if (input.value) { check(); }
})();
