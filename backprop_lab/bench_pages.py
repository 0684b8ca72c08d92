"""Browser benchmark of the training playground.

    python -m backprop_lab bench playground [--seconds 10]
    python -m backprop_lab bench playground --scrub [--seconds 10]
    python -m backprop_lab bench playground --speeds [--seconds 6]
    python -m backprop_lab bench playground --point [--seconds 3]

Builds the site, serves it on 127.0.0.1, opens the playground in headless
Chromium with the issue's configuration (spiral, 400 points, hidden layers
[8, 8, 8], tanh, full batch), presses Play and lets it train for the given
time while the page redraws.  Prints epochs per second, frames per second (at
Speed "Max" each frame trains and moves the epoch counter, and every other one
redraws the picture: the decision boundary, losses and curve), pictures per
second, and the longest main-thread task, seen by a PerformanceObserver for
"longtask" entries (tasks over 50 ms) and, below that threshold, by the page's
own timing of its longest frame.
Targets: >= 500 epochs/s, >= 30 frames/s, >= 15 pictures/s, no task over 50 ms.

With --scrub it measures scrubbing instead (issue 21, "Performance"): the largest network
(8 hidden layers of 16, 500 points, batch 1, Adam) trains for the given time, is paused and
Stepped (the long tasks of each, until Step is enabled again), then the replay slider jumps
to SCRUB_JUMPS positions one after another, each waiting for the page to finish drawing, and
is then dragged through every position, one input a frame.  Prints, per jump, the input
handler's time, the time to the next frame (in which the page draws the epoch: the boundary,
coarse, with the numbers and the curve) and the time until the full boundary and the diagram
are drawn too (the diagram's links are the page's last change), and the long tasks of Pause,
Step, the jumps and the drag.
Targets: a scrub answers in under 100 ms, no task over 50 ms.

With --speeds it trains the largest network (spiral, 500 points, Adam) at each of SPEED_CASES
(Speed 1, 30 and Max with full batch, 3 and Max with batch 1, and Max on 1000 points in batches
of 1), a fresh page each, for the given time, and prints per case the epoch reached, frames per
second, the long tasks from Play to Pause (their start after Play and duration) and those of
the second after Pause, and the load average.  Target: no task over 50 ms at any speed.

With --point it measures backprop on one point (per-point inspection): the largest network
(batch 1) trains for the given time and is paused, then POINT_CLICKS different training points'
marks are clicked one after another.  Prints the click handler's time and the time to the next
frame (the panel shows that point's pass, the diagram its gradients), and their long tasks.
Targets: the point's numbers on screen in under 100 ms, no task over 50 ms.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time

from . import browser as browser_tools

CONFIGURATION = "dataset=spiral&n=400&layers=8,8,8&activation=tanh&batch=all&lr=0.3&speed=max"
TARGETS = {"epochs/s": 500, "frames/s": 30, "pictures/s": 15, "longest task ms": 50}

# Installed before any page script: every long task, from the first moment on.
OBSERVE_LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push([entry.startTime, entry.duration]);
}).observe({type: "longtask", buffered: true});
"""


def counters(page, devtools) -> dict:
    """Page time, epochs, frames drawn (all, with the picture, coarse), and the main thread's CPU time."""
    canvas = page.locator("#boundary-canvas")
    return {"time": page.evaluate("performance.now()"),
            "epoch": int(page.locator("#epoch").inner_text()),
            "frames": int(canvas.get_attribute("data-frames") or 0),
            "pictures": int(canvas.get_attribute("data-pictures") or 0),
            "coarse frames": int(canvas.get_attribute("data-coarse-frames") or 0),
            "cpu": browser_tools.main_thread_cpu_seconds(devtools)}


