// The ticket list: a "select all" box for bulk edit (the page works without it).
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) { return; }
  var head = form.querySelector("thead th");
  if (!head) { return; }
  var all = document.createElement("input");
  all.type = "checkbox";
  all.id = "select-all";
  all.setAttribute("aria-label", "Select all tickets on this page");
  head.appendChild(all);
  all.addEventListener("change", function () {
    form.querySelectorAll('input[name="ticket"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
}());
