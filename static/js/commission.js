/* Commissioning steps: shows one step of #commission-form at a time (Identify, Details, Sign), checks each
   step's fields before moving on, requires a signature, fills GPS from the device, and stops double submits.
   Without JavaScript every step is shown at once and the server still validates everything. */
(function () {
  "use strict";

  function initWizard(form) {
    var sections = Array.prototype.slice.call(form.querySelectorAll("section[data-step]"));
    var labels = document.querySelectorAll("[data-step-labels] [data-step-label]");
    var signatureInput = form.querySelector("input[name=signature]");
    var signatureRequired = form.querySelector("[data-signature-required]");
    var current = parseInt(form.dataset.initialStep || "1", 10);
    form.classList.add("js");

    function show(step, focus) {
      current = Math.max(1, Math.min(step, sections.length));
      sections.forEach(function (section) {
        section.classList.toggle("active", parseInt(section.dataset.step, 10) === current);
      });
      for (var i = 0; i < labels.length; i++) {
        var n = parseInt(labels[i].dataset.stepLabel, 10);
        if (n === current) { labels[i].setAttribute("aria-current", "step"); } else { labels[i].removeAttribute("aria-current"); }
        labels[i].classList.toggle("done", n < current);
      }
      var canvas = form.querySelector("section.active canvas[data-signature-pad]");
      if (canvas && canvas.signaturePad) { canvas.signaturePad.resize(); }
      if (focus) {
        var heading = form.querySelector("section.active h2");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
        window.scrollTo(0, 0);
      }
    }

    function sectionValid(section) {
      var fields = section.querySelectorAll("input:not([type=hidden]), select, textarea");
      for (var i = 0; i < fields.length; i++) {
        if (!fields[i].checkValidity()) { fields[i].reportValidity(); return false; }
      }
      return true;
    }

    form.addEventListener("click", function (event) {
      var next = event.target.closest("[data-next]");
      var back = event.target.closest("[data-back]");
      if (next) {
        if (sectionValid(next.closest("section[data-step]"))) { show(current + 1, true); }
      } else if (back) {
        show(current - 1, true);
      }
    });

    form.addEventListener("submit", function (event) {
      if (signatureInput && !signatureInput.value) {
        event.preventDefault();
        if (signatureRequired) { signatureRequired.hidden = false; }
        show(3, true);
      }
    });
    if (signatureInput) {
      signatureInput.addEventListener("change", function () {
        if (signatureInput.value && signatureRequired) { signatureRequired.hidden = true; }
      });
    }

    var gps = form.querySelector("[data-gps]");
    var gpsStatus = form.querySelector("[data-gps-status]");
    if (gps) {
      if (!navigator.geolocation) { gps.disabled = true; if (gpsStatus) { gpsStatus.textContent = "This device cannot give a location."; } }
      gps.addEventListener("click", function () {
        if (gpsStatus) { gpsStatus.textContent = "Finding the location…"; }
        navigator.geolocation.getCurrentPosition(function (position) {
          form.querySelector("input[name=gps_lat]").value = position.coords.latitude.toFixed(6);
          form.querySelector("input[name=gps_lng]").value = position.coords.longitude.toFixed(6);
          if (gpsStatus) { gpsStatus.textContent = "Location captured (within " + Math.round(position.coords.accuracy) + " m)."; }
        }, function (error) {
          if (gpsStatus) { gpsStatus.textContent = "No location: " + error.message + ". Type it in, or leave it empty."; }
        }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
      });
    }
    show(current, false);
  }

  function initSubmitOnce(form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      // Disabled after the browser has read the form, so the button's own name and value are still sent.
      window.setTimeout(function () {
        var buttons = form.querySelectorAll("button[type=submit]");
        for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
        if (button && button.dataset.busyLabel) { button.textContent = button.dataset.busyLabel; }
      }, 0);
    });
  }

  function init() {
    var wizard = document.getElementById("commission-form");
    if (wizard) { initWizard(wizard); }
    var once = document.querySelectorAll("form[data-submit-once]");
    for (var i = 0; i < once.length; i++) { initSubmitOnce(once[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
