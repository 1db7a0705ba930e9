/* ft_dcc review page: "who are you?" for the room link (one shared link for a dailies room).
   The person picks themselves from the people already added in this room, or adds themselves
   (name + e-mail). The server answers with a link of their own (a token), kept in this browser
   (localStorage) for this session; notes, drawings and verdicts then go out with it. The header
   says "You are: Jane" with a "change" button. Names are set with textContent, never markup. */
"use strict";

(function (R) {
  var ROUTES = ["notesUrl", "feedbackUrl", "statusUrl", "annotationsUrl"];

  var el = R.el;

  function withToken(url, token) {
    var parsed = new URL(url, location.href);
    parsed.searchParams.set("token", token);
    return parsed.pathname + parsed.search;
  }

  function request(url, body) {
    var options = { credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) {
      options.method = "POST";
      options.headers = { "Content-Type": "application/json" };
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
        return data;
      });
    });
  }

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function WhoAmI(main) {
    this.main = main;
    this.roomToken = new URL(location.href).searchParams.get("token") || "";
    this.url = main.dataset.feedbackUrl.replace(/\/feedback\?/, "/whoami?");
    this.key = "ft-dcc-review-identity:" + location.pathname;
    this.panel = null;
    this.badge = null;
  }

  WhoAmI.prototype.start = function () {
    var self = this;
    return request(self.url).then(function (info) {
      if (info.me) return; // a personal invitation link: it already says who you are
      if (!info.room) return self.watchOnly(info.why);
      document.body.classList.add("whoami-room");
      var saved = self.saved();
      if (!saved) return self.ask(info);
      return request(withToken(self.url, saved.token)).then(function (mine) {
        if (!mine.me) throw new Error("no longer valid");
        self.use(saved.token, mine.me);
      }).catch(function () {
        self.forget();
        return self.ask(info);
      });
    }).catch(function () {});
  };

  WhoAmI.prototype.saved = function () {
    var store = storage();
    try {
      var value = store && JSON.parse(store.getItem(this.key) || "null");
      return value && typeof value.token === "string" ? value : null;
    } catch (e) { return null; }
  };

  WhoAmI.prototype.forget = function () {
    var store = storage();
    if (store) store.removeItem(this.key);
  };

  /** Write with ``token`` from now on, and say so in the header. */
  WhoAmI.prototype.use = function (token, me) {
    var self = this;
    var store = storage();
    if (store) store.setItem(self.key, JSON.stringify({ token: token, me: me }));
    ROUTES.forEach(function (name) { self.main.dataset[name] = withToken(self.main.dataset[name], token); });
    document.body.classList.remove("whoami-needed");
    document.body.dataset.whoami = me.invitee_id;
    if (self.panel) self.panel.hidden = true;
    self.showBadge(me);
    if (R.feedback) R.feedback.refresh();
  };

  WhoAmI.prototype.showBadge = function (me) {
    var self = this;
    if (!self.badge) {
      self.badge = el("span", "whoami-badge");
      var facts = document.querySelector(".topbar .facts");
      if (facts) facts.insertBefore(self.badge, facts.firstChild);
    }
    self.badge.textContent = "";
    self.badge.appendChild(el("span", "whoami-label", "You are: "));
    self.badge.appendChild(el("span", "whoami-name", me.name || me.email || ""));
    var change = el("button", "whoami-change", "change");
    change.type = "button";
    change.title = "Not you? Pick or add yourself";
    change.addEventListener("click", function () { self.change(); });
    self.badge.appendChild(change);
    self.badge.hidden = false;
  };

  WhoAmI.prototype.change = function () {
    var self = this;
    self.forget();
    ROUTES.forEach(function (name) {
      self.main.dataset[name] = withToken(self.main.dataset[name], self.roomToken);
    });
    delete document.body.dataset.whoami;
    if (self.badge) self.badge.hidden = true;
    if (R.feedback) R.feedback.refresh();
    return request(self.url).then(function (info) { self.ask(info); });
  };

  WhoAmI.prototype.watchOnly = function (why) {
    document.body.classList.add("whoami-needed");
    var note = el("p", "whoami-watch", "Watching only. " + (why || ""));
    var header = document.querySelector(".topbar");
    if (header) header.parentNode.insertBefore(note, header.nextSibling);
  };

  /** The "Who are you?" panel: pick from the room's people, or add yourself. */
  WhoAmI.prototype.ask = function (info) {
    var self = this;
    document.body.classList.add("whoami-needed");
    if (self.panel) self.panel.parentNode.removeChild(self.panel);
    var panel = self.panel = el("section", "whoami");
    panel.setAttribute("aria-label", "Who are you?");
    panel.appendChild(el("h2", "whoami-title", "Who are you?"));
    var help = panel.appendChild(el("p", "whoami-help",
      "This is the room\u2019s shared link. Say who you are so your notes and verdicts carry " +
      "your name; this browser remembers it. Running this session? Open it from "));
    var desk = help.appendChild(el("a", "whoami-desk", "your dailies desk"));
    desk.href = "/desk/";
    help.appendChild(document.createTextNode(" (Open, or Present to lead)."));
    var error = el("p", "whoami-error");
    if ((info.invitees || []).length) panel.appendChild(self.pickForm(info.invitees, error));
    if (info.can_add) panel.appendChild(self.addForm(error));
    else if (info.why) panel.appendChild(el("p", "whoami-help", info.why));
    panel.appendChild(error);
    var header = document.querySelector(".topbar");
    if (header) header.parentNode.insertBefore(panel, header.nextSibling);
  };

  WhoAmI.prototype.choose = function (body, error, button) {
    var self = this;
    error.textContent = "";
    button.disabled = true;
    request(withToken(self.url, self.roomToken), body).then(function (answer) {
      self.use(answer.token, answer.me);
    }).catch(function (failure) {
      error.textContent = failure.message;
    }).then(function () { button.disabled = false; });
  };

  WhoAmI.prototype.pickForm = function (invitees, error) {
    var self = this;
    var form = el("form", "whoami-pick");
    var select = el("select", "whoami-select");
    select.setAttribute("aria-label", "I am");
    invitees.forEach(function (person) {
      var option = el("option", "", person.name);
      option.value = person.invitee_id;
      select.appendChild(option);
    });
    var button = el("button", "whoami-pick-button", "That\u2019s me");
    button.type = "submit";
    form.appendChild(el("span", "whoami-or", "I am"));
    form.appendChild(select);
    form.appendChild(button);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.choose({ invitee_id: select.value }, error, button);
    });
    return form;
  };

  WhoAmI.prototype.addForm = function (error) {
    var self = this;
    var form = el("form", "whoami-add");
    var name = el("input", "whoami-name-input");
    name.placeholder = "Your name";
    name.maxLength = 100;
    name.required = true;
    name.autocomplete = "name";
    var email = el("input", "whoami-email-input");
    email.type = "email";
    email.placeholder = "you@example.com";
    email.required = true;
    email.autocomplete = "email";
    var button = el("button", "whoami-add-button", "Add me");
    button.type = "submit";
    form.appendChild(el("span", "whoami-or", "New here?"));
    form.appendChild(name);
    form.appendChild(email);
    form.appendChild(button);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.choose({ name: name.value, email: email.value }, error, button);
    });
    return form;
  };

  function start() {
    var main = document.querySelector("main.items");
    if (!main || !main.dataset.feedbackUrl || main.dataset.open !== "true") return;
    R.whoami = new WhoAmI(main);
    R.whoami.start();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window.ftReview = window.ftReview || {});
