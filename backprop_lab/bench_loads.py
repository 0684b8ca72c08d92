"""Load times of every page in headless Chromium: `backprop-lab bench loads`.

For each page: cold load (a fresh browser profile, empty caches) and warm load (the
same profile, second visit: files and compiled WebAssembly come from the caches) to
data-status="ready", and the time from navigation until the page's static layout and
loading indicator (painted from the HTML and CSS alone) are first painted.

Before the cold load the new browser shows a page of another site for a second, as a
learner's browser is already running, and has shown other pages, when they open a link:
starting the browser and its network and cache is not part of loading the page.  Nothing
of the site is cached by it (another host, and other files).

Targets (README): cold ≤ 4.5 s, warm ≤ 2.5 s, loader visible ≤ 200 ms.

`--network` loads over an emulated network instead (Chromium's DevTools network emulation,
10 Mbit/s with 40 ms round trips, and 50 Mbit/s with 20 ms), each run in a fresh persistent
profile, and prints the bytes over the wire, the time to ready (from the navigation's start, by the
page's own clock, as a learner who clicked a link waits; and what this script waited, which adds
DevTools' round trips), when Pyodide asked for its
WebAssembly (the round trips and script before the runtime) and the page's main-thread CPU time until
ready (DevTools' ThreadTime: what a busy machine inflates least) for: the first lesson; the next lesson
in the same profile; and the landing page read for 10 s, then lesson 1.  Targets (issue 22):
first lesson ≤ 6 MB and ready ≤ 8 s at 10 Mbit/s (≤ 3 s at 50 Mbit/s); next lesson ≤ 1.5 s and
≤ 100 KB; lesson 1 after the landing page ready ≤ 2 s.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import statistics
import tempfile
import time
from pathlib import Path

from .browser import READY_SELECTOR, launch_profile, main_thread_cpu_seconds, served_site

PAGES = ["pages/chain-rule.html", "pages/step-through.html", "pages/gradients.html",
         "pages/playground.html", "pages/probe.html"]


def time_to_ready(page, url: str) -> tuple[float, float]:
    """(seconds to data-status="ready", seconds until the loader was first painted)."""
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector("#loader", state="visible", timeout=30_000)
    painted = time.perf_counter() - start
    page.wait_for_selector(READY_SELECTOR, state="attached", timeout=120_000)
    ready = time.perf_counter() - start
    if page.evaluate("document.documentElement.dataset.status") != "ready":
        raise RuntimeError(f"{url} did not become ready")
    # The browser's own paint timing is more exact than polling from here.
    fcp = page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null")
    return ready, (fcp / 1000.0 if fcp else painted)


@contextlib.contextmanager
def another_site():
    """Yield the URL of a small page (a stylesheet, a script) of another site: the same kind of
    server as the lesson's, reached as localhost where the lesson is reached as 127.0.0.1."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "style.css").write_text("p { color: #333; }\n")
        (Path(folder) / "script.js").write_text("document.title = 'Another site';\n")
        (Path(folder) / "index.html").write_text('<!doctype html><link rel="stylesheet" href="style.css">'
                                                 '<script src="script.js"></script><p>Another site</p>\n')
        with served_site(Path(folder)) as base:
            yield base.replace("127.0.0.1", "localhost")


# (name, bits per second down, round trip ms): a school's shared link, and a good home one.
NETWORKS = [("10 Mbit/s 40 ms", 10_000_000, 40), ("50 Mbit/s 20 ms", 50_000_000, 20)]
FIRST_LESSON = "pages/chain-rule.html"
NEXT_LESSON = "pages/step-through.html"
READING_SECONDS = 10


class Wire:
    """A tab under network emulation, counting the bytes it receives (headers and encoded bodies,
    as DevTools' "transferred") and those its service worker answers from the cache (0 bytes)."""

    def __init__(self, context, bits_per_second: int, round_trip_ms: int):
        self.page = context.new_page()
        self.devtools = context.new_cdp_session(self.page)
        self.devtools.send("Network.enable")
        self.devtools.send("Performance.enable")
        self.devtools.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": round_trip_ms,
            "downloadThroughput": bits_per_second / 8, "uploadThroughput": bits_per_second / 8})
        self.bytes = 0
        self.urls: dict[str, str] = {}       # request id -> URL
        self.by_file: dict[str, int] = {}    # URL -> bytes received for it
        self.devtools.on("Network.requestWillBeSent", self.remember)
        self.devtools.on("Network.loadingFinished", self.count)

    def remember(self, event):
        self.urls[event["requestId"]] = event["request"]["url"]

    def count(self, event):
        received = int(event.get("encodedDataLength", 0))
        self.bytes += received
        url = self.urls.get(event["requestId"], "?")
        self.by_file[url] = self.by_file.get(url, 0) + received

    def load(self, url: str) -> tuple[float, int, float, float, float]:
        """(seconds from the navigation's start to ready, by the page's own clock: what a learner
        waits after clicking a link; bytes over the wire for this navigation until ready; seconds
        until Pyodide asked for its WebAssembly: the round trips and script before the runtime; the
        main thread's CPU seconds until ready; and the seconds this script waited, which add
        DevTools' round trips to start the navigation and to hear that the page is ready)."""
        before, cpu_before = self.bytes, main_thread_cpu_seconds(self.devtools)
        waited, _ = time_to_ready(self.page, url)
        cpu = main_thread_cpu_seconds(self.devtools) - cpu_before
        asked, ready = self.page.evaluate("""() => [
            (performance.getEntriesByType('resource')
                .find((entry) => entry.name.endsWith('/pyodide.asm.wasm')) || {startTime: NaN}).startTime,
            performance.getEntriesByName('backprop-lab:ready')[0].startTime]""")
        return ready / 1000, self.bytes - before, asked / 1000, cpu, waited


