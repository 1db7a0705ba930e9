/* ft_dcc review page: starts the players, version pickers, drawing, feedback and live updates
   of a session page (scripts loaded before this one fill window.ftReview). */
"use strict";

(function (R) {
  var active = null;
  var feedback = null;

  function activate(item) {
    if (R.media) R.media.need(item, true);
    if (active === item) return;
    if (active) active.classList.remove("active");
    active = item;
    item.classList.add("active");
  }

  function startItem(item) {
    if (item.player !== undefined) return;
    var hasMovie = !!item.querySelector("video.video");
    item.player = hasMovie ? new R.Player(item) : null;
    if (hasMovie) {
      var overlay = new R.Overlay(item.querySelector(".picture.main .overlays"),
        item.dataset.objectId);
      item.player.onFrame(function (frame) { overlay.show(frame); });
      overlay.show(item.player.frame);
      if (item.querySelector(".draw-layer") && item.querySelector(".draw-bar")) {
        item.drawing = new R.Drawing(item, item.player, function (frame, png, last) {
          return feedback.saveDrawing(item, frame, png, last);
        });
      }
    }
    if (!hasMovie && item.querySelector(".still-view") && R.Still) startStill(item);
    item.addEventListener("pointerdown", function () { activate(item); });
    item.addEventListener("focusin", function () { activate(item); });
  }

  /** A still: its picture view (still.js), its drawings shown over it, and the drawing tools
      on it (one frame: the item's). */
  function startStill(item) {
    if (!item.still) item.still = new R.Still(item);
    var still = item.still.asPlayer();
    new R.Overlay(item.querySelector(".still-picture .overlays"), item.dataset.objectId)
      .show(still.frame);
    if (item.querySelector(".draw-layer") && item.querySelector(".draw-bar")) {
      item.drawing = new R.Drawing(item, still, function (frame, png, last) {
        return feedback.saveDrawing(item, frame, png, last);
      });
    }
  }

  function startGroup(section) {
    if (!section.group) new R.Group(section);
    Array.prototype.forEach.call(section.querySelectorAll(".item"), startItem);
  }

  /** Put the asset group ``fresh`` (from the page's data) on the page: a new group at the end,
      or the versions it holds that the page has not into the group it has already. */
  function place(main, fresh) {
    var known = null;
    Array.prototype.forEach.call(main.querySelectorAll(".asset-group"), function (section) {
      if (section.dataset.asset === fresh.dataset.asset) known = section;
    });
    if (!known) {
      var empty = main.querySelector(".empty");
      if (empty) empty.remove();
      var section = document.importNode(fresh, true);
      main.appendChild(section);
      startGroup(section);
      if (R.media) R.media.watch(section);
      return;
    }
    Array.prototype.forEach.call(fresh.querySelectorAll(".item"), function (item) {
      var objectId = item.dataset.objectId;
      if (document.getElementById("item-" + objectId)) return;
      var tab = fresh.querySelector('.version-tab[data-object-id="' + objectId + '"]');
      var option = fresh.querySelector('.compare-with option[value="' + objectId + '"]');
      var copy = document.importNode(item, true);
      copy.hidden = true;
      known.appendChild(copy);
      var versions = fresh.querySelector(".version-count");
      known.group.adopt(document.importNode(tab, true),
        option ? document.importNode(option, true) : null,
        versions ? versions.textContent : "");
    });
    startGroup(known);
    if (R.media) R.media.watch(known);
  }

  /** Groups of the page's data (``{"html", "count"}``) put on the page. */
  function placeAll(main, answer) {
    var doc = new DOMParser().parseFromString(
      "<!DOCTYPE html><main>" + answer.html + "</main>", "text/html");
    Array.prototype.forEach.call(doc.querySelectorAll("main > .asset-group"), function (fresh) {
      place(main, fresh);
    });
    var count = document.querySelector(".topbar .count");
    if (count && answer.count) count.textContent = answer.count;
    return doc;
  }

  function itemsUrl(main, name, value) {
    var url = new URL(main.dataset.itemsUrl, location.href);
    url.searchParams.set(name, value);
    return url.href;
  }

  /** The page's first HTML holds its first groups: the rest come as data, a page of groups
      at a time, once the first frame is there. */
  function loadMore(main, from) {
    if (from === "" || from === null || from === undefined) {
      main.dataset.allItems = "true";
      main.dataset.allItemsAt = String(Math.round(performance.now()));
      return;
    }
    R.fetchJson(itemsUrl(main, "from", String(from))).then(function (answer) {
      placeAll(main, answer);
      if (answer.next === null || answer.next === undefined) {
        main.dataset.allItems = "true";
        main.dataset.allItemsAt = String(Math.round(performance.now())); // ms after navigation
        feedback.refresh();
      } else {
        loadMore(main, answer.next);
      }
    }).catch(function () { main.dataset.allItems = "failed"; });
  }

  var adding = { asked: {}, fetching: false };

  /** Versions added to the session after the page opened: their groups, fetched as data (never
      the whole page), put where they belong at once; those announced while one request is out
      go together in the next (a commit of fifty versions: a request or two, not fifty). */
  function addObject(main, objectId) {
    if (document.getElementById("item-" + objectId)) { feedback.refresh(); return; }
    adding.asked[objectId] = true;
    if (!adding.fetching) fetchAdded(main);
  }

  function fetchAdded(main) {
    var ids = Object.keys(adding.asked).slice(0, 100); // the most one request names
    if (!ids.length) { adding.fetching = false; return; }
    ids.forEach(function (id) { delete adding.asked[id]; });
    adding.fetching = true;
    R.fetchJson(itemsUrl(main, "objects", ids.join(","))).then(function (answer) {
      placeAll(main, answer);
      var shown = ids.filter(function (id) { return document.getElementById("item-" + id); });
      main.dataset.objectsAdded = String((parseInt(main.dataset.objectsAdded, 10) || 0) +
        shown.length);
      if (shown.length) feedback.refresh();
    }).catch(function () {}).then(function () { fetchAdded(main); });
  }

  /** "Play all": every asset's shown version in page order, each from its in point to its
      end, as one playlist; a still is shown for the session's hold (``data-still-hold``,
      seconds: the session's review setting) and then the next comes. A pause by the reviewer
      (or the button again) stops it. While a still is held, ``data-playlist-hold`` names it
      and ``data-playlist-hold-ms`` the hold. */
  function Playlist(main, button) {
    var self = this;
    self.main = main;
    self.button = button;
    self.list = [];
    self.index = -1;
    self.detach = function () {};
    button.hidden = false;
    button.addEventListener("click", function () {
      if (self.index >= 0) self.stop("stopped");
      else self.start();
    });
  }

  Playlist.prototype.start = function () {
    this.list = Array.prototype.map.call(this.main.querySelectorAll(".asset-group"),
      function (section) { return section.group && section.group.current(); })
      .filter(function (item) { return item && (item.player || item.still); });
    this.button.classList.add("on");
    this.go(0);
  };

  Playlist.prototype.stop = function (state) {
    this.detach();
    this.detach = function () {};
    var item = this.index >= 0 ? this.list[this.index] : null;
    if (item && item.player) item.player.pause();
    this.index = -1;
    this.button.textContent = "Play all";
    this.button.classList.remove("on");
    this.main.dataset.playlist = state;
  };

  Playlist.prototype.go = function (index) {
    var self = this;
    self.detach();
    if (index >= self.list.length) { self.index = -1; self.stop("done"); return; }
    self.index = index;
    var item = self.list[index];
    var player = item.player;
    activate(item);
    var next = self.list[index + 1];
    if (R.media && next && next.player) R.media.need(next, false); // the next shot, before it is due
    item.scrollIntoView({ block: "center", behavior: "smooth" });
    self.main.dataset.playlist = (index + 1) + "/" + self.list.length;
    self.button.textContent = "Stop \u00b7 " + (index + 1) + " of " + self.list.length;
    if (!player) { self.hold(item, index); return; }
    var video = player.video;
    // a pause at the end goes on to the next shot; any other pause is the reviewer's: stop.
    // The player has settled the pause on its frame by now (an ended movie on its last one):
    // the clock says so even when the counter waits for pictures not reported yet.
    function onPause() {
      var at = Math.max(player.frame, player.clip.frameAt(video.currentTime));
      if (at >= player.range().end) self.go(index + 1);
      else self.stop("stopped");
    }
    function onPlay() { video.addEventListener("pause", onPause); } // not a pause before it
    video.addEventListener("play", onPlay, { once: true });
    self.detach = function () {
      video.removeEventListener("play", onPlay);
      video.removeEventListener("pause", onPause);
    };
    if (player.loop) player.toggleLoop(); // a looping shot would never hand over
    player.seekFrame(player.range().start);
    player.play();
  };

  /** Show the still ``item`` (fitted) for the session's hold, then go on. */
  Playlist.prototype.hold = function (item, index) {
    var self = this;
    var seconds = parseFloat(self.main.dataset.stillHold);
    var ms = Math.round((seconds > 0 ? seconds : 5) * 1000);
    if (item.still.mode !== "fit" || !item.still.placedFit()) item.still.fit();
    self.main.dataset.playlistHold = item.dataset.objectId;
    self.main.dataset.playlistHoldMs = String(ms);
    var timer = window.setTimeout(function () { self.go(index + 1); }, ms);
    self.detach = function () {
      window.clearTimeout(timer);
      delete self.main.dataset.playlistHold;
    };
  };

  function onKey(event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "textarea" || tag === "input" || tag === "select") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (!active || !active.player || active.classList.contains("drawing")) return;
    if (active.player.key(event.key)) event.preventDefault();
  }

  function start() {
    var main = document.querySelector("main.items");
    if (!main) return;
    R.activate = activate;
    feedback = R.feedback = new R.Feedback(main);
    R.media = new R.MediaLoader(main);
    Array.prototype.forEach.call(main.querySelectorAll(".asset-group"), startGroup);
    R.media.watch(main);
    R.media.afterFirst(function () { loadMore(main, main.dataset.moreFrom); });
    var first = main.querySelector(".item:not([hidden])");
    if (first) activate(first);
    document.addEventListener("keydown", onKey);
    var playAll = document.querySelector(".play-all");
    if (playAll && main.querySelector("video.video, .still-view")) new Playlist(main, playAll);
    if (R.startCut) R.startCut(main); // cut.js: "Play cut", for a session made from a cut
    R.media.afterFirst(function () { feedback.refresh(); }); // the notes shown are in the HTML
    R.Live(main, function () { feedback.refresh(); }, function (id) { addObject(main, id); });
    if (R.Presenter && R.liveSource) R.presenter = new R.Presenter(main); // presenter.js
    if (R.Watchers && R.liveSource) R.watchers = new R.Watchers(main, R.liveSource); // watchers.js
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window.ftReview = window.ftReview || {});
