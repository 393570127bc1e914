// Live Markdown preview of an artifact form (notes, wiki pages, tickets, ...).
// A textarea opts in with data attributes:
//   <textarea data-preview-url="…/@@preview"      where to POST the Markdown
//             data-preview-pane="page-preview"    the id of the (hidden) pane
//             data-preview-button="page-preview-button"   the id of the (hidden) button
//             data-preview-delay="300">           optional, ms after typing (400)
// The server renders and sanitises the Markdown (with the tool's links) and
// answers an HTML fragment.  The button shows the preview; from then on it
// follows the typing.  Without JavaScript the form works the same, without preview.
(function () {
  "use strict";
  if (!window.fetch) { return; }

  function livePreview(text) {
    var form = text.form;
    var pane = document.getElementById(text.dataset.previewPane);
    var button = document.getElementById(text.dataset.previewButton);
    if (!form || !form.elements.csrf_token || !pane || !button) { return; }
    var delay = parseInt(text.dataset.previewDelay, 10) || 400;
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
      if (pane.hidden) { return; }          // live only once the user asked for it
      clearTimeout(timer);
      timer = setTimeout(refresh, delay);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-preview-url]"),
                               livePreview);
})();
