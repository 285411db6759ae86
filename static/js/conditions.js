// Condition photos: tapping a photo fills in where the mark goes (thousandths across and down).
// Without this script the two numbers can be typed in.
(function () {
  "use strict";
  document.querySelectorAll(".annotated img").forEach(function (img) {
    var id = img.parentElement.getAttribute("data-photo");
    img.addEventListener("click", function (event) {
      var box = img.getBoundingClientRect();
      var x = Math.round((event.clientX - box.left) / box.width * 1000);
      var y = Math.round((event.clientY - box.top) / box.height * 1000);
      var xInput = document.getElementById("an-x-" + id);
      var yInput = document.getElementById("an-y-" + id);
      var note = document.getElementById("an-note-" + id);
      if (!xInput || !yInput) { return; }
      xInput.value = Math.min(1000, Math.max(0, x));
      yInput.value = Math.min(1000, Math.max(0, y));
      if (note) { note.focus(); }
    });
  });
})();
