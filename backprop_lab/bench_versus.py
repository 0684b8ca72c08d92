"""Side-by-side benchmark: this playground at Speed "Max" against TensorFlow Playground.

    python -m backprop_lab bench versus --tfp-url http://127.0.0.1:8151/ [--url http://127.0.0.1:8152/]
        [--seconds 8] [--rounds 3] [--batch 8] [--lr 0.03]

TensorFlow Playground is not part of this project: build it yourself from its source and serve its
`dist/` folder (README, "Speed figures"). Without --url this site is built and served afresh.

Both pages are opened in one headless Chromium, with the same configuration: the dataset (spiral
with hidden layers 8-8-8, then circle with 4-2), tanh, the same learning rate and batch size, 500
points of which 50% train (250 training points), noise 0, inputs x1 and x2 only, no regularization.
TensorFlow Playground takes its state in the URL hash and this site in the query.  For each
configuration the two pages train in turn, one at a time (the other paused), for `seconds` each,
`rounds` times; alternating spreads the machine's other load over both sides.  Prints each run's
epochs/s and the page's main-thread CPU share, the medians, the ratio of the medians (also per second
of each page's main-thread CPU, which other programs' load disturbs less), and the load average.

What an epoch is: TensorFlow Playground's `oneStep()` passes once over the training points, one point
at a time, and updates the weights after every `batchSize` points; then it computes the training and
test loss and redraws the whole page (boundary maps of every unit, links, loss curve).  It runs one
`oneStep()` per animation frame (a d3 timer), so its epochs/s cannot exceed the display's frame
rate.  This site's epoch is one pass over the same number of training points in shuffled batches of
the same size; at Speed "Max" it trains as many epochs as fit in a frame's budget, moves the epoch
counter every frame and redraws the picture (boundary, losses, curve) every other frame.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time

from . import browser as browser_tools

# (name, dataset, hidden layers) of the two configurations.
CONFIGURATIONS = (("spiral 8-8-8", "spiral", (8, 8, 8)), ("circle 4-2", "circle", (4, 2)))
TFP_POINTS = 500         # TensorFlow Playground's NUM_SAMPLES_CLASSIFY
TRAIN_PERCENT = 50


def tfp_hash(dataset: str, layers: tuple, batch: int, lr: float) -> str:
    """TensorFlow Playground's state, every property it reads from the hash."""
    shape = ",".join(map(str, layers))
    return (f"#activation=tanh&batchSize={batch}&dataset={dataset}&regDataset=reg-plane&learningRate={lr}"
            f"&regularization=none&regularizationRate=0&noise=0&networkShape={shape}&seed=0.12345"
            f"&showTestData=false&discretize=false&percTrainData={TRAIN_PERCENT}&x=true&y=true&xTimesY=false"
            f"&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false"
            f"&problem=classification&initZero=false&hideText=false")


def our_query(dataset: str, layers: tuple, batch: int, lr: float) -> str:
    """This site's playground state (app/playground_model.py STATE) for the same configuration."""
    shape = ",".join(map(str, layers))
    return (f"?dataset={dataset}&n={TFP_POINTS}&train={TRAIN_PERCENT}&noise=0&layers={shape}&activation=tanh"
            f"&lr={lr}&batch={batch}&reg=none&features=x1,x2&speed=max")


class Side:
    """One page of the comparison: how to read its epoch counter and press its Play button."""

    def __init__(self, name: str, page, play_selector: str, epoch_selector: str, is_ours: bool):
        self.name, self.page, self.is_ours = name, page, is_ours
        self.play_selector, self.epoch_selector = play_selector, epoch_selector
        self.devtools = page.context.new_cdp_session(page)
        self.devtools.send("Performance.enable")
        self.runs: list[dict] = []

    def epoch(self) -> int:
        return int(self.page.locator(self.epoch_selector).inner_text().replace(",", "").strip())

    def counters(self) -> tuple:
        return (self.page.evaluate("performance.now()"), self.epoch(),
                browser_tools.main_thread_cpu_seconds(self.devtools), *self.frames())

    def frames(self) -> tuple[int, int]:
        """Frames this site's playground has drawn, and those that drew the picture (at "Max"
        every other one); (0, 0) for TensorFlow Playground, which draws everything once per epoch."""
        if not self.is_ours:
            return 0, 0
        canvas = self.page.locator("#boundary-canvas")
        return tuple(int(canvas.get_attribute(name) or 0) for name in ("data-frames", "data-pictures"))

    def train_for(self, seconds: float) -> dict:
        self.page.bring_to_front()
        self.page.click(self.play_selector)
        time.sleep(0.5)                       # past the first frames after Play
        if self.is_ours:
            self.page.evaluate("backpropLab.diagnostics()")   # restarts the fastest step and drawing
        t0, e0, c0, f0, p0 = self.counters()
        time.sleep(seconds)
        t1, e1, c1, f1, p1 = self.counters()
        self.page.click(self.play_selector)   # pause, so that the other side runs alone
        elapsed = (t1 - t0) / 1000
        run = {"epochs/s": (e1 - e0) / elapsed, "cpu share": (c1 - c0) / elapsed, "epoch": e1,
               "epochs per CPU s": (e1 - e0) / max(c1 - c0, 1e-9), "load": os.getloadavg()[0],
               "frames/s": (f1 - f0) / elapsed, "pictures/s": (p1 - p0) / elapsed}
        if self.is_ours:
            # Where this page's time goes: its fastest mini-batch step and picture drawing of the run.
            run.update(json.loads(self.page.evaluate("backpropLab.diagnostics()")))
        self.runs.append(run)
        return run

    def median(self, key: str = "epochs/s") -> float:
        return statistics.median(r[key] for r in self.runs)


