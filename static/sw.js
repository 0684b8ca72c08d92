// The service worker: after one visit every lesson loads offline too, from this browser's cache,
// and a page never mixes files of two deploys.
//
// The build copies this file to the site's root (a service worker only controls pages at or
// below its own folder) and writes build.json beside it: {"version": a hash of every file, "files":
// [...]}.  Each version is precached, whole, into a cache of its own.  Every page is bound, when it
// is opened, to where all its files come from:
// - online (the page itself arrives from the network): the network, exactly as without this worker,
//   through the browser's HTTP cache, which keeps Pyodide's compiled WebAssembly (Chromium does not
//   keep it for responses a service worker gives from its cache: lessons took a second longer).
//   Meanwhile build.json is read, and a version not cached yet is precached for offline use;
// - offline (or the site unreachable): the newest fully cached version.
// `serve` of the repository itself has no build.json and no sw.js: nothing is cached there.

const PREFIX = "backprop-lab-";
const BINDINGS = PREFIX + "bindings"; // client id -> version, kept across restarts of this worker
const COMPLETE = "__complete__"; // put last into a version's cache: every file is in
const NETWORK = "network";
const ASK_TIMEOUT_MS = 10000;

const root = new URL("./", self.location).href;
const bindings = new Map();

function url(path) {
  return new URL(path, root).href;
}

async function deployed() {
  // The version online now, or null offline (or when the answer is too slow to wait for).
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ASK_TIMEOUT_MS);
  try {
    const response = await fetch(url("build.json"), { cache: "no-store", signal: controller.signal });
    return response.ok ? await response.json() : null;
  } catch (error) {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

async function isComplete(version) {
  const cache = await caches.open(PREFIX + version);
  return Boolean(await cache.match(url(COMPLETE)));
}

async function newestComplete() {
  // Cache names come back in the order they were created.
  const names = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && name !== BINDINGS);
  for (const name of names.reverse()) {
    const version = name.slice(PREFIX.length);
    if (await isComplete(version)) return version;
  }
  return null;
}

async function precache(build) {
  if (await isComplete(build.version)) return;
  const cache = await caches.open(PREFIX + build.version);
  // "no-cache": revalidate with the server (a 304 for what this visit just downloaded), so the
  // cache holds exactly the deployed files.
  await cache.addAll(build.files.map((path) => new Request(url(path), { cache: "no-cache" })));
  await cache.put(url(COMPLETE), new Response(build.version));
  await dropOldVersions(build.version);
  // Tell the open pages (static/offline.js marks <html data-precached="version">).
  for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
    client.postMessage({ "backprop-lab-precached": build.version });
  }
}

async function forgetClosedPages() {
  // Bindings of pages no longer open.  A page being opened is not among the clients yet: only
  // bindings older than a minute go.
  const open = await self.clients.matchAll({ type: "window" });
  const openIds = new Set(open.map((client) => url(`__client__/${client.id}`)));
  const store = await caches.open(BINDINGS);
  for (const request of await store.keys()) {
    const saved = await store.match(request);
    const age = Date.now() - Number(saved ? saved.headers.get("x-bound-at") : 0);
    if (!openIds.has(request.url) && age > 60_000) {
      await store.delete(request);
      bindings.delete(request.url.slice(url("__client__/").length));
    }
  }
}

async function dropOldVersions(keep) {
  // Keep `keep` and any version a page still open is bound to.
  const inUse = new Set([keep]);
  const open = await self.clients.matchAll({ type: "window" });
  for (const client of open) inUse.add(await bindingOf(client.id));
  for (const name of await caches.keys()) {
    if (name.startsWith(PREFIX) && name !== BINDINGS && !inUse.has(name.slice(PREFIX.length))) {
      await caches.delete(name);
    }
  }
}

async function bind(clientId, version) {
  bindings.set(clientId, version);
  const store = await caches.open(BINDINGS);
  await store.put(url(`__client__/${clientId}`), new Response(version, { headers: { "x-bound-at": String(Date.now()) } }));
}

async function bindingOf(clientId) {
  if (bindings.has(clientId)) return bindings.get(clientId);
  const store = await caches.open(BINDINGS);
  const saved = await store.match(url(`__client__/${clientId}`));
  const version = saved ? await saved.text() : null;
  if (version) bindings.set(clientId, version);
  return version;
}

async function fromVersion(request, version) {
  if (version && version !== NETWORK) {
    const cache = await caches.open(PREFIX + version);
    // ignoreVary: the server varies on Accept-Encoding, and the cached body is already decoded.
    const cached = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
    if (cached) return cached;
  }
  return fetch(request);
}

async function refresh() {
  // Precache the deployed version if it is new (after a deploy, or if an earlier try failed).
  const build = await deployed();
  if (build) await precache(build);
}

async function openPage(event) {
  try {
    // "no-cache": only the server's answer counts as online.  A page kept by the HTTP cache
    // without asking (a host that sends Last-Modified alone is cached for a tenth of the file's
    // age) would come up "online" when offline, and its files then from a network that is gone.
    const response = await fetch(new Request(event.request, { cache: "no-cache" }));
    if (event.resultingClientId) await bind(event.resultingClientId, NETWORK);
    event.waitUntil(refresh().catch(() => {}));
    event.waitUntil(forgetClosedPages().catch(() => {}));
    return response;
  } catch (error) {
    const version = await newestComplete();
    if (event.resultingClientId && version) await bind(event.resultingClientId, version);
    return fromVersion(event.request, version);
  }
}

async function pageFile(event) {
  // This worker was restarted since the page was opened (or the page came before it): the binding
  // is read back from the cache; a page with none tries the network, then the newest version.
  const version = event.clientId ? await bindingOf(event.clientId) : null;
  if (version) return fromVersion(event.request, version);
  try {
    return await fetch(event.request);
  } catch (error) {
    return fromVersion(event.request, await newestComplete());
  }
}

self.addEventListener("install", (event) => {
  // Precache now: the page that registered this worker has finished loading (static/offline.js).
  event.waitUntil(deployed().then((build) => (build ? precache(build) : null)).catch(() => {}));
  self.skipWaiting(); // this worker binds every page to a version: taking over early mixes nothing
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(root)) return;
  if (request.url.startsWith(url("build.json"))) return;
  if (request.mode === "navigate") {
    event.respondWith(openPage(event));
  } else if (bindings.get(event.clientId) !== NETWORK) {
    event.respondWith(pageFile(event));
  }
  // else: not answered here, so the browser fetches it as if there were no worker.
});
