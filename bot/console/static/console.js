// The console's only script: live regions that refresh themselves, and confirmation before a few buttons.
// Pages work without it (reload by hand).
(function () {
  "use strict";

  // An element with data-live="N" (and an id) is fetched again every N seconds and replaced when it changed.
  // Refreshes say so in a header: they are not activity that keeps a session alive. (What is audited is
  // decided by the server alone.)
  function live(region) {
    var seconds = Number(region.getAttribute("data-live")) || 30;
    var stickToBottom = region.getAttribute("data-scroll") === "bottom";
    var scroller = region.querySelector(".messages") || region;
    if (stickToBottom) scroller.scrollTop = scroller.scrollHeight;
    function busy() {
      var active = document.activeElement;
      return active && region.contains(active) && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(active.tagName);
    }
    function refresh() {
      if (document.hidden || busy()) return schedule();
      fetch(window.location.href, {headers: {"X-Console-Refresh": "1"}, credentials: "same-origin", redirect: "follow"})
        .then(function (reply) {
          if (reply.redirected || reply.status === 401) { window.location.reload(); return null; }
          return reply.ok ? reply.text() : null;
        })
        .then(function (html) {
          if (!html) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(region.id);
          if (!fresh || fresh.innerHTML === region.innerHTML) return;
          var atBottom = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 40;
          region.innerHTML = fresh.innerHTML;
          scroller = region.querySelector(".messages") || region;
          if (stickToBottom && atBottom) scroller.scrollTop = scroller.scrollHeight;
        })
        .catch(function () { /* offline for a moment: try again next time */ })
        .then(schedule);
    }
    function schedule() { window.setTimeout(refresh, seconds * 1000); }
    schedule();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-live][id]"), live);
    document.addEventListener("submit", function (event) {
      var question = event.target.getAttribute("data-confirm");
      if (question && !window.confirm(question)) event.preventDefault();
    });
  });
})();
