/* ft_dcc review page: starts the players, version pickers, drawing, feedback and live updates
   of a session page (scripts loaded before this one fill window.ftReview). */
"use strict";

(function (R) {
  var active = null;
  var feedback = null;

  function activate(item) {
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
        item.drawing = new R.Drawing(item, item.player, function (frame, png) {
          return feedback.saveDrawing(item, frame, png);
        });
      }
    }
    item.addEventListener("pointerdown", function () { activate(item); });
    item.addEventListener("focusin", function () { activate(item); });
  }

  function startGroup(section) {
    if (!section.group) new R.Group(section);
    Array.prototype.forEach.call(section.querySelectorAll(".item"), startItem);
  }

  /** A version added to the session after the page opened: add it where it belongs. */
  function addObject(main, objectId) {
    if (document.getElementById("item-" + objectId)) { feedback.refresh(); return; }
    R.fetchPage().then(function (doc) {
      var item = doc.getElementById("item-" + objectId);
      if (!item) return;
      var fresh = item.closest(".asset-group");
      var known = null;
      Array.prototype.forEach.call(main.querySelectorAll(".asset-group"), function (section) {
        if (section.dataset.asset === fresh.dataset.asset) known = section;
      });
      if (known) {
        var tab = fresh.querySelector('.version-tab[data-object-id="' + objectId + '"]');
        var option = fresh.querySelector('.compare-with option[value="' + objectId + '"]');
        item.hidden = true;
        known.appendChild(document.importNode(item, true));
        var versions = fresh.querySelector(".version-count");
        known.group.adopt(document.importNode(tab, true),
          option ? document.importNode(option, true) : null,
          versions ? versions.textContent : "");
        startGroup(known);
      } else {
        var empty = main.querySelector(".empty");
        if (empty) empty.remove();
        var section = document.importNode(fresh, true);
        main.appendChild(section);
        startGroup(section);
      }
      var count = document.querySelector(".topbar .count");
      var freshCount = doc.querySelector(".topbar .count");
      if (count && freshCount) count.textContent = freshCount.textContent;
      main.dataset.objectsAdded = String((parseInt(main.dataset.objectsAdded, 10) || 0) + 1);
      feedback.refresh();
    }).catch(function () {});
  }

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
    feedback = new R.Feedback(main);
    Array.prototype.forEach.call(main.querySelectorAll(".asset-group"), startGroup);
    var first = main.querySelector(".item:not([hidden])");
    if (first) activate(first);
    document.addEventListener("keydown", onKey);
    feedback.refresh();
    R.Live(main, function () { feedback.refresh(); }, function (id) { addObject(main, id); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window.ftReview = window.ftReview || {});
