/* Robust Links (https://robustlinks.mementoweb.org/spec/). Every link to a cited source
   carries data-originalurl, data-versionurl and data-versiondate. Without JavaScript the
   page shows a plain link to the copy beside it (a.robust-fallback); this script turns
   that link into a small disclosure menu: the page as it is now, or the copy. The button
   says what it opens (aria-label, aria-expanded), the menu holds plain links, and Escape
   or leaving the menu closes it, giving focus back to the button. No dependencies. */
(function () {
  "use strict";

  var count = 0;

  function close(button, menu, giveFocus) {
    if (menu.hidden) return;
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (giveFocus) button.focus();
  }

  function item(href, text) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = href;
    a.rel = "noopener nofollow";
    a.textContent = text;
    li.appendChild(a);
    return li;
  }

  function enhance(fallback) {
    var link = fallback.previousElementSibling;
    if (!link || !link.hasAttribute("data-versionurl")) return;
    count += 1;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "robust-toggle";
    button.id = "robust-toggle-" + count;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", "robust-menu-" + count);
    button.setAttribute("aria-label", fallback.getAttribute("data-toggle-label") || "");
    button.textContent = "▾";

    var menu = document.createElement("ul");
    menu.id = "robust-menu-" + count;
    menu.className = "robust-menu";
    menu.hidden = true;
    menu.setAttribute("aria-labelledby", button.id);
    menu.appendChild(item(link.getAttribute("data-originalurl"),
                          fallback.getAttribute("data-current-label") || link.textContent));
    menu.appendChild(item(link.getAttribute("data-versionurl"), fallback.textContent));

    fallback.replaceWith(button);
    button.after(menu);

    button.addEventListener("click", function () {
      if (menu.hidden) {
        menu.hidden = false;
        button.setAttribute("aria-expanded", "true");
        menu.querySelector("a").focus();
      } else {
        close(button, menu, false);
      }
    });
    [button, menu].forEach(function (element) {
      element.addEventListener("keydown", function (event) {
        if (event.key === "Escape") close(button, menu, true);
      });
      element.addEventListener("focusout", function (event) {
        var next = event.relatedTarget;
        if (next && (next === button || menu.contains(next))) return;
        close(button, menu, false);
      });
    });
  }

  document.querySelectorAll("a.robust-fallback").forEach(enhance);
})();
