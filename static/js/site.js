// Behaviour every page may use, attached here rather than inline: the Content-Security-Policy
// allows scripts from our own files only, never inline scripts or on* attributes.
"use strict";
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field && field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});