def measure(base_url: str, seconds: float) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = browser_tools.launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.add_init_script(OBSERVE_LONG_TASKS)
        devtools = page.context.new_cdp_session(page)
        devtools.send("Performance.enable")
        page.goto(f"{base_url}pages/playground.html?{CONFIGURATION}")
        browser_tools.wait_until_ready(page, timeout_ms=120_000)
        time.sleep(1.0)                       # let start-up work settle
        page.click("#play")
        start = counters(page, devtools)
        time.sleep(seconds)
        end = counters(page, devtools)
        page.click("#play")                   # pause
        tasks = page.evaluate(f"window.__longTasks.filter(([t]) => t >= {start['time']}).map(([, d]) => d)")
        longest_frame = float(page.locator("#boundary-canvas").get_attribute("data-longest-frame-ms") or "nan")
        divergence = page.locator("#divergence")
        diverged = divergence.is_visible()
        browser.close()
    elapsed = (end["time"] - start["time"]) / 1000
    return {"seconds": elapsed,
            "epochs/s": (end["epoch"] - start["epoch"]) / elapsed,
            "frames/s": (end["frames"] - start["frames"]) / elapsed,
            "pictures/s": (end["pictures"] - start["pictures"]) / elapsed,
            "full grid share": 1 - (end["coarse frames"] - start["coarse frames"]) / max(end["pictures"] - start["pictures"], 1),
            "main thread CPU share": (end["cpu"] - start["cpu"]) / elapsed,
            "long tasks": len(tasks),
            "longest long task ms": max(tasks, default=0.0),
            "longest frame ms": longest_frame,
            "diverged": diverged}


# The largest network the playground trains (issue 21, "Performance").
LARGEST_NETWORK = "dataset=spiral&n=500&layers=16,16,16,16,16,16,16,16&optimizer=adam&lr=0.003"
SCRUB_CONFIGURATION = f"{LARGEST_NETWORK}&batch=1&speed=max"
SCRUB_JUMPS = 20
SCRUB_TARGETS = {"scrub ms": 100, "longest task ms": 50}

# In the page: jump the replay slider to each position and wait until the page has drawn it
# (the diagram's links are replaced last); [handler ms, to the next frame ms, until drawn ms] each.
SCRUB_JUMPS_JS = """async (positions) => {
  const scrub = document.getElementById('scrub'), links = document.getElementById('diagram-links');
  const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
  const times = [];
  for (const position of positions) {
    let drawn = null;
    const observer = new MutationObserver(() => { drawn = performance.now(); });
    observer.observe(links, {childList: true, subtree: true});
    const started = performance.now();
    scrub.value = position;
    scrub.dispatchEvent(new Event('input', {bubbles: true}));
    const handled = performance.now();
    await frame();
    const next = performance.now();
    while (drawn === null && performance.now() - started < 5000) await frame();
    observer.disconnect();
    times.push([handled - started, next - started, (drawn === null ? NaN : drawn - started)]);
    await new Promise((done) => setTimeout(done, 150));
  }
  return times;
}"""

