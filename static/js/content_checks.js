// The content checks' panel on the version form (content_checks.html): an improvement
// only; without this script the panel is brought up to date by saving.
//
// A pause in typing (DEBOUNCE_MS) posts the form's fields, unsaved, to the checks'
// endpoint (summaries/admin/content_checks.py) and rewrites the list of findings. The
// status line, the panel's only live region, is rewritten only when the count changes,
// so a screen reader hears "2 findings: ..." once, not at every keystroke. The links
// in the list open their part and focus their field (version_form.js handles any link to
// a field of the form, whenever it was added).
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const DEBOUNCE_MS = 800;
  const panel = document.getElementById("content-checks");
  const form = document.getElementById("summaryversion_form");
  if (!panel || !form || !panel.dataset.checksUrl) return;
  const status = document.getElementById("content-checks-status");
  const list = document.getElementById("content-checks-list");
  let timer = null;
  let pending = null;

  function item(finding) {
    const li = document.createElement("li");
    li.className = `finding finding-${finding.severity}`;
    const severity = document.createElement("strong");
    severity.className = "finding-severity";
    severity.textContent = `${finding.severity_label}:`;
    const link = document.createElement("a");
    link.href = finding.href;
    link.textContent = finding.field;
    const message = document.createElement("span");
    message.className = "finding-message";
    message.textContent = finding.message;
    li.append(severity, " ", link);
    if (finding.show_part) {
      const part = document.createElement("span");
      part.className = "finding-part";
      part.textContent = `(${finding.part_title})`;
      li.append(" ", part);
    }
    li.append(". ", message);
    if (finding.excerpt) {
      const excerpt = document.createElement("q");
      excerpt.className = "finding-excerpt";
      excerpt.textContent = finding.excerpt;
      li.append(" ", excerpt);
    }
    return li;
  }

  async function check() {
    if (pending) pending.abort();
    pending = new AbortController();
    const data = new FormData(form);
    let answer;
    try {
      const response = await fetch(panel.dataset.checksUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" },
        signal: pending.signal,
      });
      if (!response.ok) return; // the panel keeps what it showed; saving brings it up to date
      answer = await response.json();
    } catch {
      return; // aborted by a newer check, or offline: the same
    }
    const items = answer.findings.map(item);
    if (!items.length) {
      const none = document.createElement("li");
      none.textContent = "Nothing found.";
      items.push(none);
    }
    list.replaceChildren(...items);
    if (status.textContent.trim() !== answer.summary) status.textContent = answer.summary;
    panel.dataset.checked = "live";
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  }
  // "input" also comes from the rich-text editors, which copy their text to their
  // textarea and announce it as they change.
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
});
