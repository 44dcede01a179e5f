// The static export's search page (templates/export/search.html): reads ?q=, searches the
// Pagefind index that summaries/export writes at the export's root, and lists the
// summaries found. Addresses are relative to this file, so the export works under any path.
const siteRoot = new URL("../../", import.meta.url);
const form = document.querySelector("form[role=search]");
const input = document.getElementById("archive-search");
const status = document.getElementById("archive-search-status");
const results = document.getElementById("archive-search-results");

function card(data) {
  const item = document.createElement("li");
  item.className = "card";
  const heading = document.createElement("h2");
  heading.className = "card__title";
  const link = document.createElement("a");
  link.href = new URL(data.url.replace(/^\//, ""), siteRoot).href;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  const excerpt = document.createElement("p");
  // Pagefind's excerpt is the page's own text, escaped, with <mark> around the matches.
  excerpt.innerHTML = data.excerpt;
  item.append(heading, excerpt);
  return item;
}

async function search(query) {
  results.replaceChildren();
  if (!query) {
    status.textContent = "";
    return;
  }
  status.textContent = "Searching…";
  try {
    const pagefind = await import(new URL("pagefind/pagefind.js", siteRoot).href);
    // Results as indexed ("/toolkit/<slug>/index.html"), resolved below against siteRoot:
    // Pagefind would otherwise prefix the path it was loaded from itself.
    await pagefind.options({ baseUrl: "/" });
    const found = await pagefind.search(query);
    const shown = await Promise.all(found.results.slice(0, 50).map((result) => result.data()));
    results.append(...shown.map(card));
    const total = found.results.length;
    const noun = total === 1 ? "summary" : "summaries";
    status.textContent = `${total} ${noun} found for ‘${query}’` +
      (total > shown.length ? `; the first ${shown.length} are listed.` : ".");
    document.title = `Search results for ‘${query}’ | ${document.title.split(" | ").pop()}`;
  } catch (error) {
    status.textContent = "Search could not be loaded. Browse all summaries instead.";
    console.error(error);
  }
}

const query = new URLSearchParams(window.location.search).get("q")?.trim() || "";
input.value = query;
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = input.value.trim();
  const url = new URL(window.location.href);
  url.searchParams.set("q", value);
  window.history.pushState({}, "", url);
  search(value);
});
window.addEventListener("popstate", () => {
  const value = new URLSearchParams(window.location.search).get("q")?.trim() || "";
  input.value = value;
  search(value);
});
search(query);
