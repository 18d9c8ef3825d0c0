/* The results entry screen: the live character count of 実施結果 with the city's guidance,
   and focus on the list of errors after a refused save. Served from this site (CSP
   script-src 'self'); the screen works without it: the server renders the count as it was
   sent and refuses a text over the limit with a Japanese message. */
(function () {
  "use strict";

  function count(text) {
    // Characters as the server counts them (initiatives/results/limits.py): code points,
    // a line break is one.
    return Array.from(text.replace(/\r\n/g, "\n")).length;
  }

  function level(n, guide, soft, limit) {
    if (n > limit) return "over-limit";
    if (n > soft) return "over-soft";
    if (n > guide) return "over-guide";
    return "";
  }

  function message(n, guide, soft, limit) {
    var fmt = function (v) { return v.toLocaleString("ja-JP"); };
    var text = "いま" + fmt(n) + "字（目安 " + fmt(guide) + "字程度・上限 " + fmt(limit) + "字）";
    var l = level(n, guide, soft, limit);
    if (l === "over-limit") {
      return text + "。上限を" + fmt(n - limit) + "字超えています。短くしないと保存できません。";
    }
    if (l === "over-soft") {
      return text + "。" + fmt(soft) + "字を超えています。報告書の1ページに収まるよう短くしてください。";
    }
    return text;
  }

  function setUpCounter(field) {
    var out = document.getElementById(field.id + "_count");
    if (!out) return;
    var guide = Number(field.dataset.guide);
    var soft = Number(field.dataset.soft);
    var limit = Number(field.dataset.limit);
    // Screen readers hear the count only when it crosses a threshold, not at every key.
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    out.parentNode.insertBefore(live, out.nextSibling);
    var last = level(count(field.value), guide, soft, limit);
    var update = function () {
      var n = count(field.value);
      var now = level(n, guide, soft, limit);
      out.textContent = message(n, guide, soft, limit);
      out.className = "char-count " + now;
      if (now !== last) {
        live.textContent = message(n, guide, soft, limit);
        last = now;
      }
    };
    field.addEventListener("input", update);
    update();
  }

  function ready() {
    document.querySelectorAll("textarea[data-limit]").forEach(setUpCounter);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
