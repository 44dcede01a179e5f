// The version form (templates/admin/summaries/summaryversion/): improvements only, every
// task works without this script.
//
// - Parts: shows one part of the form at a time; the list of parts switches between them.
//   After a failed save the part with the first error is shown.
// - Error summary: focused on load; its links show the field's part and focus the field
//   (for rich text, its editor).
// - "Next part": shows the next part and puts focus on its heading.
// - Unsaved changes: leaving the page after changing the form asks first; saving doesn't.
// The admin loads its media in <head>; wait for the form.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const form = document.getElementById("summaryversion_form");
  const nav = document.getElementById("form-parts-nav");
  const parts = [...document.querySelectorAll(".form-part")];

  function showPart(key, { scroll = false } = {}) {
    const part = parts.find((p) => p.dataset.part === key);
    if (!part) return;
    for (const p of parts) p.hidden = p !== part;
    for (const link of nav.querySelectorAll("a[data-part]")) {
      if (link.dataset.part === key) link.setAttribute("aria-current", "step");
      else link.removeAttribute("aria-current");
    }
    if (scroll) nav.scrollIntoView({ block: "start" });
  }

  function partOf(element) {
    const part = element && element.closest(".form-part");
    return part ? part.dataset.part : null;
  }

  // The element to focus for a link's target: the target itself if it is a field, else
  // the first field in it (a section's heading leads to its text, a group to its first
  // row); a rich-text field's textarea is hidden behind its editor, so the editor.
  function focusable(target) {
    if (!target.matches("input, select, textarea, [contenteditable=true]")) {
      const box = target.closest(".section-form") || target;
      target =
        box.querySelector("[contenteditable=true]") ||
        box.querySelector("input:not([type=hidden]), select, textarea") ||
        target;
    }
    if (target.matches("textarea") && target.offsetParent === null) {
      const editor = target.closest(".form-row, .flex-container")?.querySelector("[contenteditable=true]");
      if (editor) return editor;
    }
    return target;
  }

  function reveal(id) {
    const target = document.getElementById(id);
    if (!target) return false;
    const key = partOf(target);
    if (key) showPart(key);
    const element = focusable(target);
    element.scrollIntoView({ block: "center" });
    if (!element.matches("input, select, textarea, button, a, [contenteditable=true], [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus({ preventScroll: true });
    return true;
  }

  if (nav && parts.length) {
    document.body.classList.add("js-form-parts");
    nav.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-part]");
      if (!link) return;
      event.preventDefault();
      showPart(link.dataset.part);
      history.replaceState(null, "", `#part-${link.dataset.part}`);
    });
    // "Next part" hides the part it is in, with the focused link: focus moves to the next
    // part's heading, so the next Tab goes to that part's first field, not back to the top.
    for (const link of document.querySelectorAll(".form-part-next a[data-part]")) {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        showPart(link.dataset.part, { scroll: true });
        history.replaceState(null, "", `#part-${link.dataset.part}`);
        const heading = document.getElementById(`part-${link.dataset.part}-heading`);
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
      });
    }
    const summary = document.getElementById("error-summary");
    const firstError = summary?.querySelector("a[href^='#']");
    const firstErrorTarget = firstError && document.getElementById(firstError.hash.slice(1));
    const fromHash = location.hash.startsWith("#part-") ? location.hash.slice(6) : null;
    showPart(
      partOf(firstErrorTarget) ||
        partOf(document.querySelector(".form-part .errorlist")) ||
        (parts.some((p) => p.dataset.part === fromHash) ? fromHash : parts[0].dataset.part),
    );
    // Arriving at a field's address (a comment's link from another page) shows its part.
    if (location.hash.length > 1 && !fromHash && !summary) {
      const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target && partOf(target)) reveal(target.id);
    }
    // Any in-page link to something in a hidden part (the error summary's, a comment's,
    // a help text's).
    document.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      if (!link || link.closest("#form-parts-nav, .form-part-next") || link.hash.length < 2) return;
      if (reveal(decodeURIComponent(link.hash.slice(1)))) event.preventDefault();
    });
  }

  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // Unsaved changes.
  if (form) {
    let changed = false;
    let submitting = false;
    const markChanged = (event) => {
      if (event.isTrusted) changed = true;
    };
    form.addEventListener("input", markChanged);
    form.addEventListener("change", markChanged);
    form.addEventListener("submit", () => {
      submitting = true;
      // The page that answers is about the whole form (its errors, or "saved"), not the
      // part last shown; a #part- fragment kept on it would also take the focus away
      // from the error summary.
      if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    });
    window.addEventListener("beforeunload", (event) => {
      if (changed && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
});
