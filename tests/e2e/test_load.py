"""How a lesson loads (issue 22): the files its start fetches one after another are preloaded (the
build lists them, static/loader.js asks for them after the first paint), so they come in one round
trip, each fetched once; the build stops if PyScript's chunks are not what it expects."""
from __future__ import annotations

import re
import shutil

import pytest

from backprop_lab import lean, site

from .conftest import needs_numpy, wait_until_ready

pytestmark = pytest.mark.e2e

# What a page's start fetches before Pyodide fetches its runtime: each of these, not preloaded, is a
# round trip after the one before it.
START_CHAIN = re.compile(r"/static/(offline\.js|pyscript[\w-]*\.json|vendor/pyscript/[\w-]+\.js|"
                         r"vendor/pyodide/pyodide\.mjs|vendor/python\.zip)$")


def preloaded(page) -> set[str]:
    return set(page.evaluate("""() => [...document.querySelectorAll(
        'link[rel=preload], link[rel=modulepreload]')].map((link) => link.href)"""))


# Paint entries kept from loader.js, as in a browser that reports none: it then asks for the preloads
# only at its 1 s fallback, long after PyScript, started at once, would have fetched its config, the
# lock file, the stdlib and NumPy (each was then fetched twice).  start.js waiting for the preloads
# is what keeps each file fetched once; with the paint reported it only loses a race, which it did
# in 4 of 70 loads of gradients on this machine under load (none of 50 since).
PAINT_UNREPORTED = """(() => {
  const observe = PerformanceObserver.prototype.observe;
  PerformanceObserver.prototype.observe = function (options) {
    if (!(options && options.type === "paint")) observe.call(this, options);
  };
})();"""


@needs_numpy
@pytest.mark.parametrize("name, paint_reported", [("chain-rule", False),  # without NumPy
                                                   ("gradients", True)])   # with it
def test_the_start_chain_is_preloaded_and_each_file_fetched_once(page, base_url, name, paint_reported):
    if not paint_reported:
        page.add_init_script(PAINT_UNREPORTED)
    page.goto(base_url + f"pages/{name}.html")
    wait_until_ready(page)
    requested = page.evaluate("() => performance.getEntriesByType('resource').map((entry) => entry.name)")
    links = preloaded(page)
    # A preload the page's own request does not match (another mode, or integrity) is fetched twice.
    twice = sorted({url for url in requested if requested.count(url) > 1})
    assert twice == [], f"fetched twice: {twice}"
    chain = {url for url in requested if START_CHAIN.search(url)}
    assert chain - links == set(), "the start fetched these one after another: preload them (site.runtime_preloads)"
    assert links - set(requested) == set(), "preloaded but never used"
    # NumPy pages import PyScript's package-graph chunk; a page without packages must not fetch it.
    assert any("pyodide_graph" in url for url in chain) == (name == "gradients")
    assert any(url.endswith("/static/vendor/python.zip") for url in links)
    # The large ones are asked for after the first paint: asked for in the head, they held it up.
    paint, asked = page.evaluate("""() => [performance.getEntriesByName('first-contentful-paint')[0].startTime,
        performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('.zip'))
            .map((entry) => entry.startTime)]""")
    assert len(asked) == 2 and min(asked) >= paint


def test_pyodide_webassembly_is_not_preloaded(site_dir):
    # Chromium keeps no compiled code for a preloaded WebAssembly response: with it preloaded, the next
    # lesson compiled Pyodide again (a trace showed v8.wasm.compiledModule instead of moduleCacheHit).
    for page in site.python_pages():
        html = (site_dir / page).read_text()
        assert "data-preload=" in html, f"{page} has no preloads"
        assert "pyodide.asm.wasm" not in html, page


def test_the_build_stops_when_pyscript_chunks_change(site_dir, tmp_path):
    out = tmp_path / "site"
    shutil.copytree(site_dir / "static", out / "static")
    config = out / "static" / "pyscript.json"
    assert lean.loads_numpy(config)
    assert len(site.runtime_preloads(out, config)) > 5
    next((out / "static/vendor/pyscript").glob("donkey-*.js")).unlink()
    with pytest.raises(site.SetupError, match=r"donkey-\*\.js: found 0"):
        site.runtime_preloads(out, config)
