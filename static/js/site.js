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

// A table wider than its box scrolls sideways inside it (.table-wrap, on a phone): the box then
// takes the keyboard's focus (Tab, then the arrow keys scroll it, as a finger does) and is a
// region named after its table's caption or its card's heading. Marked again after a resize
// and after htmx swaps a part of the page.
(function () {
  function name(box) {
    var caption = box.querySelector("caption");
    var card = box.closest(".card") || box.parentElement;
    var heading = caption || (card && card.querySelector("h1, h2, h3"));
    return (heading && heading.textContent.trim()) || document.title.split("·")[0].trim();
  }
  function mark() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", name(box));
        box.dataset.scrollFocus = "1";
      } else if (!scrolls && box.dataset.scrollFocus) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scrollFocus;
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
  document.addEventListener("htmx:afterSettle", mark);
})();
