// "New activity" on the page itself: <body data-live-url data-live-after
// data-live-seconds> (see forge/views/live_changes.py).  While the tab is
// visible, the page asks its node's @@changes what others changed since it was
// drawn, and says so in #live-notice with a link that reloads the page.
// Without JavaScript the page is the same, without the notice.
(function () {
  "use strict";
  var body = document.body;
  var notice = document.getElementById("live-notice");
  if (!window.fetch || !body.dataset.liveUrl || !notice) { return; }
  var url = body.dataset.liveUrl;
  var after = body.dataset.liveAfter || "0";
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
    fetch(url + "?after=" + encodeURIComponent(after),
          {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer) {
          after = String(answer.after);
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
  schedule();
}());
