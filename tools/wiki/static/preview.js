// Live preview of the wiki page form: POSTs the Markdown to @@preview (which
// renders, resolves [[links]] and sanitises it server-side) and shows the
// returned HTML.  Without JavaScript the form works the same, without preview.
(function () {
  "use strict";
  var form = document.getElementById("page-form");
  var text = document.getElementById("page-text");
  var pane = document.getElementById("page-preview");
  var button = document.getElementById("page-preview-button");
  if (!form || !text || !pane || !button || !window.fetch) { return; }
  var timer = null;
  var sent = 0;

  function refresh() {
    var body = new URLSearchParams();
    var mine = ++sent;
    body.set("text", text.value);
    body.set("csrf_token", form.elements.csrf_token.value);
    fetch(text.dataset.previewUrl, {method: "POST", body: body, credentials: "same-origin"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (mine !== sent) { return; }   // an older answer arriving late
        pane.innerHTML = html;
        pane.hidden = false;
      })
      .catch(function () { pane.hidden = true; });
  }

  button.hidden = false;
  button.addEventListener("click", refresh);
  text.addEventListener("input", function () {
    if (pane.hidden) { return; }          // live once the user asked for it
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
