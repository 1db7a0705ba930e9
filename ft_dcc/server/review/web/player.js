/* ft_dcc review page: the frame-accurate player of one version (no build step, no libraries). */
"use strict";

(function (R) {
  // Broadcast rates stored rounded in ftr_meta (23.976) are the exact NTSC fractions.
  var NTSC = [24000 / 1001, 30000 / 1001, 48000 / 1001, 60000 / 1001, 120000 / 1001];
  var EPSILON = 0.01; // of a frame: media times may sit a hair before a frame's start
  var MAX_SHUTTLE = 8;
  var HAVE_METADATA = 1; // HTMLMediaElement.readyState
  var PENDING_MS = 500; // how long a sought picture may take before the seek is made again
  var PENDING_TRIES = 3; // seeks made again before the frame is named without its picture

  function exactRate(rate) {
    for (var i = 0; i < NTSC.length; i++) {
      if (Math.abs(rate - NTSC[i]) < 0.002) return NTSC[i];
    }
    return rate;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /** SMPTE (non-drop) timecode of ``index`` frames after ``start`` ("HH:MM:SS:FF" or ""). */
  function timecode(index, rate, start) {
    var nominal = Math.round(rate);
    var base = 0;
    var parts = /^(\d\d):(\d\d):(\d\d)[:;.](\d\d)$/.exec(start || "");
    if (parts) {
      base = ((+parts[1] * 60 + +parts[2]) * 60 + +parts[3]) * nominal + +parts[4];
    }
    var total = Math.max(0, base + index);
    var seconds = Math.floor(total / nominal);
    return pad(Math.floor(seconds / 3600) % 24) + ":" + pad(Math.floor(seconds / 60) % 60) +
      ":" + pad(seconds % 60) + ":" + pad(total % nominal);
  }

  /** The frame math of one version's movie: shot frame numbers over media time. */
  function Clip(item, video) {
    this.video = video;
    this.frameIn = parseInt(item.dataset.frameIn, 10) || 0;
    var out = parseInt(item.dataset.frameOut, 10);
    this.rate = exactRate(parseFloat(item.dataset.frameRate) || 24);
    this.count = isNaN(out) ? null : Math.max(1, out - this.frameIn);
    this.nudged = false; // which point in a frame the last fresh seek went to (seekAfresh)
    this.presented = null; // the frame of the last picture the video reported presenting
  }

  /** Whether the video reports each picture it presents (requestVideoFrameCallback): then a
      frame sought is named once its picture is presented, not when the seek ends. */
  Clip.prototype.reports = function () { return !!this.video.requestVideoFrameCallback; };

  Clip.prototype.frameCount = function () {
    if (this.count) return this.count;
    var d = this.video.duration;
    return isFinite(d) && d > 0 ? Math.max(1, Math.round(d * this.rate)) : 1;
  };

  Clip.prototype.last = function () { return this.frameIn + this.frameCount() - 1; };

  Clip.prototype.clamp = function (frame) {
    return Math.max(this.frameIn, Math.min(this.last(), frame));
  };

  /** The frame number shown at media time t (seconds). */
  Clip.prototype.frameAt = function (t) {
    var index = Math.floor(t * this.rate + EPSILON);
    return this.frameIn + Math.max(0, Math.min(this.frameCount() - 1, index));
  };

  /** Show ``frame``: seek to the middle of it (or to ``within``, a fraction of it), never to
      an edge. */
  Clip.prototype.seek = function (frame, within) {
    frame = this.clamp(frame);
    this.video.currentTime = (frame - this.frameIn + (within || 0.5)) / this.rate;
    return frame;
  };

  /** Show ``frame`` again: a seek to a point in it other than the last one's, so the browser
      cannot skip it as a seek to where the video already is (a busy Chromium can end a seek
      before the picture is there, or leave the next one on screen). */
  Clip.prototype.seekAfresh = function (frame) {
    this.nudged = !this.nudged;
    return this.seek(frame, this.nudged ? 0.4 : 0.5);
  };

  /** Call ``callback(frame)`` for every picture the video presents (where the video reports
      none, when a seek ends or while it plays). */
  Clip.prototype.watch = function (callback) {
    var self = this;
    var video = self.video;
    // A paused video is where its last seek went. A busy page can report a picture stepped
    // past after the next step's seek has ended: that picture is stale (a note or drawing
    // would go on the older frame), as is one reported while a seek is under way.
    function stale(mediaTime) {
      return video.paused && self.frameAt(mediaTime) !== self.frameAt(video.currentTime);
    }
    if (video.requestVideoFrameCallback) {
      var onFrame = function (now, meta) {
        self.presented = self.frameAt(meta.mediaTime);
        if (!video.seeking && !stale(meta.mediaTime)) callback(self.presented);
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    } else {
      var tick = function () {
        if (!video.paused) callback(self.frameAt(video.currentTime));
        window.requestAnimationFrame(tick);
      };
      window.requestAnimationFrame(tick);
    }
    // Chromium can end a seek some milliseconds before the sought picture is presented (and a
    // canvas drawn from the video still gets the one before): the frame is named at the end of
    // the seek only when its picture is already there (a seek within the frame presented),
    // else by the presentation to come
    video.addEventListener("seeked", function () {
      var frame = self.frameAt(video.currentTime);
      if (!self.reports() || frame === self.presented) callback(frame);
    });
  };

  /** Size a ``.picture`` box to its video's aspect, so overlays sit exactly on the picture. */
  function fitPicture(picture, video) {
    function fit() {
      if (video.videoWidth && video.videoHeight) {
        picture.style.setProperty("--ar", String(video.videoWidth / video.videoHeight));
      }
    }
    video.addEventListener("loadedmetadata", fit);
    fit();
  }

  function Player(item) {
    var q = function (s) { return item.querySelector(s); };
    this.item = item;
    this.stage = q(".stage");
    this.video = q("video.video");
    this.clip = new Clip(item, this.video);
    this.counter = q(".frame-number");
    this.noteAt = q(".note-at");
    this.timecodeBox = q(".timecode");
    this.sourceTimecode = q(".source-timecode");
    this.scrub = q(".scrub");
    this.inOut = q(".in-out");
    this.marks = q(".marks");
    this.shuttleLabel = q(".shuttle");
    this.playButton = q(".play");
    this.loopButton = q(".loop");
    this.speedSelect = q(".speed");
    var poster = parseInt(item.dataset.posterFrame, 10);
    this.posterFrame = isNaN(poster) ? this.clip.frameIn : poster; // the frame the poster shows
    this.frame = this.posterFrame;
    this.loop = false;
    this.markIn = null;
    this.markOut = null;
    this.reverse = 0; // reverse shuttle speed (J), 0 when not shuttling back
    this.wanted = false; // the reviewer asked for forward playback and has not paused since
    this.ready = false; // the movie's metadata is known and the start seek was made
    this.pending = null; // a frame sought while paused whose picture is not presented yet
    this.pendingRun = 0; // counts aims: a check of an older one stops
    this.held = null; // the frame a note being written is held to (holdNote), or null
    this.listeners = [];
    var width = parseInt(item.dataset.width, 10);
    var height = parseInt(item.dataset.height, 10);
    if (width > 0 && height > 0) { // the published size: no jump when the movie loads
      q(".picture.main").style.setProperty("--ar", String(width / height));
    }
    fitPicture(q(".picture.main"), this.video);
    this.bind();
  }

  /** Call ``listener(frame)`` whenever the counter changes. */
  Player.prototype.onFrame = function (listener) { this.listeners.push(listener); };

  Player.prototype.offFrame = function (listener) {
    this.listeners = this.listeners.filter(function (l) { return l !== listener; });
  };

  Player.prototype.show = function (frame) {
    this.pending = null;
    this.frame = frame;
    var text = String(frame);
    this.counter.textContent = text;
    if (this.noteAt && this.held === null) this.noteAt.textContent = text;
    this.item.dataset.frame = text;
    if (this.scrub && document.activeElement !== this.scrub) this.scrub.value = text;
    var index = frame - this.clip.frameIn;
    this.timecodeBox.textContent = timecode(index, this.clip.rate, "");
    var start = this.item.dataset.sourceTimecode;
    if (start && this.sourceTimecode) {
      this.sourceTimecode.textContent = "src " + timecode(index, this.clip.rate, start);
    }
    for (var i = 0; i < this.listeners.length; i++) this.listeners[i](frame);
  };

  /** The frames playback runs between: the in/out points, or the whole clip. */
  Player.prototype.range = function () {
    return {
      start: this.markIn === null ? this.clip.frameIn : this.markIn,
      end: this.markOut === null ? this.clip.last() : this.markOut
    };
  };

  /** Where the reviewer is: the frame sought and not presented yet, else the counter's. */
  Player.prototype.position = function () {
    return this.pending === null ? this.frame : this.pending;
  };

  /** Name ``frame`` (the one a seek just went to) on the counter once the video presents its
      picture: now when the video cannot say or it already shows it, else when it presents it
      (Clip.watch). The seek is made afresh when no picture comes (a busy Chromium can end a
      seek and present nothing), and after PENDING_TRIES the frame is named anyway. */
  Player.prototype.aim = function (frame) {
    var run = ++this.pendingRun;
    if (!this.clip.reports() || this.clip.presented === frame) {
      this.show(frame);
      return;
    }
    this.pending = frame;
    var self = this;
    var tries = 0;
    function check() {
      if (run !== self.pendingRun || self.pending !== frame || !self.video.paused) return;
      if (!self.video.seeking && ++tries > PENDING_TRIES) self.show(frame);
      else if (!self.video.seeking) self.clip.seekAfresh(frame);
      if (self.pending === frame) window.setTimeout(check, PENDING_MS);
    }
    window.setTimeout(check, PENDING_MS);
  };

  /** Show ``frame`` paused (clamped to the clip). */
  Player.prototype.seekFrame = function (frame) {
    this.stopReverse();
    this.wanted = false;
    this.video.pause();
    this.aim(this.clip.seek(frame));
  };

  /** The reviewer moves to ``frame`` (a step, Home / End, the scrub bar): a note being
      written goes with them. */
  Player.prototype.moveTo = function (frame) {
    this.seekFrame(frame);
    if (this.held !== null) this.hold(this.position());
  };

  Player.prototype.step = function (delta) { this.moveTo(this.position() + delta); };
  Player.prototype.home = function () { this.moveTo(this.range().start); };
  Player.prototype.end = function () { this.moveTo(this.range().end); };

  /** A note is being written (its box took focus): pause on the frame the reviewer sees (or,
      for a note already held, go back to its frame) and hold the note to it, named on the note
      box, until ``releaseNote``: playing on does not move it, the reviewer's own moves do. */
  Player.prototype.holdNote = function () {
    var frame = this.held;
    if (frame === null) frame = this.playing() ? this.frame : this.position();
    if (this.playing() || frame !== this.position()) this.seekFrame(frame);
    this.hold(this.clip.clamp(frame));
    return this.held;
  };

  Player.prototype.hold = function (frame) {
    this.held = frame;
    this.item.dataset.noteFrame = String(frame);
    if (this.noteAt) {
      this.noteAt.textContent = String(frame);
      this.noteAt.classList.add("held");
    }
  };

  /** The note is sent (or its box left empty): the note box names the counter's frame again. */
  Player.prototype.releaseNote = function () {
    this.held = null;
    delete this.item.dataset.noteFrame;
    if (this.noteAt) {
      this.noteAt.textContent = String(this.frame);
      this.noteAt.classList.remove("held");
    }
  };

  /** The frame a note written now is on. */
  Player.prototype.noteFrame = function () { return this.held === null ? this.frame : this.held; };

  Player.prototype.play = function (rate) {
    this.stopReverse();
    var range = this.range();
    var at = this.position();
    if (this.video.ended || at >= range.end || at < range.start) {
      this.pending = null;
      this.clip.seek(range.start);
    } else if (this.pending !== null) {
      this.show(this.pending); // playback starts from the frame sought: named as it starts
    }
    this.video.playbackRate = rate || parseFloat(this.speedSelect.value) || 1;
    this.wanted = true;
    var playing = this.video.play();
    if (playing && playing.catch) playing.catch(function () {});
    this.showShuttle();
  };

  Player.prototype.pause = function () {
    this.stopReverse();
    this.wanted = false;
    if (!this.video.paused) this.video.pause();
    this.showShuttle();
  };

  /** The frame to hold after a pause: the one sought (a step while playing pauses too), else
      the one last presented (the counter's), which the media clock may lag by a frame; the
      clock's own frame when the counter is stale; never past the out point (a pause can land
      after the clock ran past it, before the wrap); the out point when the movie ended (its
      last picture can be reported after the end's pause). */
  Player.prototype.pausedFrame = function () {
    if (this.video.ended) return this.range().end;
    if (this.pending !== null) return Math.min(this.pending, this.range().end); // sought
    var clock = this.clip.frameAt(this.video.currentTime);
    var frame = Math.abs(clock - this.frame) <= 1 ? this.frame : clock;
    return Math.min(frame, this.range().end);
  };

  Player.prototype.playing = function () { return !this.video.paused || this.reverse > 0; };

  Player.prototype.toggle = function () {
    if (this.playing()) this.pause();
    else this.play();
  };

  /** L: play forward; again: faster (up to 8x). */
  Player.prototype.shuttleForward = function () {
    if (!this.video.paused && !this.reverse) {
      this.video.playbackRate = Math.min(MAX_SHUTTLE, this.video.playbackRate * 2);
      this.showShuttle();
    } else {
      this.play();
    }
  };

  /** J: play backwards frame by frame; again: faster. */
  Player.prototype.shuttleBack = function () {
    var speed = this.reverse ? Math.min(MAX_SHUTTLE, this.reverse * 2) : 1;
    this.pause();
    this.reverse = speed;
    this.showShuttle();
    this.reverseTick(++this.reverseRun);
  };

  Player.prototype.reverseRun = 0;

  Player.prototype.reverseTick = function (run) {
    var self = this;
    if (run !== self.reverseRun || !self.reverse) return;
    var range = self.range();
    var target = self.position() - 1;
    if (target < range.start) {
      if (!self.loop) { self.pause(); return; }
      target = range.end;
    }
    var started = Date.now();
    var wait = 1000 / (self.clip.rate * self.reverse * (parseFloat(self.speedSelect.value) || 1));
    self.video.addEventListener("seeked", function () {
      window.setTimeout(function () { self.reverseTick(run); },
        Math.max(0, wait - (Date.now() - started)));
    }, { once: true });
    self.aim(self.clip.seek(target));
  };

  Player.prototype.stopReverse = function () {
    if (!this.reverse) return;
    this.reverse = 0;
    this.reverseRun++;
  };

  Player.prototype.showShuttle = function () {
    var text = "";
    if (this.reverse) text = "\u25c0 " + this.reverse + "\u00d7";
    else if (!this.video.paused) text = "\u25b6 " + this.video.playbackRate + "\u00d7";
    this.shuttleLabel.textContent = text;
    this.playButton.classList.toggle("playing", this.playing());
  };

  /** While playing forward: stop at the out point, or loop back to the in point; whether it
      did either. */
  Player.prototype.enforceRange = function (frame) {
    if (this.video.paused || this.reverse) return false;
    var range = this.range();
    if (frame < range.end || (this.markOut === null && !this.loop)) return false;
    if (this.loop) {
      this.clip.seek(range.start);
    } else {
      this.pause();
      this.aim(this.clip.seek(range.end));
    }
    return true;
  };

  /** Mark the frame the reviewer is on (one sought a moment ago, its picture on its way). */
  Player.prototype.setMark = function (which) {
    var at = this.position();
    if (which === "in") {
      this.markIn = at;
      if (this.markOut !== null && this.markOut < at) this.markOut = null;
    } else if (which === "out") {
      this.markOut = at;
      if (this.markIn !== null && this.markIn > at) this.markIn = null;
    } else {
      this.markIn = this.markOut = null;
    }
    this.showMarks();
  };

  Player.prototype.showMarks = function () {
    var has = this.markIn !== null || this.markOut !== null;
    var range = this.range();
    this.item.dataset.markIn = this.markIn === null ? "" : String(this.markIn);
    this.item.dataset.markOut = this.markOut === null ? "" : String(this.markOut);
    this.marks.textContent = has ? "In " + range.start + " \u00b7 Out " + range.end : "";
    this.inOut.hidden = !has;
    var span = Math.max(1, this.clip.last() - this.clip.frameIn);
    this.inOut.style.left = (100 * (range.start - this.clip.frameIn) / span) + "%";
    this.inOut.style.width = (100 * (range.end - range.start) / span) + "%";
  };

  Player.prototype.toggleLoop = function () {
    this.loop = !this.loop;
    this.loopButton.classList.toggle("on", this.loop);
    this.loopButton.setAttribute("aria-pressed", String(this.loop));
    this.item.dataset.loop = String(this.loop);
  };

  Player.prototype.toggleFullscreen = function () {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (this.stage.requestFullscreen) {
      var asked = this.stage.requestFullscreen();
      if (asked && asked.catch) asked.catch(function () {});
    }
  };

  /** Keyboard shortcuts (key names as in KeyboardEvent.key); true when the key was used. */
  Player.prototype.key = function (key) {
    var actions = {
      " ": this.toggle, "k": this.pause, "K": this.pause,
      "l": this.shuttleForward, "L": this.shuttleForward,
      "j": this.shuttleBack, "J": this.shuttleBack,
      "ArrowLeft": function () { this.step(-1); }, "ArrowRight": function () { this.step(1); },
      "Home": this.home, "End": this.end,
      "i": function () { this.setMark("in"); }, "I": function () { this.setMark("in"); },
      "o": function () { this.setMark("out"); }, "O": function () { this.setMark("out"); },
      "f": this.toggleFullscreen, "F": this.toggleFullscreen
    };
    if (!Object.prototype.hasOwnProperty.call(actions, key)) return false;
    actions[key].call(this);
    return true;
  };

  Player.prototype.bindButtons = function () {
    var self = this;
    var item = self.item;
    var clicks = {
      ".play": self.toggle, ".step-back": function () { self.step(-1); },
      ".step-forward": function () { self.step(1); }, ".loop": self.toggleLoop,
      ".mark-in": function () { self.setMark("in"); },
      ".mark-out": function () { self.setMark("out"); },
      ".clear-marks": function () { self.setMark(null); }, ".fullscreen": self.toggleFullscreen
    };
    Object.keys(clicks).forEach(function (selector) {
      var button = item.querySelector(selector);
      if (button) button.addEventListener("click", function () { clicks[selector].call(self); });
    });
    self.speedSelect.addEventListener("change", function () {
      if (!self.video.paused) self.video.playbackRate = parseFloat(self.speedSelect.value) || 1;
      self.showShuttle();
    });
    self.scrub.addEventListener("input", function () {
      self.moveTo(parseInt(self.scrub.value, 10));
    });
  };

  Player.prototype.bind = function () {
    var self = this;
    var video = self.video;
    function settle() { self.show(self.clip.frameAt(video.currentTime)); }
    video.addEventListener("pause", function () {
      self.showShuttle();
      // a pause lands anywhere in a frame: settle on that frame's middle, so the picture and
      // the counter agree (and a compared version can follow exactly)
      if (!self.reverse) self.aim(self.clip.seek(self.pausedFrame()));
    });
    video.addEventListener("play", function () { self.showShuttle(); });
    // the end of the movie is delivered in a task of its own: a pause can come first (K at 8x,
    // when the out point's wrap came too late), and then the loop must not start again; a loop
    // that met the end before its wrap goes on at the reviewer's speed (the ended video keeps
    // its rate), as a wrap does
    video.addEventListener("ended", function () {
      if (self.loop && self.wanted) self.play(video.playbackRate);
      else self.showShuttle();
    });
    // Once the movie's frames are known, show the counter's frame (the poster's, unless the
    // reviewer moved): the video holds that picture, so a play, a step or a note goes on from
    // what is seen. The metadata may have arrived before this script ran (a fast server, a
    // cached movie): then its event has passed, so readyState is read as well as listened to.
    function start() {
      self.ready = true;
      self.scrub.max = String(self.clip.last());
      if (video.paused) self.seekFrame(self.position());
      else settle();
    }
    video.addEventListener("loadedmetadata", start);
    video.addEventListener("click", function () { self.toggle(); });
    self.bindButtons();
    self.clip.watch(function (frame) {
      if (!self.ready) return; // a picture before the start seek: the poster is still shown
      // a picture past the out point is named only as the frame a reviewer moved to (a step
      // or seek there): one from playback (a busy machine skipped the out frame itself, or it
      // came in after a pause or at the movie's end, before the wrap) never is: playback wraps
      // to the in point (or stops on the out point) instead
      if (frame > self.range().end && frame !== self.position()) {
        self.enforceRange(frame);
        return;
      }
      self.show(frame);
      self.enforceRange(frame);
    });
    self.show(self.posterFrame);
    if (video.readyState >= HAVE_METADATA) start();
  };

  R.exactRate = exactRate;
  R.timecode = timecode;
  R.fitPicture = fitPicture;
  R.Clip = Clip;
  R.Player = Player;
})(window.ftReview = window.ftReview || {});
