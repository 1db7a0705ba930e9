/* ft_dcc review page: drawing on the frame (pen, colours, undo, clear), holding it over a range
   of frames and saving it as an annotation of those frames; which drawings show on a frame,
   with the onion skin (the drawings before and after it, faint). */
"use strict";

(function (R) {
  /** The drawing tools of one version's player; ``save(frame, png)`` returns a promise. */
  function Drawing(item, player, save) {
    var self = this;
    self.item = item;
    self.player = player;
    self.save = save;
    self.canvas = item.querySelector(".draw-layer");
    self.bar = item.querySelector(".draw-bar");
    self.toggleButton = item.querySelector(".draw-toggle");
    self.error = self.bar.querySelector(".draw-error");
    self.saveButton = self.bar.querySelector(".draw-save");
    self.colour = self.bar.querySelector(".swatch.selected").dataset.colour;
    self.strokes = [];
    self.active = null;
    self.frame = null;
    self.bind();
  }

  Drawing.prototype.start = function () {
    var video = this.player.video;
    this.player.pause();
    this.canvas.width = video.videoWidth || 1280;
    this.canvas.height = video.videoHeight || 720;
    this.frame = this.player.frame;
    this.strokes = [];
    this.redraw();
    this.canvas.hidden = false;
    this.bar.hidden = false;
    this.error.textContent = "";
    this.bar.querySelector(".draw-frame").textContent = String(this.frame);
    var out = this.bar.querySelector(".draw-out");
    if (out) { // default: the one frame; at most the clip's last
      out.min = String(this.frame);
      out.max = String(this.player.clip ? this.player.clip.last() : this.frame);
      out.value = String(this.frame);
    }
    this.item.classList.add("drawing");
    this.toggleButton.classList.add("on");
  };

  Drawing.prototype.stop = function () {
    this.canvas.hidden = true;
    this.bar.hidden = true;
    this.strokes = [];
    this.active = null;
    this.item.classList.remove("drawing");
    this.toggleButton.classList.remove("on");
  };

  Drawing.prototype.isOn = function () { return !this.canvas.hidden; };

  /** A pointer position in the canvas's own pixels (the movie's resolution). */
  Drawing.prototype.point = function (event) {
    var box = this.canvas.getBoundingClientRect();
    return [
      (event.clientX - box.left) * this.canvas.width / box.width,
      (event.clientY - box.top) * this.canvas.height / box.height
    ];
  };

  Drawing.prototype.redraw = function () {
    var context = this.canvas.getContext("2d");
    context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    context.lineCap = "round";
    context.lineJoin = "round";
    this.strokes.forEach(function (stroke) {
      context.strokeStyle = stroke.colour;
      context.fillStyle = stroke.colour;
      context.lineWidth = stroke.width;
      var points = stroke.points;
      context.beginPath();
      context.moveTo(points[0][0], points[0][1]);
      if (points.length === 1) {
        context.arc(points[0][0], points[0][1], stroke.width / 2, 0, 2 * Math.PI);
        context.fill();
        return;
      }
      for (var i = 1; i < points.length; i++) context.lineTo(points[i][0], points[i][1]);
      context.stroke();
    });
    this.item.dataset.strokes = String(this.strokes.length);
  };

  Drawing.prototype.bindPen = function () {
    var self = this;
    var canvas = self.canvas;
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      self.active = {
        colour: self.colour,
        width: Math.max(3, canvas.width / 180),
        points: [self.point(event)]
      };
      self.strokes.push(self.active);
      self.redraw();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!self.active) return;
      self.active.points.push(self.point(event));
      self.redraw();
    });
    function end() { self.active = null; }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  };

  Drawing.prototype.submit = function () {
    var self = this;
    if (!self.strokes.length) {
      self.error.textContent = "Draw something first.";
      return;
    }
    var out = self.bar.querySelector(".draw-out");
    var last = out && out.value !== "" ? Number(out.value) : self.frame;
    if (!Number.isInteger(last) || last < self.frame) {
      self.error.textContent = "Hold it to frame " + self.frame + " or later.";
      return;
    }
    self.saveButton.disabled = true;
    self.error.textContent = "";
    self.save(self.frame, self.canvas.toDataURL("image/png"), last).then(function () {
      self.stop();
      self.item.dataset.drawingsSaved = String((parseInt(self.item.dataset.drawingsSaved, 10) || 0) + 1);
    }).catch(function (failure) {
      self.error.textContent = "Not saved: " + failure.message;
    }).then(function () { self.saveButton.disabled = false; });
  };

  Drawing.prototype.bind = function () {
    var self = this;
    var bar = self.bar;
    self.bindPen();
    self.toggleButton.addEventListener("click", function () {
      if (self.isOn()) self.stop();
      else self.start();
    });
    bar.querySelector(".swatches").addEventListener("click", function (event) {
      var swatch = event.target.closest(".swatch");
      if (!swatch) return;
      Array.prototype.forEach.call(bar.querySelectorAll(".swatch"), function (s) {
        s.classList.toggle("selected", s === swatch);
      });
      self.colour = swatch.dataset.colour;
    });
    bar.querySelector(".draw-undo").addEventListener("click", function () {
      self.strokes.pop();
      self.redraw();
    });
    bar.querySelector(".draw-clear").addEventListener("click", function () {
      self.strokes = [];
      self.redraw();
    });
    bar.querySelector(".draw-cancel").addEventListener("click", function () { self.stop(); });
    self.saveButton.addEventListener("click", function () { self.submit(); });
    Array.prototype.forEach.call(bar.querySelectorAll(".swatch"), function (swatch) {
      swatch.style.setProperty("--swatch", swatch.dataset.colour);
    });
  };

  /** Resolves on ``name`` from ``video``, rejects on its error (listeners removed either way). */
  function mediaEvent(video, name) {
    return new Promise(function (resolve, reject) {
      function done(event) {
        video.removeEventListener(name, done);
        video.removeEventListener("error", done);
        if (event.type === "error") reject(new Error("the movie cannot be read"));
        else resolve();
      }
      video.addEventListener(name, done);
      video.addEventListener("error", done);
    });
  }

  /** Pictures of one version's frames (under the drawings' thumbnails), from a hidden video
      of its own so the player never moves; one seek at a time. */
  function Stills(item) {
    var video = document.createElement("video");
    video.muted = true;
    video.preload = "auto";
    video.src = item.dataset.movieUrl;
    this.video = video;
    this.clip = new R.Clip(item, video);
    this.queue = Promise.resolve();
  }

  /** How many times a still is sought again when its video had no picture to give yet. */
  var STILL_ATTEMPTS = 20;

  /** True once ``canvas`` holds a picture (drawing an undecoded video leaves it transparent;
      a black frame is opaque). */
  function holdsPicture(canvas) {
    var data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (var i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
    return false;
  }

  /** Paint ``frame`` onto ``canvas``; a promise of when it is there. A busy Chromium can end a
      seek of the hidden video before it has the picture: the draw then comes out empty, and
      the frame is sought afresh. */
  Stills.prototype.paint = function (canvas, frame) {
    var self = this;
    var video = self.video;
    function attempt(left) {
      var seeked = mediaEvent(video, "seeked");
      self.clip.seekAfresh(frame);
      return seeked.then(function () {
        canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
        if (holdsPicture(canvas)) return;
        if (left <= 1) throw new Error("no picture of frame " + frame);
        return attempt(left - 1);
      });
    }
    var painted = self.queue.then(function () {
      return video.readyState >= 1 ? null : mediaEvent(video, "loadedmetadata");
    }).then(function () {
      return attempt(STILL_ATTEMPTS);
    });
    self.queue = painted.catch(function () {}); // one failure does not stop the others
    return painted;
  };

  /** Which of ``drawings`` ({id, first, last}) show on ``frame``: ``on``, those held over it;
      ``ghosts`` (with the onion skin), the latest ending before it and the earliest starting
      after it (every drawing that ties). */
  function drawingsAt(drawings, frame, ghosting) {
    var on = [], before = null, after = null;
    drawings.forEach(function (d) {
      if (d.first <= frame && frame <= d.last) on.push(d.id);
      else if (d.last < frame && (before === null || d.last > before)) before = d.last;
      else if (d.first > frame && (after === null || d.first < after)) after = d.first;
    });
    var ghosts = !ghosting ? [] : drawings.filter(function (d) {
      return (before !== null && d.last === before) || (after !== null && d.first === after);
    }).map(function (d) { return d.id; });
    return { on: on, ghosts: ghosts };
  }

  /** The onion skin switch of an item (one per player, off at first). */
  function ghosting(item) { return !!item && item.dataset.ghosting === "on"; }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".ghost-toggle");
    var item = button && button.closest(".item");
    if (!item) return;
    item.dataset.ghosting = ghosting(item) ? "off" : "on";
    button.classList.toggle("on", ghosting(item));
    button.setAttribute("aria-pressed", String(ghosting(item)));
    item.dispatchEvent(new CustomEvent("ft-ghosting"));
  });

  /** Change a saved drawing's frames (its author, the session's owner or an administrator:
      the server says who may): a small form in the note, sent to /annotations/range. */
  function RangeEditor(feedback, note, button) {
    var self = this;
    if (note.querySelector(".range-form")) return;
    self.feedback = feedback;
    self.form = document.createElement("form");
    self.form.className = "range-form";
    self.first = self.number("range-in", button.dataset.frame, "First frame");
    self.last = self.number("range-out", button.dataset.frameOut, "Last frame");
    var save = document.createElement("button");
    save.type = "submit";
    save.className = "range-save";
    save.textContent = "Save frames";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "range-cancel";
    cancel.textContent = "Cancel";
    self.error = document.createElement("span");
    self.error.className = "range-error";
    self.error.setAttribute("role", "alert");
    [self.first, document.createTextNode("\u2013"), self.last, save, cancel, self.error]
      .forEach(function (node) { self.form.appendChild(node); });
    cancel.addEventListener("click", function () { self.form.remove(); });
    self.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.send(note.dataset.noteId);
    });
    button.parentNode.parentNode.insertBefore(self.form, button.parentNode.nextSibling);
    self.first.focus();
  }

  RangeEditor.prototype.number = function (className, value, label) {
    var input = document.createElement("input");
    input.type = "number";
    input.className = className;
    input.step = "1";
    input.value = value;
    input.setAttribute("aria-label", label);
    return input;
  };

  RangeEditor.prototype.send = function (noteId) {
    var self = this;
    var url = self.feedback.urls.annotationsUrl.replace(/\/annotations\?/, "/annotations/range?");
    R.postJson(url, {
      note_id: noteId, frame: parseInt(self.first.value, 10),
      frame_out: parseInt(self.last.value, 10)
    }).then(function () {
      self.form.remove();
      return self.feedback.refresh();
    }).catch(function (failure) {
      self.error.textContent = "Not changed: " + failure.message;
    });
  };

  /** The "Frames" button of a drawing's note. */
  RangeEditor.button = function (note) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "edit-range";
    button.textContent = "Frames\u2026";
    button.title = "Change the frames this drawing is held over";
    button.dataset.frame = String(note.frame);
    button.dataset.frameOut = String(typeof note.frame_out === "number" ? note.frame_out : note.frame);
    return button;
  };

  R.RangeEditor = RangeEditor;
  R.drawingsAt = drawingsAt;
  R.ghosting = ghosting;
  R.Drawing = Drawing;
  R.Stills = Stills;
})(window.ftReview = window.ftReview || {});
