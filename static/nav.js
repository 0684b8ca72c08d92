// Course navigation shared by every page: the header with the lesson path,
// previous/next links, "completed" marks kept in localStorage, and embed mode.
(function () {
  "use strict";
  const PAGES = [
    { href: "pages/chain-rule.html", title: "Chain rule", blurb: "Local derivatives multiply along a path and add across paths." },
    { href: "pages/step-through.html", title: "Step through a network", blurb: "Every forward and backward computation of a 2-2-1 network, with its numbers." },
    { href: "pages/gradients.html", title: "Vanishing & exploding gradients", blurb: "Gradient size layer by layer, and the remedies that keep it healthy." },
    { href: "pages/playground.html", title: "Training playground", blurb: "Train an MLP on 2-D data and watch its decision boundary form." },
  ];
  const STORAGE_KEY = "backprop-lab:completed";
  const root = document.documentElement;
  const params = new URLSearchParams(location.search);
  if (params.get("embed") === "1") root.classList.add("embed");

  // Storage may be blocked (third-party iframes, private modes): progress then just is not kept.
  // What is stored may be anything (another version, another script, a person in the console):
  // only a list of the lessons' addresses counts, and anything else reads as no progress.
  function readCompleted() {
    let stored;
    try { stored = JSON.parse(localStorage.getItem(STORAGE_KEY) || "[]"); } catch (e) { return []; }
    if (!Array.isArray(stored)) return [];
    return stored.filter((href) => PAGES.some((page) => page.href === href));
  }
  function writeCompleted(list) {
    try { localStorage.setItem(STORAGE_KEY, JSON.stringify(list)); return true; } catch (e) { return false; }
  }

  const here = location.pathname.replace(/\/index\.html$/, "/");
  const inPages = /\/pages\/[^/]*$/.test(here);
  const prefix = inPages ? "../" : "";
  const currentIndex = PAGES.findIndex((p) => here.endsWith("/" + p.href));

  function link(page, text) {
    const a = document.createElement("a");
    a.href = prefix + page.href;
    a.textContent = text;
    return a;
  }

  function buildNav() {
    const nav = document.createElement("nav");
    nav.setAttribute("aria-label", "Lesson path");
    const list = document.createElement("ol");
    const done = readCompleted();
    PAGES.forEach((page, i) => {
      const item = document.createElement("li");
      const a = link(page, `${i + 1}. ${page.title}`);
      if (i === currentIndex) a.setAttribute("aria-current", "page");
      if (done.includes(page.href)) a.append(" ✓");
      item.append(a);
      list.append(item);
    });
    nav.append(list);
    return nav;
  }

  function buildHeader(header) {
    const brand = document.createElement("a");
    brand.className = "brand";
    brand.href = prefix + "index.html";
    brand.textContent = "Backprop Lab";
    const glossary = document.createElement("a");
    glossary.href = prefix + "pages/glossary.html";
    glossary.textContent = "Glossary";
    if (here.endsWith("/pages/glossary.html")) glossary.setAttribute("aria-current", "page");
    header.replaceChildren(brand, buildNav(), glossary);
  }

  function buildFooter(footer) {
    if (currentIndex < 0) return;
    const row = document.createElement("div");
    row.className = "pager";
    if (currentIndex > 0) row.append(link(PAGES[currentIndex - 1], "← " + PAGES[currentIndex - 1].title));
    const mark = document.createElement("button");
    mark.type = "button";
    const href = PAGES[currentIndex].href;
    const refresh = () => {
      const done = readCompleted().includes(href);
      mark.textContent = done ? "✓ Completed (undo)" : "Mark this page completed";
      mark.setAttribute("aria-pressed", String(done));
    };
    // Where the browser keeps no storage (a frame on another site), the mark cannot be kept:
    // say so at the button instead of seeming to ignore the click.
    const unsaved = document.createElement("span");
    unsaved.className = "muted";
    unsaved.setAttribute("role", "status");
    mark.addEventListener("click", () => {
      const list = readCompleted().filter((h) => h !== href);
      if (mark.getAttribute("aria-pressed") !== "true") list.push(href);
      unsaved.textContent = writeCompleted(list) ? "" : "Progress is not kept here: this browser keeps no storage for this page.";
      refresh();
      const nav = document.querySelector("#site-header nav");
      if (nav) nav.replaceWith(buildNav());
    });
    refresh();
    row.append(mark, unsaved);
    if (currentIndex < PAGES.length - 1) row.append(link(PAGES[currentIndex + 1], PAGES[currentIndex + 1].title + " →"));
    footer.replaceChildren(row);
  }

  function buildCards(container) {
    const done = readCompleted();
    PAGES.forEach((page, i) => {
      const card = container.querySelector(`[data-page="${page.href}"] .status`);
      if (card) card.textContent = done.includes(page.href) ? "✓ completed" : "";
    });
  }

  // Text put inside a double-quoted HTML attribute: "&" must be written "&amp;", or a parser
  // reads "&reg_rate=" in a link as "®_rate=".
  function escapeAttribute(text) {
    return String(text).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // "Share / embed": the page keeps its state in the address bar, so the link is
  // location.href as it is when the button is pressed.
  function embedUrl() {
    const url = new URL(location.href);
    url.searchParams.set("embed", "1");
    return url.href;
  }

  function copyField(id, labelText, value) {
    const wrap = document.createElement("div");
    wrap.className = "field share-field";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = labelText;
    const box = document.createElement("textarea");
    box.id = id;
    box.readOnly = true;
    box.rows = 2;
    box.value = value;
    const copy = document.createElement("button");
    copy.type = "button";
    copy.textContent = "Copy";
    const said = document.createElement("span");
    said.className = "muted";
    said.setAttribute("role", "status");
    copy.addEventListener("click", () => {
      box.select();
      const done = () => { said.textContent = " Copied."; };
      const manual = () => { said.textContent = " Press Ctrl+C (⌘C) to copy the selected text."; };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(value).then(done, manual);
      else manual();
    });
    wrap.append(label, box, copy, said);
    return wrap;
  }

  function buildShare(header) {
    if (currentIndex < 0 && !document.getElementById("share-here")) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "share-button";
    button.textContent = "Share / embed";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", "share-panel");
    const panel = document.createElement("div");
    panel.id = "share-panel";
    panel.className = "share-panel panel";
    panel.hidden = true;
    button.addEventListener("click", () => {
      const open = panel.hidden;
      panel.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      if (!open) return;
      const title = document.title.replace(/ · Backprop Lab$/, "");
      const snippet = `<iframe src="${escapeAttribute(embedUrl())}" width="800" height="600" style="border:0" ` +
        `title="${escapeAttribute("Backprop Lab: " + title)}" loading="lazy"></iframe>`;
      panel.replaceChildren(
        copyField("share-link", "Link", location.href),
        copyField("share-embed", "Embed (iframe)", snippet));
    });
    header.append(button, panel);
  }

  window.backpropLabCourse = {
    pages: PAGES,
    resetProgress() { writeCompleted([]); location.reload(); },
  };

  // The header is built the moment the parser adds it to the page, so it is in the first paint
  // and nothing below it jumps when it fills; the rest is finished at DOMContentLoaded.
  function initHeader(header) {
    buildHeader(header);
    buildShare(header);
  }

  function init() {
    const footer = document.getElementById("site-footer");
    if (footer) buildFooter(footer);
    const cards = document.getElementById("lesson-cards");
    if (cards) buildCards(cards);
    const reset = document.getElementById("reset-progress");
    if (reset) reset.addEventListener("click", () => window.backpropLabCourse.resetProgress());
  }

  // build(element) once, as soon as the parser has added the element with this id (the element is
  // empty in the HTML). A mutation observer sees it added, and its callback runs before the browser
  // next renders. But the callback waits for a microtask checkpoint, and when the browser parses the
  // rest of the page in one task (a reload, a page from its cache) the first checkpoint comes inside
  // DOMContentLoaded, after its first listener: there, disconnecting the observer dropped its records
  // and the header stayed empty. So DOMContentLoaded builds whatever the observer has not.
  function buildWhenAdded(id, build) {
    let built = false;
    const buildIfAdded = () => {
      const element = document.getElementById(id);
      if (built || !element) return;
      built = true;
      build(element);
    };
    buildIfAdded();
    if (built || document.readyState !== "loading") return;
    const watch = new MutationObserver(() => {
      buildIfAdded();
      if (built) watch.disconnect();
    });
    watch.observe(document, { childList: true, subtree: true });
    document.addEventListener("DOMContentLoaded", () => {
      watch.disconnect();
      buildIfAdded();
    });
  }

  buildWhenAdded("site-header", initHeader);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
