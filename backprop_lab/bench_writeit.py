"""Browser benchmark of lesson 6, "Write it yourself": `backprop-lab bench writeit [--repeat 3]`.

Builds the site, serves it on 127.0.0.1 under the strict CSP and, in headless Chromium with a
fresh profile each time (a first visit), measures:

- the first Run: from the page's data-status="ready" to the first result, when the learner runs
  a reference solution at once (the runner's own Pyodide warms in a worker from "ready" on), and
  when the runner reports itself ready;
- later Runs of exercises 1-7: from Ctrl+Enter to the verdicts shown;
- the page's own time to ready with the runner warming and with a runner that does nothing (its
  script replaced by an empty one), alternately: the runner starts after "ready", so it must not
  delay it;
- the first import of a standard-library module the lean runtime leaves out (`fractions`), which
  fetches the rest of the library (backprop_lab/lean.py rest_of_stdlib).

Targets (issue 24): first Run result <= 3 s after ready, later runs <= 300 ms for exercises 1-7,
and the page's readiness not delayed.  Wall-clock times grow when other programs share the cores:
the load average is printed.
"""
from __future__ import annotations

import argparse
import datetime
import os
import statistics
import tempfile
import time

from app.write_it_model import EXERCISES

from .browser import launch_profile, served_site, wait_until_ready

FIRST_RUN_TARGET_S = 3.0
LATER_RUN_TARGET_MS = 300.0
LATER_RUN_EXERCISES = list(EXERCISES)[:7]
RESULT = "#results[aria-busy='false'] #verdicts .verdict-summary"
RUNNER_READY = "#runner-status:has-text('Python for your code is ready')"


def run(page, code: str, timeout_ms: int = 120_000) -> float:
    """Seconds from Ctrl+Enter to the verdicts of `code` (the results are cleared first)."""
    page.locator("#reset").click()
    editor = page.locator("#write-it .cm-content")
    editor.fill(code)
    start = time.perf_counter()
    editor.press("Control+Enter")
    page.wait_for_selector(RESULT, timeout=timeout_ms)
    return time.perf_counter() - start


def open_lesson(context, url: str, runner: bool) -> tuple[object, float]:
    """The page and its seconds from navigation to ready; without `runner`, the worker's script
    is an empty one (it starts and does nothing)."""
    page = context.new_page()
    if not runner:
        page.route("**/write-it-worker.js", lambda route: route.fulfill(
            status=200, content_type="text/javascript", body="// no runner\n"))
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    wait_until_ready(page, timeout_ms=120_000)
    return page, time.perf_counter() - start


def visit(playwright, base: str, runner: bool, later_runs: bool) -> dict:
    """One first visit in a fresh profile."""
    figures = {}
    with tempfile.TemporaryDirectory() as profile:
        context = launch_profile(playwright, profile)
        try:
            page, figures["ready"] = open_lesson(context, base + "pages/write-it.html?exercise=add-mul", runner)
            if not runner:
                return figures
            ready_at = time.perf_counter()
            editor = page.locator("#write-it .cm-content")
            editor.fill(EXERCISES["add-mul"].solution)
            editor.press("Control+Enter")
            page.wait_for_selector(RESULT, timeout=120_000)
            figures["first run"] = time.perf_counter() - ready_at
            if later_runs:
                for key in LATER_RUN_EXERCISES:
                    page.locator(f'#exercise-list a[data-exercise="{key}"]').click()
                    page.wait_for_url(f"**exercise={key}*")
                    figures[key] = [run(page, EXERCISES[key].solution) for _ in range(3)]
                figures["import"] = run(page, "import fractions\n" + EXERCISES[LATER_RUN_EXERCISES[-1]].solution)
        finally:
            context.close()
    return figures


def runner_warm_time(playwright, base: str) -> float:
    """Seconds from ready until the runner says it is ready, when nobody presses Run."""
    with tempfile.TemporaryDirectory() as profile:
        context = launch_profile(playwright, profile)
        try:
            page, _ = open_lesson(context, base + "pages/write-it.html?exercise=add-mul", runner=True)
            ready_at = time.perf_counter()
            page.wait_for_selector(RUNNER_READY, state="attached", timeout=120_000)
            return time.perf_counter() - ready_at
        finally:
            context.close()


def spread(values: list[float], scale: float = 1.0, unit: str = "s", places: int = 2) -> str:
    values = [v * scale for v in values]
    return (f"median {statistics.median(values):.{places}f} {unit} "
            f"({min(values):.{places}f}-{max(values):.{places}f}, {len(values)} runs)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backprop-lab bench writeit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="first visits of each kind (alternating)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    loads = [os.getloadavg()[0]] if hasattr(os, "getloadavg") else []
    print(f"Lesson 6 (write it yourself), {datetime.datetime.now().isoformat(timespec='minutes')}, "
          f"{os.cpu_count()} CPUs, headless Chromium, localhost, a fresh profile per visit")
    with served_site() as base, sync_playwright() as playwright:
        with_runner, without_runner = [], []
        for i in range(args.repeat):
            # Alternating, so that load from other programs falls on both kinds alike.
            with_runner.append(visit(playwright, base, runner=True, later_runs=i == 0))
            without_runner.append(visit(playwright, base, runner=False, later_runs=False))
            loads += [os.getloadavg()[0]] if hasattr(os, "getloadavg") else []
        warm = [runner_warm_time(playwright, base) for _ in range(args.repeat)]

    first = [v["first run"] for v in with_runner]
    print(f"first Run result after ready (Run pressed at ready): {spread(first)}; target <= {FIRST_RUN_TARGET_S:g} s: "
          f"{'met' if statistics.median(first) <= FIRST_RUN_TARGET_S else 'NOT met'}")
    print(f"runner ready after the page is ready (nobody presses Run): {spread(warm)}")
    later = with_runner[0]
    worst = 0.0
    for number, key in enumerate(LATER_RUN_EXERCISES, start=1):
        median_ms = statistics.median(later[key]) * 1000
        worst = max(worst, median_ms)
        print(f"  later Run, exercise {number} ({EXERCISES[key].title}): {spread(later[key], 1000, 'ms', 0)}")
    print(f"later Runs, exercises 1-7: slowest median {worst:.0f} ms; target <= {LATER_RUN_TARGET_MS:g} ms: "
          f"{'met' if worst <= LATER_RUN_TARGET_MS else 'NOT met'}")
    print(f"first `import fractions` (fetches the rest of the standard library): {later['import'] * 1000:.0f} ms")
    ready_with = [v["ready"] for v in with_runner]
    ready_without = [v["ready"] for v in without_runner]
    print(f"page ready, runner warming: {spread(ready_with)}; runner doing nothing: {spread(ready_without)}")
    if loads:
        print(f"machine load average while measuring: {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
