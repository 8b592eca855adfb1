// Behaviour every page may use, attached here rather than inline: the Content-Security-Policy
// allows scripts from our own files only, never inline scripts or on* attributes.
"use strict";
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field && field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});

// The field pages' offline copies go with the session (fieldwork/offline.py). A page opened
// without the session's live cookie (the next morning, after the cookies were cleared, once the
// session's hours are over) deletes every copy; "verfak-v1" is where an earlier version kept
// them in clear. Signing out clears the site's storage (Clear-Site-Data), field entries still
// waiting to be sent (static/js/verfak.js keeps them under "verfak-queue-v1") included: it tries
// to send them first, then asks.
(function () {
  function live() {
    var cookie = document.cookie.match(/(?:^|;\s*)verfak_offline=([^;]+)/);
    if (!cookie) return false;
    return parseInt(decodeURIComponent(cookie[1]).split(".")[1], 10) * 1000 > Date.now();
  }
  if (window.caches && !live()) {
    caches.keys().then(function (names) {
      names.forEach(function (name) {
        if (name.indexOf("verfak-pages-") === 0 || name === "verfak-v1") caches.delete(name);
      });
    }).catch(function () {});
  }

  function waiting() {
    try {
      var queue = JSON.parse(localStorage.getItem("verfak-queue-v1") || "[]");
      return Array.isArray(queue) ? queue.length : 0;
    } catch (e) {
      return 0;
    }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-sign-out") || !waiting()) return;
    event.preventDefault();
    var sent = window.verfak && window.verfak.flush ? window.verfak.flush() : Promise.resolve();
    sent.catch(function () {}).then(function () {
      var left = waiting();
      if (!left || window.confirm((form.dataset.waitingMsg || "").replace("__N__", left))) {
        form.submit();
      }
    });
  });
})();
