// Starts PyScript (and with it the page's Python), after making sure what it needs as it starts
// works here.
//
// PyScript opens IndexedDB databases as it starts (its package cache and its file-system
// handles), and cannot start when they fail to open; it also opens a BroadcastChannel.  Browsers
// refuse storage to a page framed by another site when third-party storage is blocked, which is
// how an LMS on one site embeds the lesson from another: Chromium then throws on `localStorage` and
// fails every `indexedDB.open`; Firefox, with third-party cookies blocked, throws on all three.
// There PyScript is given an IndexedDB kept in memory and, where the browser refuses one, a
// BroadcastChannel that reaches no one (a frame without storage has no other tab of its own to
// talk to, and the lesson uses none).  Nothing is kept once the page closes, which nothing in the
// lesson needs (progress marks are simply not kept).
//
// The pages load this module where they would load PyScript's core.js; the HTML preloads core.js,
// so it downloads as early as before.

import { storageIsBlocked } from "./offline.js"; // and registers the service worker once the page is ready

function channelsAreRefused() {
  try {
    new BroadcastChannel("backprop-lab").close();
    return false;
  } catch (error) {
    return true;
  }
}

class ChannelToNoOne extends EventTarget {
  constructor(name) {
    super();
    this.name = String(name);
    this.onmessage = null;
    this.onmessageerror = null;
  }
  postMessage() {}
  close() {}
}

if (storageIsBlocked()) {
  const { indexedDB } = await import("./vendor/fake-indexeddb/index.js");
  Object.defineProperty(globalThis, "indexedDB", { value: indexedDB, configurable: true });
  if (channelsAreRefused()) {
    Object.defineProperty(globalThis, "BroadcastChannel", { value: ChannelToNoOne, configurable: true });
  }
  document.documentElement.dataset.storage = "memory"; // for tests, and anyone inspecting the page
}
// Not before loader.js has asked for the files PyScript fetches (see `preloaded` there).
await globalThis.backpropLab?.preloaded;
await import("./vendor/pyscript/core.js");
