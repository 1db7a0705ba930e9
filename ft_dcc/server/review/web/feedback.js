/* ft_dcc review page: notes (with replies), drawn annotations shown on their frame, and each
   reviewer's verdict (Approve / Request changes). Everything from the server is text, never
   markup: names and notes are set with textContent. */
"use strict";

(function (R) {
  var VERDICTS = { approved: "Approved", require_changes: "Changes requested" };

  var el = R.el;

  function count(node, key) {
    node.dataset[key] = String((parseInt(node.dataset[key], 10) || 0) + 1);
  }

  /** POST ``body`` as JSON; resolves with the reply, rejects with the server's message. */
  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
        return data;
      });
    });
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok) {
        var failure = new Error("HTTP " + response.status);
        failure.status = response.status;
        throw failure;
      }
      return response.json();
    });
  }

  function dateText(value) {
    if (!value || !/^\d{4}-\d\d-\d\dT/.test(value)) return value || "";
    var date = new Date(value);
    return isNaN(date.getTime()) ? value : date.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  function authorName(author) {
    if (author && typeof author === "object") return author.name || author.email || "";
    return author || "";
  }

  // -- drawings shown on their frame ----------------------------------------------------------
  var annotations = {}; // object id -> [{id, frame, last, url}]
  var overlays = [];

  /** The drawings of one version over a picture, each shown only on its own frames (and,
      with the onion skin, the neighbouring ones faintly: ``R.drawingsAt``). */
  function Overlay(container, objectId) {
    var self = this;
    this.container = container;
    this.objectId = objectId;
    this.images = {};
    this.frame = null;
    this.item = container.closest(".item");
    if (this.item) {
      this.item.addEventListener("ft-ghosting", function () {
        if (self.frame !== null) self.show(self.frame);
      });
    }
    overlays.push(this);
    this.sync();
  }

  Overlay.prototype.sync = function () {
    var self = this;
    (annotations[self.objectId] || []).forEach(function (drawing) {
      var known = self.images[drawing.id];
      if (known) { // its frames may have been changed since
        known.dataset.frame = String(drawing.frame);
        known.dataset.frameOut = String(drawing.last);
        return;
      }
      var image = el("img", "annotation");
      image.alt = "";
      image.dataset.frame = String(drawing.frame);
      image.dataset.frameOut = String(drawing.last);
      image.dataset.noteId = drawing.id;
      image.hidden = true;
      image.src = drawing.url;
      self.container.appendChild(image);
      self.images[drawing.id] = image;
    });
    if (self.frame !== null) self.show(self.frame);
  };

  Overlay.prototype.show = function (frame) {
    var images = this.images;
    this.frame = frame;
    var at = R.drawingsAt(Object.keys(images).map(function (id) {
      var data = images[id].dataset;
      var first = parseInt(data.frame, 10);
      if (isNaN(first)) return { id: id, first: -Infinity, last: Infinity }; // a still's: no frame
      return { id: id, first: first, last: parseInt(data.frameOut, 10) };
    }), frame, R.ghosting(this.item));
    Object.keys(images).forEach(function (id) {
      var on = at.on.indexOf(id) >= 0;
      images[id].hidden = !on && at.ghosts.indexOf(id) < 0;
      images[id].classList.toggle("ghost", !on);
    });
    this.container.dataset.frame = String(frame);
    this.container.dataset.shown = String(at.on.length);
    this.container.dataset.ghosts = String(images[at.ghosts[0]] ? at.ghosts.length : 0);
  };

  Overlay.prototype.remove = function () {
    var self = this;
    overlays = overlays.filter(function (o) { return o !== self; });
  };

  // -- notes ----------------------------------------------------------------------------------
  /** What re-renders a note shown when it changes: its frames, whether it is addressed, and
   *  whether it is shared with the client. */
  function noteState(note) {
    return note.frame + "-" + note.frame_out + (note.completed_at ? "-done" : "") +
      (note.shared ? "-shared" : "");
  }

  /** "To-do" / "Addressed" / "Comment" beside a note (a reply has none). */
  function noteKind(note) {
    if (note.in_reply_to_id || note.is_todo === undefined) return null;
    var kind = !note.is_todo ? "comment" : note.completed_at ? "addressed" : "todo";
    var words = { comment: "Comment", addressed: "Addressed", todo: "To-do" };
    var tag = el("span", "note-kind-tag " + kind, words[kind]);
    if (note.completed_at) tag.title = "Addressed " + dateText(note.completed_at);
    return tag;
  }

  function noteElement(note, open, studio) {
    var li = el("li", "note");
    li.dataset.noteId = note.id;
    li.dataset.range = noteState(note); // a change re-renders the note
    if (note.shared) li.classList.add("shared");
    var frame;
    if (note.frame === null || note.frame === undefined) {
      frame = el("span", "note-frame none", "\u2013");
    } else {
      var held = typeof note.frame_out === "number" && note.frame_out > note.frame;
      frame = el("button", "note-frame", note.frame + (held ? "\u2013" + note.frame_out : ""));
      frame.type = "button";
      frame.dataset.frame = String(note.frame);
      frame.title = "Go to frame " + note.frame;
      li.dataset.frame = String(note.frame);
    }
    var body = el("div", "note-body");
    if (note.content || !note.annotation_url) body.appendChild(el("p", "note-content", note.content));
    if (note.annotation_url) {
      var drawing = el("button", "note-drawing");
      drawing.type = "button";
      var framed = typeof note.frame === "number"; // a still's drawing has no frame
      drawing.title = framed ? "Show this drawing on frame " + note.frame : "A drawing on the picture";
      if (framed) drawing.dataset.frame = String(note.frame);
      var thumb = el("img");
      thumb.alt = framed ? "Drawing at frame " + note.frame : "Drawing on the picture";
      thumb.src = note.annotation_url;
      drawing.appendChild(el("canvas", "note-still")); // the frame, painted under the stroke
      drawing.appendChild(thumb);
      body.appendChild(drawing);
      li.classList.add("has-drawing");
    }
    var meta = el("p", "note-meta");
    var kind = noteKind(note);
    if (kind) {
      meta.appendChild(kind);
      li.dataset.kind = kind.className.split(" ")[1];
    }
    meta.appendChild(el("span", "note-author", authorName(note.author)));
    var when = dateText(note.date);
    if (when) meta.appendChild(el("span", "note-date", when));
    if (open) {
      var reply = el("button", "reply-button", "Reply");
      reply.type = "button";
      meta.appendChild(reply);
      if (note.annotation_url && R.RangeEditor && typeof note.frame === "number") {
        meta.appendChild(R.RangeEditor.button(note)); // a still's drawing has no frames to hold
      }
      if (note.is_todo && note.completed_at && !note.in_reply_to_id) {
        var reopen = el("button", "reopen-button", "Reopen");
        reopen.type = "button";
        reopen.title = "Not addressed after all: open this to-do again";
        meta.appendChild(reopen);
      }
    }
    if (studio) { // the studio chooses, note by note, what its client sees
      var share = el("button", "share-toggle", note.shared ? "Shared with client" : "Share with client");
      share.type = "button";
      share.setAttribute("aria-pressed", String(!!note.shared));
      share.title = note.shared ? "The client sees this note; click to keep it internal"
        : "Internal: the client does not see this note; click to share it with them";
      meta.appendChild(share);
    }
    body.appendChild(meta);
    body.appendChild(el("ol", "replies"));
    li.appendChild(frame);
    li.appendChild(body);
    return li;
  }

  function findNote(root, id) {
    var found = root.querySelectorAll(".note");
    for (var i = 0; i < found.length; i++) if (found[i].dataset.noteId === id) return found[i];
    return null;
  }

  /** Paint the frame a drawing was made on under its thumbnail (``box``: .note-drawing). */
  function paintStill(item, box, frame) {
    var picture = item.querySelector("img.still-image");
    if (box && picture) { paintPicture(picture, box); return; }
    if (!box || !item.dataset.movieUrl || typeof frame !== "number") return;
    if (!item.stills) item.stills = new R.Stills(item);
    var canvas = box.querySelector(".note-still");
    var width = parseInt(item.dataset.width, 10) || 16;
    var height = parseInt(item.dataset.height, 10) || 9;
    canvas.width = 240;
    canvas.height = Math.max(1, Math.round(240 * height / width));
    item.stills.paint(canvas, frame).then(function () {
      box.dataset.still = "shown";
    }, function () {
      box.dataset.still = "failed"; // the stroke stays on black
    });
  }

  /** A still's picture under a drawing's thumbnail (a still has no frames: its one picture). */
  function paintPicture(picture, box) {
    var canvas = box.querySelector(".note-still");
    var paint = function () {
      var width = picture.naturalWidth || 16;
      var height = picture.naturalHeight || 9;
      canvas.width = 240;
      canvas.height = Math.max(1, Math.round(240 * height / width));
      try {
        canvas.getContext("2d").drawImage(picture, 0, 0, canvas.width, canvas.height);
        box.dataset.still = "picture";
      } catch (failed) {
        box.dataset.still = "failed";
      }
    };
    if (picture.complete && picture.naturalWidth) paint();
    else picture.addEventListener("load", paint, { once: true });
  }

  /** "addresses 2 of 3 notes on v001": what this version addresses of the previous version's
      to-dos, each listed (a click shows it on its frame of the old version, when on the page). */
  function renderAddresses(item, summary) {
    var box = item.querySelector(".addresses");
    if (!summary) { if (box) box.remove(); return; }
    if (!box) {
      box = el("section", "addresses");
      var notes = item.querySelector(".info .notes");
      notes.parentNode.insertBefore(box, notes);
    }
    box.textContent = "";
    box.dataset.addressed = String(summary.addressed);
    box.dataset.total = String(summary.total);
    box.appendChild(el("p", "addresses-summary", "addresses " + summary.addressed + " of " +
      summary.total + " note" + (summary.total === 1 ? "" : "s") + " on " + summary.version));
    var list = el("ul", "addressed-notes");
    summary.notes.forEach(function (note) {
      var li = el("li", "addressed-note " + (note.addressed ? "addressed" : "open"));
      var jump = el("button", "addressed-jump", note.frame === null ? "\u2013" : String(note.frame));
      jump.type = "button";
      jump.dataset.objectId = note.object_id;
      if (note.frame !== null) jump.dataset.frame = String(note.frame);
      var here = document.getElementById("item-" + note.object_id);
      jump.disabled = !here; // the old version is not in this session: nothing to show
      jump.title = here ? "Show it on " + summary.version + " at this frame"
        : summary.version + " is not in this review session";
      li.appendChild(jump);
      li.appendChild(el("span", "addressed-mark", note.addressed ? "\u2713 addressed" : "open"));
      li.appendChild(el("span", "addressed-text", note.content));
      list.appendChild(li);
    });
    box.appendChild(list);
    var old = summary.object_id && document.getElementById("item-" + summary.object_id);
    if (old && old.dataset.movieUrl) { // the old version is on this page: compare them
      var compare = el("button", "addresses-compare", "Compare with " + summary.version);
      compare.type = "button";
      compare.dataset.objectId = summary.object_id;
      compare.title = summary.version + " beside this version, frame by frame";
      box.appendChild(compare);
    }
  }

  /** Put the older version beside this one (side by side), from the "addresses" box. */
  function compareOld(item, button) {
    var section = item.closest(".asset-group");
    if (!section || !section.group) return;
    section.group.setMode("side");
    section.group.compareWith(button.dataset.objectId);
  }

  /** Show a note of an older version on its frame (its item, when the page has it). */
  function showOld(button) {
    var old = document.getElementById("item-" + button.dataset.objectId);
    if (!old) return;
    var section = old.closest(".asset-group");
    if (section && section.group) section.group.select(button.dataset.objectId);
    var frame = parseInt(button.dataset.frame, 10);
    if (old.player && !isNaN(frame)) old.player.seekFrame(frame);
  }

  function Feedback(main) {
    this.main = main;
    this.urls = main.dataset;
    this.open = main.dataset.open === "true";
    this.me = null;
    this.pending = null;
    this.again = false;
    this.bind();
  }

  /** Re-read everyone's feedback (on start, after a change here, on a live event). */
  Feedback.prototype.refresh = function () {
    var self = this;
    if (self.pending) {
      self.again = true;
      return self.pending;
    }
    self.pending = getJson(self.urls.feedbackUrl).catch(function (failure) {
      if (failure.status !== 404) throw failure;
      return getJson(self.urls.notesUrl).then(function (byItem) { // a server without /feedback
        var objects = {};
        Object.keys(byItem).forEach(function (id) { objects[id] = { notes: byItem[id], statuses: [] }; });
        return { me: null, objects: objects };
      });
    }).then(function (data) { self.apply(data); }).catch(function () {}).then(function () {
      self.pending = null;
      if (self.again) {
        self.again = false;
        return self.refresh();
      }
    });
    return self.pending;
  };

  Feedback.prototype.apply = function (data) {
    var self = this;
    self.me = data.me || null;
    self.studio = data.audience === "studio";
    self.showMe();
    Object.keys(data.objects || {}).forEach(function (objectId) {
      var entry = data.objects[objectId] || {};
      var notes = entry.notes || [];
      annotations[objectId] = notes.filter(function (n) { return n.annotation_url; }).map(
        function (n) {
          var last = typeof n.frame_out === "number" ? n.frame_out : n.frame;
          return { id: n.id, frame: n.frame, last: last, url: n.annotation_url };
        });
      overlays.forEach(function (o) { if (o.objectId === objectId) o.sync(); });
      var item = document.getElementById("item-" + objectId);
      if (!item) return;
      self.renderNotes(item, notes);
      self.renderStatuses(item, entry.statuses || []);
      self.renderVersionStatus(item, entry.version_status || null);
      renderAddresses(item, entry.addresses || null);
    });
    count(self.main, "feedbackLoaded");
  };

  Feedback.prototype.showMe = function () {
    var me = this.me;
    var label = document.querySelector(".reviewer");
    if (label) {
      label.hidden = !me;
      label.textContent = me ? "Reviewing as " + (me.name || me.email) : "";
    }
    Array.prototype.forEach.call(this.main.querySelectorAll(".my-review"), function (box) {
      box.hidden = !me;
    });
  };

  Feedback.prototype.renderNotes = function (item, notes) {
    var list = item.querySelector(".note-list");
    var open = this.open;
    var studio = this.studio;
    if (list.dataset.rendered !== "js") {
      list.textContent = "";
      list.dataset.rendered = "js";
    }
    notes.forEach(function (note) {
      var known = findNote(list, note.id);
      if (known && known.dataset.range === noteState(note)) return;
      if (known) { // its frames, state or sharing changed: the same note, with its replies, anew
        var fresh = noteElement(note, open, studio);
        fresh.className = known.className;
        fresh.classList.toggle("shared", !!note.shared);
        fresh.querySelector(".replies").replaceWith(known.querySelector(".replies"));
        known.replaceWith(fresh);
        paintStill(item, fresh.querySelector(".note-drawing"), note.frame);
        return;
      }
      var parent = note.in_reply_to_id ? findNote(list, note.in_reply_to_id) : null;
      var into = parent ? parent.querySelector(".replies") : list;
      var li = noteElement(note, open, studio);
      if (parent) li.classList.add("reply");
      into.appendChild(li);
      paintStill(item, li.querySelector(".note-drawing"), note.frame);
    });
    item.querySelector(".note-count").textContent = String(notes.length);
  };

  Feedback.prototype.renderStatuses = function (item, statuses) {
    var list = item.querySelector(".statuses");
    var me = this.me;
    var studio = this.studio;
    list.textContent = "";
    if (!statuses.length) list.appendChild(el("li", "no-status", "No verdicts yet."));
    statuses.forEach(function (status) {
      var li = el("li", "status-entry " + status.status);
      li.dataset.inviteeId = status.invitee_id || "";
      li.appendChild(el("span", "status-mark"));
      li.appendChild(el("span", "who", status.name || status.email || ""));
      if (studio) { // the studio sees whose verdict it is: its own internal one, or a client's
        var kind = status.kind === "studio" ? "studio" : "client";
        li.appendChild(el("span", "verdict-kind " + kind, kind === "studio" ? "Studio" : "Client"));
      }
      li.appendChild(el("span", "verdict-label", VERDICTS[status.status] || status.status));
      var when = el("span", "when", dateText(status.date).slice(11)); // the time; the day on hover
      when.title = dateText(status.date);
      li.appendChild(when);
      list.appendChild(li);
    });
    var mine = null;
    statuses.forEach(function (s) { if (me && s.invitee_id === me.invitee_id) mine = s.status; });
    Array.prototype.forEach.call(item.querySelectorAll(".verdict"), function (button) {
      var chosen = button.dataset.status === mine;
      button.classList.toggle("chosen", chosen);
      button.setAttribute("aria-pressed", String(chosen));
    });
    var summary = "";
    statuses.forEach(function (s) {
      if (s.status === "require_changes") summary = "require_changes";
      else if (!summary) summary = "approved";
    });
    var tab = document.querySelector('.version-tab[data-object-id="' + item.dataset.objectId + '"]');
    if (tab) {
      tab.dataset.status = summary;
      tab.title = statuses.map(function (s) {
        return (s.name || s.email) + ": " + (VERDICTS[s.status] || s.status);
      }).join("\n");
    }
  };

  /** The version's ftrack status (a verdict moves it on the server): text, never HTML. */
  Feedback.prototype.renderVersionStatus = function (item, status) {
    var shown = item.querySelector(".version-status");
    if (!shown) return;
    shown.hidden = !status;
    if (!status) return;
    shown.textContent = "ftrack status: " + status.name;
    shown.dataset.status = status.name;
    if (/^#[0-9a-fA-F]{3,8}$/.test(status.color || "")) shown.style.setProperty("--status-color", status.color);
  };

  // -- what the reviewer does -------------------------------------------------------------------
  Feedback.prototype.addNote = function (item, form) {
    var self = this;
    var error = form.querySelector(".note-error");
    var submit = form.querySelector(".add-note");
    var text = form.querySelector("textarea");
    var content = text.value.trim();
    var comment = form.querySelector(".note-comment");
    if (!content) { error.textContent = "Write a note first."; return; }
    error.textContent = "";
    submit.disabled = true;
    postJson(self.urls.notesUrl, {
      object_id: item.dataset.objectId,
      content: content,
      frame: item.player ? item.player.noteFrame() : null,
      comment: !!(comment && comment.checked)
    }).then(function () {
      text.value = "";
      if (comment) comment.checked = false;
      if (item.player) item.player.releaseNote();
      return self.refresh();
    }).then(function () {
      count(item, "notesAdded");
    }).catch(function (failure) {
      error.textContent = "Not saved: " + failure.message;
    }).then(function () { submit.disabled = false; });
  };

  Feedback.prototype.openReply = function (note) {
    var self = this;
    var body = note.querySelector(".note-body");
    var existing = body.querySelector(":scope > .reply-form");
    if (existing) { existing.querySelector("textarea").focus(); return; }
    var form = el("form", "reply-form");
    var text = el("textarea", "reply-text");
    text.rows = 2;
    text.maxLength = 20000;
    text.placeholder = "Reply\u2026";
    var actions = el("div", "note-actions");
    var error = el("p", "note-error");
    var cancel = el("button", "cancel-reply", "Cancel");
    cancel.type = "button";
    var send = el("button", "send-reply", "Reply");
    send.type = "submit";
    actions.appendChild(error);
    actions.appendChild(cancel);
    actions.appendChild(send);
    form.appendChild(text);
    form.appendChild(actions);
    body.insertBefore(form, body.querySelector(":scope > .replies"));
    cancel.addEventListener("click", function () { body.removeChild(form); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var content = text.value.trim();
      if (!content) { error.textContent = "Write a reply first."; return; }
      var item = note.closest(".item");
      var frame = parseInt(note.dataset.frame, 10);
      send.disabled = true;
      postJson(self.urls.notesUrl, {
        object_id: item.dataset.objectId,
        content: content,
        frame: isNaN(frame) ? null : frame,
        in_reply_to_id: note.dataset.noteId
      }).then(function () {
        body.removeChild(form);
        return self.refresh();
      }).then(function () { count(item, "repliesAdded"); }).catch(function (failure) {
        error.textContent = "Not saved: " + failure.message;
        send.disabled = false;
      });
    });
    text.focus();
  };

  /** Share a studio note with the client, or keep it internal again. */
  Feedback.prototype.share = function (item, button) {
    var self = this;
    var note = button.closest(".note");
    button.disabled = true;
    postJson(self.urls.shareUrl, {
      note_id: note.dataset.noteId, shared: button.getAttribute("aria-pressed") !== "true"
    }).then(function () { return self.refresh(); })
      .then(function () { count(item, "notesShared"); })
      .catch(function (failure) { button.textContent = "Not saved: " + failure.message; })
      .then(function () { button.disabled = false; });
  };

  /** Reopen an addressed to-do (its author, the session's managers: the server decides). */
  Feedback.prototype.reopen = function (item, note) {
    var self = this;
    var url = self.urls.notesUrl.replace(/\/notes(\?|$)/, "/reopen$1");
    var button = note.querySelector(".reopen-button");
    button.disabled = true;
    postJson(url, { note_id: note.dataset.noteId }).then(function () {
      return self.refresh();
    }).then(function () { count(item, "notesReopened"); }).catch(function (failure) {
      button.disabled = false;
      button.title = "Not reopened: " + failure.message;
      note.dataset.reopenError = failure.message;
    });
  };

  Feedback.prototype.setStatus = function (item, status) {
    var self = this;
    var error = item.querySelector(".status-error");
    error.textContent = "";
    postJson(self.urls.statusUrl, { object_id: item.dataset.objectId, status: status })
      .then(function () { return self.refresh(); })
      .then(function () { count(item, "statusesSet"); })
      .catch(function (failure) { error.textContent = "Not saved: " + failure.message; });
  };

  /** Save a drawing of ``item`` at ``frame`` (a PNG data URL), held to ``last``. */
  Feedback.prototype.saveDrawing = function (item, frame, png, last) {
    var self = this;
    return postJson(self.urls.annotationsUrl, {
      object_id: item.dataset.objectId, frame: frame, png: png, frame_out: last
    }).then(function () { return self.refresh(); });
  };

  Feedback.prototype.bind = function () {
    var self = this;
    self.main.addEventListener("click", function (event) {
      var item = event.target.closest(".item");
      if (!item) return;
      var jump = event.target.closest(".note-frame[data-frame], .note-drawing");
      var reply = event.target.closest(".reply-button");
      var verdict = event.target.closest(".verdict");
      var range = event.target.closest(".edit-range");
      var old = event.target.closest(".addressed-jump");
      if (old) { showOld(old); return; }
      var beside = event.target.closest(".addresses-compare");
      if (beside) { compareOld(item, beside); return; }
      var reopen = event.target.closest(".reopen-button");
      if (reopen) { self.reopen(item, reopen.closest(".note")); return; }
      var share = event.target.closest(".share-toggle");
      if (range && R.RangeEditor) new R.RangeEditor(self, range.closest(".note"), range);
      else if (jump && item.player) item.player.seekFrame(parseInt(jump.dataset.frame, 10));
      else if (reply) self.openReply(reply.closest(".note"));
      else if (share) self.share(item, share);
      else if (verdict) self.setStatus(item, verdict.dataset.status);
    });
    // a note lands on its frame: typing pauses the player there (Player.holdNote)
    self.main.addEventListener("focusin", function (event) {
      var item = event.target.closest(".item");
      if (item && item.player && event.target.matches(".note-form textarea")) item.player.holdNote();
    });
    self.main.addEventListener("focusout", function (event) {
      var item = event.target.closest(".item");
      if (!item || !item.player || !event.target.matches(".note-form textarea")) return;
      if (!event.target.value.trim()) item.player.releaseNote(); // nothing written: not held
    });
    self.main.addEventListener("submit", function (event) {
      var form = event.target.closest(".note-form");
      if (!form) return;
      event.preventDefault();
      self.addNote(form.closest(".item"), form);
    });
  };

  R.postJson = postJson;
  R.Overlay = Overlay;
  R.Feedback = Feedback;
})(window.ftReview = window.ftReview || {});
