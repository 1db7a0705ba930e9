/* ft_dcc review page: comparing two still versions (side by side or as a wipe). B is shown
   through A's own view: the same zoom and the same picture point in the middle (B laid over A's
   picture size, so a pixel of one is the same place of the other); zooming or panning either
   moves both. */
"use strict";

(function (R) {
  var el = R.el;

  /** Still version ``bItem`` beside (or under a wipe of) the still of ``aItem``. */
  function StillCompare(aItem, bItem, mode) {
    var self = this;
    self.a = aItem;
    self.still = aItem.still;
    self.objectId = bItem.dataset.objectId;
    self.version = bItem.dataset.version;
    self.screen = aItem.querySelector(".screen");
    self.handle = aItem.querySelector(".still-view .wipe-handle");
    self.aLabel = aItem.querySelector(".still-view > .picture-label");
    self.view = el("div", "still-view compare-b");
    self.label = el("span", "picture-label");
    self.picture = el("div", "still-picture");
    self.image = el("img", "still-image");
    self.image.alt = self.version;
    self.image.draggable = false;
    var overlays = el("div", "overlays");
    self.picture.appendChild(self.image);
    self.picture.appendChild(overlays);
    self.view.appendChild(self.label);
    self.view.appendChild(self.picture);
    self.screen.appendChild(self.view);
    self.overlay = new R.Overlay(overlays, self.objectId);
    self.overlay.show(parseInt(bItem.dataset.frameIn, 10) || 0);
    self.label.textContent = "B \u00b7 " + self.version;
    self.onView = function () { self.place(); };
    aItem.addEventListener("still-view", self.onView);
    self.image.addEventListener("load", function () {
      self.place();
      self.view.dataset.loaded = "1";
    });
    self.image.src = bItem.dataset.imageUrl;
    self.still.drags(self.view);
    self.still.wheel(self.view);
    self.bindWipe();
    self.setMode(mode);
    R.markCompared(self, true);
  }

  /** B where A is: A's picture size, A's transform. */
  StillCompare.prototype.place = function () {
    var size = this.still.natural();
    this.image.style.width = size.w + "px";
    this.image.style.height = size.h + "px";
    this.picture.style.width = size.w + "px";
    this.picture.style.height = size.h + "px";
    this.picture.style.transform = this.still.picture.style.transform;
    this.view.dataset.zoom = this.still.view.dataset.zoom;
  };

  StillCompare.prototype.setWipe = function (fraction) {
    var pct = Math.max(0, Math.min(100, fraction * 100));
    this.wipe = pct;
    this.picture.style.clipPath = "";
    this.view.style.clipPath = this.mode === "wipe" ? "inset(0 0 0 " + pct + "%)" : "";
    this.handle.style.left = pct + "%";
    this.a.dataset.wipe = String(Math.round(pct));
  };

  StillCompare.prototype.bindWipe = function () {
    this.unbindWipe = R.bindWipeHandle(this, this.handle);
  };

  StillCompare.prototype.setMode = function (mode) {
    var before = this.still.state();
    R.showCompareMode(this, mode);
    this.still.relayout(before); // the view is half as wide side by side
    this.setWipe(this.wipe === undefined ? 0.5 : this.wipe / 100);
  };

  StillCompare.prototype.stop = function () {
    var before = this.still.state();
    this.a.removeEventListener("still-view", this.onView);
    this.unbindWipe();
    this.overlay.remove();
    this.screen.removeChild(this.view);
    R.markCompared(this, false);
    delete this.a.dataset.wipe;
    this.still.relayout(before);
  };

  R.StillCompare = StillCompare;
})(window.ftReview = window.ftReview || {});
