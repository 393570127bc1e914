// "New activity" on the page itself: <body data-live-url data-live-seconds>
// (see forge/views/live_changes.py).  The page asks its node's @@changes for a
// cursor when it loads, then, while the tab is visible, what others changed
// since, and says so in #live-notice with a link that reloads the page.
// Without JavaScript the page is the same, without the notice.
(function () {
  "use strict";
  var body = document.body;
  var notice = document.getElementById("live-notice");
  if (!window.fetch || !body.dataset.liveUrl || !notice) { return; }
  var url = body.dataset.liveUrl;
  var after = null;       // an opaque cursor; the first answer gives one
  var seconds = parseInt(body.dataset.liveSeconds, 10) || 20;
  var seen = 0;
  var people = [];
  var timer = null;

  function show() {
    notice.textContent = "";
    var who = people.length ? " by " + people.join(", ") : "";
    notice.appendChild(document.createTextNode(
      (seen === 1 ? "1 new change" : seen + " new changes") + who + " since you opened this page. "));
    var reload = document.createElement("a");
    reload.href = window.location.href.split("#")[0];
    reload.textContent = "Show them";
    notice.appendChild(reload);
    notice.hidden = false;
  }

  function poll() {
    timer = null;
    if (document.hidden) { return; }
    fetch(after === null ? url : url + "?after=" + encodeURIComponent(after),
          {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (response.status === 400) { after = null; }    // a cursor no longer good
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer) {
          after = answer.after;
          if (answer.changes) {
            seen += answer.changes;
            answer.people.forEach(function (name) {
              if (people.indexOf(name) < 0) { people.push(name); }
            });
            show();
          }
        }
        schedule();
      })
      .catch(schedule);
  }

  function schedule() {
    if (timer === null && !document.hidden) { timer = window.setTimeout(poll, seconds * 1000); }
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { schedule(); }
  });
  poll();                 // at once: the cursor of the page as it was drawn
}());
