// Registers the service worker (sw.js, which the build writes at the site's root) once the page
// has loaded, so that the next visit, offline too, loads from this browser's cache.  A lesson
// registers when it is ready: precaching then never competes with its own start.  The landing page
// registers as soon as it has loaded: precaching the runtime while the learner reads it makes
// the first lesson start from the cache.
//
// Where storage is blocked (a lesson framed by another site) nothing is registered and the page
// loads from the network as before; a failed registration (`serve` of the repository has no
// sw.js) is silent too.

export function storageIsBlocked() {
  try {
    // Reading the property is enough: a blocked document throws SecurityError here.
    return !window.localStorage || !window.indexedDB;
  } catch (error) {
    return true;
  }
}

// data-service-worker on <html> says what happened, for tests and anyone inspecting the page:
// "none" (not here), "registering", "registered" or "failed"; data-precached the version cached
// for offline use, once it is.
const html = document.documentElement;

function register() {
  html.dataset.serviceWorker = "registering";
  navigator.serviceWorker
    .register(new URL("../sw.js", import.meta.url), { scope: new URL("../", import.meta.url).pathname })
    .then(() => { html.dataset.serviceWorker = "registered"; })
    .catch(() => { html.dataset.serviceWorker = "failed"; });
}

function whenReady(then) {
  if (html.dataset.status === "ready") return then();
  const watcher = new MutationObserver(() => {
    if (html.dataset.status === "ready") {
      watcher.disconnect();
      then();
    }
  });
  watcher.observe(html, { attributes: true, attributeFilter: ["data-status"] });
}

function whenLoaded(then) {
  if (document.readyState === "complete") then();
  else window.addEventListener("load", then, { once: true });
}

let serviceWorkerAllowed = false;
try {
  serviceWorkerAllowed = "serviceWorker" in navigator && window.isSecureContext && !storageIsBlocked();
} catch (error) {
  serviceWorkerAllowed = false;
}
function listenForPrecache() {
  // The worker says when a whole version of the site is in the cache: from then on, offline works.
  // Listening from the start: a new version may be cached before this page is ready.
  navigator.serviceWorker.addEventListener("message", (event) => {
    const version = event.data && event.data["backprop-lab-precached"];
    if (version) html.dataset.precached = version;
  });
  navigator.serviceWorker.startMessages();
}

if (!serviceWorkerAllowed) {
  html.dataset.serviceWorker = "none";
} else {
  listenForPrecache();
  if (document.getElementById("loader")) whenReady(register);
  else whenLoaded(register);
}
