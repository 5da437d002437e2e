/* The portal's one script (after htmx): every page loads it, cached for ever under its hashed name.
   CSP: no inline scripts anywhere. Sections: page helpers; the signature pad; step-by-step forms; the network
   feedback on every htmx request (in flight, failed, Retry, offline banner); the offline queue of field
   submissions (IndexedDB) and the service worker. */
(function () {
  "use strict";

  // Runs fn(root) for the page and for every piece of content htmx swaps in later.
  function onContent(fn) {
    if (window.htmx) { window.htmx.onLoad(fn); return; }
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", function () { fn(document.body); }); } else { fn(document.body); }
  }
  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) { found.unshift(root); }
    return found;
  }
  function make(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }
  function timeText(ms) {
    // Day first and 24-hour whatever the browser's locale, as every date the portal writes.
    return new Date(ms).toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }

  /* Page helpers ------------------------------------------------------------------------------------------ */

  // A page sent in answer to a POST (the landing page after login) names its own address: put it in the address
  // bar, so that a reload or a bookmark asks for that page rather than sending the form again.
  if (document.documentElement.dataset.replaceUrl && window.history.replaceState) {
    window.history.replaceState(null, "", document.documentElement.dataset.replaceUrl);
  }

  // <form data-confirm="Delete this?"> and <button data-confirm="..."> ask before submitting (htmx-boosted too).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
  // <button data-open-dialog="id"> / <button data-close-dialog> drive <dialog> elements.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.dataset.openDialog);
      if (dialog && dialog.showModal) { dialog.showModal(); }
    }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      var parent = closer.closest("dialog");
      if (parent) { parent.close(); }
    }
  });
  // A dialog the server sent back with errors opens again (data-open-on-load, or rendered open).
  onContent(function (root) {
    within(root, "dialog[data-open-on-load], dialog[open]").forEach(function (dialog) {
      if (!dialog.showModal) { return; }
      if (dialog.open) { dialog.close(); }
      dialog.showModal();
    });
  });
  // <button data-geolocate data-lat="#id" data-lon="#id"> fills GPS fields from the device.
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

  // <input data-live-search>: fires "cc:search" (the element's hx-trigger) once typing pauses: 300 ms for one or
  // two characters, 50 ms from three on, when the text narrows enough to answer at once (an answer still in
  // flight is replaced by the newer one: hx-sync). (An hx-trigger filter would need eval, which the Content
  // Security Policy refuses.)
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.hasAttribute || !input.hasAttribute("data-live-search")) { return; }
    window.clearTimeout(input.liveSearchTimer);
    input.liveSearchTimer = window.setTimeout(function () {
      if (input.value === input.liveSearchSent) { return; }
      input.liveSearchSent = input.value;
      input.dispatchEvent(new CustomEvent("cc:search", { bubbles: true }));
    }, input.value.trim().length >= 3 ? 50 : 300);
  });

  /* Signature pad --------------------------------------------------------------------------------------------
     <canvas data-signature-pad data-input="id">: Pointer Events, so a finger, a stylus and a mouse all draw.
     Strokes are kept in canvas-independent units and exported as a 900 px wide PNG data URL (the pad's own
     proportions) into the hidden input after every stroke; "Clear" empties both. An existing value (form shown
     again, or an item from the offline queue) is drawn back. */
  var EXPORT_W = 900;

  function SignaturePad(canvas) {
    this.canvas = canvas;
    this.input = document.getElementById(canvas.dataset.input);
    this.strokes = [];
    this.current = null;
    this.background = null;
    this.ctx = canvas.getContext("2d");
    this.resize();
    this.bind();
    this.load();
  }

  SignaturePad.prototype.load = function () {
    if (this.input && this.input.value.indexOf("data:image/png") === 0) {
      var img = new Image(), self = this;
      img.onload = function () { self.background = img; self.redraw(); };
      img.src = this.input.value;
    }
  };

  SignaturePad.prototype.resize = function () {
    var rect = this.canvas.getBoundingClientRect(), ratio = window.devicePixelRatio || 1;
    if (!rect.width) { return; }
    this.canvas.width = Math.round(rect.width * ratio);
    this.canvas.height = Math.round(rect.height * ratio);
    this.redraw();
  };

  SignaturePad.prototype.point = function (event) {
    var rect = this.canvas.getBoundingClientRect();
    var pressure = event.pointerType === "pen" && event.pressure ? event.pressure : 0.5;
    return { x: (event.clientX - rect.left) / rect.width, y: (event.clientY - rect.top) / rect.height, p: pressure };
  };

  SignaturePad.prototype.bind = function () {
    var self = this, canvas = this.canvas;
    canvas.addEventListener("pointerdown", function (event) {
      if (event.button !== 0 && event.pointerType === "mouse") { return; }
      event.preventDefault();
      if (self.locked()) { return; }
      try { canvas.setPointerCapture(event.pointerId); } catch (ignored) { /* synthetic or ended pointer */ }
      self.current = [self.point(event)];
      self.strokes.push(self.current);
      self.redraw();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!self.current) { return; }
      event.preventDefault();
      var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      if (!events.length) { events = [event]; }
      for (var i = 0; i < events.length; i++) { self.current.push(self.point(events[i])); }
      self.redraw();
    });
    function end(event) {
      if (!self.current) { return; }
      self.current = null;
      if (canvas.hasPointerCapture && canvas.hasPointerCapture(event.pointerId)) { canvas.releasePointerCapture(event.pointerId); }
      self.save();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    window.addEventListener("resize", function () { self.resize(); });
  };

  // <canvas data-requires="id">: no ink until that checkbox is ticked (the contract read with the customer).
  SignaturePad.prototype.locked = function () {
    var gate = this.canvas.dataset.requires && document.getElementById(this.canvas.dataset.requires);
    var locked = !!gate && !gate.checked;
    this.canvas.classList.toggle("locked", locked);
    this.canvas.setAttribute("aria-disabled", locked ? "true" : "false");
    var hint = this.canvas.parentNode.querySelector(".signature-hint");
    if (hint) { hint.textContent = locked ? "Read the contract with the customer first (step 3)" : "Sign here"; }
    return locked;
  };

  SignaturePad.prototype.draw = function (ctx, width, height, scale) {
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#14213d";
    ctx.fillStyle = "#14213d";
    for (var s = 0; s < this.strokes.length; s++) {
      var stroke = this.strokes[s];
      if (stroke.length === 1) {
        ctx.beginPath();
        ctx.arc(stroke[0].x * width, stroke[0].y * height, 1.6 * scale, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      for (var i = 1; i < stroke.length; i++) {
        var a = stroke[i - 1], b = stroke[i];
        ctx.lineWidth = (1.8 + 2.4 * (a.p + b.p) / 2) * scale;
        ctx.beginPath();
        ctx.moveTo(a.x * width, a.y * height);
        ctx.lineTo(b.x * width, b.y * height);
        ctx.stroke();
      }
    }
  };

  SignaturePad.prototype.redraw = function () {
    var ctx = this.ctx, w = this.canvas.width, h = this.canvas.height;
    ctx.clearRect(0, 0, w, h);
    if (this.background) { ctx.drawImage(this.background, 0, 0, w, h); }
    this.draw(ctx, w, h, w / 600);
    this.canvas.classList.toggle("has-ink", !this.isEmpty());
  };

  SignaturePad.prototype.isEmpty = function () {
    return !this.background && this.strokes.length === 0;
  };

  SignaturePad.prototype.save = function () {
    if (!this.input) { return; }
    if (this.isEmpty()) { this.input.value = ""; return; }
    var rect = this.canvas.getBoundingClientRect();
    var height = rect.width ? Math.round(EXPORT_W * rect.height / rect.width) : 300;
    var out = document.createElement("canvas");
    out.width = EXPORT_W;
    out.height = Math.max(150, Math.min(height, 600));
    var ctx = out.getContext("2d");
    if (this.background) { ctx.drawImage(this.background, 0, 0, out.width, out.height); }
    this.draw(ctx, out.width, out.height, EXPORT_W / 600);
    this.input.value = out.toDataURL("image/png");
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
  };

  SignaturePad.prototype.clear = function () {
    this.strokes = [];
    this.background = null;
    this.redraw();
    if (this.input) {
      this.input.value = "";
      this.input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  };

  onContent(function (root) {
    within(root, "canvas[data-signature-pad]").forEach(function (canvas) {
      if (canvas.signaturePad) { return; }
      var pad = new SignaturePad(canvas);
      canvas.signaturePad = pad;
      var gate = canvas.dataset.requires && document.getElementById(canvas.dataset.requires);
      if (gate) { pad.locked(); gate.addEventListener("change", function () { pad.locked(); }); }
      var scope = canvas.closest("form") || document;
      var clear = scope.querySelector("[data-signature-clear]");
      if (clear) { clear.addEventListener("click", pad.clear.bind(pad)); }
    });
  });
  window.CCSignaturePad = SignaturePad;

  /* Step-by-step forms (<form class="wizard"> with <section data-step>: commissioning, the field form for a new
     customer): one step shown at a time, each step's fields checked before moving on, a required signature,
     GPS from the device. Without JavaScript every step is shown at once and the server validates everything. */
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
    form.wizardShow = show;

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

    form.checkSignature = function () {
      if (!signatureInput || signatureInput.value) { return true; }
      if (signatureRequired) { signatureRequired.hidden = false; }
      var section = signatureInput.closest("section[data-step]");
      show(section ? parseInt(section.dataset.step, 10) : sections.length, true);
      return false;
    };
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
          form.querySelector("input[name$=gps_lat], input[name$=gps_y]").value = position.coords.latitude.toFixed(6);
          form.querySelector("input[name$=gps_lng], input[name$=gps_x]").value = position.coords.longitude.toFixed(6);
          if (gpsStatus) { gpsStatus.textContent = "Location captured (within " + Math.round(position.coords.accuracy) + " m)."; }
        }, function (error) {
          if (gpsStatus) { gpsStatus.textContent = "No location: " + error.message + ". Type it in, or leave it empty."; }
        }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
      });
    }
    show(current, false);
  }

  // A wizard with a signature refuses to go on without one (before htmx sees the submit).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.checkSignature && !form.checkSignature()) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // <form data-submit-once>: buttons disabled once sent (after the browser has read the form, so the button's
  // own name and value are still sent); enabled again if the request fails.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-submit-once") || event.defaultPrevented) { return; }
    var button = event.submitter;
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      if (button && button.dataset.busyLabel) { button.dataset.idleLabel = button.textContent; button.textContent = button.dataset.busyLabel; }
    }, 0);
  });
  function submitAgain(form) {
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.disabled = false;
      if (b.dataset.idleLabel) { b.textContent = b.dataset.idleLabel; }
    });
  }

  onContent(function (root) {
    within(root, "form.wizard").forEach(function (form) { if (!form.wizardShow) { initWizard(form); } });
  });

  /* The contract shown before the signature (Commission Customer): the server renders the text from the
     contract's own template, each detail still open marked <span data-contract-term="name">; this keeps those
     in step with the form as it is filled in, offline too, in the words the server's rendering uses
     (contracts.rendering.contract_preview_facts, in <script id="contract-facts" type="application/json">). */
  function initContractPreview(form, facts) {
    function field(name) { var input = form.elements[name]; return input ? input.value.trim() : ""; }
    function longDate(value, language) {
      var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
      if (!m) { return value; }
      return parseInt(m[3], 10) + " " + facts.months[language][parseInt(m[2], 10) - 1] + " " + m[1];
    }
    function phoneDisplay(value) {
      if (/[^\d\s+().-]/.test(value)) { return value || "—"; }
      var digits = value.replace(/\D/g, "");
      if (digits.indexOf("00") === 0) { digits = digits.slice(2); }
      if (digits.length > 8 && digits.indexOf("266") === 0) { digits = digits.slice(3); }
      if (digits.length === 9 && digits.charAt(0) === "0") { digits = digits.slice(1); }
      if (digits.length !== 8) { return value || "—"; }
      return "+266 " + digits.slice(0, 4) + " " + digits.slice(4);
    }
    function gps(value) { return value === "" || isNaN(Number(value)) ? value : Number(value).toFixed(6); }
    function update() {
      var account = facts.accounts[field("account")] || {};
      var type = field("customer_type"), phase = field("service_phase"), ampacity = field("ampacity");
      form.querySelectorAll("[data-contract-preview]").forEach(function (text) {
        var language = text.dataset.contractPreview;
        var values = {
          account_number: account.account_number,
          meter_serial: account.meter_serial,
          national_id: field("national_id").split(/\s+/).join(" "),
          phone_display: phoneDisplay(field("phone")),
          customer_type: type,
          customer_type_label: facts.customer_types[type] ? facts.customer_types[type][language] : type,
          connection_date_text: longDate(field("connection_date"), language),
          supply_phase_text: facts.phases[phase] ? facts.phases[phase][language] : phase,
          ampacity_text: !ampacity || ampacity.toLowerCase() === "standard" ? facts.standard_ampacity : ampacity,
          gps_lat: gps(field("gps_lat")),
          gps_lng: gps(field("gps_lng"))
        };
        text.querySelectorAll("[data-contract-term]").forEach(function (span) {
          var value = values[span.dataset.contractTerm];
          if (value !== undefined && span.textContent !== value) { span.textContent = value; }
        });
        text.querySelectorAll("[data-contract-row=gps]").forEach(function (row) { row.hidden = !values.gps_lat || !values.gps_lng; });
      });
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.contractPreviewUpdate = update;
    update();
  }
  onContent(function (root) {
    var data = document.getElementById("contract-facts");
    if (!data) { return; }
    within(root, "form.wizard").forEach(function (form) {
      if (!form.contractPreviewUpdate && form.querySelector("[data-contract-preview]")) { initContractPreview(form, JSON.parse(data.textContent)); }
    });
  });

  /* Network feedback ---------------------------------------------------------------------------------------
     Every htmx request shows it is in flight (the element gets aria-busy, the page a progress bar); one that
     fails (no connection, timeout, a 4xx/5xx other than a form sent back with errors, a session that ended)
     leaves what was typed in place and puts a message with Retry where the action was. */
  var REQUEST_TIMEOUT_MS = 20000;
  var inFlight = 0;

  if (window.htmx) {
    window.htmx.config.timeout = REQUEST_TIMEOUT_MS;
    // Forms sent back with their errors (400, 409, 422) are swapped in like a success: the server re-renders
    // them with what was typed. Anything else that is not 2xx/3xx is an error and swaps nothing.
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "(400|409|422)", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false }
    ];
  }

  function progress() {
    document.documentElement.classList.toggle("net-busy", inFlight > 0);
  }

  function noteAnchor(elt, submitter) {
    if (elt.tagName === "FORM") {
      var actions = submitter && submitter.closest(".actions, .step-nav, .toolbar");
      return { node: actions || elt, place: actions ? "afterend" : (elt.closest("dialog") ? "beforeend" : "afterend") };
    }
    return { node: elt.closest(".toolbar") || elt, place: "afterend" };
  }

  function clearNote(elt) {
    if (elt.netNote && elt.netNote.parentNode) { elt.netNote.parentNode.removeChild(elt.netNote); }
    elt.netNote = null;
  }

  function retry(elt, detail) {
    var submitter = detail.requestConfig && detail.requestConfig.triggeringEvent && detail.requestConfig.triggeringEvent.submitter;
    if (elt.tagName === "FORM" && elt.isConnected) {
      // A click, so the button's own name and value (e.g. action=commission) are sent like the first time.
      if (submitter && submitter.form === elt && submitter.isConnected) { submitter.disabled = false; submitter.click(); } else { elt.requestSubmit(); }
      return;
    }
    var target = detail.target && detail.target.isConnected ? detail.target : undefined;
    window.htmx.ajax(detail.requestConfig.verb.toUpperCase(), detail.requestConfig.path, { source: elt, target: target });
  }

  function showFailure(elt, detail, text, extra) {
    clearNote(elt);
    if (!elt.isConnected) { return; }
    var note = make("div", { "class": "net-error", role: "alert" });
    note.appendChild(make("p", {}, text));
    var actions = make("p", { "class": "actions" });
    var again = make("button", { type: "button", "class": "primary", "data-net-retry": "" }, "Retry");
    again.addEventListener("click", function () { note.querySelector("p").textContent = "Sending again…"; retry(elt, detail); });
    actions.appendChild(again);
    if (extra) { actions.appendChild(extra); }
    note.appendChild(actions);
    var submitter = detail.requestConfig && detail.requestConfig.triggeringEvent && detail.requestConfig.triggeringEvent.submitter;
    var anchor = noteAnchor(elt, submitter);
    anchor.node.insertAdjacentElement(anchor.place, note);
    elt.netNote = note;
    // Results that did not refresh are marked as old, not left looking current.
    if (detail.target && !detail.target.contains(elt) && detail.target !== document.body && detail.target.id !== "main") {
      detail.target.classList.add("net-stale");
    }
    if (elt.tagName === "FORM") { submitAgain(elt); }
  }

  function offlineExtra(elt) {
    if (elt.tagName !== "FORM" || !elt.hasAttribute("data-offline-queue")) { return null; }
    var keep = make("button", { type: "button" }, "Keep on this tablet, send later");
    keep.addEventListener("click", function () { queueForm(elt); });
    return keep;
  }

  function failureText(detail, kind) {
    var form = detail.elt && detail.elt.tagName === "FORM";
    var kept = form ? " What you typed is still here." : "";
    if (kind === "timeout") { return "The server did not answer within " + REQUEST_TIMEOUT_MS / 1000 + " s: nothing changed on this page." + kept; }
    if (kind === "offline" || !navigator.onLine) { return "No connection: this was not sent." + kept; }
    if (kind === "send") { return "The connection failed before the server answered: this may not have been saved." + kept; }
    var status = detail.xhr ? detail.xhr.status : 0;
    if (status === 403) { return "The server refused this (403): your session may have ended, or you may not do this. Log in again in another tab, then Retry." + kept; }
    if (status >= 500) { return "The server had a problem (" + status + "): this was not saved." + kept; }
    return "The server answered " + status + ": this was not saved." + kept;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    inFlight += 1;
    progress();
    elt.setAttribute("aria-busy", "true");
    if (elt.netNote) { elt.netNote.querySelector("p").textContent = "Sending again…"; }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail, elt = detail.elt;
    inFlight = Math.max(0, inFlight - 1);
    progress();
    elt.removeAttribute("aria-busy");
    if (detail.successful && !elt.netSessionEnded) {
      clearNote(elt);
      if (detail.target) { detail.target.classList.remove("net-stale"); }
    }
    elt.netSessionEnded = false;
  });
  document.addEventListener("htmx:sendError", function (event) {
    showFailure(event.detail.elt, event.detail, failureText(event.detail, navigator.onLine ? "send" : "offline"), offlineExtra(event.detail.elt));
  });
  document.addEventListener("htmx:timeout", function (event) {
    showFailure(event.detail.elt, event.detail, failureText(event.detail, "timeout"), offlineExtra(event.detail.elt));
  });
  document.addEventListener("htmx:responseError", function (event) {
    showFailure(event.detail.elt, event.detail, failureText(event.detail, "response"));
  });
  // A session that ended answers a fragment with the login page (after a redirect): do not swap it in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail, xhr = detail.xhr;
    if (!xhr || !xhr.responseURL) { return; }
    var responsePath = new URL(xhr.responseURL).pathname;
    if (responsePath === "/login/" && detail.requestConfig && detail.requestConfig.path.indexOf("/login/") !== 0) {
      detail.shouldSwap = false;
      detail.elt.netSessionEnded = true;
      var login = make("a", { href: "/login/?next=" + encodeURIComponent(location.pathname), target: "_blank", rel: "noopener", "class": "button" }, "Log in (new tab)");
      showFailure(detail.elt, detail, "Your session has ended: log in again in a new tab, then Retry. What you typed is still here.", login);
    }
  });

  // The offline banner follows navigator.onLine.
  function connection() {
    var banner = document.getElementById("offline-banner");
    if (banner) { banner.hidden = navigator.onLine; }
    document.documentElement.classList.toggle("is-offline", !navigator.onLine);
  }
  window.addEventListener("online", connection);
  window.addEventListener("offline", connection);
  onContent(function (root) { if (root === document.body) { connection(); } });

  /* Offline queue ----------------------------------------------------------------------------------------
     Forms marked data-offline-queue (the field form for a new customer, Commission Customer) can be kept on the
     device: each submission is one JSON document with an idempotency key (a UUID made here), stored in
     IndexedDB until the server has applied it, then deleted. The server applies a key once and answers a
     resend with its first result; what it cannot apply comes back as an item to resolve on the device. */
  var DB_NAME = "cc-field";
  var STORE = "submissions";
  var PAGES_CACHE = "cc-pages";
  var dbPromise = null;

  function database() {
    if (!window.indexedDB) { return Promise.reject(new Error("This browser cannot keep forms offline.")); }
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = window.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore(STORE, { keyPath: "key" });
          request.result.createObjectStore("meta");
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }
  function tx(store, mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(store, mode);
        var result = work(transaction.objectStore(store));
        transaction.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }
  var queue = {
    all: function () { return tx(STORE, "readonly", function (s) { return s.getAll(); }); },
    get: function (key) { return tx(STORE, "readonly", function (s) { return s.get(key); }); },
    put: function (item) { return tx(STORE, "readwrite", function (s) { s.put(item); }); },
    remove: function (key) { return tx(STORE, "readwrite", function (s) { s.delete(key); }); },
    lastSent: function () { return tx("meta", "readonly", function (s) { return s.get("lastSent"); }); },
    sentNow: function () { return tx("meta", "readwrite", function (s) { s.put(Date.now(), "lastSent"); }); }
  };
  window.CCQueue = queue;

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // The form as one JSON document: fields named "step-field" go under "step", the others under "fields".
  function formPayload(form) {
    var payload = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "action" || name === "submission_key" || typeof value !== "string") { return; }
      var cut = name.indexOf("-");
      var group = cut > 0 ? name.slice(0, cut) : "fields";
      var field = cut > 0 ? name.slice(cut + 1) : name;
      (payload[group] = payload[group] || {})[field] = value;
    });
    return payload;
  }

  function fillForm(form, payload) {
    Object.keys(payload).forEach(function (group) {
      if (typeof payload[group] !== "object" || payload[group] === null) { return; }
      Object.keys(payload[group]).forEach(function (field) {
        var input = form.elements[group === "fields" ? field : group + "-" + field];
        if (input && input.type === "checkbox") { input.checked = !!payload[group][field]; } else if (input) { input.value = payload[group][field]; }
      });
    });
    var canvas = form.querySelector("canvas[data-signature-pad]");
    if (canvas && canvas.signaturePad) { canvas.signaturePad.locked(); canvas.signaturePad.load(); }
    if (form.contractPreviewUpdate) { form.contractPreviewUpdate(); }
  }

  function queueForm(form) {
    if (form.checkSignature && !form.checkSignature()) { return Promise.resolve(null); }
    var invalid = form.querySelector("input:invalid, select:invalid, textarea:invalid");
    if (invalid) {
      var section = invalid.closest("section[data-step]");
      if (section && form.wizardShow) { form.wizardShow(parseInt(section.dataset.step, 10), false); }
      invalid.reportValidity();
      return Promise.resolve(null);
    }
    var payload = formPayload(form);
    var key = form.dataset.queueKey || uuid();
    payload.key = key;
    var item = {
      key: key,
      kind: form.dataset.offlineQueue,
      url: form.getAttribute("action") || location.pathname,
      page: location.pathname,
      label: [form.dataset.offlineLabel || document.title].concat((form.dataset.labelFields || "").split(" ").filter(Boolean).map(function (name) {
        return form.elements[name] ? form.elements[name].value.trim() : "";
      })).join(" ").trim(),
      payload: payload,
      created: Date.now(),
      state: "waiting",
      message: ""
    };
    return queue.put(item).then(function () {
      clearNote(form);
      var saved = make("div", { "class": "card queued-note", role: "status" });
      saved.appendChild(make("h2", {}, "Saved on this tablet"));
      saved.appendChild(make("p", {}, "“" + item.label + "” waits here and is sent as soon as there is a connection. Nothing is lost if the tablet goes off."));
      var link = make("p", {});
      link.appendChild(make("a", { "class": "button primary", href: "/field/" }, "See what is waiting"));
      saved.appendChild(link);
      form.hidden = true;
      form.insertAdjacentElement("beforebegin", saved);
      refreshStatus();
      return flush();
    });
  }
  window.CCQueueForm = queueForm;

  // Forms that go through the queue always (the field form) or when the tablet is offline (commissioning).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var mode = form.dataset && form.dataset.offlineQueue ? form.dataset.offlineMode || "offline" : "";
    if (!mode || event.defaultPrevented) { return; }
    if (mode === "always" || !navigator.onLine) {
      event.preventDefault();
      event.stopPropagation();
      queueForm(form).catch(function (error) { window.alert("Could not keep this form on the tablet: " + error.message); });
    }
  }, true);

  var flushing = null;
  function status() {
    return fetch("/field/status/", { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store", redirect: "manual" })
      .then(function (response) {
        if (!response.ok) { throw new Error("The server answered " + response.status); }  // tried again later
        return response.json();
      });
  }
  function answer(response) {
    if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
      return { state: "login", message: "Your session has ended: log in again and it is sent." };
    }
    return response.json().then(function (body) {
      if (response.ok && body.status === "applied") { return { state: "applied", body: body }; }
      if (body.status === "conflict") { return { state: "conflict", message: body.message, body: body }; }
      if (body.status === "invalid") { return { state: "invalid", message: body.message, body: body }; }
      return { state: "waiting", message: "The server answered " + response.status + ": it is sent again later." };
    }, function () {
      return { state: "waiting", message: "The server answered " + response.status + ": it is sent again later." };
    });
  }
  function send(item, csrf) {
    item.state = "sending";
    return fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(item.payload)
    }).then(answer, function () {
      return { state: "waiting", message: "Not sent yet: no connection." };
    }).then(function (outcome) {
      if (outcome.state === "applied") {
        return Promise.all([queue.remove(item.key), queue.sentNow(), forgetPage(item.page)]).then(function () {
          announce(outcome.body.message, outcome.body.url);
          return outcome;
        });
      }
      item.state = outcome.state;
      item.message = outcome.message || "";
      item.detail = outcome.body || null;
      return queue.put(item).then(function () { return outcome; });
    });
  }
  function flush() {
    if (flushing) { return flushing; }
    flushing = queue.all().then(function (items) {
      var ready = items.filter(function (item) { return item.state === "waiting" || item.state === "login" || item.state === "sending"; });
      if (!ready.length || !navigator.onLine) { return null; }
      return status().then(function (server) {
        if (!server.authenticated) {
          return Promise.all(ready.map(function (item) {
            item.state = "login";
            item.message = "Your session has ended: log in again and it is sent.";
            return queue.put(item);
          }));
        }
        return ready.reduce(function (chain, item) {
          return chain.then(function () { return send(item, server.csrf_token); });
        }, Promise.resolve());
      }, function () { return null; });
    }).catch(function () { return null; }).then(function (result) {
      flushing = null;
      return refreshStatus().then(function () { return queue.all(); }).then(function (items) {
        // An answer lost or a server error: try again soon, then less and less often (up to every 2 minutes).
        var again = items.some(function (item) { return item.state === "waiting"; }) && navigator.onLine;
        retryDelay = again ? Math.min(retryDelay * 2, 120000) : 2500;
        window.clearTimeout(retryTimer);
        if (again) { retryTimer = window.setTimeout(flush, retryDelay); }
        return result;
      });
    });
    return flushing;
  }
  var retryDelay = 2500, retryTimer = null;
  window.CCQueueFlush = flush;

  function announce(message, url) {
    var box = document.getElementById("queue-announce");
    if (!box || !message) { return; }
    var line = make("p", { "class": "message success" }, message + " ");
    if (url) { line.appendChild(make("a", { href: url }, "Open")); }
    box.appendChild(line);
  }

  // Commissioning pages kept for offline use hold a customer's details: forgotten once their item is applied.
  function forgetPage(page) {
    if (!window.caches || !page) { return Promise.resolve(); }
    return window.caches.open(PAGES_CACHE).then(function (cache) { return cache.delete(page); }).catch(function () {});
  }

  function refreshStatus() {
    var badge = document.getElementById("queue-status");
    if (!badge || !window.indexedDB) { return Promise.resolve(); }
    return Promise.all([queue.all(), queue.lastSent()]).then(function (values) {
      var items = values[0], lastSent = values[1];
      var waiting = items.length;
      var problems = items.filter(function (item) { return item.state === "conflict" || item.state === "invalid" || item.state === "login"; }).length;
      var text = waiting ? waiting + (waiting === 1 ? " item waits" : " items wait") + " to be sent" : "Nothing waiting";
      if (problems) { text += " · " + problems + " to resolve"; }
      if (lastSent) { text += " · last sent " + timeText(lastSent); }
      badge.textContent = text;
      badge.hidden = !waiting && !lastSent;
      badge.classList.toggle("warn", problems > 0);
      document.documentElement.dataset.queueWaiting = String(waiting);
      renderQueuePage(items);
    }).catch(function () {});
  }
  window.CCQueueRefresh = refreshStatus;

  var STATE_TEXT = {
    waiting: "Waiting for a connection",
    sending: "Sending…",
    login: "Log in again to send",
    conflict: "Needs you: the server could not apply it",
    invalid: "Needs you: some details were refused"
  };

  function renderQueuePage(items) {
    var list = document.getElementById("queue-items");
    if (!list) { return; }
    list.textContent = "";
    var empty = document.getElementById("queue-empty");
    if (empty) { empty.hidden = items.length > 0; }
    items.sort(function (a, b) { return a.created - b.created; }).forEach(function (item) {
      var card = make("li", { "class": "card queue-item state-" + item.state, "data-key": item.key });
      card.appendChild(make("h2", {}, item.label));
      card.appendChild(make("p", { "class": "muted" }, "Kept on this tablet " + timeText(item.created) + " · " + (STATE_TEXT[item.state] || item.state)));
      if (item.message) { card.appendChild(make("p", { "class": item.state === "waiting" ? "muted" : "field-error" }, item.message)); }
      var errors = item.detail && item.detail.errors;
      if (errors) {
        var ul = make("ul", { "class": "plain" });
        Object.keys(errors).forEach(function (group) {
          Object.keys(errors[group]).forEach(function (field) {
            ul.appendChild(make("li", {}, field.replace(/_/g, " ") + ": " + errors[group][field].join(" ")));
          });
        });
        card.appendChild(ul);
      }
      var actions = make("p", { "class": "actions" });
      if (item.state === "login") {
        actions.appendChild(make("a", { "class": "button primary", href: "/login/?next=/field/" }, "Log in again"));
      }
      if (item.state === "conflict" && item.detail && item.detail.resolve === "confirm_duplicate") {
        var anyway = make("button", { type: "button", "class": "primary", "data-queue-confirm": item.key }, "Register anyway");
        actions.appendChild(anyway);
      }
      if (item.state !== "sending") {
        actions.appendChild(make("a", { "class": "button", href: item.page + "?item=" + encodeURIComponent(item.key) }, "Open and change"));
      }
      if (item.state === "waiting" && navigator.onLine) {
        actions.appendChild(make("button", { type: "button", "data-queue-send": "" }, "Send now"));
      }
      actions.appendChild(make("button", { type: "button", "class": "danger", "data-queue-discard": item.key }, "Discard"));
      card.appendChild(actions);
      list.appendChild(card);
    });
  }

  document.addEventListener("click", function (event) {
    var confirmButton = event.target.closest("[data-queue-confirm]");
    var discard = event.target.closest("[data-queue-discard]");
    var sendNow = event.target.closest("[data-queue-send]");
    if (confirmButton) {
      queue.get(confirmButton.dataset.queueConfirm).then(function (item) {
        if (!item) { return null; }
        item.payload.confirm_duplicate = true;
        item.state = "waiting";
        item.message = "";
        return queue.put(item).then(flush);
      });
    } else if (discard) {
      if (window.confirm("Discard this item? What was typed and signed in it is deleted from this tablet and never sent.")) {
        queue.get(discard.dataset.queueDiscard).then(function (item) {
          return Promise.all([queue.remove(discard.dataset.queueDiscard), forgetPage(item && item.page)]);
        }).then(refreshStatus);
      }
    } else if (sendNow) {
      flush();
    }
  });

  // "Open and change": the page of a queued item shows the form filled from it; saving replaces the item.
  onContent(function (root) {
    if (root !== document.body) { return; }
    var match = /[?&]item=([0-9a-f-]{36})/.exec(location.search);
    var form = document.querySelector("form[data-offline-queue]");
    if (!match || !form || !window.indexedDB) { return; }
    queue.get(match[1]).then(function (item) {
      if (!item) { return; }
      form.dataset.queueKey = item.key;
      form.dataset.offlineMode = "always";
      fillForm(form, item.payload);
      var note = make("p", { "class": "message warning", role: "status" }, "Changing an item kept on this tablet" + (item.message ? ": " + item.message : "."));
      form.insertAdjacentElement("beforebegin", note);
    });
  });

  // Logging out with items waiting asks first: they stay on this tablet, and are sent after the next login.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-logout]")) { return; }
    var waiting = parseInt(document.documentElement.dataset.queueWaiting || "0", 10);
    if (waiting && !window.confirm(waiting + (waiting === 1 ? " item has" : " items have") + " not been sent yet. They stay on this tablet and are sent after the next login. Log out anyway?")) {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    // Pages kept for offline use hold customers' details: the next person on this tablet does not get them.
    if (window.caches) { window.caches.delete(PAGES_CACHE); }
  }, true);

  // The service worker (served from /sw.js for the whole site) keeps the app shell and the field forms.
  // Registered once the page has loaded, so that on a cold visit its download and the shell it keeps do not
  // compete with the page's own files for a slow link.
  if ("serviceWorker" in navigator && document.documentElement.dataset.serviceWorker) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(document.documentElement.dataset.serviceWorker, { scope: "/" }).catch(function () {});
    });
  }
  window.addEventListener("online", function () { flush(); });
  onContent(function (root) {
    if (root !== document.body) { return; }
    refreshStatus().then(function () { if (navigator.onLine) { flush(); } });
  });
})();
