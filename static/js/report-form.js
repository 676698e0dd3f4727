// "Found an error?": selecting text in the article offers to report that passage, and
// a claim's "Report an error" link picks the claim in the form. Without JavaScript the
// links still lead to the form, which works as is. No inline script (CSP).
(function () {
  "use strict";

  var button = null;

  function form() {
    return document.querySelector("#report-form form");
  }

  function field(name) {
    var f = form();
    return f ? f.elements.namedItem(name) : null;
  }

  function selectedPassage() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
    var text = selection.toString().replace(/\s+/g, " ").trim();
    if (!text) return null;
    var range = selection.getRangeAt(0);
    var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
    var paragraph = start && start.closest(".article-body [data-anchor]");
    if (!paragraph) return null;
    return { text: text, anchor: paragraph.getAttribute("data-anchor"), rect: range.getBoundingClientRect() };
  }

  function hideButton() {
    if (button) button.hidden = true;
  }

  function goToForm(focusName) {
    var section = document.getElementById("report");
    if (section) section.scrollIntoView({ behavior: "smooth", block: "start" });
    var target = field(focusName || "message");
    if (target) target.focus({ preventScroll: true });
  }

  function fill(passage) {
    var quote = field("quote");
    if (quote) {
      var max = parseInt(quote.getAttribute("maxlength") || "1000", 10);
      quote.value = passage.text.slice(0, max);
    }
    var paragraph = field("paragraph");
    if (paragraph && paragraph.querySelector('option[value="' + passage.anchor + '"]')) {
      paragraph.value = passage.anchor;
    }
    goToForm("message");
  }

  function showButton(passage) {
    var f = form();
    if (!f) return;
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "report-passage";
      document.body.appendChild(button);
      button.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the selection
      });
      button.addEventListener("click", function () {
        if (button.passage) fill(button.passage);
        hideButton();
      });
    }
    button.textContent = f.getAttribute("data-passage-label") || "Report";
    button.passage = passage;
    button.style.top = window.scrollY + passage.rect.bottom + 6 + "px";
    button.style.left = Math.max(8, window.scrollX + passage.rect.left) + "px";
    button.hidden = false;
  }

  function onSelectionEnd() {
    // Let the browser settle the selection first.
    window.setTimeout(function () {
      var passage = selectedPassage();
      if (passage) showButton(passage);
      else hideButton();
    }, 0);
  }

  document.addEventListener("mouseup", onSelectionEnd);
  document.addEventListener("keyup", function (event) {
    if (event.key === "Escape") hideButton();
    else if (event.shiftKey) onSelectionEnd();
  });
  document.addEventListener("touchend", onSelectionEnd);

  // After htmx swaps the form region: the thank-you (or what needs fixing) is brought
  // into view and focused, and announced through the live region beside the swapped
  // element (a region that is itself swapped in is not reliably read out).
  document.body.addEventListener("htmx:afterSettle", function () {
    var region = document.getElementById("report-form");
    if (!region) return;
    var target = region.querySelector(".report-sent") || region.querySelector(".report-form .notice.error");
    if (!target || target.dataset.shown === "1") return;
    target.dataset.shown = "1";
    var live = document.getElementById("report-announce");
    if (live) {
      live.textContent = "";
      window.setTimeout(function () { live.textContent = target.textContent.replace(/\s+/g, " ").trim(); }, 50);
    }
    var reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    target.scrollIntoView({ behavior: reduce ? "auto" : "smooth", block: "start" });
    target.focus({ preventScroll: true });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-report-claim]");
    if (!link) return;
    var claim = field("claim");
    if (!claim) return;
    event.preventDefault();
    claim.value = link.getAttribute("data-report-claim");
    goToForm("message");
  });
})();
