// The admin's rich-text editor (django-prose-editor) replaces each textarea with an
// editable div that has no name of its own, so screen readers announce a nameless
// "textbox". Give it the textarea's label and help text, and let a click on the label
// focus it, as the textarea did.
document.addEventListener("prose-editor:ready", (event) => {
  const { editor, textarea } = event.detail;
  const box = editor.view.dom;
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  if (label) {
    label.id = label.id || `${textarea.id}-label`;
    box.setAttribute("aria-labelledby", label.id);
    label.addEventListener("click", () => editor.commands.focus());
  }
  const help = textarea.getAttribute("aria-describedby");
  if (help) box.setAttribute("aria-describedby", help);
});
