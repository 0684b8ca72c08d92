"""Browser benchmark of the gradients page: the time of one forward + backward pass.

    backprop-lab bench gradients [--depth 30] [--width 64] [--samples 200] [--repeat 15]
    (or python -m backprop_lab.bench_gradients ...)

Builds the site, serves it on 127.0.0.1 under the strict CSP, opens pages/gradients.html
in headless Chromium with those settings, and reads the page's own "one forward + backward
pass computed in N ms" after each of `repeat` recomputations (the seed changes each time:
a new network of the same size).  Prints the median.  The issue's target is under 50 ms at
depth 30, width 64, 200 samples.

Wall-clock times grow when other programs share the cores, so the page's main-thread CPU
time per recomputation is printed as well (it includes building the network and drawing).
"""
from __future__ import annotations

import argparse
import math
import os
import re
import statistics

from . import browser

TARGET_MS = 50.0


def measure(base_url: str, depth: int, width: int, samples: int, repeat: int) -> tuple[list[float], float]:
    """Pass times in ms as the page reports them, one per recomputation, and the page's
    main-thread CPU time per recomputation in ms."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        page = chromium.new_page()
        page.goto(f"{base_url}pages/gradients.html?depth={depth}&width={width}&samples={samples}")
        browser.wait_until_ready(page, timeout_ms=120_000)
        devtools = page.context.new_cdp_session(page)
        devtools.send("Performance.enable")
        times = []
        cpu_before = browser.main_thread_cpu_seconds(devtools)
        for seed in range(1, repeat + 1):
            page.fill("#seed", str(seed))
            page.press("#seed", "Enter")
            # The handler saves the URL; the new networks are measured in slices over the next
            # frames, with #sides marked aria-busy until they are drawn.
            page.wait_for_url(re.compile(f"seed={seed}(&|$)"), timeout=60_000)
            page.wait_for_selector("#sides:not([aria-busy='true'])", timeout=60_000)
            shown = page.locator("#side-0-timing").inner_text()
            times.append(float(re.search(r"computed in ([\d.]+) ms", shown).group(1)))
        cpu_ms = (browser.main_thread_cpu_seconds(devtools) - cpu_before) * 1000.0 / repeat
        chromium.close()
    return times, cpu_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backprop-lab bench gradients", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depth", type=int, default=30)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)

    with browser.served_site() as base_url:
        times, cpu_ms = measure(base_url, args.depth, args.width, args.samples, args.repeat)

    median = statistics.median(times)
    print(f"gradients page, depth {args.depth}, width {args.width}, {args.samples} samples: "
          f"one forward + backward pass in the browser")
    print(f"  median {median:.1f} ms, fastest {min(times):.1f} ms, slowest {max(times):.1f} ms "
          f"over {len(times)} passes (target < {TARGET_MS:.0f} ms: {'met' if median < TARGET_MS else 'NOT met'})")
    if math.isfinite(cpu_ms):
        print(f"  main-thread CPU time per recomputation (new network + pass + drawing): {cpu_ms:.1f} ms")
    if hasattr(os, "getloadavg"):
        print(f"  machine load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
