/* ft_dcc review page: an asset's version picker, and comparing two of its versions
   (side by side or as a wipe), both locked to the same frame. */
"use strict";

(function (R) {
  function el(tag, className) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  }

  /** Version ``bItem`` shown beside (or under a wipe of) the player of ``aItem``. */
  function Compare(aItem, bItem, mode) {
    var self = this;
    self.a = aItem;
    self.player = aItem.player;
    self.objectId = bItem.dataset.objectId;
    self.screen = aItem.querySelector(".screen");
    self.handle = aItem.querySelector(".wipe-handle");
    self.aLabel = aItem.querySelector(".picture.main .picture-label");
    self.picture = el("div", "picture compare-b");
    self.label = el("span", "picture-label");
    self.video = el("video", "video");
    self.video.muted = true;
    self.video.playsInline = true;
    self.video.preload = "auto";
    var overlays = el("div", "overlays");
    self.overlays = overlays;
    self.picture.appendChild(self.label);
    self.picture.appendChild(self.video);
    self.picture.appendChild(overlays);
    self.screen.appendChild(self.picture);
    self.clip = new R.Clip(bItem, self.video);
    self.overlay = new R.Overlay(overlays, self.objectId);
    self.trusted = false; // whether B's last seek was made while it was paused
    self.target = null; // the frame B's last seek went to
    self.version = bItem.dataset.version;
    R.fitPicture(self.picture, self.video);
    self.clip.watch(function (frame) {
      if (self.settling(frame)) return; // not A's still frame yet: B seeks again first
      self.picture.dataset.frame = String(frame);
      self.label.textContent = "B \u00b7 " + self.version + " \u00b7 " + frame;
      self.overlay.show(frame);
    });
    self.follow = function (frame) { self.sync(frame); };
    self.onPlay = function () {
      self.video.playbackRate = self.player.video.playbackRate;
      var playing = self.video.play();
      if (playing && playing.catch) playing.catch(function () {});
    };
    self.onPause = function () { self.sync(self.player.frame); };
    self.onRate = function () { self.video.playbackRate = self.player.video.playbackRate; };
    self.player.onFrame(self.follow);
    self.player.video.addEventListener("play", self.onPlay);
    self.player.video.addEventListener("pause", self.onPause);
    self.player.video.addEventListener("ratechange", self.onRate);
    self.video.addEventListener("loadedmetadata", function () { self.sync(self.player.frame); });
    self.video.src = bItem.dataset.movieUrl;
    self.bindWipe();
    self.setMode(mode);
    markCompared(self, true);
  }

  Compare.prototype.still = function () {
    return this.player.video.paused || this.player.reverse > 0;
  };

  /** Bring B to A's frame: exactly when A is still, within a frame while A plays. */
  Compare.prototype.sync = function (frame) {
    var video = this.video;
    if (video.readyState < 1) return;
    var still = this.still();
    if (still && !video.paused) {
      video.pause();
      this.trusted = false; // the picture playback left behind may be a frame past the clock
    }
    // a still seek to this frame under way is let finish (seeking again would restart it, and
    // a busy page asking often would keep B seeking for ever)
    if (still && video.seeking && this.trusted && this.target === this.clip.clamp(frame)) return;
    var target = (this.clip.clamp(frame) - this.clip.frameIn + 0.5) / this.clip.rate;
    var off = Math.abs(video.currentTime - target) * this.clip.rate;
    // still: the picture B shows must be A's frame, not only its clock (a pause keeps the last
    // picture presented, which the clock may already have passed)
    var stale = this.picture.dataset.frame !== String(this.clip.clamp(frame));
    if (still ? off > 0.25 || stale || !this.trusted : off > 1.5) this.seek(frame);
  };

  /** Seek B to ``frame`` afresh. A seek made while B plays is not trusted for a still picture
      (it can leave the frame after it on screen once paused). */
  Compare.prototype.seek = function (frame) {
    this.trusted = this.video.paused;
    this.target = this.clip.seekAfresh(frame);
    if (this.video.paused) delete this.picture.dataset.frame; // named again once presented
  };

  /** While A is still, whether B is not yet showing A's frame (presented ``frame``): it then
      seeks again (or waits for the seek under way), until its picture is A's frame. */
  Compare.prototype.settling = function (frame) {
    if (!this.still()) return false;
    if (this.video.seeking) return true;
    if (frame === this.clip.clamp(this.player.frame) && this.trusted && this.video.paused) {
      return false;
    }
    this.sync(this.player.frame);
    if (!this.video.seeking) this.seek(this.player.frame);
    return true;
  };

  Compare.prototype.setWipe = function (fraction) {
    var pct = Math.max(0, Math.min(100, fraction * 100));
    this.wipe = pct;
    var clip = this.mode === "wipe" ? "inset(0 0 0 " + pct + "%)" : "";
    this.video.style.clipPath = clip; // the picture, not its label above it
    this.overlays.style.clipPath = clip;
    this.handle.style.left = pct + "%";
    this.a.dataset.wipe = String(Math.round(pct));
  };

  /** Dragging ``handle`` sets ``compare``'s wipe (``compare.setWipe``: a movie's or a
      still's compare); the function that unbinds it. */
  function bindWipeHandle(compare, handle) {
    function down(event) {
      event.preventDefault();
      handle.setPointerCapture(event.pointerId);
      handle.classList.add("dragging");
    }
    function move(event) {
      if (!handle.hasPointerCapture(event.pointerId)) return;
      var box = handle.parentNode.getBoundingClientRect();
      compare.setWipe((event.clientX - box.left) / box.width);
    }
    function up() { handle.classList.remove("dragging"); }
    handle.addEventListener("pointerdown", down);
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", up);
    return function () {
      handle.removeEventListener("pointerdown", down);
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", up);
      handle.hidden = true;
    };
  }

  Compare.prototype.bindWipe = function () {
    this.unbindWipe = bindWipeHandle(this, this.handle);
  };

  /** A's screen laid out for ``compare`` in ``mode`` (side by side or a wipe): a movie's or a
      still's compare. */
  function showMode(compare, mode) {
    compare.mode = mode === "wipe" ? "wipe" : "side";
    compare.screen.classList.add("compare");
    compare.screen.classList.toggle("side", compare.mode === "side");
    compare.screen.classList.toggle("wipe", compare.mode === "wipe");
    compare.handle.hidden = compare.mode !== "wipe";
    compare.a.dataset.compareMode = compare.mode;
  }

  /** A's item marked as compared with ``compare``'s B (``on``), or no longer (labels too). */
  function markCompared(compare, on) {
    compare.a.classList.toggle("comparing", on);
    if (on) {
      compare.aLabel.textContent = "A \u00b7 " + compare.a.dataset.version;
      compare.a.dataset.compareWith = compare.objectId;
      return;
    }
    compare.screen.classList.remove("compare", "side", "wipe");
    compare.aLabel.textContent = "";
    delete compare.a.dataset.compareWith;
    delete compare.a.dataset.compareMode;
  }

  Compare.prototype.setMode = function (mode) {
    showMode(this, mode);
    this.setWipe(this.wipe === undefined ? 0.5 : this.wipe / 100);
  };

  Compare.prototype.stop = function () {
    this.player.offFrame(this.follow);
    this.player.video.removeEventListener("play", this.onPlay);
    this.player.video.removeEventListener("pause", this.onPause);
    this.player.video.removeEventListener("ratechange", this.onRate);
    this.unbindWipe();
    this.overlay.remove();
    this.video.pause();
    this.video.removeAttribute("src");
    this.video.load();
    this.screen.removeChild(this.picture);
    markCompared(this, false);
  };

  /** One asset: its versions (latest first, one shown) and the compare controls. */
  function Group(section) {
    var self = this;
    self.section = section;
    self.picker = section.querySelector(".version-picker");
    self.compareSelect = section.querySelector(".compare-with");
    self.mode = "side";
    self.compare = null;
    self.picker.addEventListener("click", function (event) {
      var tab = event.target.closest(".version-tab");
      if (tab) self.select(tab.dataset.objectId);
    });
    if (self.compareSelect) {
      self.compareSelect.addEventListener("change", function () {
        self.compareWith(self.compareSelect.value);
      });
      section.querySelector(".compare-mode").addEventListener("click", function (event) {
        var button = event.target.closest(".mode");
        if (button) self.setMode(button.dataset.mode);
      });
    }
    section.group = self;
  }

  Group.prototype.current = function () {
    return this.section.querySelector(".item:not([hidden])");
  };

  Group.prototype.select = function (objectId) {
    var next = document.getElementById("item-" + objectId);
    var current = this.current();
    if (!next || next === current) return;
    var other = this.compare && this.compare.objectId;
    this.compareWith("");
    if (current) {
      if (current.player) current.player.pause();
      current.hidden = true;
    }
    next.hidden = false;
    if (next.still) next.still.relayout(next.still.state()); // placed while hidden: no size
    this.section.dataset.selected = objectId;
    Array.prototype.forEach.call(this.picker.querySelectorAll(".version-tab"), function (tab) {
      var on = tab.dataset.objectId === objectId;
      tab.classList.toggle("selected", on);
      if (on) tab.classList.remove("new");
      tab.setAttribute("aria-selected", String(on));
    });
    if (next.player && next.video && next.player.video.preload !== "auto") {
      next.player.video.preload = "auto";
    }
    if (R.activate) R.activate(next);
    if (other && other !== objectId) this.compareWith(other);
  };

  Group.prototype.compareWith = function (objectId) {
    if (this.compare) {
      this.compare.stop();
      this.compare = null;
    }
    var a = this.current();
    var b = objectId ? document.getElementById("item-" + objectId) : null;
    var refusal = a && b && b !== a ? mismatch(a, b) : "";
    this.refuse(refusal);
    var fits = a && b && b !== a && !refusal &&
      (a.player ? !!b.dataset.movieUrl : !!(a.still && b.dataset.imageUrl));
    if (!fits) {
      if (this.compareSelect) this.compareSelect.value = "";
      this.section.classList.remove("comparing");
      return;
    }
    if (this.compareSelect) this.compareSelect.value = objectId;
    this.compare = a.still ? new R.StillCompare(a, b, this.mode) : new Compare(a, b, this.mode);
    this.section.classList.add("comparing");
  };

  /** Why ``a`` and ``b`` cannot be compared ("" when they can): a still is compared with a
      still, a movie with a movie (frames locked together: a still has none). */
  function mismatch(a, b) {
    var aStill = !a.player && !!a.still;
    var bStill = !!b.dataset.imageUrl;
    if (aStill === bStill || (!a.player && !a.still)) return "";
    var what = function (item, still) { return item.dataset.version + (still ? " is a still" : " is a movie"); };
    return "Not compared: " + what(a, aStill) + " and " + what(b, bStill) +
      ". Compare a still with another still, a movie with a movie.";
  }

  /** Say why the compare asked for is not shown ("" clears it). */
  Group.prototype.refuse = function (text) {
    var box = this.section.querySelector(".compare-refused");
    if (box) {
      box.textContent = text;
      box.hidden = !text;
    }
    if (text) this.section.dataset.compareRefused = text;
    else delete this.section.dataset.compareRefused;
  };

  Group.prototype.setMode = function (mode) {
    this.mode = mode;
    Array.prototype.forEach.call(this.section.querySelectorAll(".compare-mode .mode"),
      function (button) { button.classList.toggle("selected", button.dataset.mode === mode); });
    if (this.compare) this.compare.setMode(mode);
  };

  /** A version that arrived after the page opened: its tab (from a fresh copy of the page,
      so "latest" is where the server puts it), its compare option and the version count. */
  Group.prototype.adopt = function (tab, option, countText) {
    var latest = !!tab.querySelector("small");
    if (latest) {
      Array.prototype.forEach.call(this.picker.querySelectorAll(".version-tab small"),
        function (mark) { mark.remove(); });
      this.picker.insertBefore(tab, this.picker.firstChild);
    } else {
      this.picker.appendChild(tab);
    }
    tab.classList.remove("selected");
    tab.setAttribute("aria-selected", "false");
    tab.classList.add("new");
    var count = this.section.querySelector(".version-count");
    if (count && countText) count.textContent = countText;
    if (option && this.compareSelect) {
      this.compareSelect.insertBefore(option, this.compareSelect.options[1] || null);
      var tools = this.section.querySelector(".compare-tools");
      tools.hidden = this.compareSelect.options.length < 3;
    }
  };

  R.Compare = Compare;
  R.bindWipeHandle = bindWipeHandle;
  R.showCompareMode = showMode;
  R.markCompared = markCompared;
  R.Group = Group;
})(window.ftReview = window.ftReview || {});
