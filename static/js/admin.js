// The admin's rich-text editor (django-prose-editor) replaces each textarea with an
// editable div that has no name of its own, so screen readers announce a nameless
// "textbox". Give it the textarea's label and help text, and let a click on the label
// focus it, as the textarea did.
//
// In a list the editor takes Tab to indent the item (Shift+Tab to outdent), so Tab alone
// may not leave it (WCAG 2.1.2). Escape, then Tab or Shift+Tab, always moves on to the
// next or previous control; the page says so (#rich-text-keys, read with the editor).
document.addEventListener("prose-editor:ready", (event) => {
  const { editor, textarea } = event.detail;
  const box = editor.view.dom;
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  if (label) {
    label.id = label.id || `${textarea.id}-label`;
    box.setAttribute("aria-labelledby", label.id);
    label.addEventListener("click", () => editor.commands.focus());
  }
  const described = [textarea.getAttribute("aria-describedby"), "rich-text-keys"].filter(
    (id) => id && document.getElementById(id),
  );
  if (described.length) box.setAttribute("aria-describedby", described.join(" "));

  // Listening on the editor's parent, before the event reaches the editor: a Tab after
  // Escape never gets to the editor's keymap, and the browser moves focus as usual.
  let leaving = false;
  box.parentElement.addEventListener(
    "keydown",
    (event) => {
      if (event.target !== box) return;
      if (event.key === "Tab" && leaving) event.stopPropagation();
      leaving = event.key === "Escape";
    },
    true,
  );
});
