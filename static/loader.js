// Loading indicator for every lesson page.  It runs before Python starts, so the
// learner sees the page's layout and where loading has got to at once, and a
// readable message instead of a blank page if anything fails.
// Python calls backpropLab.ready() when the page is interactive, or backpropLab.fail(message).
(function () {
  "use strict";
  const STAGES = [
    ["runtime", "Downloading the Python runtime"],
    ["python", "Starting Python"],
    ["numpy", "Loading NumPy"],
    ["app", "Starting the lesson"],
  ];
  const root = document.documentElement;
  const framed = window.parent !== window;
  const slowAfterMs = 45000;
  let stage = 0;
  let box = null;

  // Messages to a page that frames this one (README, "For instructors"):
  // {"backprop-lab": "loading", stage, step, steps}, then "ready", or "error" with a message.
  function post(status, details) {
    if (framed) window.parent.postMessage(Object.assign({ "backprop-lab": status }, details), "*");
  }

  // ?theme=light or ?theme=dark fixes the colours (site.css), e.g. for an embed in a course page
  // whose theme is not the visitor's OS theme; anything else follows the OS.
  const theme = new URLSearchParams(location.search).get("theme");
  if (theme === "light" || theme === "dark") root.dataset.theme = theme;

  // Until Python is ready the widgets do nothing, so they take no clicks (the CSS) and no keyboard
  // focus either: a change made before Python listens would be lost, or shown without effect.
  function holdWidgets(held) {
    for (const widget of document.querySelectorAll(".needs-python")) widget.inert = held;
  }

  function render() {
    if (root.dataset.status === "loading") holdWidgets(true);
    box = document.getElementById("loader");
    if (!box) return;
    box.replaceChildren();
    const title = document.createElement("p");
    title.className = "loader-title";
    title.id = "loader-title";
    const bar = document.createElement("progress");
    bar.max = STAGES.length;
    bar.setAttribute("aria-labelledby", "loader-title");
    const list = document.createElement("ol");
    list.className = "loader-stages";
    for (const [key, label] of STAGES) {
      const item = document.createElement("li");
      item.dataset.stage = key;
      item.textContent = label;
      list.append(item);
    }
    box.append(title, bar, list);
    show(stage);
  }

  let posted = -1;
  function show(index) {
    stage = Math.max(stage, index);
    if (stage > posted && root.dataset.status === "loading") {
      posted = stage;
      post("loading", { stage: STAGES[stage][0], step: stage + 1, steps: STAGES.length });
    }
    if (!box || root.dataset.status !== "loading") return;
    box.querySelector("progress").value = stage + 0.5;
    box.querySelector(".loader-title").textContent = STAGES[stage][1] + "…";
    box.querySelectorAll("li").forEach((item, i) => {
      item.className = i < stage ? "done" : i === stage ? "current" : "";
    });
  }

  function fail(message, hint) {
    if (root.dataset.status === "error") return;
    root.dataset.status = "error";
    post("error", { message: String(message).slice(0, 500) });
    const target = box || document.body;
    if (!target) return;
    target.hidden = false;
    target.classList.add("loader-failed");
    target.replaceChildren();
    const title = document.createElement("p");
    title.className = "loader-title";
    title.textContent = "This lesson could not start.";
    const detail = document.createElement("p");
    detail.textContent = message;
    const what = document.createElement("p");
    what.textContent = hint || "Reload the page. If it keeps failing, try a current version of Chrome, Firefox, Safari or Edge, and check that your network does not block the site's files.";
    target.append(title, detail, what);
  }

  function ready() {
    if (root.dataset.status === "error") return;
    root.dataset.status = "ready";
    holdWidgets(false);
    if (window.performance && performance.mark) performance.mark("backprop-lab:ready"); // for tests and benchmarks
    if (box) box.hidden = true;
    post("ready");
  }

  // Files the page needs only once it runs (KaTeX, the quick checks) are fetched after the first
  // paint, so the layout and this indicator appear without waiting for them to download and run.
  // They are listed, relative to the page, in <script src="loader.js" data-after-paint="a.js b.css">.
  const laterFiles = ((document.currentScript && document.currentScript.dataset.afterPaint) || "")
    .split(/\s+/).filter(Boolean);

  function firstPaint() {
    return new Promise((resolve) => {
      // A tab opened in the background paints nothing until it is shown: nothing to wait for.
      if (document.visibilityState === "hidden") return resolve();
      setTimeout(resolve, 1000); // not every browser reports paints
      if (!("PerformanceObserver" in window)) return;
      try {
        new PerformanceObserver((list) => {
          if (list.getEntriesByName("first-contentful-paint").length) resolve();
        }).observe({ type: "paint", buffered: true });
      } catch (e) { /* the timeout above still fires */ }
    });
  }

  function load(href) {
    return new Promise((resolve, reject) => {
      const isStyle = href.endsWith(".css");
      const tag = document.createElement(isStyle ? "link" : "script");
      if (isStyle) { tag.rel = "stylesheet"; tag.href = href; } else { tag.src = href; tag.async = false; }
      tag.onload = resolve;
      tag.onerror = () => reject(new Error(`Failed to load ${href}`));
      document.head.append(tag);
    });
  }

  // The files the page's start fetches one after another (start.js, PyScript's chunks, Pyodide's
  // lock file and zips...), listed by the build in data-preload (site.runtime_preloads), are asked
  // for all at once after the first paint: each would otherwise wait a round trip for the one before.
  const preloads = JSON.parse((document.currentScript && document.currentScript.dataset.preload) || "[]");

  function preload([kind, href, integrity]) {
    const link = document.createElement("link");
    if (kind === "module") {
      link.rel = "modulepreload";
    } else {
      link.rel = "preload";
      link.as = "fetch";
      link.crossOrigin = "anonymous"; // as fetch() asks: a preload in another mode is fetched twice
    }
    if (integrity) link.integrity = integrity;
    link.href = href;
    document.head.append(link);
  }

  root.dataset.status = "loading";
  // start.js imports PyScript only once `preloaded` has settled: a preload asked for after the page's own
  // request for that file is a second download (PyScript, from the HTTP cache on a busy machine,
  // had read its config before the paint was reported; a tab that never painted fetched the stdlib
  // and NumPy twice).  Python waits for `loaded` before it starts the page (app/ui.py start()).
  const preloaded = firstPaint().then(() => preloads.forEach(preload));
  const loaded = preloaded.then(() => Promise.all(laterFiles.map(load)));
  loaded.catch(early);
  window.backpropLab = { ready, fail, stage: show, preloaded, loaded };

  if (typeof WebAssembly !== "object") {
    document.addEventListener("DOMContentLoaded", () => {
      render();
      fail("This browser does not support WebAssembly, which the lesson needs to run Python.",
           "Open the page in a current version of Chrome, Firefox, Safari or Edge.");
    });
    return;
  }
  // Where the browser has WebAssembly stack switching (JSPI), Pyodide runs every call into Python
  // on a separate stack.  Chromium has crashed the whole tab while its garbage collector scanned
  // such a stack (Pyodide issues 5702 and 6106; here, bursts of renderer SIGSEGVs).  The lesson
  // never pauses Python to wait for JavaScript, which is all JSPI adds, so Pyodide is given the
  // plain path that browsers without JSPI take.  Pyodide looks for these when it starts.
  for (const name of ["Suspending", "Suspender", "promising"]) delete WebAssembly[name];

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  else render();

  // The runtime's own files tell how far loading has got.  The page preloads the stdlib and NumPy
  // (site.runtime_preloads), so they may arrive before the WebAssembly: they count only after it.
  if ("PerformanceObserver" in window) {
    let arrived = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const name = entry.name.split("?")[0];
        if (name.endsWith("pyodide.asm.wasm")) arrived = Math.max(arrived, 1);
        else if (name.endsWith("python_stdlib.zip")) arrived = Math.max(arrived, 2);
        else if (/numpy-[^/]*\.whl$/.test(name)) arrived = Math.max(arrived, 3);
        if (name.endsWith("pyodide.asm.wasm") || stage >= 1) show(arrived);
      }
    }).observe({ type: "resource", buffered: true });
  }
  document.addEventListener("py:progress", (event) => {
    if (event.detail === "Loaded Pyodide") show(3);
  });

  // Anything that escapes before the page is ready is shown, not left in the console.
  function early(reason) {
    if (root.dataset.status !== "loading") return;
    const text = reason && reason.message ? reason.message : String(reason);
    const offline = /numpy|fetch|network|Failed to load/i.test(text);
    fail(text.slice(0, 500), offline
      ? "A file the lesson needs could not be downloaded. If you are offline or behind a firewall, ask your instructor for the offline copy of the site (see the README), or try again on another network."
      : undefined);
  }
  window.addEventListener("error", (event) => early(event.error || event.message));
  window.addEventListener("unhandledrejection", (event) => early(event.reason));
  setTimeout(() => {
    if (root.dataset.status === "loading" && box) {
      const note = document.createElement("p");
      note.className = "loader-slow";
      note.textContent = "This is taking longer than usual. A slow network can take a minute the first time; later visits are faster.";
      box.append(note);
    }
  }, slowAfterMs);
})();
