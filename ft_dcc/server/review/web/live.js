/* ft_dcc review page: live updates pushed by the server (server-sent events, no polling).
   A note, drawing or verdict saved anywhere re-reads the feedback; a new version's group is
   fetched (the page's /items route) and added to its asset's version picker. */
"use strict";

(function (R) {
  function count(node, key) {
    node.dataset[key] = String((parseInt(node.dataset[key], 10) || 0) + 1);
  }

  /** ``onFeedback()`` on note/status events, ``onObject(id)`` when a version is added. */
  function Live(main, onFeedback, onObject) {
    var state = document.querySelector(".live-state");
    function show(text, css) {
      if (!state) return;
      state.textContent = text;
      state.className = "live-state " + css;
    }
    if (main.dataset.open === "false") { // closed: nothing new can be added, nothing to wait for
      show("Closed: feedback is final", "off");
      return;
    }
    if (!window.EventSource || !main.dataset.liveUrl) {
      show("Reload for new feedback", "off");
      return;
    }
    var source = new EventSource(main.dataset.liveUrl);
    R.liveSource = source; // presenter.js listens for its own events on it
    var opened = false;
    source.addEventListener("open", function () {
      show("Live", "on");
      main.dataset.live = "open";
      if (opened) onFeedback(); // reconnected: catch up on what was missed meanwhile
      opened = true;
    });
    source.addEventListener("error", function () {
      if (main.dataset.live === "refused") return;
      show(source.readyState === EventSource.CLOSED ? "Offline: reload" : "Reconnecting\u2026", "off");
      main.dataset.live = "reconnecting";
      // the stream was refused (its link no longer opens the session): ask a data route why
      if (source.readyState === EventSource.CLOSED && main.dataset.feedbackUrl) {
        fetch(main.dataset.feedbackUrl, { credentials: "same-origin", cache: "no-store" })
          .then(function (response) {
            if (response.status !== 403 && response.status !== 409) return null;
            return response.json().then(function (body) { refuse(main, body.error); });
          })
          .catch(function () { /* offline: the badge says so */ });
      }
    });
    // the server ends the stream of a link that no longer opens the session, saying why
    source.addEventListener("refused", function (event) {
      var data = {};
      try { data = JSON.parse(event.data || "{}") || {}; } catch (ignored) { data = {}; }
      source.close();
      refuse(main, data.message);
    });
    function refuse(node, message) {
      source.close();
      show("Refused", "off");
      if (node.dataset.live === "refused") return;
      node.dataset.live = "refused";
      Array.prototype.forEach.call(document.querySelectorAll("video"), function (video) {
        video.pause();
      });
      var notice = document.createElement("div");
      notice.className = "denied refusal";
      notice.setAttribute("role", "alert");
      var title = document.createElement("h1");
      title.textContent = "This review no longer opens with your link";
      var text = document.createElement("p");
      text.textContent = message || "Ask the person who runs the review for a new link.";
      notice.append(title, text);
      node.parentNode.insertBefore(notice, node);
      node.hidden = true;
    }
    function handle(event) {
      count(main, "liveEvents");
      var data = {};
      try { data = JSON.parse(event.data || "{}") || {}; } catch (ignored) { data = {}; }
      if (event.type === "object" && data.object_id) onObject(String(data.object_id));
      else onFeedback();
    }
    ["note", "status", "object"].forEach(function (name) {
      source.addEventListener(name, handle);
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  /** GET ``url`` (one of the page's data routes) and return its JSON. */
  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
  }

  R.Live = Live;
  R.fetchJson = fetchJson;
})(window.ftReview = window.ftReview || {});
