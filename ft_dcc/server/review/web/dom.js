/* ft_dcc review page: the DOM helper every script of the page shares (loaded first). */
"use strict";

(function (R) {
  /** A new ``tag`` element with ``className`` and ``text``, set with textContent, never markup. */
  R.el = function (tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
})(window.ftReview = window.ftReview || {});