# In the page: drag through every position, one input a frame, as a pointer held on the curve
# sends them; then wait until the last one is drawn.  Returns [start, end] in page time.
SCRUB_DRAG_JS = """async () => {
  const scrub = document.getElementById('scrub'), links = document.getElementById('diagram-links');
  const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
  const started = performance.now();
  for (let position = Number(scrub.max); position >= 0; position--) {
    scrub.value = position;
    scrub.dispatchEvent(new Event('input', {bubbles: true}));
    await frame();
  }
  let drawn = false;
  const observer = new MutationObserver(() => { drawn = true; });
  observer.observe(links, {childList: true, subtree: true});
  while (!drawn && performance.now() - started < 60000) await frame();
  observer.disconnect();
  return [started, performance.now()];
}"""


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def open_playground(browser, base_url: str, query: str):
    """A new page of the playground with `query`, long tasks observed from the start, ready and settled."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(OBSERVE_LONG_TASKS)
    page.goto(f"{base_url}pages/playground.html?{query}")
    browser_tools.wait_until_ready(page, timeout_ms=120_000)
    time.sleep(1.0)                       # let start-up work settle
    return page


def trained_and_paused(browser, base_url: str, seconds: float):
    """The largest network (SCRUB_CONFIGURATION) played for `seconds`, then paused: (the page,
    the page time Pause was clicked at)."""
    page = open_playground(browser, base_url, SCRUB_CONFIGURATION)
    page.click("#play")
    time.sleep(seconds)
    paused = page.evaluate("performance.now()")
    page.click("#play")
    return page, paused


def long_tasks(page, since: float, until: float | None = None) -> list:
    """[start, duration] in ms of each long task that started in [since, until] (page time)."""
    before = "" if until is None else f" && t <= {until}"
    return page.evaluate(f"window.__longTasks.filter(([t]) => t >= {since}{before})")


def measure_scrub(base_url: str, seconds: float) -> dict:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = browser_tools.launch(playwright)
        page, paused = trained_and_paused(browser, base_url, seconds)
        time.sleep(0.5)
        stepped = page.evaluate("performance.now()")
        page.click("#step")
        expect(page.locator("#step")).to_be_enabled(timeout=30_000)
        time.sleep(0.5)
        pause_tasks, step_tasks = ([d for _, d in long_tasks(page, since, until)]
                                   for since, until in ((paused, stepped), (stepped, page.evaluate("performance.now()"))))
        latest = int(page.locator("#epoch").inner_text())
        positions = int(page.locator("#scrub").get_attribute("max")) + 1
        # Jumps back and forth over the kept epochs, never to the one shown.
        jumps = [(k * 7 + 3) % (positions - 1) for k in range(SCRUB_JUMPS)]
        jumps = [j for i, j in enumerate(jumps) if i == 0 or j != jumps[i - 1]]
        started = page.evaluate("performance.now()")
        times = page.evaluate(SCRUB_JUMPS_JS, jumps)
        jump_tasks = [d for _, d in long_tasks(page, started)]
        drag_start, drag_end = page.evaluate(SCRUB_DRAG_JS)
        drag_tasks = [d for _, d in long_tasks(page, drag_start, drag_end)]
        browser.close()
    handler, next_frame, drawn = ([t[i] for t in times] for i in range(3))
    return {"epoch": latest, "positions": positions, "jumps": len(jumps), "handler": handler,
            "next frame": next_frame, "drawn": drawn, "jump tasks": jump_tasks,
            "drag seconds": (drag_end - drag_start) / 1000, "drag tasks": drag_tasks,
            "pause tasks": pause_tasks, "step tasks": step_tasks}


def report_scrub(result) -> bool:
    print(f"configuration: {SCRUB_CONFIGURATION}, trained to epoch {result['epoch']}, "
          f"{result['positions']} slider positions")
    for name in ("handler", "next frame", "drawn"):
        values = result[name]
        print(f"{name + ' ms':18s} median {percentile(values, 0.5):6.1f}  p90 {percentile(values, 0.9):6.1f}  "
              f"max {max(values):6.1f}   over {result['jumps']} jumps")
    for name in ("pause tasks", "step tasks", "jump tasks", "drag tasks"):
        tasks = result[name]
        print(f"{name:18s} {len(tasks):3d} long tasks > 50 ms, longest {max(tasks, default=0.0):.0f} ms")
    print(f"drag               {result['positions']} inputs in {result['drag seconds']:.1f} s")
    longest = max(result["pause tasks"] + result["step tasks"] + result["jump tasks"] + result["drag tasks"],
                  default=0.0)
    return (percentile(result["next frame"], 0.5) < SCRUB_TARGETS["scrub ms"]
            and longest < SCRUB_TARGETS["longest task ms"])


# (speed, batch, query): the largest network at each pace, full batch and in batches of 1.
SPEED_CASES = ([(speed, "all", f"{LARGEST_NETWORK}&batch=all&speed={speed}") for speed in ("1", "30", "max")]
               + [(speed, "1", f"{LARGEST_NETWORK}&batch=1&speed={speed}") for speed in ("3", "max")]
               + [("max", "1, 1000 points", f"{LARGEST_NETWORK}&n=1000&train=90&batch=1&speed=max")])
SPEEDS_SECONDS = 6.0


def measure_speeds(base_url: str, seconds: float):
    """Yield one result per SPEED_CASES entry, as it is measured (a fresh page each)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = browser_tools.launch(playwright)
        for speed, batch, query in SPEED_CASES:
            page = open_playground(browser, base_url, query)
            devtools = page.context.new_cdp_session(page)
            devtools.send("Performance.enable")
            page.click("#play")
            start = counters(page, devtools)
            time.sleep(seconds)
            end = counters(page, devtools)
            page.click("#play")               # pause
            paused = page.evaluate("performance.now()")
            time.sleep(1.0)
            yield {"speed": speed, "batch": batch, "epoch": int(page.locator("#epoch").inner_text()),
                   "seconds": (end["time"] - start["time"]) / 1000,
                   "frames": end["frames"] - start["frames"],
                   "cpu": end["cpu"] - start["cpu"],
                   "training tasks": [(t - start["time"], d) for t, d in long_tasks(page, start["time"], paused)],
                   "pause tasks": [d for _, d in long_tasks(page, paused)],
                   "load": os.getloadavg()[0]}
            page.close()
        browser.close()


