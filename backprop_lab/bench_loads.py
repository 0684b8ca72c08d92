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

from .browser import READY_SELECTOR, launch_profile, served_site

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backprop-lab bench loads", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="cold and warm loads per page (median is shown)")
    args = parser.parse_args(argv)
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
