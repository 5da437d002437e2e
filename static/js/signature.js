/* Signature pad on a <canvas data-signature-pad data-input="id">: Pointer Events, so a finger, a stylus and a
   mouse all draw. Strokes are kept in canvas-independent units and exported as a 900 px wide PNG data URL (the
   pad's own proportions: 3:1 on a tablet, 2:1 on a phone) into the
   hidden input after every stroke; "Clear" empties both. An existing value (form re-shown) is drawn back. */
(function () {
  "use strict";
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
    if (this.input && this.input.value.indexOf("data:image/png") === 0) {
      var img = new Image(), self = this;
      img.onload = function () { self.background = img; self.redraw(); };
      img.src = this.input.value;
    }
  }

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

  function init() {
    var pads = document.querySelectorAll("canvas[data-signature-pad]");
    for (var i = 0; i < pads.length; i++) {
      var pad = new SignaturePad(pads[i]);
      pads[i].signaturePad = pad;
      var scope = pads[i].closest("form") || document;
      var clear = scope.querySelector("[data-signature-clear]");
      if (clear) { clear.addEventListener("click", pad.clear.bind(pad)); }
    }
  }
  window.CCSignaturePad = SignaturePad;
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