def precached(page, root: str) -> bool:
    """Whether the service worker has finished caching a whole version of the site."""
    return page.evaluate("""async (root) => {
        for (const name of await caches.keys()) {
            if (await (await caches.open(name)).match(root + "__complete__")) return true;
        }
        return false;
    }""", root)


def wait_for_precache(page, root: str, limit_s: float = 120) -> float:
    start = time.perf_counter()
    while not precached(page, root):
        if time.perf_counter() - start > limit_s:
            raise RuntimeError("the service worker did not finish precaching")
        page.wait_for_timeout(250)
    return time.perf_counter() - start


def network_runs(playwright, base: str, bits: int, rtt: int) -> tuple[list[tuple[str, float, int, float, float]], dict]:
    """The rows (load, seconds to ready, bytes, seconds until the runtime was asked for, main-thread
    CPU seconds, seconds waited here), and the first lesson's bytes per file."""
    rows = []
    with tempfile.TemporaryDirectory() as profile:
        context = launch_profile(playwright, profile)
        wire = Wire(context, bits, rtt)
        rows.append(("first lesson (fresh profile)", *wire.load(base + FIRST_LESSON)))
        first_lesson_files = {url.removeprefix(base): size for url, size in wire.by_file.items()}
        wait_for_precache(wire.page, base)  # the learner reads lesson 1 meanwhile
        wire.page.close()
        wire = Wire(context, bits, rtt)
        rows.append(("next lesson, same profile", *wire.load(base + NEXT_LESSON)))
        context.close()
    with tempfile.TemporaryDirectory() as profile:
        context = launch_profile(playwright, profile)
        wire = Wire(context, bits, rtt)
        wire.page.goto(base, wait_until="load")
        landing = wire.bytes
        wire.page.wait_for_timeout(READING_SECONDS * 1000)
        rows.append((f"landing ({landing / 1e6:.2f} MB), {READING_SECONDS} s, then lesson 1",
                     *wire.load(base + FIRST_LESSON)))
        context.close()
    return rows, first_lesson_files


def print_files(files: dict[str, int], top: int = 8) -> None:
    """The first lesson's bytes per file, largest first (the rest summed)."""
    ranked = sorted(files.items(), key=lambda item: -item[1])
    for url, size in ranked[:top]:
        print(f"    {size / 1e6:6.3f} MB  {url}")
    rest = ranked[top:]
    print(f"    {sum(size for _, size in rest) / 1e6:6.3f} MB  {len(rest)} other files", flush=True)


def network_main(repeat: int) -> int:
    from playwright.sync_api import sync_playwright

    print(f"Backprop Lab loads over an emulated network, {datetime.datetime.now().isoformat(timespec='seconds')}, "
          f"{os.cpu_count()} CPUs, headless Chromium, served with compression (median of {repeat})")
    print("ready s: from the navigation's start to ready, by the page's clock (the runs in brackets); "
          "waited s: what this script waited, with DevTools' round trips")
    print(f"{'network':16} {'load':48} {'MB':>6} {'ready s':>8} {'wasm asked s':>13} {'CPU s':>6} {'waited s':>9}")
    with served_site() as base, sync_playwright() as playwright:
        for name, bits, rtt in NETWORKS:
            results = [network_runs(playwright, base, bits, rtt) for _ in range(repeat)]
            runs = [rows for rows, _ in results]
            for index, (label, *_) in enumerate(runs[0]):
                ready = statistics.median(run[index][1] for run in runs)
                sent = statistics.median(run[index][2] for run in runs)
                asked = statistics.median(run[index][3] for run in runs)
                cpu = statistics.median(run[index][4] for run in runs)
                waited = statistics.median(run[index][5] for run in runs)
                times = ", ".join(f"{run[index][1]:.2f}" for run in runs)
                print(f"{name:16} {label:48} {sent / 1e6:6.2f} {ready:8.2f} {asked:13.2f} {cpu:6.2f} {waited:9.2f}"
                      f"  ({times})", flush=True)
            print(f"  first lesson, bytes per file ({name}, first run):")
            print_files(results[0][1])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backprop-lab bench loads", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="cold and warm loads per page (median is shown)")
    parser.add_argument("--network", action="store_true", help="over an emulated network (bytes and time to ready)")
    args = parser.parse_args(argv)
    if args.network:
        return network_main(args.repeat)
    from playwright.sync_api import sync_playwright

    print(f"Backprop Lab page loads, {datetime.datetime.now().isoformat(timespec='seconds')}, "
          f"{os.cpu_count()} CPUs, headless Chromium, localhost")
    print(f"{'page':28} {'cold s':>7} {'warm s':>7} {'loader ms':>10}")
    with served_site() as base, another_site() as elsewhere, sync_playwright() as playwright:
        for path in PAGES:
            cold, warm, painted = [], [], []
            for _ in range(args.repeat):
                # A persistent profile, as a learner's browser has: incognito contexts keep their
                # cache in memory, which skips files as large as Pyodide's and its compiled code.
                with tempfile.TemporaryDirectory() as profile:
                    context = launch_profile(playwright, profile)
                    page = context.new_page()
                    page.goto(elsewhere)
                    page.wait_for_timeout(1000)  # the browser settles, as one a learner has open would be
                    ready, paint = time_to_ready(page, base + path)
                    cold.append(ready)
                    painted.append(paint)
                    page.close()
                    page = context.new_page()
                    warm.append(time_to_ready(page, base + path)[0])
                    context.close()
            print(f"{path:28} {statistics.median(cold):7.2f} {statistics.median(warm):7.2f} "
                  f"{statistics.median(painted) * 1000:10.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
