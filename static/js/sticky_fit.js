// Sticky only while it fits (WCAG 1.4.10 Reflow, 2.4.11 Focus not obscured).
//
// An element marked data-sticky-max="0.25" stays at the top of the window only while it
// takes at most that share of the window's height. In a narrow or short window, or with
// large text, it gets the class "unstuck" and scrolls with the page (static/css/admin.css,
// review.css), so it never fills the window, hides the field in focus or takes clicks
// meant for the page. Those marked data-sticky-covers also set --sticky-offset on <html>:
// the page's scroll-padding-top, so a focused field or a followed link stops below them.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const sticky = [...document.querySelectorAll("[data-sticky-max]")];
  if (!sticky.length) return;

  function fit() {
    let covered = 0;
    for (const element of sticky) {
      const height = element.getBoundingClientRect().height;
      const fits = height <= window.innerHeight * parseFloat(element.dataset.stickyMax);
      element.classList.toggle("unstuck", !fits);
      if ("stickyCovers" in element.dataset && getComputedStyle(element).position === "sticky") {
        covered = Math.max(covered, height);
      }
    }
    document.documentElement.style.setProperty("--sticky-offset", `${Math.ceil(covered)}px`);
  }

  fit();
  window.addEventListener("resize", fit);
  // The element's own height changes with its text (zoom, a larger font, a longer note).
  const observer = new ResizeObserver(fit);
  for (const element of sticky) observer.observe(element);
});