def report_speed(result) -> bool:
    tasks = ", ".join(f"{d:.0f} ms at {t / 1000:.1f} s" for t, d in result["training tasks"]) or "none"
    pause = ", ".join(f"{d:.0f} ms" for d in result["pause tasks"]) or "none"
    print(f"speed {result['speed']:>4}  batch {result['batch']:<15} epoch {result['epoch']:>6}  "
          f"{result['frames'] / result['seconds']:5.1f} frames/s  main thread CPU "
          f"{100 * result['cpu'] / result['seconds']:3.0f}%  load {result['load']:.1f}")
    print(f"    long tasks > 50 ms while training: {len(result['training tasks'])} ({tasks}); "
          f"after Pause: {len(result['pause tasks'])} ({pause})")
    durations = [d for _, d in result["training tasks"]] + result["pause tasks"]
    return max(durations, default=0.0) < TARGETS["longest task ms"]


POINT_CLICKS = 10
POINT_SECONDS = 3.0
POINT_TARGETS = {"point ms": 100, "longest task ms": 50}

# In the page: click each training point's mark (indexes given) where it is drawn, as a person
# does, and wait for the next frame; [handler ms, to the next frame ms, the panel's heading] each.
POINT_CLICKS_JS = """async (indexes) => {
  const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
  const heading = document.getElementById('point-heading');
  const results = [];
  for (const index of indexes) {
    const mark = document.querySelector(`#boundary-overlay .pt.train[data-i="${index}"]`);
    const box = mark.getBoundingClientRect();
    const click = new MouseEvent('click', {bubbles: true, cancelable: true, view: window,
      clientX: box.left + box.width / 2, clientY: box.top + box.height / 2});
    const started = performance.now();
    mark.dispatchEvent(click);
    const handled = performance.now();
    await frame();
    results.push([handled - started, performance.now() - started, heading.textContent]);
    await new Promise((done) => setTimeout(done, 300));
  }
  return results;
}"""


def measure_point(base_url: str, seconds: float) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = browser_tools.launch(playwright)
        page, _ = trained_and_paused(browser, base_url, seconds)
        time.sleep(2.0)                       # until the paused network is drawn in full
        epoch = int(page.locator("#epoch").inner_text())
        marks = page.locator("#boundary-overlay .pt.train").count()
        indexes = [(k * 37 + 11) % marks for k in range(POINT_CLICKS)]
        started = page.evaluate("performance.now()")
        clicks = page.evaluate(POINT_CLICKS_JS, indexes)
        tasks = [d for _, d in long_tasks(page, started)]
        browser.close()
    return {"epoch": epoch, "marks": marks, "handler": [c[0] for c in clicks],
            "next frame": [c[1] for c in clicks], "points shown": len({c[2] for c in clicks}), "tasks": tasks}


