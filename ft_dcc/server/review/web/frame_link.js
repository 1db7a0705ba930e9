/* ft_dcc review page: a link ending in "#frame=<object id>,<frame>" (what a mail digest's item
   links to) opens with that version shown and paused on that frame (the frame may be empty: the
   version alone). Runs after review.js started the page. */
"use strict";

(function (R) {
  function follow() {
    var match = /^#frame=([\w-]+),(-?\d*)$/.exec(window.location.hash);
    var item = match && document.getElementById("item-" + match[1]);
    var section = item && item.closest(".asset-group");
    if (!item) return;
    if (section && section.group) section.group.select(match[1]);
    item.scrollIntoView({ block: "start" });
    var frame = parseInt(match[2], 10);
    var player = item.player;
    if (!player || isNaN(frame)) return;
    var video = player.video;
    if (video.readyState >= 1) player.seekFrame(frame);
    else video.addEventListener("loadedmetadata", function () { player.seekFrame(frame); }, { once: true });
  }

  window.addEventListener("hashchange", follow);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", follow);
  else follow();
})(window.ftReview = window.ftReview || {});
