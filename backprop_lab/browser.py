"""Headless Chromium and a freshly built site on 127.0.0.1, shared by the browser
benchmarks and the e2e test harness."""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from . import site

CHROMIUM = os.environ.get("BACKPROP_LAB_CHROMIUM", "/usr/bin/chromium")
# As root there is no sandbox; the rest stop background traffic to hosts this machine cannot reach.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
READY_SELECTOR = "html[data-status='ready'], html[data-status='error']"


def launch(playwright, **options):
    """Debian's Chromium (never a browser downloaded by Playwright)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, **options)


def launch_profile(playwright, profile_dir, **options):
    """Debian's Chromium with a persistent profile in `profile_dir`: a learner's browser,
    with an on-disk cache."""
    return playwright.chromium.launch_persistent_context(profile_dir, executable_path=CHROMIUM,
                                                         args=CHROMIUM_FLAGS, **options)


@contextlib.contextmanager
def served_site(directory: Path | None = None, full_runtime: bool = False):
    """Yield the base URL of the site (a fresh build unless `directory` is given), served on a
    free 127.0.0.1 port under the strict CSP by `backprop-lab serve` in a process of its own, as
    a static host would: not competing with Playwright for this process's interpreter."""
    with tempfile.TemporaryDirectory() as scratch:
        if directory is None:
            directory = Path(scratch) / "site"
            site.build(directory, log=lambda *_: None, full_runtime=full_runtime)
        server = subprocess.Popen([sys.executable, "-m", "backprop_lab", "serve", "--dir", str(directory), "--port", "0"],
                                  cwd=site.ROOT, stdout=subprocess.PIPE, text=True)
        try:
            first_line = server.stdout.readline()
            address = re.search(r"http://127\.0\.0\.1:\d+/", first_line)
            if address is None:
                raise RuntimeError(f"`backprop-lab serve` did not start: {first_line!r}")
            yield address.group(0)
        finally:
            server.terminate()
            server.wait(timeout=10)
            server.stdout.close()


def main_thread_cpu_seconds(devtools) -> float:
    """CPU time the page's main thread has used so far (DevTools' ThreadTime), from a CDP
    session with Performance enabled.  Less CPU than wall time means other programs kept
    the page waiting."""
    metrics = {m["name"]: m["value"] for m in devtools.send("Performance.getMetrics")["metrics"]}
    return metrics.get("ThreadTime", float("nan"))


def wait_until_ready(page, timeout_ms: int = 90_000) -> None:
    """Wait for the page to report ready; raise with the loader's text if it failed.
    A selector, not a JS predicate: predicates are eval'd, which the strict CSP forbids."""
    page.wait_for_selector(READY_SELECTOR, state="attached", timeout=timeout_ms)
    if page.evaluate("document.documentElement.dataset.status") != "ready":
        text = page.evaluate("(document.getElementById('loader') || document.body).innerText")
        raise AssertionError(f"the page did not become ready: {text[:800]}")
