// The version form (templates/admin/summaries/summaryversion/): improvements only, every
// task works without this script.
//
// - Parts: shows one part of the form at a time; the list of parts switches between them.
//   After a failed save the part with the first error is shown.
// - Error summary: focused on load; its links show the field's part and focus the field
//   (for rich text, its editor).
// - "Next part": shows the next part and puts focus on its heading.
// - Unsaved changes: leaving the page after changing the form asks first; saving doesn't.
//   Each part whose fields differ from what was loaded is marked on its tab ("●", and
//   "(unsaved changes)" for screen readers), with a line under the tabs naming them.
// - After a save refused as stale: the part with the user's own first edit is shown (its
//   name travels with the save as "_first_edited"; the page says which field it was).
// - Autosave (when #autosave-status is on the page: the user has it on): a few seconds
//   after typing stops, the form is posted to the user's own slot (summaries/admin/
//   autosave.py); the line on the action bar says when, and says so in words when someone
//   else saved the version meanwhile. A prompt for earlier autosaved changes
//   (#autosave-prompt) pauses it until they are restored (filled into the form here) or
//   discarded.

// Rich-text editors by their textarea, to restore their text; they may be ready before
// the document has finished loading.
const proseEditors = new Map();
document.addEventListener("prose-editor:ready", (event) => {
  proseEditors.set(event.detail.textarea, event.detail.editor);
});

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
    // Refused as stale: the part holding the user's own edit, not the first part.
    const ownEdit = document.getElementById("stale-own-edit")?.dataset.part;
    showPart(
      (parts.some((p) => p.dataset.part === ownEdit) ? ownEdit : null) ||
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

  if (!form) return;

  // Unsaved changes: the form's values now against those it was loaded with.
  const NOT_CONTENT = new Set(["csrfmiddlewaretoken", "loaded_revision", "_first_edited"]);

  function values() {
    const found = new Map();
    for (const [name, value] of new FormData(form)) {
      if (NOT_CONTENT.has(name) || typeof value !== "string") continue;
      if (!found.has(name)) found.set(name, []);
      found.get(name).push(value);
    }
    return found;
  }

  const loaded = values();
  // A rich-text editor that becomes ready later reads its textarea then: the same text.
  document.addEventListener("prose-editor:ready", (event) => {
    const { name, value } = event.detail.textarea;
    if (!firstEdited && name) loaded.set(name, [value]);
  });

  function changedNames() {
    const now = values();
    const names = [];
    for (const name of new Set([...loaded.keys(), ...now.keys()])) {
      if (JSON.stringify(loaded.get(name) || []) !== JSON.stringify(now.get(name) || [])) {
        names.push(name);
      }
    }
    return names;
  }

  function partOfName(name) {
    const element = form.elements.namedItem(name);
    const first = element instanceof RadioNodeList ? element[0] : element;
    return partOf(first);
  }

  let firstEdited = null;
  let unsaved = [];
  const unsavedLine = document.createElement("p");
  unsavedLine.className = "help unsaved-parts";
  unsavedLine.id = "unsaved-parts";
  unsavedLine.hidden = true;
  nav?.after(unsavedLine);

  function markParts() {
    unsaved = changedNames();
    if (!unsaved.includes(firstEdited)) firstEdited = unsaved[0] || null;
    const dirty = new Set(unsaved.map(partOfName).filter(Boolean));
    const titles = [];
    for (const link of nav ? nav.querySelectorAll("a[data-part]") : []) {
      let mark = link.querySelector(".part-unsaved");
      if (dirty.has(link.dataset.part)) {
        titles.push(link.firstChild.textContent.trim());
        if (!mark) {
          mark = document.createElement("span");
          mark.className = "part-unsaved";
          mark.innerHTML =
            '<span aria-hidden="true"> ●</span><span class="visually-hidden"> (unsaved changes)</span>';
          link.append(mark);
        }
      } else if (mark) {
        mark.remove();
      }
    }
    unsavedLine.hidden = titles.length === 0;
    unsavedLine.textContent = titles.length
      ? `● Unsaved changes in: ${titles.join(", ")}. Save keeps them.`
      : "";
  }

  let marking = null;
  const onEdit = () => {
    clearTimeout(marking);
    marking = setTimeout(() => {
      markParts();
      autosave.edited();
    }, 150);
  };
  form.addEventListener("input", onEdit);
  form.addEventListener("change", onEdit);

  let submitting = false;
  form.addEventListener("submit", () => {
    submitting = true;
    autosave.stop();
    markParts();
    if (firstEdited) {
      // Where the user's own edit is, should the save be refused as stale.
      const field = document.createElement("input");
      field.type = "hidden";
      field.name = "_first_edited";
      field.value = firstEdited;
      form.append(field);
    }
    // The page that answers is about the whole form (its errors, or "saved"), not the
    // part last shown; a #part- fragment kept on it would also take the focus away
    // from the error summary.
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  });
  window.addEventListener("beforeunload", (event) => {
    if (!submitting && changedNames().length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  const autosave = autosaver();
  restorePrompt();

  // Autosave: posts the form to the user's slot after IDLE ms without typing (at the
  // latest LONGEST ms after the first change not yet sent).
  function autosaver() {
    const status = document.getElementById("autosave-status");
    const off = { edited() {}, stop() {}, resume() {}, say() {} };
    if (!status?.dataset.url) return off;
    const IDLE = 3000;
    const LONGEST = 30000;
    const message = document.getElementById("autosave-message");
    const conflict = document.getElementById("autosave-conflict");
    const maxBytes = Number(status.dataset.maxBytes) || Infinity;
    let paused = Boolean(document.getElementById("autosave-prompt"));
    let stopped = false;
    let idle = null;
    let longest = null;
    let lastSent = new URLSearchParams(new FormData(form)).toString();
    let sending = false;
    status.hidden = false;
    const say = (text) => {
      message.textContent = text;
    };
    say(
      paused
        ? "Autosave is paused until you restore or discard your earlier changes (above)."
        : "Autosave is on: what you type is kept for you every few seconds.",
    );

    async function send() {
      clearTimeout(idle);
      clearTimeout(longest);
      idle = longest = null;
      if (paused || stopped || submitting) return;
      if (sending) {
        idle = setTimeout(send, IDLE);
        return;
      }
      const body = new URLSearchParams(new FormData(form)).toString();
      if (body === lastSent) return;
      if (body.length > maxBytes) {
        say("Not autosaved: this form is too large to autosave. Your changes are still here: Save keeps them.");
        return;
      }
      sending = true;
      try {
        const response = await fetch(status.dataset.url, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        });
        const json = (response.headers.get("Content-Type") || "").includes("json");
        const answer = json ? await response.json() : null;
        if (!answer) {
          say("Not autosaved: you may have been signed out. Your changes are still in this form.");
        } else if (response.ok) {
          lastSent = body;
          say(answer.message);
          if (answer.conflict) {
            conflict.textContent = `Someone else saved: ${answer.conflict}`;
            conflict.hidden = false;
          }
        } else {
          say(answer.message);
          if (response.status === 429) {
            const wait = Number(response.headers.get("Retry-After")) || 2;
            idle = setTimeout(send, wait * 1000 + 250);
          } else if (response.status !== 404) {
            stopped = response.status !== 413;
          }
        }
      } catch {
        say("Not autosaved: the server could not be reached. Your changes are still in this form.");
      } finally {
        sending = false;
      }
    }

    return {
      edited() {
        if (paused || stopped || submitting) return;
        clearTimeout(idle);
        idle = setTimeout(send, IDLE);
        if (!longest) longest = setTimeout(send, LONGEST);
      },
      stop() {
        stopped = true;
        clearTimeout(idle);
        clearTimeout(longest);
      },
      resume() {
        paused = false;
        say("Autosave is on: what you type is kept for you every few seconds.");
      },
      say,
    };
  }

  // The prompt for changes autosaved earlier: Restore fills the form with them.
  function restorePrompt() {
    const prompt = document.getElementById("autosave-prompt");
    const button = document.getElementById("autosave-restore");
    const data = document.getElementById("autosave-data");
    if (!prompt || !button || !data) return;
    button.hidden = false;
    document.getElementById("autosave-needs-script").hidden = true;
    if (!document.getElementById("error-summary")) prompt.focus();
    button.addEventListener("click", () => {
      const saved = JSON.parse(data.textContent);
      fill(saved);
      form.elements.namedItem("loaded_revision").value = prompt.dataset.revision;
      const first = prompt.querySelector(".autosave-differences a[href^='#']");
      const target = first && first.hash.slice(1);
      const when = prompt.querySelector("h2").textContent.replace(/^.*autosaved at /, "");
      prompt.remove();
      markParts();
      autosave.resume();
      autosave.say(`Restored your changes autosaved at ${when}. They are not saved until you press Save.`);
      if (target) reveal(target);
    });
  }

  function fill(saved) {
    // Rows added before the autosave: add them again, then fill every field.
    for (const [name, [total]] of Object.entries(saved)) {
      const prefix = name.endsWith("-TOTAL_FORMS") ? name.slice(0, -"-TOTAL_FORMS".length) : null;
      const field = prefix && form.elements.namedItem(name);
      const add = prefix && document.querySelector(`#${CSS.escape(prefix)}-group .add-row a`);
      if (!field || !add) continue;
      for (let have = Number(field.value); have < Number(total); have++) add.click();
    }
    for (const element of form.elements) {
      const name = element.name;
      if (!name || NOT_CONTENT.has(name) || /-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(name)) continue;
      const wanted = saved[name];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = Boolean(wanted) && wanted.includes(element.value);
      } else if (element.tagName === "SELECT" && element.multiple) {
        for (const option of element.options) option.selected = Boolean(wanted) && wanted.includes(option.value);
      } else if (wanted === undefined || element.type === "file" || element.type === "submit") {
        continue;
      } else {
        const value = wanted[0] ?? "";
        if (element.tagName === "SELECT" && ![...element.options].some((o) => o.value === value)) {
          element.add(new Option(`(restored choice ${value})`, value));
        }
        element.value = value;
        const editor = proseEditors.get(element);
        if (editor) {
          editor.commands.setContent(value);
          element.value = value;
        }
      }
      element.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }
});
