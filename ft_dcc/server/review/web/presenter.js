/* ft_dcc review page: presenter mode. One page leads ("Present"); every other page of the
   session follows it to the same frame: version, compare, play / pause, seek, step, in / out,
   speed. The state is frame numbers, never times: the leading page POSTs it to
   /review/<id>/presenter, every page receives it on its live stream (event: presenter).
   A following page seeks to the frame when paused. While playing it checks every picture it
   presents against the presenter's frame *now*: the frame sent, moved on by the time since
   the state's ``clock`` (the server's time when the presenter showed it; each page estimates
   the server's clock from the ``now`` of the answers it gets, keeping the estimate of the
   quickest round trip), and re-seeks when more than DRIFT_FRAMES off, aiming ahead by what
   its last seek took. */
"use strict";

(function (R) {
  var HEARTBEAT_MS = 1000; // while the presenter plays, its frame is sent this often
  var BEAT_MS = 10000; // the leading page tells the server it is open this often
  var DRIFT_FRAMES = 3; // a following page playing further off than this re-seeks
  var SEND_DELAY_MS = 40; // changes within this are sent as one state
  var CLOCK_SAMPLES = 3; // answers asked for at the start to estimate the server's clock
  var PLAYER_KEYS = [" ", "k", "K", "l", "L", "j", "J", "i", "I", "o", "O",
    "ArrowLeft", "ArrowRight", "Home", "End"];
  var OWN_CONTROLS = "button.play, button.step-back, button.step-forward, .scrub, .loop, " +
    ".mark-in, .mark-out, .clear-marks, .speed, video, .version-tab, .compare-with, " +
    ".compare-mode .mode, .wipe-handle";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function randomHex() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function request(url, body) {
    var options = body === undefined ? { credentials: "omit", cache: "no-store" } : {
      method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    };
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var failure = new Error(data.error || ("HTTP " + response.status));
          failure.status = response.status;
          throw failure;
        }
        return data;
      });
    });
  }

  function localMs() { return performance.timeOrigin + performance.now(); }

  /** The server's clock as this page estimates it: from each answer's ``now`` and the round
      trip it took, keeping the quickest (the one its error, half the round trip, is least). */
  function Clock() {
    this.offset = 0; // server ms - local ms
    this.rtt = Infinity;
  }

  Clock.prototype.ask = function (url, body) {
    var self = this;
    var sent = localMs();
    return request(url, body).then(function (answer) {
      var back = localMs();
      if (typeof answer.now === "number" && back - sent <= self.rtt) {
        self.rtt = back - sent;
        self.offset = answer.now * 1000 - (sent + back) / 2;
      }
      return answer;
    });
  };

  /** The server's time now, in seconds. */
  Clock.prototype.now = function () { return (localMs() + this.offset) / 1000; };

  Clock.prototype.known = function () { return this.rtt < Infinity; };

  function Presenter(main) {
    var self = this;
    self.main = main;
    self.url = main.dataset.liveUrl.replace(/\/live\?/, "/presenter?");
    self.id = { page: randomHex(), secret: randomHex() };
    self.mode = "none"; // none | lead | follow | own
    self.seq = -1;
    self.shared = { seq: 0, lead: null, state: null };
    self.you = { key: "", name: "", may_present: false, manager: false, candidates: [] };
    self.timer = null;
    self.sending = false;
    self.again = false;
    self.lastSent = "";
    self.clock = new Clock();
    self.seekMs = 0; // how long this page's last drift re-seek took
    self.buildBar();
    self.bindLead();
    self.bindFollow();
    if (R.liveSource) {
      R.liveSource.addEventListener("presenter", function (event) {
        try { self.apply(JSON.parse(event.data)); } catch (ignored) { /* not a state */ }
      });
    }
    self.refresh().then(function () { self.sampleClock(CLOCK_SAMPLES - 1); });
    window.setInterval(function () { self.heartbeat(); }, HEARTBEAT_MS);
  }

  // -- the bar ------------------------------------------------------------------------------
  Presenter.prototype.buildBar = function () {
    var self = this;
    var top = document.querySelector(".topbar");
    var css = el("link");
    css.rel = "stylesheet";
    css.href = "/review/static/presenter.css";
    document.head.appendChild(css);
    self.bar = el("div", "presenter-bar");
    self.status = el("span", "presenter-status");
    self.presentButton = el("button", "present", "Present");
    self.presentButton.title = "Lead: every other page of this session follows what you show";
    self.handSelect = el("select", "hand-over");
    self.handSelect.title = "Hand the lead to someone else";
    self.stopButton = el("button", "stop-presenting", "Stop presenting");
    self.ownButton = el("button", "watch-own", "Watch on my own");
    self.followButton = el("button", "follow", "Follow");
    [self.presentButton, self.stopButton, self.ownButton, self.followButton].forEach(
      function (button) { button.type = "button"; });
    [self.status, self.presentButton, self.handSelect, self.stopButton, self.ownButton,
      self.followButton].forEach(function (node) { self.bar.appendChild(node); });
    if (top) top.parentNode.insertBefore(self.bar, top.nextSibling); // a row of its own
    self.presentButton.addEventListener("click", function () { self.take("take"); });
    self.stopButton.addEventListener("click", function () { self.post({ op: "stop" }); });
    self.ownButton.addEventListener("click", function () { self.setMode("own"); });
    self.followButton.addEventListener("click", function () {
      self.setMode("follow");
      if (self.shared.state) self.follow(self.shared.state, true);
    });
    self.handSelect.addEventListener("change", function () {
      var key = self.handSelect.value;
      self.handSelect.value = "";
      if (key) self.post({ op: "hand", to: key });
    });
    self.render();
  };

  Presenter.prototype.render = function () {
    var lead = this.shared.lead;
    var mode = this.mode;
    var mine = !!lead && lead.key === this.you.key;
    var canPresent = this.you.manager || mine;
    var text = "";
    if (mode === "lead") text = "You are presenting";
    else if (lead && !lead.page) text = "Lead handed to " + lead.name;
    else if (mode === "follow") text = "Following " + lead.name;
    else if (mode === "own" && lead) text = lead.name + " is presenting";
    this.status.textContent = text;
    this.bar.hidden = !text && !canPresent;
    this.presentButton.hidden = mode === "lead" || !canPresent;
    this.presentButton.textContent = lead ? "Take the lead" : "Present";
    this.stopButton.hidden = mode !== "lead";
    this.ownButton.hidden = mode !== "follow";
    this.followButton.hidden = mode !== "own";
    this.fillCandidates(mode === "lead" || (this.you.manager && !!lead));
    this.main.dataset.presenter = mode;
    this.main.dataset.presenterSeq = String(this.shared.seq);
    document.body.classList.toggle("presenting", mode === "lead");
    document.body.classList.toggle("following", mode === "follow");
  };

  Presenter.prototype.fillCandidates = function (show) {
    var select = this.handSelect;
    var you = this.you.key;
    var others = (this.you.candidates || []).filter(function (c) { return c.key !== you; });
    select.hidden = !show || !others.length;
    if (select.hidden || select.options.length === others.length + 1) return;
    select.textContent = "";
    select.appendChild(el("option", "", "Hand over to\u2026")).value = "";
    others.forEach(function (person) {
      select.appendChild(el("option", "", person.name)).value = person.key;
    });
  };

  // -- the shared state ---------------------------------------------------------------------
  Presenter.prototype.refresh = function () {
    var self = this;
    return self.clock.ask(self.url).then(function (answer) {
      self.you = answer.you;
      self.apply(answer.presenter, true);
    }).catch(function () {});
  };

  /** ``count`` more answers, one after the other, for a better estimate of the server's clock. */
  Presenter.prototype.sampleClock = function (count) {
    var self = this;
    if (count <= 0) return;
    self.clock.ask(self.url).then(function () { self.sampleClock(count - 1); })
      .catch(function () {});
  };

  Presenter.prototype.setMode = function (mode) {
    this.mode = mode;
    this.render();
  };

  /** A state from the server (an answer, or the live stream): newer ones only. */
  Presenter.prototype.apply = function (shared, again) {
    if (!shared || typeof shared.seq !== "number") return;
    if (shared.seq < this.seq || (shared.seq === this.seq && !again)) return;
    var before = this.shared.lead;
    this.seq = shared.seq;
    this.shared = shared;
    var lead = shared.lead;
    var wasMine = !!before && before.key === this.you.key;
    var mine = !!lead && lead.key === this.you.key;
    if (!lead) {
      this.mode = "none";
    } else if (lead.page === this.id.page) {
      if (this.mode !== "lead") this.lastSent = "";
      this.mode = "lead";
      this.schedule();
    } else if (this.mode === "lead" || this.mode === "none") {
      this.mode = "follow";
    }
    if (mine !== wasMine && !again) this.refresh(); // the right to present came or went
    if (mine && !lead.page) this.take("claim");
    if (this.mode === "follow" && shared.state) this.follow(shared.state, false);
    this.render();
  };

  Presenter.prototype.take = function (op) {
    var self = this;
    self.post({ op: op, page: self.id.page, secret: self.id.secret });
  };

  Presenter.prototype.post = function (body) {
    var self = this;
    if (body.op !== "take" && body.op !== "claim") {
      body.page = self.id.page;
      body.secret = self.id.secret;
    }
    return self.clock.ask(self.url, body).then(function (answer) {
      self.apply(answer.presenter, true);
      return answer;
    }).catch(function (failure) {
      self.main.dataset.presenterError = failure.message;
      if (failure.status === 403 || failure.status === 409) self.refresh();
    });
  };

  // -- leading: send what this page shows ---------------------------------------------------
  /** The state this page shows, or null (nothing to show). */
  Presenter.prototype.snapshot = function () {
    var item = this.main.querySelector(".item.active:not([hidden])");
    if (!item || !item.player) return null;
    var player = item.player;
    var section = item.closest(".asset-group");
    var group = section && section.group;
    var compare = group && group.compare;
    var playing = !player.video.paused && !player.reverse;
    var state = {
      object_id: item.dataset.objectId,
      compare: compare ? compare.objectId : null,
      mode: group && group.mode === "wipe" ? "wipe" : "side",
      wipe: compare && typeof compare.wipe === "number" ? Math.round(compare.wipe) : 50,
      playing: playing,
      frame: player.frame,
      speed: playing ? player.video.playbackRate : parseFloat(player.speedSelect.value) || 1,
      loop: player.loop,
      mark_in: player.markIn,
      mark_out: player.markOut
    };
    if (playing && this.clock.known()) state.clock = this.frameClock(player, state.speed);
    return state;
  };

  /** The server's time at which the playing ``player`` was in the middle of its counter's
      frame (the media time says how far into the frame it is now). */
  Presenter.prototype.frameClock = function (player, speed) {
    var clip = player.clip;
    var into = player.video.currentTime * clip.rate - (player.frame - clip.frameIn) - 0.5;
    if (!(Math.abs(into) < 2)) into = 0; // the counter is stale (a seek): trust it as it is
    return Math.round((this.clock.now() - into / (clip.rate * speed)) * 1000) / 1000;
  };

  Presenter.prototype.schedule = function () {
    var self = this;
    if (self.mode !== "lead" || self.timer) return;
    self.timer = window.setTimeout(function () { self.timer = null; self.flush(false); },
      SEND_DELAY_MS);
  };

  /** Send the state when it changed (while playing: when more than the frame changed, or
      ``force`` for the heartbeat); one request at a time, the latest state wins. */
  Presenter.prototype.flush = function (force) {
    var self = this;
    if (self.mode !== "lead") return;
    if (self.sending) { self.again = true; return; }
    var state = self.snapshot();
    if (!state) return;
    var key = JSON.stringify(state.playing ? Object.assign({}, state, { frame: 0, clock: 0 }) : state);
    if (key === self.lastSent && !force) return;
    self.lastSent = key;
    self.sending = true;
    self.post({ op: "state", state: state }).then(function () {
      self.sending = false;
      self.lastBeat = localMs(); // a state is a beat too
      self.main.dataset.presenterSent = String((parseInt(self.main.dataset.presenterSent, 10) || 0) + 1);
      if (self.again) { self.again = false; self.flush(false); }
    });
  };

  Presenter.prototype.heartbeat = function () {
    if (this.mode !== "lead") return;
    var state = this.snapshot();
    if (state && state.playing) this.flush(true);
    else this.beat();
  };

  /** Tell the server this leading page is still open (every BEAT_MS): a lead whose page is
      not heard for the server's grace period ends (the page was closed). */
  Presenter.prototype.beat = function () {
    var now = localMs();
    if (now - (this.lastBeat || 0) < BEAT_MS || this.sending) return;
    this.lastBeat = now;
    this.post({ op: "beat" });
  };

  Presenter.prototype.bindLead = function () {
    var self = this;
    function changed() { self.schedule(); }
    ["play", "pause", "ratechange", "seeked"].forEach(function (name) {
      self.main.addEventListener(name, changed, true); // media events do not bubble
    });
    ["click", "change", "input", "pointerup", "keyup"].forEach(function (name) {
      document.addEventListener(name, changed, true);
    });
    document.addEventListener("pointermove", function (event) {
      if (event.buttons) changed(); // dragging the wipe
    }, true);
  };

  // -- following ----------------------------------------------------------------------------
  /** Show ``state``: the version and compare, in / out, loop, speed, and the same frame. */
  Presenter.prototype.follow = function (state, resume) {
    var item = document.getElementById("item-" + state.object_id);
    var section = item && item.closest(".asset-group");
    var group = section && section.group;
    if (!group) return; // a version this page does not have yet
    if (group.current() !== item) group.select(state.object_id);
    if (R.activate) R.activate(item);
    // a clip (or version) newly presented, or following again: bring it into view
    if (this.followedId !== state.object_id || resume) {
      this.followedId = state.object_id;
      item.scrollIntoView({ block: "center" });
    }
    var player = item.player;
    if (!player) return;
    if (group.mode !== state.mode) group.setMode(state.mode);
    var comparing = group.compare ? group.compare.objectId : null;
    if (comparing !== state.compare) group.compareWith(state.compare || "");
    if (group.compare && Math.round(group.compare.wipe) !== Math.round(state.wipe)) {
      group.compare.setWipe(state.wipe / 100);
    }
    if (player.markIn !== state.mark_in || player.markOut !== state.mark_out) {
      player.markIn = state.mark_in;
      player.markOut = state.mark_out;
      player.showMarks();
    }
    if (player.loop !== state.loop) player.toggleLoop();
    var speed = String(state.speed);
    if (Array.prototype.some.call(player.speedSelect.options, function (o) { return o.value === speed; })) {
      player.speedSelect.value = speed;
    }
    this.followFrame(player, state, resume);
    this.main.dataset.presenterApplied = String(this.shared.seq);
  };

  Presenter.prototype.followFrame = function (player, state, resume) {
    this.following = player;
    this.watchDrift(player);
    if (!state.playing) {
      if (player.playing() || player.frame !== state.frame || resume) player.seekFrame(state.frame);
      return;
    }
    if (!player.playing()) {
      player.seekFrame(state.frame);
      player.play(state.speed);
      return;
    }
    if (player.video.playbackRate !== state.speed) player.video.playbackRate = state.speed;
    this.holdToLead(player);
  };

  /** Where the presenter's playing picture is now, in frames (fractional), or null. */
  Presenter.prototype.leadPosition = function (player) {
    var state = this.shared.state;
    if (!state || !state.playing) return null;
    var position = state.frame + 0.5;
    if (typeof state.clock === "number" && this.clock.known()) {
      var elapsed = Math.max(0, this.clock.now() - state.clock);
      position += elapsed * player.clip.rate * state.speed;
    }
    var range = player.range();
    if (!state.loop) return Math.min(position, range.end + 0.5);
    var length = range.end - range.start + 1;
    return range.start + (((position - range.start) % length) + length) % length;
  };

  /** Check every picture the following ``player`` presents (once per player). */
  Presenter.prototype.watchDrift = function (player) {
    var self = this;
    if (player.followedBy === self) return;
    player.followedBy = self;
    player.onFrame(function () {
      if (self.mode === "follow" && self.following === player) self.holdToLead(player);
    });
  };

  /** Re-seek the playing ``player`` when it is more than DRIFT_FRAMES off the presenter. */
  Presenter.prototype.holdToLead = function (player) {
    var video = player.video;
    if (video.paused || video.seeking || player.reverse) return;
    var lead = this.leadPosition(player);
    if (lead === null) return;
    var clip = player.clip;
    var own = clip.frameIn + video.currentTime * clip.rate;
    var off = own - lead;
    var range = player.range();
    var length = range.end - range.start + 1;
    if (this.shared.state.loop) off = ((off % length) + length * 1.5) % length - length / 2;
    if (Math.abs(off) <= DRIFT_FRAMES) return;
    var speed = this.shared.state.speed;
    var target = lead + (this.seekMs / 1000) * clip.rate * speed; // where the lead will be
    if (this.shared.state.loop && target >= range.end + 1) target -= length;
    target = Math.max(range.start, Math.min(range.end, Math.floor(target)));
    var self = this;
    var started = localMs();
    video.addEventListener("seeked", function () {
      self.seekMs = Math.min(1000, localMs() - started);
    }, { once: true });
    player.clip.seek(target);
    this.main.dataset.presenterReseeks = String((parseInt(this.main.dataset.presenterReseeks, 10) || 0) + 1);
  };

  /** A follower who plays, seeks or switches by themselves watches on their own. */
  Presenter.prototype.bindFollow = function () {
    var self = this;
    document.addEventListener("keydown", function (event) {
      if (self.mode !== "follow" || !event.isTrusted || PLAYER_KEYS.indexOf(event.key) < 0) return;
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "textarea" || tag === "input" || tag === "select") return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      self.setMode("own");
    }, true);
    self.main.addEventListener("pointerdown", function (event) {
      if (self.mode !== "follow" || !event.isTrusted) return;
      if (event.target.closest && event.target.closest(OWN_CONTROLS)) self.setMode("own");
    }, true);
  };

  R.Presenter = Presenter;
})(window.ftReview = window.ftReview || {});
