// The header's tools fold into a "Menu" button on a phone, so the first screen shows the page, not the header.
// A disclosure (aria-expanded on the button); on wider screens the CSS hides the button and shows the tools.
(function () {
  "use strict";
  function start() {
    var header = document.querySelector(".site-header");
    var button = document.querySelector(".menu-toggle");
    if (!header || !button) { return; }
    header.classList.add("menu-collapsed");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
      header.classList.toggle("menu-collapsed", open);
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
