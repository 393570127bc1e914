// Live preview of the ticket description: POSTs the Markdown to @@preview
// (rendered and sanitised server-side) and shows the returned HTML.
// Without JavaScript the form works the same, only without preview.
(function () {
  "use strict";
  var form = document.getElementById("ticket-form");
  var text = document.getElementById("ticket-description");
  var pane = document.getElementById("ticket-preview");
  var button = document.getElementById("ticket-preview-button");
  if (!form || !text || !pane || !button || !window.fetch) { return; }
  var timer = null;

  function refresh() {
    var body = new URLSearchParams();
    body.set("text", text.value);
    body.set("csrf_token", form.elements.csrf_token.value);
    fetch(text.dataset.previewUrl, {method: "POST", body: body, credentials: "same-origin"})
      .then(function (response) { return response.text(); })
      .then(function (html) { pane.innerHTML = html; pane.hidden = false; })
      .catch(function () { pane.hidden = true; });
  }

  button.hidden = false;
  button.addEventListener("click", refresh);
  text.addEventListener("input", function () {
    if (pane.hidden) { return; }
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
