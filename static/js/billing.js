/* Billing pages: reopen a dialog whose form came back with errors. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("dialog[data-open-on-load]").forEach(function (dialog) {
      if (dialog.showModal) { dialog.showModal(); }
    });
  });
})();
