// "New activity" on the page itself: <body data-live-url data-live-seconds>
// (see forge/views/live_changes.py).  The page asks its node's @@changes for a
// cursor when it loads, then, while the tab is visible, what others changed
// since.  Then it fetches the page again and replaces, in place, each part
// marked data-live-region (the comments, a ticket's fields and timeline, a
// page's text) with the same part of the new page -- unless the reader is
// typing or has focus inside that part -- and says so in #live-notice, with
// a link that reloads the whole page.  Forms are outside the regions, so what
// the reader is writing is never replaced.  The new page is the forge's own,
// already sanitised HTML of the same URL, parsed inertly (DOMParser runs no
// script).  Without JavaScript the page is the same, without the notice.
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

  function show(updated) {
    notice.textContent = "";
    var who = people.length ? " by " + people.join(", ") : "";
    notice.appendChild(document.createTextNode(
      (seen === 1 ? "1 new change" : seen + " new changes") + who +
      (updated ? ", shown on this page. " : " since you opened this page. ")));
    var reload = document.createElement("a");
    reload.href = window.location.href.split("#")[0];
    reload.textContent = updated ? "Reload the page" : "Show them";
    notice.appendChild(reload);
    notice.hidden = false;
  }

  function busy(region) {
    var active = document.activeElement;
    return active && active !== document.body && region.contains(active);
  }

  // the page again, its regions swapped in; resolves true when all were
  function updateInPlace() {
    var regions = document.querySelectorAll("[data-live-region][id]");
    if (!regions.length || !window.DOMParser) { return Promise.resolve(false); }
    return fetch(window.location.href.split("#")[0],
                 {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return false; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var all = true;
        Array.prototype.forEach.call(regions, function (region) {
          var next = fresh.getElementById(region.id);
          if (!next || busy(region)) { all = false; return; }
          if (region.innerHTML !== next.innerHTML) {
            region.innerHTML = next.innerHTML;
            region.classList.add("live-updated");
          }
        });
        return all;
      })
      .catch(function () { return false; });
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
            return updateInPlace().then(show);
          }
        }
      })
      .then(schedule, schedule);
  }

  function schedule() {
    if (timer === null && !document.hidden) { timer = window.setTimeout(poll, seconds * 1000); }
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { schedule(); }
  });
  poll();                 // at once: the cursor of the page as it was drawn
}());
