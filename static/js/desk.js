// Editor desk: select a passage in an article paragraph to make it a claim.
// Fills the "new claim" form with the selected text, its paragraph and its offset.
(function () {
  "use strict";

  function paragraphOf(node) {
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    return el ? el.closest(".desk-paragraph") : null;
  }

  function offsetIn(paragraph, range) {
    var before = document.createRange();
    before.selectNodeContents(paragraph);
    before.setEnd(range.startContainer, range.startOffset);
    return before.toString().length;
  }

  function onSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    var range = selection.getRangeAt(0);
    var paragraph = paragraphOf(range.startContainer);
    if (!paragraph || paragraph !== paragraphOf(range.endContainer)) return;
    var quote = range.toString();
    var trimmed = quote.trim();
    if (trimmed.length < 3) return;
    var start = offsetIn(paragraph, range) + (quote.length - quote.trimStart().length);
    var panel = document.querySelector("[data-selection-form]");
    if (!panel) return;
    var form = panel.querySelector("form");
    form.elements.quote.value = trimmed;
    form.elements.paragraph.value = paragraph.dataset.anchor;
    form.elements.start.value = String(start);
    if (!form.elements.text.value || form.dataset.autofilled === "1") {
      form.elements.text.value = trimmed;
      form.dataset.autofilled = "1";
    }
    var wasHidden = panel.hidden;
    panel.hidden = false;
    // The panel may sit far from the selected passage (above it, or below the text at
    // 390 px): bring it into view, without taking the selection away.
    var box = panel.getBoundingClientRect();
    if (wasHidden || box.top < 0 || box.bottom > window.innerHeight) {
      panel.scrollIntoView({ behavior: smoothness(), block: "nearest" });
    }
  }

  function smoothness() {
    return window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";
  }

  document.addEventListener("mouseup", function (event) {
    if (paragraphOf(event.target)) window.setTimeout(onSelection, 0);
  });
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey && paragraphOf(document.getSelection().anchorNode)) onSelection();
  });
  document.addEventListener("input", function (event) {
    if (event.target.name === "text" && event.target.form) event.target.form.dataset.autofilled = "0";
  });
  document.body.addEventListener("claim-created", function () {
    var panel = document.querySelector("[data-selection-form]");
    if (!panel) return;
    panel.querySelector("form").reset();
    panel.hidden = true;
  });
})();
