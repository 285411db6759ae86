// Search page: one checkbox ticks every result on the page; ticking a row marks it.
(function () {
  "use strict";
  var all = document.getElementById("check-page");
  if (!all) { return; }
  var boxes = document.querySelectorAll('#results-form input[name="object_id"]');
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
}());
