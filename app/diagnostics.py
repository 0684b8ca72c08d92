"""Figures about a running page that the tests and the benchmarks read (browser only).

- backpropLab.diagnostics(): a JSON object of memory, proxies, load-time compilation and stack
  switching, plus any figures a page adds (add_figures); ui.ready() installs it.
- FastestTimes: the page's fastest training step and frame drawing, for the long-session test.
- FrameCounters: frames drawn, the longest one, those with the picture and the coarse ones,
  written on an element's data-* attributes for the playground benchmarks (backprop_lab/bench_pages.py,
  bench_versus.py).
"""
import json
import math
import sys

import js
from pyodide.ffi import create_proxy

# The list of proxies app.ui keeps (given by install()): its length is a figure.
_proxies = []
_page_figures = []


def compiled_from_source():
    """Imported modules whose code was compiled from source at load time, not read from the
    bytecode the build ships (backprop_lab/bytecode.py): each one slows every page load."""
    found = []
    for module in list(sys.modules.values()):
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None) or ""
        if not origin.endswith(".py"):
            continue  # built in, an extension, or a .pyc inside the stdlib zip
        try:
            with open(spec.cached, "rb") as pyc:
                # PEP 552 flags: the build writes unchecked-hash files (1); CPython writes its
                # own after compiling, with timestamps (0).
                shipped = int.from_bytes(pyc.read(8)[4:8], "little") == 1
        except (OSError, TypeError):
            shipped = False
        if not shipped:
            found.append(origin)
    return sorted(found)


def add_figures(numbers):
    """A page adds figures of its own to backpropLab.diagnostics(): `numbers()` returns a dict."""
    _page_figures.append(numbers)


def loaded_files():
    """The file every imported module came from (stdlib zip, NumPy, python.zip): what the lean
    runtime must keep (`backprop-lab record-imports` collects them from every page)."""
    files = set()
    for module in list(sys.modules.values()):
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None)
        if origin and origin.startswith("/"):
            files.add(origin)
    return sorted(files)


def report():
    """What the tests watch: WebAssembly memory (Python's heap lives there), how many Python
    callables this page has handed to JS, which modules were compiled at load, whether Pyodide runs
    Python on WebAssembly stack switching (static/loader.js turns it off), and the page's own."""
    import pyodide_js

    numbers = {"wasm_bytes": int(pyodide_js._module.HEAPU8.length), "proxies": len(_proxies),
               "compiled_from_source": compiled_from_source(),
               "stack_switching": bool(pyodide_js._module.jspiSupported), "loaded_files": loaded_files()}
    for page_numbers in _page_figures:
        numbers.update(page_numbers())
    return json.dumps(numbers)


def install(proxies):
    """Publish report() as backpropLab.diagnostics(); `proxies` is app.ui's list of the
    Python callables handed to JS (this one joins it)."""
    global _proxies
    _proxies = proxies
    published = create_proxy(report)
    proxies.append(published)
    js.backpropLab.diagnostics = published


class FastestTimes:
    """The fastest training step and frame drawing since the last read(), which the long-session
    test compares over time.  Minima over hundreds of frames, because a busy machine only ever
    slows things down: they show the page's own speed even when the machine's changes."""

    def __init__(self):
        self.step_ms = math.inf
        self.draw_ms = math.inf

    def step(self, elapsed_ms, steps):
        self.step_ms = min(self.step_ms, elapsed_ms / steps)

    def draw(self, elapsed_ms):
        self.draw_ms = min(self.draw_ms, elapsed_ms)

    def read(self):
        numbers = {"fastest_step_ms": self.step_ms, "fastest_draw_ms": self.draw_ms}
        self.step_ms = self.draw_ms = math.inf
        return {name: value if math.isfinite(value) else None for name, value in numbers.items()}


class FrameCounters:
    """Frames drawn, the longest frame (training and drawing), the frames that drew the picture
    (the decision boundary: at Speed "Max" every other frame) and those drawn on a coarse grid,
    written on `element` as data-frames, data-longest-frame-ms, data-pictures and data-coarse-frames."""

    def __init__(self, element):
        self.element = element
        self.frames = 0
        self.longest_ms = 0.0
        self.pictures = 0
        self.coarse = 0

    def count(self, frame_ms, coarse, picture=True):
        self.frames += 1
        self.longest_ms = max(self.longest_ms, frame_ms)
        self.pictures += bool(picture)
        self.coarse += bool(coarse)
        data = self.element.dataset
        data.frames = self.frames
        data.longestFrameMs = f"{self.longest_ms:.1f}"
        data.pictures = self.pictures
        data.coarseFrames = self.coarse
