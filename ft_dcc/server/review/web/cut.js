/* ft_dcc review page: "Play cut" -- the session played as the editor's cut, one film: each item
   from its cut source in to its cut source out at its record in, gaps held black, the record
   timecode shown and a strip of the cut. Two <video> elements take turns: while one plays, the
   other holds the next shot's cut-in frame (loaded, sought, its picture presented), and at the
   cut the held one is shown and played, so the first picture after a cut is the next shot's
   cut-in frame. The playing one is paused a few frames before its cut out as the video reports
   presenting them (requestVideoFrameCallback; and by the clock) and its last frames are shown
   by paused seeks, so no handle frame is shown. A version
   shorter than its cut shows its missing frames as a card that says so; an item refused by the
   server (another rate, no movie) likewise. Notes land on the version and frame under the
   playhead. The plan comes from the session's /cut route (the studio's links only).

   Once the server has conformed the cut into one movie (the plan's ``conform`` is "ready"), the
   cut plays that movie in one <video> instead (its pictures are the cut's by construction: no
   hand-off to be late, no handle frame in it): the record frame is the movie's frame at its
   time, mapped to the piece, the shot and the version frame as above. The two videos play the
   cut while it is being built (the page asks again until it is) or when its build failed. */
"use strict";

(function (R) {
  var el = R.el;
  var NTSC = [24000 / 1001, 30000 / 1001, 48000 / 1001, 60000 / 1001];
  // a sought picture not reported presented this long after its seek ended: ready all the same
  // (a browser may not report the pictures of a paused video it does not show)
  var PRESENT_MS = 150;
  // the cut's one movie, paused on a sought frame the browser reports no picture of: shown
  // this long after the seek ended all the same (the movie is on screen: a browser reports it)
  var FILM_PRESENT_MS = 1000;
  var START = 0.05; // where in a frame a cut-in is sought: its start, a hair into it
  var PREROLL_MS = 5000; // the longest a play waits for the next shot's cut-in frame
  // a shot's last frames are shown paused, one seek each when due: a busy page (or a browser
  // that queues the pictures to come) lets a playing movie run on past a pause asked too late
  var END_FRAMES = 2;

  function exactRate(rate) {
    for (var i = 0; i < NTSC.length; i++) if (Math.abs(rate - NTSC[i]) < 0.002) return NTSC[i];
    return rate;
  }

  var FILM_POLL_MS = 1500; // how often a page asks whether the cut's movie is built
  var FILM_POLLS = 1200; // and for how long (half an hour)

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /** SMPTE non-drop timecode of record frame ``frame`` at ``rate``. */
  function timecode(frame, rate) {
    var fps = Math.round(rate);
    var seconds = Math.floor(frame / fps);
    return pad(Math.floor(seconds / 3600)) + ":" + pad(Math.floor(seconds / 60) % 60) + ":" +
      pad(seconds % 60) + ":" + pad(frame % fps);
  }

  /** The cut's pieces on the record timeline, in order: "movie" pieces (a version's frames
      ``from`` to ``to``, exclusive) and "hold" pieces (a gap, a version's missing frames, an item
      the server refused), each from ``recIn`` to ``recOut`` (record frames). */
  function piecesOf(plan) {
    var pieces = [];
    var segments = plan.segments;
    if (!segments.length) return pieces;
    var at = segments[0].record_in;
    function hold(kind, recIn, recOut, text, segment) {
      if (recOut > recIn) pieces.push({ kind: kind, recIn: recIn, recOut: recOut, text: text,
        segment: segment || null });
    }
    segments.forEach(function (s) {
      var srcIn = s.source_in;
      var recIn = s.record_in;
      var length = s.source_out - s.source_in;
      if (recIn > at) hold("gap", at, recIn, "gap " + timecode(at, plan.rate) + "\u2013" +
        timecode(recIn, plan.rate));
      if (recIn < at) { // an overlap: the later clip plays from the end of the earlier one
        var skip = Math.min(length, at - recIn);
        srcIn += skip; recIn += skip; length -= skip;
      }
      if (length <= 0) return;
      if (s.refused || !s.movie) {
        hold("refused", recIn, recIn + length, s.refused || s.label + ": no movie", s);
      } else {
        var first = s.frame_in;
        var end = s.frame_end === null ? srcIn + length : s.frame_end;
        var from = Math.max(srcIn, first);
        var to = Math.min(srcIn + length, end);
        var missing = function (a, b) {
          return s.label + ": frames " + a + "\u2013" + (b - 1) + " missing (the version is " +
            "shorter than its cut)";
        };
        if (from >= to) {
          hold("missing", recIn, recIn + length, missing(srcIn, srcIn + length), s);
        } else {
          hold("missing", recIn, recIn + (from - srcIn), missing(srcIn, from), s);
          pieces.push({ kind: "movie", segment: s, from: from, to: to,
            recIn: recIn + (from - srcIn), recOut: recIn + (to - srcIn),
            rate: exactRate(s.movie_rate) });
          hold("missing", recIn + (to - srcIn), recIn + length, missing(to, srcIn + length), s);
        }
      }
      at = recIn + length;
    });
    return pieces;
  }

  /** One of the two <video> elements and the piece and frame it is made ready for. */
  function Slot(video) {
    this.video = video;
    this.name = video.dataset.slot;
    this.piece = null;
    this.target = null; // the frame it is being made to hold
    this.ready = false; // it holds ``target``'s picture
    this.run = 0;
    this.onReady = null;
  }

  Slot.prototype.frameAt = function (t) {
    var p = this.piece;
    return p.segment.frame_in + Math.floor(t * p.rate + 0.01);
  };

  /** Load ``piece``'s movie (if another one is loaded) and hold ``frame``'s picture. */
  Slot.prototype.prepare = function (piece, frame) {
    var self = this;
    var video = self.video;
    var run = ++self.run;
    self.piece = piece;
    self.target = frame;
    self.ready = false;
    self.asked = performance.now(); // when it was asked for, and made ready (the bench reads)
    self.readyAt = null;
    if (!video.paused) video.pause();
    var done = function (how) {
      if (run !== self.run || self.ready) return;
      self.ready = true;
      self.readyAt = performance.now();
      video.dataset.readyBy = how;
      var then = self.onReady;
      self.onReady = null;
      if (then) then();
    };
    // ready once the video presents the sought frame's picture (where it reports pictures;
    // else when the seek ends): a seek can end before its picture is there
    var seek = function () {
      if (run !== self.run) return;
      if (video.requestVideoFrameCallback) {
        var check = function (now, meta) {
          if (run !== self.run) return;
          if (!video.seeking && self.frameAt(meta.mediaTime) === frame) done("presented");
          else video.requestVideoFrameCallback(check);
        };
        video.requestVideoFrameCallback(check);
      }
      video.addEventListener("seeked", function () {
        if (!video.requestVideoFrameCallback) { done("seeked"); return; }
        window.setTimeout(function () { done("waited"); }, PRESENT_MS);
      }, { once: true });
      // at the start of the frame (a hair into it): played from there, the cut-in frame is
      // shown for a whole frame's time (from its middle, a busy browser's first picture once
      // playing can already be the next one)
      video.currentTime = (frame - piece.segment.frame_in + START) / piece.rate;
    };
    if (video.dataset.movie !== piece.segment.movie) {
      video.dataset.movie = piece.segment.movie;
      video.preload = "auto";
      video.src = piece.segment.movie;
      video.addEventListener("loadedmetadata", seek, { once: true });
      video.load();
    } else if (video.readyState >= 1) {
      seek();
    } else {
      video.addEventListener("loadedmetadata", seek, { once: true });
    }
  };

  Slot.prototype.holds = function (piece, frame) {
    return this.piece === piece && this.target === frame;
  };

  /** The cut player of a session page (``section.cut-view``). */
  function Cut(main, view, button, plan) {
    var self = this;
    var q = function (s) { return view.querySelector(s); };
    self.main = main;
    self.view = view;
    self.button = button;
    self.plan = plan;
    self.rate = exactRate(plan.rate);
    self.pieces = piecesOf(plan);
    self.start = self.pieces[0].recIn;
    self.end = self.pieces[self.pieces.length - 1].recOut;
    // the two videos are made when the cut is first played (the page's own players' videos
    // stay the page's first)
    self.slots = ["a", "b"].map(function (name) {
      var video = el("video", "cut-video");
      video.dataset.slot = name;
      video.playsInline = true;
      video.preload = "none";
      q(".cut-screen").insertBefore(video, q(".cut-card"));
      return new Slot(video);
    });
    self.active = null; // the slot shown, or null (a card)
    self.index = -1;
    self.frame = null; // the version frame shown (a movie piece) or null (a card)
    self.record = self.start;
    self.aim = null; // the record frame a seek or step is under way to
    self.playing = false;
    self.startRun = 0; // counts play()s: a pause or another play ends a start still waiting
    // how long the last playFrom took to play (its seek and the next cut-in frame made ready,
    // ms): a follower aims its next start ahead by it
    self.startMs = 0;
    self.timer = null;
    self.stopTimer = null;
    self.moves = 0; // counts seeks: what was under way for a shot before one is dropped
    self.holdRun = 0;
    self.holdFrom = null; // where a card's clock started: [performance.now(), record frame]
    self.log = view.cutLog = []; // each cut: {piece, due, at} (ms, performance.now())
    self.recordBox = q(".cut-record");
    self.shotBox = q(".cut-shot");
    self.frameBox = q(".cut-frame");
    self.card = q(".cut-card");
    self.cardText = q(".cut-card-text");
    self.head = q(".cut-head");
    self.playButton = q(".cut-play");
    self.noteForm = q(".cut-note");
    self.noteAt = q(".cut-note-at");
    self.held = null; // {piece, frame}: what a note being written is on
    q(".cut-name").textContent = plan.name ? plan.name + (plan.revision ? " \u00b7 revision " +
      plan.revision : "") : "";
    self.drawStrip(q(".cut-pieces"));
    self.slots.forEach(function (slot) { self.watch(slot); });
    self.film = null; // the conformed movie's <video>, once played in it
    self.playButton.addEventListener("click", function () { self.toggle(); });
    q(".cut-close").addEventListener("click", function () { self.close(); });
    q(".cut-strip").addEventListener("click", function (event) {
      var box = event.currentTarget.getBoundingClientRect();
      var share = Math.max(0, Math.min(1, (event.clientX - box.left) / box.width));
      self.seekRecord(Math.min(self.end - 1, self.start + Math.floor(share * (self.end - self.start))));
    });
    var text = self.noteForm.querySelector("textarea");
    text.addEventListener("focus", function () { self.holdNote(); });
    self.noteForm.addEventListener("submit", function (event) {
      event.preventDefault();
      self.addNote();
    });
    view.addEventListener("keydown", function (event) {
      if (event.target.tagName === "TEXTAREA") return;
      if (event.key === " ") { event.preventDefault(); self.toggle(); }
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        self.step(event.key === "ArrowRight" ? 1 : -1);
      }
    });
    q(".cut-step-back").addEventListener("click", function () { self.step(-1); });
    q(".cut-step-forward").addEventListener("click", function () { self.step(1); });
  }

  Cut.prototype.drawStrip = function (box) {
    var total = this.end - this.start;
    this.pieces.forEach(function (piece) {
      var label = piece.kind === "gap" ? "" : piece.segment.label;
      var part = el("div", "cut-piece " + piece.kind, label);
      part.style.width = (100 * (piece.recOut - piece.recIn) / total) + "%";
      part.title = piece.kind === "movie" ? label + " " + piece.from + "\u2013" + (piece.to - 1) :
        piece.text;
      box.appendChild(part);
    });
  };

  Cut.prototype.open = function () {
    this.useFilm();
    this.view.hidden = false;
    this.button.classList.add("on");
    this.button.setAttribute("aria-pressed", "true");
    if (this.index < 0) this.enter(0, null);
    this.view.scrollIntoView({ block: "start" });
  };

  Cut.prototype.close = function () {
    this.pause();
    this.view.hidden = true;
    this.button.classList.remove("on");
    this.button.setAttribute("aria-pressed", "false");
  };

  /** Say what is under the playhead: record timecode, shot, version frame, the strip's head. */
  Cut.prototype.showAt = function (record, piece, frame) {
    this.record = record;
    if (record === this.aim) this.aim = null; // a step goes on from here now
    this.frame = frame;
    this.recordBox.textContent = timecode(record, this.rate);
    this.shotBox.textContent = piece.kind === "gap" ? "gap" : piece.segment.label;
    this.frameBox.textContent = frame === null ? "\u2013" : String(frame);
    this.view.dataset.record = String(record);
    this.view.dataset.frame = frame === null ? "" : String(frame);
    this.view.dataset.piece = String(this.index);
    this.head.style.left = (100 * (record - this.start) / (this.end - this.start)) + "%";
    if (this.held === null) this.noteAt.textContent = this.noteLabel(piece, frame);
    // paused, the playhead moves when a seek's picture is there, after the click that asked
    // for it: presenter.js sends the state again then (a presenter's state sent at the click
    // named the frame before, and the room stayed there)
    if (!this.playing) this.view.dispatchEvent(new Event("cutmove", { bubbles: true }));
  };

  Cut.prototype.noteLabel = function (piece, frame) {
    return piece.kind === "movie" ? piece.segment.label + " frame " + frame : "no shot here";
  };

  /** Go to piece ``index``, at version frame ``frame`` (a movie piece; null: its first) or its
      record frame ``frame`` (a card; null: its first); playing on if playing. ``how``: "cut"
      when playback reached it (the page's ``data-entry`` says so when it is shown), else a
      seek. */
  Cut.prototype.enter = function (index, frame, how) {
    var self = this;
    if (self.film) {
      if (index >= self.pieces.length) { self.finish(); return; }
      var into = self.pieces[index];
      var record = frame === null ? into.recIn :
        into.kind === "movie" ? into.recIn + (frame - into.from) : frame;
      self.filmSeek(record);
      return;
    }
    window.clearTimeout(self.timer);
    self.holdRun++;
    if (index >= self.pieces.length) { self.finish(); return; }
    self.index = index;
    var piece = self.pieces[index];
    if (piece.kind !== "movie") {
      self.waiting = false;
      if (self.active) self.active.video.pause();
      self.active = null;
      self.card.classList.toggle("missing", piece.kind !== "gap");
      self.cardText.textContent = piece.text;
      self.view.dataset.entry = how || "seek";
      self.view.dataset.shown = "card";
      var record = frame === null ? piece.recIn : frame;
      self.showAt(record, piece, null);
      self.holdFrom = [performance.now(), record];
      self.log.push({ piece: index, due: self.due || null, at: performance.now() });
      self.due = null;
      if (self.playing) self.tickHold(self.holdRun);
      self.prepareNext();
      return;
    }
    var at = frame === null ? piece.from : frame;
    var slot = self.slots.filter(function (s) { return s.holds(piece, at); })[0];
    if (!slot) {
      slot = self.slots.filter(function (s) { return s !== self.active; })[0];
      slot.prepare(piece, at);
    }
    self.waiting = true; // until the slot holds the frame: play() waits for it too
    var show = function () {
      if (self.index !== index) return;
      self.waiting = false;
      var previous = self.active;
      self.active = slot;
      self.view.dataset.entry = how || "seek";
      self.view.dataset.shown = slot.name; // the held cut-in picture shows now
      if (previous && previous !== slot && !previous.video.paused) previous.video.pause();
      self.showAt(piece.recIn + (at - piece.from), piece, at);
      self.log.push({ piece: index, due: self.due || null, at: performance.now(),
        asked: slot.asked, ready: slot.readyAt, by: slot.video.dataset.readyBy });
      self.due = null;
      if (self.playing) self.playShown(slot);
      self.prepareNext();
    };
    if (slot.ready) show();
    else slot.onReady = show;
  };

  /** Make the slot not shown hold the next movie piece's cut-in frame. */
  Cut.prototype.prepareNext = function () {
    var self = this;
    for (var j = self.index + 1; j < self.pieces.length; j++) {
      var next = self.pieces[j];
      if (next.kind !== "movie") continue;
      if (self.slots.some(function (s) { return s.holds(next, next.from); })) return;
      var free = self.slots.filter(function (s) { return s !== self.active; })[0];
      free.prepare(next, next.from);
      return;
    }
  };

  /** Play ``slot`` once the cut-in picture it was just made to show is painted: at the next
      animation frame (the paint that shows it follows), or half a frame's time on where the
      browser gives none (a hidden tab, a page it does not render). Played at once, a page held
      up as it cut (a starved machine) would first show the shot already moved past its cut in. */
  Cut.prototype.playShown = function (slot) {
    var self = this;
    var index = self.index;
    var moves = self.moves;
    var started = false;
    var timer = null;
    var play = function () {
      if (started) return;
      started = true;
      window.clearTimeout(timer);
      if (self.playing && self.index === index && self.active === slot && self.moves === moves) {
        self.playSlot(slot);
      }
    };
    timer = window.setTimeout(play, 500 / self.pieces[index].rate);
    window.requestAnimationFrame(play);
  };

  Cut.prototype.playSlot = function (slot) {
    var piece = this.pieces[this.index];
    slot.target = null; // played on: it no longer holds the frame it was made ready for
    if (this.frame !== null && this.frame >= piece.to - 1) { this.handOver(null); return; }
    var playing = slot.video.play();
    if (playing && playing.catch) playing.catch(function () {});
    this.clockStop(slot);
  };

  /** The shot's end by the clock alone (a page the browser does not render reports no
      picture: no video frame callback, no animation frame): when the video's own time says
      it is END_FRAMES from its last cut frame, the shot ends there; until then, looked at
      again when that is due. A picture reported presented sets a nearer time (watch). */
  Cut.prototype.clockStop = function (slot) {
    var self = this;
    var index = self.index;
    var piece = self.pieces[index];
    var video = slot.video;
    var duration = 1000 / (piece.rate * (video.playbackRate || 1));
    if (!self.playing || self.active !== slot || video.paused) return;
    var shown = slot.frameAt(video.currentTime);
    var left = piece.to - 1 - END_FRAMES - shown;
    if (left <= 0) {
      self.endShot(slot, Math.max(shown, piece.from), performance.now(), duration);
      return;
    }
    window.clearTimeout(self.stopTimer);
    self.stopTimer = window.setTimeout(function () {
      if (self.index === index) self.clockStop(slot);
    }, Math.max(duration / 2, left * duration));
  };

  /** Every picture ``slot`` presents while shown: named; its piece's last one ends the shot. */
  Cut.prototype.watch = function (slot) {
    var self = this;
    var video = slot.video;
    function presented(mediaTime, shownAt) {
      if (self.active !== slot || !slot.piece) return;
      var piece = self.pieces[self.index];
      if (piece !== slot.piece) return;
      var shown = slot.frameAt(mediaTime);
      var frame = Math.min(shown, piece.to - 1);
      if (frame < piece.from) return;
      self.showAt(piece.recIn + (frame - piece.from), piece, frame);
      if (!self.playing || video.paused) return;
      var last = piece.to - 1;
      var duration = 1000 / (piece.rate * (video.playbackRate || 1));
      if (shown >= last - END_FRAMES) {
        self.endShot(slot, shown, shownAt, duration);
        return;
      }
      // a browser may report a picture late or not at all: the clock ends the shot too, in the
      // middle of the frame where it would end it, whichever comes first
      var at = shownAt + (last - END_FRAMES - shown) * duration;
      window.clearTimeout(self.stopTimer);
      self.stopTimer = window.setTimeout(function () {
        self.endShot(slot, last - END_FRAMES, at, duration);
      }, Math.max(0, at + duration / 2 - performance.now()));
    }
    // a movie shorter than its frame facts say ends before its cut out: the cut goes on
    video.addEventListener("ended", function () {
      if (self.active === slot && self.playing) self.handOver(null);
    });
    if (video.requestVideoFrameCallback) {
      var onFrame = function (now, meta) {
        presented(meta.mediaTime, meta.expectedDisplayTime || now);
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    } else {
      var tick = function () {
        if (!video.paused) presented(video.currentTime, performance.now());
        window.requestAnimationFrame(tick);
      };
      window.requestAnimationFrame(tick);
    }
  };

  /** ``slot``'s shot is END_FRAMES from its last cut frame (``shown``, on screen from
      ``shownAt``, ms) or nearer: pause it there -- a busy page, or a browser that queues the
      pictures to come (Firefox), would otherwise show a handle frame after the last one --,
      show each frame left by a paused seek when it is due (never past the last), and hand
      over to the next piece a frame after the last. */
  Cut.prototype.endShot = function (slot, shown, shownAt, duration) {
    var self = this;
    var index = self.index;
    var piece = self.pieces[index];
    var video = slot.video;
    var last = piece.to - 1;
    var moves = self.moves;
    function current() { // still this shot, playing, not moved since
      return self.index === index && self.active === slot && slot.piece === piece &&
        self.playing && self.moves === moves;
    }
    window.clearTimeout(self.stopTimer);
    if (!current() || video.paused) return;
    video.pause();
    var held = Math.min(last, Math.max(shown, slot.frameAt(video.currentTime)));
    // each frame left is shown by a paused seek when it is due: late on a busy page, never
    // past the last one
    function next(frame, due) {
      if (frame > last) { self.handOver(due); return; }
      self.stopTimer = window.setTimeout(function () {
        if (!current()) return;
        video.addEventListener("seeked", function () {
          if (!current()) return;
          self.showAt(piece.recIn + (frame - piece.from), piece, frame);
          next(frame + 1, Math.max(due, performance.now()) + duration);
        }, { once: true });
        video.currentTime = (frame - piece.segment.frame_in + 0.5) / piece.rate;
      }, Math.max(0, due - performance.now()));
    }
    next(held + 1, shownAt + (held + 1 - shown) * duration);
  };

  /** The shot's last frame is on screen: the next piece at ``due`` (ms), when the last frame's
      time is up (null: now). */
  Cut.prototype.handOver = function (due) {
    var self = this;
    var index = self.index;
    window.clearTimeout(self.timer);
    window.clearTimeout(self.stopTimer);
    self.due = due;
    var wait = due === null ? 0 : Math.max(0, due - performance.now());
    self.timer = window.setTimeout(function () {
      if (self.playing && self.index === index) self.enter(index + 1, null, "cut");
    }, wait);
  };

  /** A card's clock: its record frames pass at the cut's rate. */
  Cut.prototype.tickHold = function (run) {
    var self = this;
    if (run !== self.holdRun || !self.playing) return;
    var piece = self.pieces[self.index];
    var passed = Math.floor((performance.now() - self.holdFrom[0]) * self.rate / 1000);
    var record = self.holdFrom[1] + passed;
    if (record >= piece.recOut) {
      self.due = self.holdFrom[0] + (piece.recOut - self.holdFrom[1]) * 1000 / self.rate;
      self.enter(self.index + 1, null, "cut");
      return;
    }
    if (record !== self.record) self.showAt(record, piece, null);
    // the next record frame's start, by a timer (an animation frame never comes to a page the
    // browser does not render: the card would be held for good)
    var next = self.holdFrom[0] + (passed + 1) * 1000 / self.rate;
    window.setTimeout(function () { self.tickHold(run); }, Math.max(1, next - performance.now()));
  };

  /** Play on from where the playhead is, once its picture and the next shot's cut-in frame
      are ready (at most PREROLL_MS): the first cuts do not wait for a movie to load.
      ``onPlaying``: called when it plays. */
  Cut.prototype.play = function (onPlaying) {
    var self = this;
    self.aim = null;
    if (self.useFilm()) {
      self.filmPlay();
      if (onPlaying) onPlaying();
      return;
    }
    if (self.index < 0 || self.index >= self.pieces.length) self.enter(0, null);
    var run = ++self.startRun;
    var started = performance.now();
    self.held = null;
    self.main.dataset.cut = "starting";
    self.playButton.textContent = "Pause";
    self.playButton.classList.add("playing");
    function begin() {
      if (run !== self.startRun) return;
      var ready = !self.waiting && self.nextReady();
      if (!ready && performance.now() - started < PREROLL_MS) {
        window.setTimeout(begin, 20);
        return;
      }
      self.playing = true;
      self.main.dataset.cut = "playing";
      self.view.dispatchEvent(new Event("cutplay", { bubbles: true })); // presenter.js sends it
      if (onPlaying) onPlaying();
      var piece = self.pieces[self.index];
      if (piece.kind === "movie") {
        if (self.active && self.active.piece === piece && !self.waiting) self.playSlot(self.active);
      } else {
        self.holdFrom = [performance.now(), self.record];
        self.tickHold(self.holdRun);
      }
    }
    begin();
  };

  /** Whether the next movie piece's cut-in frame is held by a slot (or there is none). */
  Cut.prototype.nextReady = function () {
    for (var j = this.index + 1; j < this.pieces.length; j++) {
      var next = this.pieces[j];
      if (next.kind !== "movie") continue;
      return this.slots.some(function (s) { return s.holds(next, next.from) && s.ready; });
    }
    return true;
  };

  Cut.prototype.pause = function () {
    this.playing = false;
    if (this.film) {
      this.film.pause();
      this.view.classList.remove("running");
      window.clearTimeout(this.filmTimer);
    }
    this.startRun++;
    window.clearTimeout(this.timer);
    window.clearTimeout(this.stopTimer);
    this.holdRun++;
    if (this.active) this.active.video.pause();
    this.main.dataset.cut = "paused";
    this.playButton.textContent = "Play";
    this.playButton.classList.remove("playing");
  };

  Cut.prototype.finish = function () {
    this.pause();
    this.due = null;
    this.index = -1;
    this.main.dataset.cut = "done";
  };

  Cut.prototype.toggle = function () {
    if (this.playing || this.main.dataset.cut === "starting") this.pause();
    else this.play();
  };

  /** One record frame forward (``delta`` 1) or back (-1), paused, across a cut too: from the
      frame last asked for while its seek is under way (steps pressed quickly all count). */
  Cut.prototype.step = function (delta) {
    var from = this.aim === null || this.aim === undefined ? this.record : this.aim;
    this.seekRecord(Math.max(this.start, Math.min(this.end - 1, from + delta)));
  };

  /** Show the cut at record frame ``record`` (paused). */
  Cut.prototype.seekRecord = function (record) {
    this.pause();
    this.moves++;
    this.aim = record;
    if (this.useFilm()) { this.filmSeek(record); return; }
    for (var i = 0; i < this.pieces.length; i++) {
      var piece = this.pieces[i];
      if (record >= piece.recIn && record < piece.recOut) {
        this.enter(i, piece.kind === "movie" ? piece.from + (record - piece.recIn) : record);
        return;
      }
    }
  };

  /** A note is being written: pause, and keep it on the shot and frame under the playhead. */
  Cut.prototype.holdNote = function () {
    if (this.playing) this.pause();
    var piece = this.pieces[this.index];
    if (!piece) return;
    this.held = { piece: piece, frame: this.frame };
    this.noteAt.textContent = this.noteLabel(piece, this.frame);
  };

  Cut.prototype.addNote = function () {
    var self = this;
    var form = self.noteForm;
    var text = form.querySelector("textarea");
    var error = form.querySelector(".note-error");
    var held = self.held || { piece: self.pieces[self.index], frame: self.frame };
    var content = text.value.trim();
    if (!content) { error.textContent = "Write a note first."; return; }
    if (!held.piece || held.piece.kind !== "movie" || held.frame === null) {
      error.textContent = "No shot is under the playhead: move it onto a shot first.";
      return;
    }
    error.textContent = "";
    R.postJson(self.main.dataset.notesUrl, {
      object_id: held.piece.segment.object_id, content: content, frame: held.frame
    }).then(function () {
      text.value = "";
      self.held = null;
      self.view.dataset.notesAdded = String((parseInt(self.view.dataset.notesAdded, 10) || 0) + 1);
      if (R.feedback) R.feedback.refresh();
    }).catch(function (failure) { error.textContent = "Not saved: " + failure.message; });
  };

  /** Whether the server's movie of the cut is there to play (and the page plays it). */
  Cut.prototype.filmReady = function () {
    var conform = this.plan.conform;
    return !R.cutHandoff && !!conform && conform.state === "ready" && !!conform.movie;
  };

  /** Play the cut in its one movie from now on, when it is built (not while the two videos
      play): true when it does. */
  Cut.prototype.useFilm = function () {
    var self = this;
    if (self.film) return true;
    if (!self.filmReady() || self.playing || self.main.dataset.cut === "starting") return false;
    self.slots.forEach(function (slot) { slot.run++; slot.onReady = null; slot.video.pause(); });
    var video = el("video", "cut-video");
    video.dataset.slot = "film";
    video.playsInline = true;
    video.preload = "auto";
    video.src = self.plan.conform.movie;
    self.view.querySelector(".cut-screen").insertBefore(video, self.card);
    self.film = video;
    self.view.dataset.mode = "film";
    self.filmSeen = 0; // when the video last reported a picture presented (ms)
    self.filmPending = null; // a seek under way: {record, done}, until its picture is presented
    self.filmAt = null; // the record frame of the picture last presented
    var onFrame = function (now, meta) {
      self.filmSeen = performance.now();
      self.filmAt = self.filmRecord(meta.mediaTime);
      var pending = self.filmPending;
      if (!pending) {
        self.filmShow(meta.mediaTime, "cut");
      } else if (!video.seeking && self.filmRecord(meta.mediaTime) === pending.record) {
        pending.done("presented"); // the sought picture is on screen: the playhead names it
      } // else a picture from before the seek, reported late: it does not move the playhead
      video.requestVideoFrameCallback(onFrame);
    };
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(onFrame);
    video.addEventListener("ended", function () {
      if (self.playing) self.finish();
    });
    if (self.index >= 0) self.filmSeek(self.record);
    return true;
  };

  /** The record frame the movie's time ``t`` (seconds) is in. */
  Cut.prototype.filmRecord = function (t) {
    return Math.min(this.end - 1, this.start + Math.floor(t * this.rate + 0.01));
  };

  /** The movie shows its time ``t``: say where the playhead is (a new piece: the page's
      ``data-piece``, ``data-shown`` and ``data-entry`` say so, as with the two videos). */
  Cut.prototype.filmShow = function (t, how) {
    var record = this.filmRecord(t);
    var index = -1;
    for (var i = 0; i < this.pieces.length; i++) {
      if (record >= this.pieces[i].recIn && record < this.pieces[i].recOut) { index = i; break; }
    }
    if (index < 0) return;
    var piece = this.pieces[index];
    if (index !== this.index || this.view.dataset.shown === undefined) {
      var played = how === "cut" && this.playing && index === this.index + 1;
      this.index = index;
      this.view.dataset.entry = played ? "cut" : "seek";
      this.card.classList.toggle("missing", piece.kind !== "gap");
      this.cardText.textContent = piece.kind === "movie" ? "" : piece.text;
      this.view.dataset.shown = piece.kind === "movie" ? "film" : "card";
      this.log.push({ piece: index, due: null, at: performance.now() });
    }
    if (record === this.record && this.view.dataset.piece === String(index)) return;
    this.showAt(record, piece, piece.kind === "movie" ? piece.from + (record - piece.recIn) : null);
  };

  /** Show record frame ``record`` (paused): the playhead moves once the movie presents its
      picture (reported by the video frame callback, or already on screen; where none is
      reported, FILM_PRESENT_MS after the seek ended), never before: the page names no frame whose picture is not there,
      and a picture from before the seek reported late does not move it back. */
  Cut.prototype.filmSeek = function (record) {
    var self = this;
    var video = self.film;
    var moves = ++self.moves;
    var target = Math.max(self.start, Math.min(self.end - 1, record));
    var at = (target - self.start + 0.5) / self.rate;
    var timer = null;
    var pending = self.filmPending = { record: target, done: function (how) {
      if (moves !== self.moves || self.filmPending !== pending) return;
      window.clearTimeout(timer);
      self.filmPending = null;
      self.view.dataset.filmShownBy = how;
      self.filmShow(at, "seek");
    } };
    var seek = function () {
      video.addEventListener("seeked", function () {
        if (moves !== self.moves) return;
        if (!video.requestVideoFrameCallback) { pending.done("seeked"); return; }
        // sought where the picture already is: no new picture to be presented (none reported)
        if (self.filmAt === target) { pending.done("same"); return; }
        timer = window.setTimeout(function () { pending.done("waited"); }, FILM_PRESENT_MS);
      }, { once: true });
      video.currentTime = at;
    };
    if (video.readyState >= 1) seek();
    else video.addEventListener("loadedmetadata", seek, { once: true });
  };

  /** Play the movie from the playhead (from the start once it ended). */
  Cut.prototype.filmPlay = function () {
    var self = this;
    var video = self.film;
    if (self.index < 0) {
      self.index = -1;
      self.filmSeek(self.start);
    }
    self.held = null;
    self.playing = true;
    self.filmPending = null; // playing: each picture presented moves the playhead
    self.main.dataset.cut = "playing";
    self.playButton.textContent = "Pause";
    self.playButton.classList.add("playing");
    self.view.classList.add("running");
    self.filmSeen = performance.now();
    self.view.dispatchEvent(new Event("cutplay", { bubbles: true })); // presenter.js sends it
    var playing = video.play();
    if (playing && playing.catch) playing.catch(function () {});
    // by the clock too: a page the browser does not render reports no picture presented
    var tick = function () {
      if (!self.playing) return;
      if (performance.now() - self.filmSeen > 250 && !video.seeking) {
        self.filmShow(video.currentTime, "cut");
      }
      self.filmTimer = window.setTimeout(tick, 1000 / (4 * self.rate));
    };
    window.clearTimeout(self.filmTimer);
    tick();
  };

  Cut.prototype.isOpen = function () { return !this.view.hidden; };

  /** Where the playhead is, for the presenter: the record frame, and the item and version
      frame there (on a gap or missing frames: the nearest shot's item, at its cut in). */
  Cut.prototype.position = function () {
    var index = this.index < 0 ? this.pieces.length - 1 : this.index;
    var piece = this.pieces[index];
    var near = piece;
    for (var d = 1; !near.segment && d < this.pieces.length; d++) {
      near = this.pieces[index + d] || this.pieces[index - d] || near;
    }
    var segment = near.segment || this.plan.segments[0];
    var frame = piece.kind === "movie" && this.frame !== null ? this.frame : segment.source_in;
    return { record: this.record, objectId: segment.object_id, frame: frame };
  };

  /** Play from record frame ``record``; ``startMs`` then says how long that took. */
  Cut.prototype.playFrom = function (record) {
    var self = this;
    var asked = performance.now();
    self.seekRecord(Math.max(self.start, Math.min(self.end - 1, Math.round(record))));
    self.play(function () { self.startMs = Math.min(PREROLL_MS, performance.now() - asked); });
  };

  /** Whether a play is starting (waiting for its picture and the next shot's cut-in frame). */
  Cut.prototype.starting = function () { return this.main.dataset.cut === "starting"; };

  var loading = null; // the page's cut plan being asked for (one request)

  function cutUrl(main) {
    return main.dataset.cutUrl || main.dataset.liveUrl.replace(/\/live\?/, "/cut?");
  }

  function loadPlan(main) {
    if (main.cutPlan) return Promise.resolve(main.cutPlan);
    if (!loading) {
      loading = R.fetchJson(cutUrl(main)).then(function (plan) {
        if (!plan.segments || !plan.segments.length) throw new Error("no cut");
        setup(main, plan);
        return plan;
      });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  /** The page's Cut, made when first played (its videos come after the page's own). */
  function cutOf(main, plan) {
    if (!R.cut) {
      R.cut = new Cut(main, document.querySelector(".cut-view"),
        document.querySelector(".play-cut"), plan);
    }
    return R.cut;
  }

  /** While the server builds the cut's movie, ask again now and then: once it is there, the
      page plays the cut in it (the next time it is played; ``data-cut-film`` says where it
      stands). */
  function followFilm(main, plan, left) {
    var conform = plan.conform || { state: "none" };
    main.dataset.cutFilm = conform.state;
    if (conform.state !== "building" || left <= 0) return;
    window.setTimeout(function () {
      R.fetchJson(cutUrl(main)).then(function (fresh) {
        if (fresh.conform) plan.conform = fresh.conform;
        followFilm(main, plan, left - 1);
      }).catch(function () { followFilm(main, plan, left - 1); });
    }, FILM_POLL_MS);
  }

  function setup(main, plan) {
    if (main.cutPlan) return;
    main.cutPlan = plan;
    followFilm(main, plan, FILM_POLLS);
    var button = document.querySelector(".play-cut");
    button.hidden = false;
    main.dataset.cutReady = "true";
    button.addEventListener("click", function () {
      var cut = cutOf(main, plan);
      if (!cut.isOpen()) { cut.open(); cut.play(); } else { cut.close(); }
    });
  }

  /** Start "Play cut" on a page whose session has a cut the reader may see. */
  function startCut(main) {
    if (!main.dataset.cutUrl || !document.querySelector(".cut-view")) return;
    loadPlan(main).catch(function () { main.dataset.cutReady = "none"; });
  }

  /** The cut, open on the page (presenter.js: a presenter shows it to the room; a room guest's
      page may read it while it is presented). */
  function openCut(main) {
    return loadPlan(main).then(function (plan) {
      var cut = cutOf(main, plan);
      if (!cut.isOpen()) cut.open();
      return cut;
    });
  }

  R.openCut = openCut;
  R.cutPieces = piecesOf;
  R.startCut = startCut;
})(window.ftReview = window.ftReview || {});
