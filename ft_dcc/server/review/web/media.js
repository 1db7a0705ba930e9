/* ft_dcc review page: the loading queue of the versions' movies and posters. Only the page's
   first version comes with its movie (the server writes the others' as data-src, data-poster):
   the rest are fetched as they come near the screen, when a reviewer picks them or when Play
   all needs them next, at most LIMIT at a time, so the first frame never waits behind other
   versions' media however many the session holds, and the browser's few connections to the
   server stay free for the live stream and the page's data. A version that was near the screen
   and leaves it before its turn gives its place up (asked for again when it comes near again):
   a reviewer who scrolls through a big session is not kept waiting, where they stopped, for
   every version they scrolled past. */
"use strict";

(function (R) {
  var LIMIT = 4; // media requests in flight (the browser opens about six per server)
  var NEAR = "600px 0px"; // how near the screen a version's media starts loading
  var SAFETY_MS = 20000; // a load that never says it ended frees its place after this

  function MediaQueue(limit) {
    this.limit = limit;
    this.running = 0;
    this.waiting = [];
    this.queued = {}; // task key -> true while waiting or running
  }

  /** Run ``start(done)`` when a place is free (``urgent``: before every waiting task;
      ``near``: wanted only while its version is near the screen, see :meth:`drop`). */
  MediaQueue.prototype.add = function (key, start, urgent, near) {
    if (this.queued[key]) {
      var at = this.indexOf(key);
      if (at >= 0 && !near) this.waiting[at].near = false; // wanted for more than nearness
      if (!urgent || at < 0) return; // at < 0: running already
      this.waiting.splice(at, 1);
    }
    this.queued[key] = true;
    var task = { key: key, start: start, near: !!near && !urgent };
    if (urgent) this.waiting.unshift(task);
    else this.waiting.push(task);
    this.pump();
  };

  /** Forget ``key``'s task if it waits only for its version being near the screen. */
  MediaQueue.prototype.drop = function (key) {
    var at = this.indexOf(key);
    if (at < 0 || !this.waiting[at].near) return;
    this.waiting.splice(at, 1);
    delete this.queued[key];
    this.pump();
  };

  MediaQueue.prototype.indexOf = function (key) {
    for (var i = 0; i < this.waiting.length; i++) if (this.waiting[i].key === key) return i;
    return -1;
  };

  MediaQueue.prototype.pump = function () {
    var self = this;
    while (self.running < self.limit && self.waiting.length) {
      var task = self.waiting.shift();
      self.running++;
      self.hold(task.start);
    }
    document.documentElement.dataset.mediaLoading = String(self.running + self.waiting.length);
  };

  /** Start a task; its place is freed once, when it says it is done (or after SAFETY_MS). */
  MediaQueue.prototype.hold = function (start) {
    var self = this;
    var freed = false;
    function done() {
      if (freed) return;
      freed = true;
      self.running--;
      self.pump();
    }
    window.setTimeout(done, SAFETY_MS);
    start(done);
  };

  /** ``done()`` once ``video`` has its first picture (or cannot have it). */
  function whenLoaded(video, done) {
    var events = ["loadeddata", "error", "abort"];
    function finish() {
      events.forEach(function (name) { video.removeEventListener(name, finish); });
      video.removeEventListener("suspend", suspended);
      done();
    }
    function suspended() { if (video.readyState >= 2) finish(); } // HAVE_CURRENT_DATA
    events.forEach(function (name) { video.addEventListener(name, finish); });
    video.addEventListener("suspend", suspended);
    if (video.readyState >= 2 || video.error) finish();
  }

  /** When the page's first version has no movie, its first version that has one comes first
      instead (as the server sends the first version's): given its movie and poster now. */
  function firstNamed(main) {
    var video = main.querySelector("video.video[data-src]");
    if (!video) return null;
    if (video.dataset.poster) video.poster = video.dataset.poster;
    video.preload = "metadata";
    video.src = video.dataset.src;
    delete video.dataset.poster;
    delete video.dataset.src;
    return video;
  }

  function Loader(main) {
    var self = this;
    self.main = main;
    self.queue = new MediaQueue(LIMIT);
    self.firstFrame = false;
    self.waitingFirst = [];
    self.observer = window.IntersectionObserver
      ? new IntersectionObserver(function (entries) { self.seen(entries); }, { rootMargin: NEAR })
      : null;
    var first = main.querySelector("video.video[src]") || firstNamed(main);
    if (first) { // the page's first movie, asked for by the HTML itself: it holds a place
      self.queue.add("movie:" + first.getAttribute("src"), function (done) {
        whenLoaded(first, function () {
          first.preload = "auto"; // its first frame is there: now the rest, to play
          self.first();
          done();
        });
      });
    } else {
      self.first();
    }
  }

  /** The first frame is there: what waited for it starts (the rest of the page's data). */
  Loader.prototype.first = function () {
    if (this.firstFrame) return;
    this.firstFrame = true;
    this.main.dataset.firstFrame = String(Math.round(performance.now())); // ms after navigation
    var waiting = this.waitingFirst;
    this.waitingFirst = [];
    waiting.forEach(function (callback) { callback(); });
  };

  /** Call ``callback`` once the page's first frame is there. */
  Loader.prototype.afterFirst = function (callback) {
    if (this.firstFrame) callback();
    else this.waitingFirst.push(callback);
  };

  /** Watch the items of ``root`` (the page, or groups added to it). */
  Loader.prototype.watch = function (root) {
    var self = this;
    Array.prototype.forEach.call(root.querySelectorAll(".item"), function (item) {
      if (!item.querySelector("video.video[data-src], video.video[data-poster]")) return;
      if (self.observer) self.observer.observe(item);
      else self.need(item, false);
    });
  };

  Loader.prototype.seen = function (entries) {
    var self = this;
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) {
        self.gone(entry.target);
        return;
      }
      self.poster(entry.target, false, true);
      self.movie(entry.target, false, true);
    });
  };

  /** ``item``'s video whose ``attribute`` (data-poster or data-src) is still to load, and its
      task's key in the queue; null when there is none. */
  function pending(item, attribute) {
    var video = item.querySelector("video.video[data-" + attribute + "]");
    return video ? { video: video, key: attribute + ":" + video.dataset[attribute] } : null;
  }

  /** ``item`` left the screen's neighbourhood: its media not started give their places up. */
  Loader.prototype.gone = function (item) {
    var self = this;
    ["poster", "src"].forEach(function (attribute) {
      var media = pending(item, attribute);
      if (media) self.queue.drop(media.key);
    });
  };

  /** Load ``item``'s poster and movie (``urgent``: before every other waiting one). */
  Loader.prototype.need = function (item, urgent) {
    if (!item) return;
    this.poster(item, urgent);
    this.movie(item, urgent);
  };

  Loader.prototype.poster = function (item, urgent, near) {
    var media = pending(item, "poster");
    if (!media) return;
    var video = media.video, url = video.dataset.poster;
    this.queue.add(media.key, function (done) {
      if (!video.dataset.poster) { done(); return; }
      delete video.dataset.poster;
      var image = new Image(); // the poster's request, seen ending; the video reads it cached
      image.onload = image.onerror = function () {
        if (!video.getAttribute("poster")) video.poster = url;
        done();
      };
      image.src = url;
    }, urgent, near);
  };

  Loader.prototype.movie = function (item, urgent, near) {
    var self = this;
    var media = pending(item, "src");
    if (!media) return;
    var video = media.video, url = video.dataset.src;
    self.queue.add(media.key, function (done) {
      if (!video.dataset.src) { done(); return; }
      delete video.dataset.src;
      if (self.observer) self.observer.unobserve(item);
      video.preload = urgent ? "auto" : "metadata";
      video.src = url;
      whenLoaded(video, done);
    }, urgent, near);
  };

  R.MediaQueue = MediaQueue;
  R.MediaLoader = Loader;
  R.MEDIA_IN_FLIGHT = LIMIT;
})(window.ftReview = window.ftReview || {});
