// select2 (Django's autocomplete boxes) renders the chosen value in a span with role="textbox" and no name, so a
// screen reader announces an unnamed field (axe-core: aria-input-field-name). Name each such span after its field's
// label as soon as select2 inserts it: Django sets select2 up in a jQuery ready handler, which may run after "load",
// and again for each inline form added, so this watches the page rather than waiting for an event.
"use strict";
(() => {
    const name = (rendered) => {
        const id = rendered.id.replace(/^select2-/, "").replace(/-container$/, "");
        const label = document.querySelector(`label[for="${CSS.escape(id)}"]`);
        if (label && !rendered.hasAttribute("aria-label")) {
            rendered.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
        }
    };
    new MutationObserver((changes) => {
        for (const change of changes) {
            for (const node of change.addedNodes) {
                if (node instanceof Element) {
                    if (node.matches(".select2-selection__rendered[id]")) name(node);
                    node.querySelectorAll(".select2-selection__rendered[id]").forEach(name);
                }
            }
        }
    }).observe(document.documentElement, { childList: true, subtree: true });
})();