def only_local(route):
    """Fonts and analytics on other hosts would only wait for a network this machine lacks."""
    if route.request.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
        return route.continue_()
    return route.abort()


def compare(browser, our_url: str, tfp_url: str, name: str, dataset: str, layers: tuple,
            args) -> tuple[Side, Side]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", only_local)
    tfp_page = context.new_page()
    tfp_page.goto(tfp_url.rstrip("/") + "/index.html" + tfp_hash(dataset, layers, args.batch, args.lr))
    tfp_page.wait_for_selector("#play-pause-button")
    our_page = context.new_page()
    our_page.goto(f"{our_url}pages/playground.html{our_query(dataset, layers, args.batch, args.lr)}")
    browser_tools.wait_until_ready(our_page, timeout_ms=120_000)
    time.sleep(1.0)                           # let start-up work settle
    tfp = Side("TensorFlow Playground", tfp_page, "#play-pause-button", "#iter-number", is_ours=False)
    ours = Side("Backprop Lab (Max)", our_page, "#play", "#epoch", is_ours=True)
    for round_number in range(args.rounds):
        # Alternate which side goes first, so neither always follows the other's garbage.
        for side in ((tfp, ours) if round_number % 2 == 0 else (ours, tfp)):
            run = side.train_for(args.seconds)
            ours_only = (f", {run['frames/s']:.1f} frames/s ({run['pictures/s']:.1f} with the picture), "
                         f"fastest step {run['fastest_step_ms']:.3f} ms, "
                         f"fastest drawing {run['fastest_draw_ms']:.1f} ms") if side is ours else ""
            print(f"  {name:13s} round {round_number + 1}  {side.name:22s} {run['epochs/s']:8.1f} epochs/s"
                  f"  main thread {100 * run['cpu share']:3.0f}%  (epoch {run['epoch']}, load {run['load']:.1f}"
                  f"{ours_only})", flush=True)
    visibility = {side.name: side.page.evaluate("document.visibilityState") for side in (tfp, ours)}
    context.close()
    if any(v != "visible" for v in visibility.values()):
        print(f"  warning: a page was not visible: {visibility}")
    return tfp, ours


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench versus", description=__doc__.splitlines()[0])
    parser.add_argument("--tfp-url", required=True, help="where TensorFlow Playground's dist/ is served")
    parser.add_argument("--url", default=None, help="this site's base URL (default: build and serve it)")
    parser.add_argument("--seconds", type=float, default=8.0, help="each run's training time (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs per side (default 3)")
    parser.add_argument("--batch", type=int, default=8,
                        help="batch size on both sides (default 8: this site's menu has no 10)")
    parser.add_argument("--lr", type=float, default=0.03, help="learning rate on both sides (default 0.03)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.UTC)
    with contextlib.ExitStack() as stack:
        our_url = args.url.rstrip("/") + "/" if args.url else stack.enter_context(browser_tools.served_site())
        playwright = stack.enter_context(sync_playwright())
        browser = browser_tools.launch(playwright)
        stack.callback(browser.close)
        print(f"Backprop Lab vs TensorFlow Playground, {started.isoformat(timespec='seconds')}; "
              f"CPU count {os.cpu_count()}, {platform.machine()}, headless Chromium ({browser_tools.CHROMIUM})")
        print(f"both sides: 500 points, {TRAIN_PERCENT}% training, noise 0, tanh, x1 and x2, batch {args.batch}, "
              f"learning rate {args.lr}; {args.rounds} alternating runs of {args.seconds:g} s per side")
        results = [(name, *compare(browser, our_url, args.tfp_url, name, dataset, layers, args))
                   for name, dataset, layers in CONFIGURATIONS]
    load_after = os.getloadavg()
    print()
    for name, _, ours in results:
        steps = math.ceil(TFP_POINTS * TRAIN_PERCENT / 100 / args.batch)
        step_ms, draw_ms = ours.median("fastest_step_ms"), ours.median("fastest_draw_ms")
        print(f"{name}: this site's fastest mini-batch step {step_ms:.3f} ms (median of the runs) × {steps} steps "
              f"= {step_ms * steps:.1f} ms of training an epoch; fastest picture drawing {draw_ms:.1f} ms a frame, "
              f"{ours.median('frames/s'):.1f} frames/s, {ours.median('pictures/s'):.1f} of them with the picture")
    print()
    for key, unit in (("epochs/s", "median epochs/s"),
                      ("epochs per CPU s", "median epochs per second of the page's main-thread CPU")):
        print(f"{'configuration':14s} {'TF Playground':>14s} {'Backprop Lab':>13s} {'ratio':>7s}   ({unit})")
        for name, tfp, ours in results:
            print(f"{name:14s} {tfp.median(key):14.1f} {ours.median(key):13.1f} "
                  f"{ours.median(key) / tfp.median(key):6.1f}×")
    print(f"load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after, "
          f"on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
