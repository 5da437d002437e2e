/* Customers pages: GPS from the browser's geolocation; re-open a dialog the server sent back with errors. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-geolocate]");
    if (!button) { return; }
    var status = button.parentElement.querySelector(".geo-status");
    var say = function (text) { if (status) { status.textContent = text; } };
    if (!navigator.geolocation) { say("This browser cannot give a location: type the GPS instead."); return; }
    say("Finding your location…");
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      var lat = document.querySelector(button.dataset.lat);
      var lon = document.querySelector(button.dataset.lon);
      if (lat) { lat.value = position.coords.latitude.toFixed(6); }
      if (lon) { lon.value = position.coords.longitude.toFixed(6); }
      say("Location filled in (±" + Math.round(position.coords.accuracy) + " m).");
      button.disabled = false;
    }, function (error) {
      say("No location (" + error.message + "): type the GPS instead.");
      button.disabled = false;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
  document.addEventListener("DOMContentLoaded", function () {
    var dialog = document.querySelector("dialog[open]");
    if (dialog && dialog.showModal) { dialog.close(); dialog.showModal(); }
  });
})();