def report_point(result) -> bool:
    print(f"configuration: {SCRUB_CONFIGURATION}, trained to epoch {result['epoch']}, "
          f"{result['marks']} training points")
    clicks = len(result["handler"])
    for name in ("handler", "next frame"):
        values = result[name]
        print(f"{name + ' ms':18s} median {percentile(values, 0.5):6.1f}  p90 {percentile(values, 0.9):6.1f}  "
              f"max {max(values):6.1f}   over {clicks} clicks")
    print(f"points shown       {result['points shown']} different of {clicks} clicked (the panel's heading)")
    print(f"long tasks > 50 ms {len(result['tasks']):3d}, longest {max(result['tasks'], default=0.0):.0f} ms")
    return (result["points shown"] == clicks and max(result["next frame"]) < POINT_TARGETS["point ms"]
            and max(result["tasks"], default=0.0) < POINT_TARGETS["longest task ms"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench playground", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=None,
                        help=f"how long to train (default 10; with --speeds {SPEEDS_SECONDS:g}, with --point {POINT_SECONDS:g})")
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--scrub", action="store_true",
                       help="measure scrubbing the replay slider on the largest network instead")
    modes.add_argument("--speeds", action="store_true",
                       help="measure long tasks while training the largest network at each speed instead")
    modes.add_argument("--point", action="store_true",
                       help="measure clicking points to inspect them on the largest network instead")
    args = parser.parse_args(argv)
    started = datetime.datetime.now().isoformat(timespec='seconds')

    if args.speeds:
        print(f"Backprop Lab playground speeds benchmark, {started}, CPU count {os.cpu_count()}")
        print(f"network: {LARGEST_NETWORK}, {args.seconds or SPEEDS_SECONDS:g} s of training per case")
        with browser_tools.served_site() as base_url:
            met = all([report_speed(result) for result in measure_speeds(base_url, args.seconds or SPEEDS_SECONDS)])
        print("all targets met" if met else "some targets NOT met")
        return 0 if met else 1

    if args.point:
        with browser_tools.served_site() as base_url:
            result = measure_point(base_url, args.seconds or POINT_SECONDS)
        print(f"Backprop Lab playground point inspection benchmark, {started}")
        print(f"CPU count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
        met = report_point(result)
        print("all targets met" if met else "some targets NOT met")
        return 0 if met else 1

    seconds = args.seconds or 10.0
    if args.scrub:
        with browser_tools.served_site() as base_url:
            result = measure_scrub(base_url, seconds)
        print(f"Backprop Lab playground scrubbing benchmark, {started}")
        print(f"CPU count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
        met = report_scrub(result)
        print("all targets met" if met else "some targets NOT met")
        return 0 if met else 1

    with browser_tools.served_site() as base_url:
        result = measure(base_url, seconds)

    longest = max(result["longest long task ms"], result["longest frame ms"])
    print(f"Backprop Lab playground benchmark, {started}")
    print(f"CPU count {os.cpu_count()}, {platform.machine()}, headless Chromium ({browser_tools.CHROMIUM}), "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"configuration: {CONFIGURATION}, {result['seconds']:.1f} s of training")
    print(f"epochs/s           {result['epochs/s']:8.0f}   (target >= {TARGETS['epochs/s']})")
    print(f"frames/s           {result['frames/s']:8.1f}   (target >= {TARGETS['frames/s']})")
    print(f"pictures/s         {result['pictures/s']:8.1f}   (target >= {TARGETS['pictures/s']}); "
          f"{100 * result['full grid share']:.0f}% of them with the full 100×100 grid")
    print(f"long tasks > 50 ms {result['long tasks']:8d}   (longest {result['longest long task ms']:.0f} ms)")
    print(f"longest frame ms   {result['longest frame ms']:8.1f}   (the page's own timing of training + drawing)")
    print(f"longest task ms    {longest:8.1f}   (target < {TARGETS['longest task ms']})")
    print(f"main thread CPU    {100 * result['main thread CPU share']:7.0f}%   of the wall time; well under 100% "
          f"while training means other programs kept the page waiting")
    if result["diverged"]:
        print("warning: training diverged during the run; the figures are not representative")
    met = (result["epochs/s"] >= TARGETS["epochs/s"] and result["frames/s"] >= TARGETS["frames/s"]
           and result["pictures/s"] >= TARGETS["pictures/s"] and longest < TARGETS["longest task ms"])
    print("all targets met" if met else "some targets NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
