// Loan page: ask for the override reason only when the override box is ticked, and confirm a
// refusal. The page works without this script; it only saves taps on a tablet.
(function () {
  "use strict";
  var override = document.getElementById("override");
  var reason = document.getElementById("override_reason");
  if (override && reason) {
    var field = reason.closest(".field");
    // .field sets display itself, so the hidden attribute alone would not hide it.
    var show = function (visible) { if (field) { field.style.display = visible ? "" : "none"; } };
    override.addEventListener("change", function () {
      show(override.checked);
      if (override.checked) { reason.focus(); }
    });
    if (!override.checked && !reason.value) { show(false); }
  }
  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // "Select all" for partial returns.
  var all = document.getElementById("return-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=loan_object]").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  }
})();
