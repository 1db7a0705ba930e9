/* ft_dcc review page: who is watching now. The live stream sends the list of people with this
   session's page open (event: watchers, the server's own: each page counts as the person its
   link acts as); it is shown as a row under the header on every page, the presenter marked.
   Names are set with textContent, never markup. */
"use strict";

(function (R) {
  var el = R.el;

  function Watchers(main, source) {
    var self = this;
    self.main = main;
    self.people = [];
    self.row = el("div", "watchers");
    self.row.setAttribute("aria-live", "polite");
    self.row.hidden = true;
    var top = document.querySelector(".topbar");
    if (top) top.parentNode.insertBefore(self.row, top.nextSibling);
    source.addEventListener("watchers", function (event) {
      try { self.people = JSON.parse(event.data).watchers || []; } catch (ignored) { return; }
      self.render();
    });
    source.addEventListener("presenter", function () {
      window.setTimeout(function () { self.render(); }, 0); // after presenter.js took it
    });
  }

  /** The key of whoever presents now (presenter.js), or "". */
  Watchers.prototype.presenting = function () {
    var lead = R.presenter && R.presenter.shared && R.presenter.shared.lead;
    return lead && lead.page ? lead.key : "";
  };

  Watchers.prototype.render = function () {
    var row = this.row;
    var you = R.presenter && R.presenter.you ? R.presenter.you.key : "";
    var lead = this.presenting();
    row.textContent = "";
    row.appendChild(el("span", "watchers-label", "Watching now"));
    this.people.forEach(function (person) {
      var chip = el("span", "watcher", person.name || "Someone");
      chip.dataset.key = person.key;
      if (person.key === you) chip.classList.add("you");
      if (person.key === lead) {
        chip.classList.add("presenting");
        chip.appendChild(el("span", "watcher-role", "presenting"));
      }
      if (person.pages > 1) chip.title = person.pages + " pages open";
      row.appendChild(chip);
    });
    row.hidden = !this.people.length;
    this.main.dataset.watchers = this.people.map(function (p) { return p.name; }).join("|");
  };

  R.Watchers = Watchers;
})(window.ftReview = window.ftReview || {});
