/* ft_dcc review page: a link ending in "#compare=<A object id>,<B object id>" opens with version A
   shown and compared with B (what the DCC panels' "addressed in v003?" opens). Runs after
   review.js started the page. */
"use strict";

(function (R) {
  function follow() {
    var match = /^#compare=([\w-]+),([\w-]+)$/.exec(window.location.hash);
    var a = match && document.getElementById("item-" + match[1]);
    var section = a && a.closest(".asset-group");
    if (!section || !section.group || !document.getElementById("item-" + match[2])) return;
    section.group.select(match[1]);
    section.group.compareWith(match[2]);
    section.scrollIntoView({ block: "start" });
  }

  window.addEventListener("hashchange", follow);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", follow);
  else follow();
})(window.ftReview = window.ftReview || {});
