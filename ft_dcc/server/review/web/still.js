/* ft_dcc review page: a still's picture (an ftrackreview-image): fitted first, "1:1" (one
   picture pixel per screen pixel), zoom and pan by dragging. No build step, no libraries. */
"use strict";

(function (R) {
  var STEP = 2; // each zoom button halves or doubles the scale
  var MOST = 32;

  /** The picture view of one still item (``.still-view`` holding ``img.still-image``). */
  function Still(item) {
    this.item = item;
    this.view = item.querySelector(".still-view");
    this.image = item.querySelector("img.still-image");
    this.picture = item.querySelector(".still-picture") || this.image;
    this.output = item.querySelector(".still-scale");
    this.mode = "fit"; // "fit", or a scale (picture pixels to CSS pixels)
    this.scale = 1;
    this.x = 0;
    this.y = 0;
    var self = this;
    var ready = function () { self.fit(); };
    if (this.image.complete && this.image.naturalWidth) ready();
    else this.image.addEventListener("load", ready);
    window.addEventListener("resize", function () { if (self.mode === "fit") self.fit(); });
    this.buttons();
    this.drags(this.view);
    this.wheel(this.view);
  }

  Still.prototype.natural = function () {
    return { w: this.image.naturalWidth || this.image.width || 1,
             h: this.image.naturalHeight || this.image.height || 1 };
  };

  /** The whole picture inside the view, centred. */
  Still.prototype.fit = function () {
    var size = this.natural();
    var box = this.view.getBoundingClientRect();
    var scale = Math.min(box.width / size.w, box.height / size.h);
    this.mode = "fit";
    this.place(scale > 0 ? scale : 1, null);
  };

  /** One picture pixel per device pixel, centred on what the view showed in its middle. */
  Still.prototype.actual = function () {
    this.zoomTo(1 / (window.devicePixelRatio || 1));
  };

  /** ``scale`` about the view's centre (the picture point there stays there). */
  Still.prototype.zoomTo = function (scale) {
    var box = this.view.getBoundingClientRect();
    var cx = (box.width / 2 - this.x) / this.scale;
    var cy = (box.height / 2 - this.y) / this.scale;
    this.mode = scale;
    this.place(scale, { x: cx, y: cy });
  };

  /** Show the picture at ``scale``, the picture point ``centre`` in the view's middle (null:
      the picture centred); positions land on whole device pixels, so 1:1 stays sharp. */
  Still.prototype.place = function (scale, centre) {
    var size = this.natural();
    var box = this.view.getBoundingClientRect();
    var ratio = window.devicePixelRatio || 1;
    var point = centre || { x: size.w / 2, y: size.h / 2 };
    this.scale = scale;
    this.x = Math.round((box.width / 2 - point.x * scale) * ratio) / ratio;
    this.y = Math.round((box.height / 2 - point.y * scale) * ratio) / ratio;
    this.draw();
  };

  Still.prototype.draw = function () {
    var size = this.natural();
    this.image.style.width = size.w + "px";
    this.image.style.height = size.h + "px";
    this.picture.style.width = size.w + "px";
    this.picture.style.height = size.h + "px";
    var moved = "translate(" + this.x + "px, " + this.y + "px) scale(" + this.scale + ")";
    this.picture.style.transform = moved;
    this.image.dataset.placed = "1";
    var ratio = window.devicePixelRatio || 1;
    var shown = this.mode === "fit" ? "fit" : Math.round(this.scale * ratio * 100) + "%";
    this.view.dataset.zoom = this.mode === "fit" ? "fit" : String(this.scale * ratio);
    this.view.classList.toggle("magnified", this.scale * ratio >= 1 && this.mode !== "fit");
    if (this.output) this.output.textContent = shown;
    var fit = this.item.querySelector(".still-fit");
    var actual = this.item.querySelector(".still-actual");
    if (fit) fit.setAttribute("aria-pressed", String(this.mode === "fit"));
    if (actual) {
      actual.setAttribute("aria-pressed",
        String(this.mode !== "fit" && Math.abs(this.scale * ratio - 1) < 1e-9));
    }
    this.item.dispatchEvent(new CustomEvent("still-view", { detail: this.state() }));
  };

  /** What presenting sends of this view: the zoom (null: fit) and the picture point in the
      middle of the view. */
  Still.prototype.state = function () {
    var box = this.view.getBoundingClientRect();
    return { zoom: this.mode === "fit" ? null : this.scale * (window.devicePixelRatio || 1),
             cx: (box.width / 2 - this.x) / this.scale, cy: (box.height / 2 - this.y) / this.scale };
  };

  /** Show ``view`` (a presenter's :meth:`state`): fitted, or its zoom (picture pixels per
      device pixel, whatever this screen's ratio) with its picture point in the middle. */
  Still.prototype.show = function (view) {
    if (!view || view.zoom === null || view.zoom === undefined) {
      if (this.mode !== "fit" || !this.placedFit()) this.fit();
      return;
    }
    var scale = view.zoom / (window.devicePixelRatio || 1);
    var now = this.state();
    if (this.mode !== "fit" && Math.abs(now.zoom - view.zoom) < 1e-9 &&
        Math.abs(now.cx - view.cx) < 0.5 && Math.abs(now.cy - view.cy) < 0.5) return;
    this.mode = scale;
    this.place(scale, { x: view.cx, y: view.cy });
  };

  /** Whether the fitted picture still fits the view as it is now. */
  Still.prototype.placedFit = function () {
    var size = this.natural();
    var box = this.view.getBoundingClientRect();
    var scale = Math.min(box.width / size.w, box.height / size.h);
    return Math.abs(scale - this.scale) < 1e-9;
  };

  /** The view changed size (shown, compared side by side): fitted again, or the same picture
      point kept in its middle at the same zoom. */
  Still.prototype.relayout = function (before) {
    if (this.mode === "fit") { this.fit(); return; }
    this.place(this.scale, { x: before.cx, y: before.cy });
  };

  Still.prototype.buttons = function () {
    var self = this;
    var on = function (selector, action) {
      var button = self.item.querySelector(selector);
      if (button) button.addEventListener("click", action);
    };
    on(".still-fit", function () { self.fit(); });
    on(".still-actual", function () { self.actual(); });
    on(".still-zoom-in", function () { self.zoomTo(Math.min(MOST, self.scale * STEP)); });
    on(".still-zoom-out", function () { self.zoomTo(Math.max(0.01, self.scale / STEP)); });
    this.view.tabIndex = 0;
    this.view.addEventListener("keydown", function (event) {
      if (event.key === "1") self.actual();
      else if (event.key === "f" || event.key === "F") self.fit();
      else if (event.key === "+" || event.key === "=") self.zoomTo(Math.min(MOST, self.scale * STEP));
      else if (event.key === "-") self.zoomTo(Math.max(0.01, self.scale / STEP));
      else return;
      event.preventDefault();
    });
  };

  /** What the drawing tools (draw.js) and the drawings' overlay ask of a player: a still is
      one frame (its number: the item's first frame), never playing. */
  Still.prototype.asPlayer = function () {
    var size = this.natural();
    return {
      video: { videoWidth: size.w, videoHeight: size.h },
      frame: parseInt(this.item.dataset.frameIn, 10) || 0,
      clip: null,
      pause: function () {},
      noteFrame: function () { return null; }
    };
  };

  /** The mouse wheel over ``view`` (this picture's, or a still compared with it) zooms. */
  Still.prototype.wheel = function (view) {
    var self = this;
    view.addEventListener("wheel", function (event) {
      event.preventDefault();
      var factor = event.deltaY < 0 ? 1.25 : 0.8;
      self.zoomTo(Math.max(0.01, Math.min(MOST, self.scale * factor)));
    }, { passive: false });
  };

  /** Pan: drag the picture (any zoom) in ``view`` (its own, or a still compared with it); not
      while drawing on it. */
  Still.prototype.drags = function (view) {
    var self = this;
    var from = null;
    view.addEventListener("pointerdown", function (event) {
      if (self.item.classList.contains("drawing")) return;
      if (event.target.closest && event.target.closest(".wipe-handle")) return; // the wipe's
      from = { x: event.clientX - self.x, y: event.clientY - self.y, id: event.pointerId };
      view.setPointerCapture(event.pointerId);
      view.classList.add("panning");
    });
    view.addEventListener("pointermove", function (event) {
      if (!from || event.pointerId !== from.id) return;
      var ratio = window.devicePixelRatio || 1;
      self.x = Math.round((event.clientX - from.x) * ratio) / ratio;
      self.y = Math.round((event.clientY - from.y) * ratio) / ratio;
      if (self.mode === "fit") self.mode = self.scale;
      self.draw();
    });
    var end = function () { from = null; view.classList.remove("panning"); };
    view.addEventListener("pointerup", end);
    view.addEventListener("pointercancel", end);
  };

  /** Start every still of the page (each once). */
  R.startStills = function (root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(".item"), function (item) {
      if (item.still === undefined && item.querySelector(".still-view")) {
        item.still = new Still(item);
      }
    });
  };
  R.Still = Still;
  document.addEventListener("DOMContentLoaded", function () { R.startStills(document); });
})(window.ftReview = window.ftReview || {});
