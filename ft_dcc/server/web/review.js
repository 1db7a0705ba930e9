/* ft_dcc web review page: frame-accurate players and notes (no build step, no libraries). */
"use strict";

(function () {
  // Broadcast rates stored rounded in ftr_meta (23.976) are the exact NTSC fractions.
  var NTSC = [24000 / 1001, 30000 / 1001, 48000 / 1001, 60000 / 1001, 120000 / 1001];
  var EPSILON = 0.01; // of a frame: media times may sit a hair before a frame's start

  function exactRate(rate) {
    for (var i = 0; i < NTSC.length; i++) {
      if (Math.abs(rate - NTSC[i]) < 0.002) return NTSC[i];
    }
    return rate;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function Player(item) {
    this.item = item;
    this.video = item.querySelector("video");
    this.frameIn = parseInt(item.dataset.frameIn, 10) || 0;
    var out = parseInt(item.dataset.frameOut, 10);
    this.rate = exactRate(parseFloat(item.dataset.frameRate) || 24);
    this.count = isNaN(out) ? null : Math.max(1, out - this.frameIn);
    this.counter = item.querySelector(".frame-number");
    this.noteAt = item.querySelector(".note-at");
    this.timecode = item.querySelector(".timecode");
    this.scrub = item.querySelector(".scrub");
    this.playButton = item.querySelector(".play");
    var poster = parseInt(item.dataset.posterFrame, 10);
    this.posterFrame = isNaN(poster) ? this.frameIn : poster; // the frame the poster shows
    this.frame = this.posterFrame;
    this.bind();
  }

  Player.prototype.frameCount = function () {
    if (this.count) return this.count;
    var d = this.video.duration;
    return isFinite(d) && d > 0 ? Math.max(1, Math.round(d * this.rate)) : 1;
  };

  /** The frame number shown at media time t (seconds). */
  Player.prototype.frameAt = function (t) {
    var index = Math.floor(t * this.rate + EPSILON);
    index = Math.max(0, Math.min(this.frameCount() - 1, index));
    return this.frameIn + index;
  };

  Player.prototype.show = function (frame) {
    this.frame = frame;
    var text = String(frame);
    this.counter.textContent = text;
    if (this.noteAt) this.noteAt.textContent = text;
    this.item.dataset.frame = text;
    if (this.scrub && document.activeElement !== this.scrub) this.scrub.value = text;
    var nominal = Math.round(this.rate);
    var index = frame - this.frameIn;
    var seconds = Math.floor(index / nominal);
    this.timecode.textContent = pad(Math.floor(seconds / 3600)) + ":" +
      pad(Math.floor(seconds / 60) % 60) + ":" + pad(seconds % 60) + ":" + pad(index % nominal);
  };

  /** Show the frame at ``frame`` (paused): seek to the middle of it, never to an edge. */
  Player.prototype.seekFrame = function (frame) {
    var last = this.frameIn + this.frameCount() - 1;
    frame = Math.max(this.frameIn, Math.min(last, frame));
    this.video.pause();
    this.video.currentTime = (frame - this.frameIn + 0.5) / this.rate;
    this.show(frame);
  };

  Player.prototype.step = function (delta) { this.seekFrame(this.frame + delta); };

  Player.prototype.toggle = function () {
    if (this.video.paused || this.video.ended) {
      if (this.video.ended) this.video.currentTime = 0;
      var playing = this.video.play();
      if (playing && playing.catch) playing.catch(function () {});
    } else {
      this.video.pause();
    }
  };

  Player.prototype.watchFrames = function () {
    var self = this;
    if (self.video.requestVideoFrameCallback) {
      var onFrame = function (now, meta) {
        self.show(self.frameAt(meta.mediaTime));
        self.video.requestVideoFrameCallback(onFrame);
      };
      self.video.requestVideoFrameCallback(onFrame);
    } else {
      var tick = function () {
        if (!self.video.paused) self.show(self.frameAt(self.video.currentTime));
        window.requestAnimationFrame(tick);
      };
      window.requestAnimationFrame(tick);
    }
  };

  Player.prototype.bind = function () {
    var self = this;
    var video = self.video;
    var button = self.playButton;
    function settle() { self.show(self.frameAt(video.currentTime)); }
    video.addEventListener("seeked", settle);
    video.addEventListener("pause", function () { button.classList.remove("playing"); settle(); });
    video.addEventListener("play", function () { button.classList.add("playing"); });
    video.addEventListener("ended", function () { button.classList.remove("playing"); });
    video.addEventListener("loadedmetadata", function () {
      if (!self.count && self.scrub) self.scrub.max = String(self.frameIn + self.frameCount() - 1);
      // start where the poster is, so the picture, the counter and a new note agree
      if (self.posterFrame !== self.frameIn && video.currentTime === 0) self.seekFrame(self.posterFrame);
      else settle();
    });
    video.addEventListener("click", function () { self.toggle(); });
    button.addEventListener("click", function () { self.toggle(); });
    self.item.querySelector(".step-back").addEventListener("click", function () { self.step(-1); });
    self.item.querySelector(".step-forward").addEventListener("click", function () { self.step(1); });
    if (self.scrub) {
      self.scrub.addEventListener("input", function () {
        self.seekFrame(parseInt(self.scrub.value, 10));
      });
    }
    self.watchFrames();
    self.show(self.posterFrame);
  };

  function noteElement(note) {
    var li = document.createElement("li");
    li.className = "note";
    li.dataset.noteId = note.id;
    var frame;
    if (note.frame === null || note.frame === undefined) {
      frame = document.createElement("span");
      frame.className = "note-frame none";
      frame.textContent = "\u2013";
    } else {
      frame = document.createElement("button");
      frame.type = "button";
      frame.className = "note-frame";
      frame.dataset.frame = String(note.frame);
      frame.title = "Go to frame " + note.frame;
      frame.textContent = String(note.frame);
    }
    var body = document.createElement("div");
    body.className = "note-body";
    var content = document.createElement("p");
    content.className = "note-content";
    content.textContent = note.content;
    var meta = document.createElement("p");
    meta.className = "note-meta";
    meta.textContent = [note.author, note.date].filter(Boolean).join(" \u00b7 ");
    body.appendChild(content);
    body.appendChild(meta);
    li.appendChild(frame);
    li.appendChild(body);
    return li;
  }

  /** Append ``note`` to the item's list unless it is there already; true when added. */
  function addNote(item, note) {
    var list = item.querySelector(".note-list");
    var known = list.querySelectorAll(".note");
    for (var i = 0; i < known.length; i++) {
      if (known[i].dataset.noteId === note.id) return false;
    }
    list.appendChild(noteElement(note));
    item.querySelector(".note-count").textContent = String(known.length + 1);
    return true;
  }

  var POLL_MS = 10000;

  /** Fetch every item's notes and show the ones others added meanwhile. */
  function refreshNotes(main) {
    if (document.hidden) return;
    fetch(main.dataset.notesUrl, { credentials: "omit", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (byItem) {
        Object.keys(byItem).forEach(function (objectId) {
          var item = document.getElementById("item-" + objectId);
          if (!item) return;
          byItem[objectId].forEach(function (note) { addNote(item, note); });
        });
        main.dataset.notesRefreshed = String((parseInt(main.dataset.notesRefreshed, 10) || 0) + 1);
      })
      .catch(function () {});
  }

  function bindNotes(item, player, notesUrl) {
    var form = item.querySelector(".note-form");
    item.querySelector(".note-list").addEventListener("click", function (event) {
      var target = event.target.closest(".note-frame[data-frame]");
      if (target && player) player.seekFrame(parseInt(target.dataset.frame, 10));
    });
    if (!form) return;
    var error = form.querySelector(".note-error");
    var submit = form.querySelector(".add-note");
    var text = form.querySelector("textarea");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var content = text.value.trim();
      if (!content) { error.textContent = "Write a note first."; return; }
      error.textContent = "";
      submit.disabled = true;
      var frame = player ? player.frame : null;
      fetch(notesUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "omit",
        body: JSON.stringify({ object_id: item.dataset.objectId, content: content, frame: frame })
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
          return data;
        });
      }).then(function (note) {
        addNote(item, note);
        text.value = "";
        item.dataset.notesAdded = String((parseInt(item.dataset.notesAdded, 10) || 0) + 1);
      }).catch(function (failure) {
        error.textContent = "Not saved: " + failure.message;
      }).then(function () { submit.disabled = false; });
    });
  }

  function start() {
    var main = document.querySelector(".items");
    if (!main) return;
    var notesUrl = main.dataset.notesUrl;
    var active = null;
    var items = main.querySelectorAll(".item");
    Array.prototype.forEach.call(items, function (item) {
      var player = item.querySelector("video") ? new Player(item) : null;
      item.player = player;
      bindNotes(item, player, notesUrl);
      item.addEventListener("pointerdown", function () { activate(item); });
      item.addEventListener("focusin", function () { activate(item); });
    });
    function activate(item) {
      if (active === item) return;
      if (active) active.classList.remove("active");
      active = item;
      item.classList.add("active");
    }
    if (items.length) activate(items[0]);
    window.setInterval(function () { refreshNotes(main); }, POLL_MS);
    document.addEventListener("visibilitychange", function () { refreshNotes(main); });
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "textarea" || tag === "input" || !active || !active.player) return;
      if (event.key === " ") { event.preventDefault(); active.player.toggle(); }
      else if (event.key === "ArrowLeft") { event.preventDefault(); active.player.step(-1); }
      else if (event.key === "ArrowRight") { event.preventDefault(); active.player.step(1); }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
