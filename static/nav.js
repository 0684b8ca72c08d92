// Course navigation shared by every page: the header with the lesson path,
// previous/next links, "completed" marks kept in localStorage, embed mode, and the landing
// page's lesson cards.
(function () {
  "use strict";
  // The course, in order: the one list the header, the pager and the landing page's cards are
  // built from.  A preview is the card's small drawing (styled by landing.css), fixed markup.
  const PAGES = [
    {
      href: "pages/chain-rule.html",
      title: "Chain rule",
      short: "Chain rule",         // in the header, where all the lessons share one line
      blurb: "Local derivatives multiply along a path and add across paths, on graphs small enough to hold in your head.",
      preview: {
        label: "A small graph: x and y feed q, q and z feed f",
        drawing: `<g class="edges"><path d="M30 20 90 40M30 60 90 40M90 40 160 50M90 75 160 50"/></g>
          <g class="nodes"><circle cx="30" cy="20" r="12"/><circle cx="30" cy="60" r="12"/><circle cx="90" cy="40" r="12"/><circle cx="90" cy="75" r="10"/><circle cx="160" cy="50" r="14"/></g>
          <g class="labels"><text x="30" y="24">x</text><text x="30" y="64">y</text><text x="90" y="44">q</text><text x="90" y="79">z</text><text x="160" y="54">f</text></g>`,
      },
    },
    {
      href: "pages/step-through.html",
      title: "Step through a network",
      short: "Step through",         // in the header, where all the lessons share one line
      blurb: "One training step of a 2-2-1 network, forward then backward, every computation with its numbers.",
      preview: {
        label: "A 2-2-1 network with a highlighted backward edge",
        drawing: `<g class="edges"><path d="M25 25 95 25M25 25 95 65M25 65 95 25M25 65 95 65M95 25 165 45"/><path class="back" d="M95 65 165 45"/></g>
          <g class="nodes"><circle cx="25" cy="25" r="11"/><circle cx="25" cy="65" r="11"/><circle cx="95" cy="25" r="11"/><circle cx="95" cy="65" r="11"/><circle cx="165" cy="45" r="13"/></g>`,
      },
    },
    {
      href: "pages/gradients.html",
      title: "Vanishing & exploding gradients",
      short: "Gradients",         // in the header, where all the lessons share one line
      blurb: "Why deep networks were hard to train: gradient size layer by layer, and the remedies.",
      preview: {
        label: "Bars that shrink from the output layer back to the input layer",
        drawing: `<g class="bars"><rect x="20" y="78" width="22" height="4"/><rect x="52" y="72" width="22" height="10"/><rect x="84" y="60" width="22" height="22"/><rect x="116" y="40" width="22" height="42"/><rect x="148" y="14" width="22" height="68"/></g>`,
      },
    },
    {
      href: "pages/playground.html",
      title: "Training playground",
      short: "Playground",         // in the header, where all the lessons share one line
      blurb: "Train an MLP on 2-D data and watch the decision boundary and the loss curve change live.",
      preview: {
        label: "Two classes of points separated by a curved decision boundary",
        drawing: `<rect class="region-a" x="0" y="0" width="200" height="90"/>
          <path class="region-b" d="M0 90 C40 30 80 80 120 40 S170 10 200 20 V90 Z"/>
          <g class="pts-a"><circle cx="30" cy="20" r="4"/><circle cx="70" cy="30" r="4"/><circle cx="110" cy="15" r="4"/><circle cx="160" cy="8" r="4"/></g>
          <g class="pts-b"><circle cx="40" cy="75" r="4"/><circle cx="90" cy="70" r="4"/><circle cx="140" cy="55" r="4"/><circle cx="180" cy="60" r="4"/></g>`,
      },
    },
    {
      href: "pages/matrix-form.html",
      title: "Backprop in matrix form",
      short: "Matrix form",         // in the header, where all the lessons share one line
      blurb: "From one example to a batch: every step as a matrix product, and where dW = Xᵀδ comes from.",
      preview: {
        label: "A 4 by 2 matrix times a 2 by 2 matrix, one row and one column highlighted",
        drawing: `<g class="bars"><rect x="20" y="12" width="44" height="66" rx="3"/><rect x="90" y="12" width="44" height="34" rx="3"/><rect x="150" y="12" width="44" height="66" rx="3"/></g>
          <g class="edges"><path class="back" d="M22 40 62 40M120 14 120 44"/></g>
          <g class="labels"><text x="42" y="88">X</text><text x="112" y="58">W</text><text x="172" y="88">Z</text><text x="77" y="34">·</text><text x="142" y="34">=</text></g>`,
      },
    },
    {
      href: "pages/write-it.html",
      title: "Write backprop yourself",
      short: "Write it",         // in the header, where all the lessons share one line
      blurb: "Ten exercises in Python, from the derivative of a sum to a training loop, checked in your browser against the engine.",
      preview: {
        label: "Lines of code beside a check mark",
        drawing: `<g class="bars"><rect x="20" y="14" width="90" height="8" rx="2"/><rect x="32" y="30" width="70" height="8" rx="2"/><rect x="32" y="46" width="100" height="8" rx="2"/><rect x="20" y="62" width="60" height="8" rx="2"/></g>
          <g class="edges"><path class="back" d="M148 46 160 58 182 30"/></g>`,
      },
    },
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
      const a = link(page, `${i + 1}. ${page.short}`);
      a.title = page.title;
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

  // A lesson's card on the landing page: its preview, its link, what it teaches, and its mark.
  function buildCard(page, i, done) {
    const card = document.createElement("li");
    card.className = "card";
    card.dataset.page = page.href;
    const preview = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    preview.setAttribute("class", "preview");
    preview.setAttribute("viewBox", "0 0 200 90");
    preview.setAttribute("role", "img");
    preview.setAttribute("aria-label", page.preview.label);
    preview.innerHTML = page.preview.drawing;
    const heading = document.createElement("h3");
    heading.append(link(page, `${i + 1}. ${page.title}`));
    const blurb = document.createElement("p");
    blurb.textContent = page.blurb;
    const status = document.createElement("p");
    status.className = "status";
    status.setAttribute("aria-live", "polite");
    status.textContent = done.includes(page.href) ? "✓ completed" : "";
    card.append(preview, heading, blurb, status);
    return card;
  }

  function buildCards(list) {
    const done = readCompleted();
    list.replaceChildren(...PAGES.map((page, i) => buildCard(page, i, done)));
  }

  // Text put inside a double-quoted HTML attribute: "&" must be written "&amp;", or a parser
  // reads "&reg_rate=" in a link as "®_rate=".
  function escapeAttribute(text) {
    return String(text).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // "Share / embed": the page keeps its state in the address bar, so the link is
  // location.href as it is when the button is pressed.
  function embedUrl(theme) {
    const url = new URL(location.href);
    url.searchParams.set("embed", "1");
    applyEmbedChoices(url);
    // The embed's colours: those of the course page it sits in, or the visitor's system ("auto").
    if (theme === "light" || theme === "dark") url.searchParams.set("theme", theme);
    else url.searchParams.delete("theme");
    return url.href;
  }

  const THEMES = [["auto", "Follow the visitor's system"], ["light", "Light"], ["dark", "Dark"]];

  // The theme menu for the embed snippet; calls onChange(theme) when another is chosen.
  function themeField(onChange) {
    const wrap = document.createElement("div");
    wrap.className = "field share-field";
    const label = document.createElement("label");
    label.htmlFor = "share-theme";
    label.textContent = "Embed colours";
    const menu = document.createElement("select");
    menu.id = "share-theme";
    for (const [value, text] of THEMES) menu.append(new Option(text, value));
    const current = params.get("theme");
    menu.value = current === "light" || current === "dark" ? current : "auto";
    menu.addEventListener("change", () => onChange(menu.value));
    wrap.append(label, menu);
    return wrap;
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
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(box.value).then(done, manual);
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
      const snippet = (theme) => `<iframe src="${escapeAttribute(embedUrl(theme))}" width="800" height="600" ` +
        `style="border:0" title="${escapeAttribute("Backprop Lab: " + title)}" loading="lazy"></iframe>`;
      const menu = themeField((theme) => {
        document.getElementById("share-embed-field").replaceWith(embedField(theme));
      });
      const embedField = (theme) => {
        const field = copyField("share-embed", "Embed (iframe)", snippet(theme));
        field.id = "share-embed-field";
        return field;
      };
      panel.replaceChildren(
        copyField("share-link", "Link", location.href),
        menu,
        embedField(menu.querySelector("select").value));
      // A page's own choices (which controls to hide) rewrite the snippet, with the chosen colours.
      addEmbedChoices(panel, () => {
        document.getElementById("share-embed-field").replaceWith(embedField(menu.querySelector("select").value));
      });
    });
    header.append(button, panel);
  }

  // Choices a page adds to the embed snippet (the playground: which controls the embedded copy
  // hides).  A page calls backpropLabCourse.addEmbedChoices({param, legend, choices: [[value,
  // label], ...], note, implied}); the dialog shows a checkbox per choice, checked as the page's
  // own link has them, and writes the checked values into the snippet's link as param=a,b.
  // `implied` ({value: [values]}): that box shows ticked and cannot be changed while any of those
  // values is ticked (the page then hides it anyway, so the link need not say so); `note` says why.
  const embedChoices = [];

  function applyEmbedChoices(url) {
    embedChoices.forEach((option) => {
      if (option.checked.length) url.searchParams.set(option.param, option.checked.join(","));
      else url.searchParams.delete(option.param);
    });
  }

  function addEmbedChoices(panel, refresh) {
    embedChoices.forEach((option) => {
      const fieldset = document.createElement("fieldset");
      fieldset.className = "share-choices";
      const legend = document.createElement("legend");
      legend.textContent = option.legend;
      const boxes = document.createElement("div");
      const values = option.choices.map(([value]) => value);
      const fromLink = (new URLSearchParams(location.search).get(option.param) || "").split(",");
      option.checked = values.filter((value) => fromLink.includes(value));
      option.choices.forEach(([value, text]) => {
        const label = document.createElement("label");
        const box = document.createElement("input");
        box.type = "checkbox";
        box.value = value;
        box.checked = option.checked.includes(value);
        box.addEventListener("change", () => {
          // A box shown ticked because others imply it keeps what was chosen for it.
          const ticked = [...boxes.querySelectorAll("input")]
            .filter((input) => (input.disabled ? option.checked.includes(input.value) : input.checked))
            .map((input) => input.value);
          option.checked = values.filter((v) => ticked.includes(v));
          showImplied();
          refresh();
        });
        label.append(box, " ", text);
        boxes.append(label);
      });
      // A box implied by others shows ticked while they are; it goes back to what was chosen for it.
      const showImplied = () => {
        Object.entries(option.implied || {}).forEach(([value, by]) => {
          const box = [...boxes.querySelectorAll("input")].find((input) => input.value === value);
          if (!box) return;
          const forced = by.some((other) => option.checked.includes(other));
          box.disabled = forced;
          box.checked = forced || option.checked.includes(value);
        });
      };
      showImplied();
      fieldset.append(legend, boxes);
      if (option.note) {
        const note = document.createElement("p");
        note.className = "muted small";
        note.textContent = option.note;
        fieldset.append(note);
      }
      panel.append(fieldset);
    });
  }

  // Embed mode: a small link to the same lesson in the same state, whole (header, text, footer),
  // in a new tab.  The page keeps its state in the address bar, so the link is read from it
  // whenever the learner is about to follow it.
  function fullLessonUrl() {
    const url = new URL(location.href);
    url.searchParams.delete("embed");
    url.searchParams.delete("hide");      // the whole lesson has every control
    return url.href;
  }

  function buildFullLessonLink() {
    const line = document.createElement("p");
    line.className = "full-lesson";
    const a = document.createElement("a");
    a.id = "full-lesson";
    a.target = "_blank";
    a.rel = "noopener";
    a.textContent = "Open the full lesson ↗";
    a.title = "The whole lesson in a new tab, in this state";
    a.href = fullLessonUrl();
    const refresh = () => { a.href = fullLessonUrl(); };
    for (const event of ["pointerenter", "focus", "click", "auxclick", "contextmenu"]) a.addEventListener(event, refresh);
    line.append(a);
    document.body.append(line);
  }

  window.backpropLabCourse = {
    pages: PAGES,
    resetProgress() { writeCompleted([]); location.reload(); },
    addEmbedChoices(option) {
      const known = embedChoices.findIndex((other) => other.param === option.param);
      embedChoices.splice(known < 0 ? embedChoices.length : known, 1, { ...option, checked: [] });
    },
    // A page whose own work completes it (lesson 6: every exercise passed) marks itself, as the
    // footer's button would.  False where the browser keeps no storage.
    markCompleted() {
      if (currentIndex < 0) return false;
      const href = PAGES[currentIndex].href;
      const list = readCompleted().filter((h) => h !== href).concat([href]);
      const kept = writeCompleted(list);
      const nav = document.querySelector("#site-header nav");
      if (nav) nav.replaceWith(buildNav());
      const footer = document.getElementById("site-footer");
      if (footer) buildFooter(footer);
      return kept;
    },
  };

  // The header and the landing page's cards are built the moment the parser adds them to the page,
  // so they are in the first paint and nothing below them jumps; the rest is finished at
  // DOMContentLoaded.
  function initHeader(header) {
    buildHeader(header);
    buildShare(header);
  }

  function init() {
    const footer = document.getElementById("site-footer");
    if (footer) buildFooter(footer);
    const reset = document.getElementById("reset-progress");
    if (reset) reset.addEventListener("click", () => window.backpropLabCourse.resetProgress());
    if (root.classList.contains("embed") && currentIndex >= 0) buildFullLessonLink();
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
  buildWhenAdded("lesson-cards", buildCards);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
