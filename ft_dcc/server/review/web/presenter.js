/* ft_dcc review page: presenter mode. One page leads ("Present"); every other page of the
   session follows it to the same frame: version, compare, play / pause, seek, step, in / out,
   speed; on a still, the same zoom and the same picture point in the middle. The state is frame numbers, never times: the leading page POSTs it to
   /review/<id>/presenter, every page receives it on its live stream (event: presenter).
   A following page seeks to the frame when paused. While playing it checks every picture it
   presents against the presenter's frame *now*: the frame sent, moved on by the time since
   the state's ``clock`` (the server's time when the presenter showed it; each page estimates
   the server's clock from the ``received`` and ``now`` of the answers it gets, as NTP does,
   keeping the estimate of the least network delay, and asks again now and then). A small
   drift is made up by playing a little faster or slower (at most MAX_NUDGE, over about
   NUDGE_SECONDS), so it stays within DRIFT_FRAMES; a page further off than RESEEK_FRAMES (a
   stall, a late join) seeks, aiming ahead by what its last seek took. */
"use strict";

(function (R) {
  var HEARTBEAT_MS = 1000; // while the presenter plays, its frame is sent this often
  var BEAT_MS = 10000; // the leading page tells the server it is open this often
  var DRIFT_FRAMES = 2; // a following page playing is held within this of the presenter
  var RESEEK_FRAMES = 8; // further off than this it seeks; nearer, it plays faster or slower
  var CUT_RESEEK_FRAMES = 24; // playing the cut: further off than this it seeks (each page
  // plays the cut at its rate and makes its cuts itself: it keeps in step but for its stalls)
  var MAX_NUDGE = 0.25; // at most this much faster or slower than the presenter's speed
  var NUDGE_SECONDS = 1; // a drift is made up over about this long
  var CLOCK_EVERY_MS = 15000; // a following page asks the server's clock again this often
  var CLOCK_DRIFT = 2e-4; // how fast an estimate of the server's clock ages (ms a ms)
  var SEND_DELAY_MS = 40; // changes within this are sent as one state
  // answers asked for at the start, one after the other, to estimate the server's clock: the
  // least delay of more answers has less of the network's jitter in it (3 left a follower 250 ms
  // away 25 ms off: over half a frame)
  var CLOCK_SAMPLES = 8;
  var REFRESH_RETRY_MS = 1000; // a page that has not learnt who it is asks again after this
  var PLAYER_KEYS = [" ", "k", "K", "l", "L", "j", "J", "i", "I", "o", "O",
    "ArrowLeft", "ArrowRight", "Home", "End"];
  var OWN_CONTROLS = "button.play, button.step-back, button.step-forward, .scrub, .loop, " +
    ".mark-in, .mark-out, .clear-marks, .speed, video, .version-tab, .compare-with, " +
    ".compare-mode .mode, .wipe-handle, .still-tools button, .still-view";

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
    var options = body === undefined ? { credentials: "same-origin", cache: "no-store" } : {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
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

  /** The server's clock as this page estimates it, as NTP does: from each answer's
      ``received`` (when the server had the request) and ``now`` (when it answered) and when
      this page sent it and had the answer; the error is at most half the network's part of
      the round trip (the delay), so the estimate of the least delay is kept (the delay of an
      older one grows, as clocks drift apart). */
  function Clock() {
    this.offset = 0; // server ms - local ms
    this.rtt = Infinity; // the kept estimate's delay, ms
    this.at = 0; // when it was made (local ms)
    this.asked = 0; // when the server was last asked (local ms)
  }

  Clock.prototype.ask = function (url, body) {
    var self = this;
    var sent = localMs();
    self.asked = sent;
    return request(url, body).then(function (answer) {
      self.learn(sent, localMs(), answer);
      return answer;
    });
  };

  Clock.prototype.learn = function (sent, back, answer) {
    if (typeof answer.now !== "number") return;
    var now = answer.now * 1000;
    var received = typeof answer.received === "number" ? answer.received * 1000 : now;
    var held = Math.max(0, Math.min(now - received, back - sent)); // the server's own time
    var delay = back - sent - held;
    if (delay > this.rtt + (sent - this.at) * CLOCK_DRIFT) return;
    this.rtt = delay;
    this.at = back;
    this.offset = (received + now - sent - back) / 2;
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
    self.first();
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
      self.presentAsked();
    }).catch(function () {
      // a page that does not know yet who it is asks again (a busy server may miss one answer;
      // until then its bar would offer nothing, Present included)
      if (!self.you.key) setTimeout(function () { self.refresh(); }, REFRESH_RETRY_MS);
    });
  };

  /** Follow at once with the state this page came with (``data-presenter-first``: the
      presenter's state, and the server's ``received`` and ``now``, read as an answer to this
      page's own request, sent and answered when its navigation timing says): a page far away
      would wait for its live stream and first answer, a round trip or two on new connections. */
  Presenter.prototype.first = function () {
    var first = null;
    try { first = JSON.parse(this.main.dataset.presenterFirst || "null"); } catch (ignored) { /* none */ }
    if (!first) return;
    var timing = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (timing && timing.requestStart > 0 && timing.responseStart >= timing.requestStart) {
      this.clock.learn(performance.timeOrigin + timing.requestStart,
        performance.timeOrigin + timing.responseStart, first);
    }
    this.apply(first.presenter, true);
  };

  /** ``count`` more answers, one after the other, for a better estimate of the server's clock. */
  Presenter.prototype.sampleClock = function (count) {
    var self = this;
    if (count <= 0) return;
    self.clock.ask(self.url).then(function () { self.sampleClock(count - 1); })
      .catch(function () {});
  };

  Presenter.prototype.setMode = function (mode) {
    if (mode !== "follow") this.unnudge();
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
    if (this.mode === "follow" && (!lead || lead.page === this.id.page)) this.unnudge();
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

  /** Opened by the desk's "Present" (``#present``): take the lead once, when this person may
      present (``you.manager``); the address loses its ``#present`` either way. */
  Presenter.prototype.presentAsked = function () {
    if (window.location.hash !== "#present") return;
    history.replaceState(null, "", window.location.pathname + window.location.search);
    if (this.you.manager && this.mode !== "lead") this.take("take");
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
    if (R.cut && R.cut.isOpen()) return this.cutSnapshot(R.cut);
    var item = this.main.querySelector(".item.active:not([hidden])");
    if (!item || (!item.player && !item.still)) return null;
    var player = item.player;
    var section = item.closest(".asset-group");
    var group = section && section.group;
    var compare = group && group.compare;
    if (!player) return this.stillSnapshot(item, group, compare);
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
    if (playing) this.playingAt(player, state);
    return state;
  };

  /** A still's state: its version and compare, and its view (``view``: the zoom, null when
      fitted, and the picture point in the middle): the room sees the same part of the picture
      at the same zoom. A still never plays. */
  Presenter.prototype.stillSnapshot = function (item, group, compare) {
    var view = item.still.state();
    return {
      object_id: item.dataset.objectId,
      compare: compare ? compare.objectId : null,
      mode: group && group.mode === "wipe" ? "wipe" : "side",
      wipe: compare && typeof compare.wipe === "number" ? Math.round(compare.wipe) : 50,
      playing: false,
      frame: parseInt(item.dataset.frameIn, 10) || 0,
      speed: 1,
      loop: false,
      mark_in: null,
      mark_out: null,
      view: { zoom: view.zoom, cx: Math.round(view.cx * 100) / 100, cy: Math.round(view.cy * 100) / 100 }
    };
  };

  /** The state of a page playing the session's cut (cut.js): the record frame under the
      playhead (``cut``), the item and version frame there; ``clock`` the server's time now
      (the record frame is the one shown now). */
  Presenter.prototype.cutSnapshot = function (cut) {
    var at = cut.position();
    var state = {
      object_id: at.objectId, compare: null, mode: "side", wipe: 50, playing: cut.playing,
      frame: at.frame, speed: 1, loop: false, mark_in: null, mark_out: null, cut: at.record
    };
    if (cut.playing && this.clock.known()) state.clock = Math.round(this.clock.now() * 1000) / 1000;
    return state;
  };

  /** While ``player`` plays: ``state``'s frame is the one its media clock is in, and its
      ``clock`` the server's time at which it was in the middle of that frame (the counter is
      set as pictures are presented, and lags on a busy page). */
  Presenter.prototype.playingAt = function (player, state) {
    var clip = player.clip;
    var time = player.video.currentTime;
    state.frame = clip.frameAt(time);
    if (!this.clock.known()) return;
    var into = time * clip.rate - (state.frame - clip.frameIn) - 0.5;
    state.clock = Math.round((this.clock.now() - into / (clip.rate * state.speed)) * 1000) / 1000;
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
    var key = JSON.stringify(state.playing ? Object.assign({}, state, { frame: 0, clock: 0,
      cut: state.cut === undefined ? undefined : 0, object_id: state.cut === undefined ?
        state.object_id : "" }) : state);
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
    if (this.mode === "follow" && localMs() - this.clock.asked > CLOCK_EVERY_MS) this.sampleClock(1);
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
    ["play", "pause", "ratechange", "seeked", "still-view"].forEach(function (name) {
      self.main.addEventListener(name, changed, true); // media events do not bubble
    });
    ["click", "change", "input", "pointerup", "keyup", "cutplay", "cutmove"].forEach(function (name) {
      document.addEventListener(name, changed, true);
    });
    document.addEventListener("pointermove", function (event) {
      if (event.buttons) changed(); // dragging the wipe
    }, true);
  };

  // -- following ----------------------------------------------------------------------------
  /** Show ``state``: the version and compare, in / out, loop, speed, and the same frame. */
  Presenter.prototype.follow = function (state, resume) {
    if (typeof state.cut === "number") { this.followCut(state, resume); return; }
    if (R.cut && R.cut.isOpen()) R.cut.close(); // the presenter left the cut
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
    if (!player && !item.still) return;
    if (group.mode !== state.mode) group.setMode(state.mode);
    var comparing = group.compare ? group.compare.objectId : null;
    if (comparing !== state.compare) group.compareWith(state.compare || "");
    if (group.compare && Math.round(group.compare.wipe) !== Math.round(state.wipe)) {
      group.compare.setWipe(state.wipe / 100);
    }
    if (!player) { // a still: the presenter's view of it
      item.still.show(state.view || null);
      this.main.dataset.presenterApplied = String(this.shared.seq);
      return;
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

  /** Show the cut where the presenter is: paused on its record frame, or playing from where
      it is now (its record frame moved on by the time since its ``clock``, and by what the
      page's last start took); a page playing within CUT_RESEEK_FRAMES of it plays on (each
      page makes its cuts frame-exact itself), a page starting to play is let start. */
  Presenter.prototype.followCut = function (state, resume) {
    var self = this;
    if (!R.openCut) return;
    R.openCut(self.main).then(function (cut) {
      if (self.mode !== "follow" || self.shared.state !== state) return;
      self.main.dataset.presenterApplied = String(self.shared.seq);
      if (!state.playing) {
        // where it is going: a seek under way lands on its own frame (cut.aim), not the one shown
        var at = cut.aim === null || cut.aim === undefined ? cut.record : cut.aim;
        if (cut.playing || cut.main.dataset.cut === "starting" || at !== state.cut || resume) {
          cut.seekRecord(state.cut);
        }
        return;
      }
      var lead = state.cut;
      if (typeof state.clock === "number" && self.clock.known()) {
        lead += Math.max(0, self.clock.now() - state.clock) * cut.rate;
      }
      // a start under way (its seek, the next cut-in frame loading) is aimed ahead already:
      // restarted by each state, a start slower than the presenter's heartbeat never played
      if (cut.starting()) return;
      if (!cut.playing || Math.abs(cut.record - lead) > CUT_RESEEK_FRAMES) {
        cut.playFrom(lead + cut.startMs * cut.rate / 1000); // ahead by what its last start took
      }
    }).catch(function () { self.main.dataset.presenterCut = "unavailable"; });
  };

  Presenter.prototype.followFrame = function (player, state, resume) {
    this.following = player;
    this.watchDrift(player);
    if (!state.playing) {
      this.unnudge();
      if (player.playing() || player.frame !== state.frame || resume) player.seekFrame(state.frame);
      return;
    }
    if (!player.playing()) { // start where the presenter is now, not where the state was sent
      var lead = this.leadPosition(player);
      this.timeSeek(player.video);
      player.seekFrame(lead === null ? state.frame : this.ahead(player, lead));
      player.play(state.speed);
      return;
    }
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

  /** Hold the playing ``player`` to the presenter: within RESEEK_FRAMES, play a little faster
      or slower until it is there; further off, seek to where the presenter will be. */
  Presenter.prototype.holdToLead = function (player) {
    var video = player.video;
    if (video.paused || video.seeking || player.reverse) return;
    var lead = this.leadPosition(player);
    if (lead === null) return;
    var clip = player.clip;
    var state = this.shared.state;
    var off = clip.frameIn + video.currentTime * clip.rate - lead;
    var range = player.range();
    var length = range.end - range.start + 1;
    if (state.loop) off = ((off % length) + length * 1.5) % length - length / 2;
    if (Math.abs(off) <= RESEEK_FRAMES) {
      this.nudge(player, off);
      return;
    }
    this.timeSeek(video);
    video.playbackRate = state.speed;
    player.clip.seek(this.ahead(player, lead));
    this.main.dataset.presenterReseeks = String((parseInt(this.main.dataset.presenterReseeks, 10) || 0) + 1);
  };

  /** Note how long the seek about to be made on ``video`` takes (the next aims that far ahead). */
  Presenter.prototype.timeSeek = function (video) {
    var self = this;
    var started = localMs();
    video.addEventListener("seeked", function () {
      self.seekMs = Math.min(1000, localMs() - started);
    }, { once: true });
  };

  /** The frame to seek to for the presenter's ``lead`` position: where it will be once the
      seek is done (as long as this page's last seek took), within the range. */
  Presenter.prototype.ahead = function (player, lead) {
    var state = this.shared.state;
    var range = player.range();
    var target = lead + (this.seekMs / 1000) * player.clip.rate * state.speed;
    if (state.loop && target >= range.end + 1) target -= range.end - range.start + 1;
    return Math.max(range.start, Math.min(range.end, Math.floor(target)));
  };

  /** Play ``off`` frames (ahead of the presenter: positive) back into step: the presenter's
      speed, a little slower or faster (half a frame off or less: exactly it). */
  Presenter.prototype.nudge = function (player, off) {
    var speed = this.shared.state.speed;
    var seconds = off / (player.clip.rate * speed); // at the presenter's speed
    var nudge = Math.abs(off) <= 0.5 ? 0 : seconds / NUDGE_SECONDS;
    nudge = Math.max(-MAX_NUDGE, Math.min(MAX_NUDGE, nudge));
    var rate = speed * (1 - Math.round(nudge * 64) / 64);
    if (Math.abs(player.video.playbackRate - rate) > 1e-6) player.video.playbackRate = rate;
  };

  /** Back to the speed its menu names (the presenter's: this page paused, or no longer
      follows). */
  Presenter.prototype.unnudge = function () {
    var player = this.following;
    var speed = player && (parseFloat(player.speedSelect.value) || 1);
    if (player && player.video.playbackRate !== speed) player.video.playbackRate = speed;
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
    // writing a note pauses this page on its frame (Player.holdNote): it no longer follows
    self.main.addEventListener("focusin", function (event) {
      if (self.mode === "follow" && event.target.matches(".note-form textarea")) self.setMode("own");
    });
    var cutView = document.querySelector(".cut-view");
    if (cutView) {
      cutView.addEventListener("pointerdown", function (event) {
        if (self.mode === "follow" && event.isTrusted &&
            event.target.closest(".cut-play, .cut-step-back, .cut-step-forward, .cut-strip, " +
              ".cut-close, .cut-note")) self.setMode("own");
      }, true);
    }
    self.main.addEventListener("pointerdown", function (event) {
      if (self.mode !== "follow" || !event.isTrusted) return;
      if (event.target.closest && event.target.closest(OWN_CONTROLS)) self.setMode("own");
    }, true);
    // zooming a still with the wheel is watching it on one's own too
    self.main.addEventListener("wheel", function (event) {
      if (self.mode !== "follow" || !event.isTrusted) return;
      if (event.target.closest && event.target.closest(".still-view")) self.setMode("own");
    }, { capture: true, passive: true });
  };

  R.Presenter = Presenter;
})(window.ftReview = window.ftReview || {});
