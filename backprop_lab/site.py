"""Set up, build and serve the static site.

`vendor()` copies the pinned runtimes that the pages request from node_modules
(filled by `npm ci`) and the NumPy wheel cache into static/vendor/, checking each
file against the committed manifest.  `build()` writes a self-contained folder
(and a zip) that any static host can serve.  `serve()` serves the repository or
a built folder on 127.0.0.1 with the right MIME types.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import io
import json
import mimetypes
import os
import re
import shutil
import socketserver
import sys
import tempfile
import urllib.request
import zipfile
from html import escape as html_escape
from pathlib import Path

from . import bytecode, compress, lean

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"
MANIFEST = ROOT / "static" / "vendor-manifest.json"

PYODIDE_VERSION = "314.0.1"
NUMPY_WHEEL = "numpy-2.4.3-cp314-cp314-pyemscripten_2026_0_wasm32.whl"
NUMPY_SHA256 = "c90162c4b09a5d8ac3ce975e0b4282ed5df06de446e3d0aec7406821fc5346e1"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"

# What the pages request, per npm package: (source inside node_modules, destination inside static/vendor).
STDLIB_REST = "python_stdlib_rest.zip"
PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]
KATEX_FILES = ["katex.min.js", "katex.min.css"]
# CodeMirror 6, lesson 6's code editor: the ES module file of each package it is made of (the
# `import` entry of its package.json), copied to static/vendor/codemirror/<package>.js.  Their
# imports of each other ("@codemirror/state") are rewritten to those files as they are copied
# (link_es_modules), so the browser loads them as they are: no bundler, and no import map
# (an inline one would need an exception in the Content-Security-Policy).
CODEMIRROR_MODULES = {
    "codemirror": "dist/index.js", "@codemirror/autocomplete": "dist/index.js",
    "@codemirror/commands": "dist/index.js", "@codemirror/lang-python": "dist/index.js",
    "@codemirror/language": "dist/index.js", "@codemirror/lint": "dist/index.js",
    "@codemirror/search": "dist/index.js", "@codemirror/state": "dist/index.js", "@codemirror/streamparser": "dist/index.js",
    "@codemirror/view": "dist/index.js", "@lezer/common": "dist/index.js", "@lezer/highlight": "dist/index.js",
    "@lezer/lr": "dist/index.js", "@lezer/python": "dist/index.js", "@marijn/find-cluster-break": "src/index.js",
    "style-mod": "src/style-mod.js", "w3c-keyname": "index.js", "crelt": "index.js",
}
# `import ... from "x"` / `export ... from "x"` at the start of a line (not the same words in a comment).
ES_IMPORT = re.compile(r"""^(\s*(?:import|export)\b[^;'"]*?\bfrom\s*)(['"])([^'"]+)\2""", re.MULTILINE)


def codemirror_file(package: str) -> str:
    """@codemirror/state -> codemirror-state.js: the vendored file of a CodeMirror package."""
    return package.lstrip("@").replace("/", "-") + ".js"


def link_es_modules(folder: Path) -> None:
    """Point the vendored CodeMirror modules' package imports at their vendored files."""
    def relative(match):
        package = match.group(3)
        if package.startswith("."):
            return match.group(0)
        if package not in CODEMIRROR_MODULES:
            raise SetupError(f"{folder.name}: a vendored module imports {package!r}, which CODEMIRROR_MODULES "
                             "in backprop_lab/site.py does not list")
        return f"{match.group(1)}{match.group(2)}./{codemirror_file(package)}{match.group(2)}"
    for path in sorted(folder.glob("*.js")):
        path.write_text(ES_IMPORT.sub(relative, path.read_text(encoding="utf-8")), encoding="utf-8")

# The Python the pages import, shipped as one archive that PyScript unpacks.
PYTHON_PACKAGES = ["engine", "app"]
PYTHON_ZIP = "python.zip"


def python_pages() -> list[str]:
    """The pages that run Python (they load static/start.js): what the lean runtime is recorded
    from (lean.py) and what the offline test opens."""
    return [path.relative_to(ROOT).as_posix() for path in sorted((ROOT / "pages").glob("*.html"))
            if "static/start.js" in path.read_text()]

# The strictest policy the pages run under (README, "Content-Security-Policy", gives the reasons):
# 'wasm-unsafe-eval' compiles Pyodide's WebAssembly; 'unsafe-eval' because PyScript 0.7.31 builds
# its hook functions with Function(); style-src 'unsafe-inline' is not needed (styles are set through
# the CSSOM, never as inline markup); no inline scripts anywhere.
STRICT_CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'; style-src 'self'; "
              "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
              "object-src 'none'; base-uri 'none'; form-action 'none'")

# Everything a deployed site consists of.  The Python is all in python.zip: each page's
# <script type="py"> just imports its module from there (as bytecode; see bytecode.py).
SITE_ENTRIES = ["index.html", "pages", "static"]

mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("text/javascript", ".js")


class SetupError(RuntimeError):
    """A setup step that cannot go on; the message says what to do."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "backprop-lab"


def wheel_cache() -> Path:
    explicit = os.environ.get("BACKPROP_LAB_PACKAGES")
    return Path(explicit) if explicit else cache_root() / "pyodide"


def find_numpy_wheel(try_download: bool = True, log=print) -> Path | None:
    """The verified wheel from the cache, downloading it from Pyodide's CDN into the
    cache if it is absent and the network allows; None if neither works."""
    cached = wheel_cache() / NUMPY_WHEEL
    if cached.is_file():
        if sha256_of(cached) == NUMPY_SHA256:
            return cached
        log(f"warning: {cached} does not match the pinned sha256; ignoring it")
    if not try_download:
        return None
    try:
        with urllib.request.urlopen(PYODIDE_CDN + NUMPY_WHEEL, timeout=15) as response:
            data = response.read()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != NUMPY_SHA256:
        log("warning: the downloaded NumPy wheel does not match the pinned sha256; not using it")
        return None
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(data)
    return cached


def vendor_sources() -> dict[str, Path]:
    """static/vendor/<name> -> the node_modules file it is copied from."""
    sources: dict[str, Path] = {}
    pyscript = NODE_MODULES / "@pyscript" / "core" / "dist"
    # core.js loads its chunks by relative import, so ship every chunk (not the source maps).
    for path in sorted(pyscript.glob("*.js")) + sorted(pyscript.glob("*.css")):
        sources[f"pyscript/{path.name}"] = path
    for name in PYODIDE_FILES:
        sources[f"pyodide/{name}"] = NODE_MODULES / "pyodide" / name
    katex = NODE_MODULES / "katex" / "dist"
    for name in KATEX_FILES:
        sources[f"katex/{name}"] = katex / name
    # Browsers take the first format they support, and all current ones read woff2.
    for path in sorted((katex / "fonts").glob("*.woff2")):
        sources[f"katex/fonts/{path.name}"] = path
    # An IndexedDB kept in memory, loaded by static/start.js only where the browser blocks storage
    # (cross-site iframes): PyScript cannot start without IndexedDB.  Its ES modules import each other.
    fake_indexeddb = NODE_MODULES / "fake-indexeddb" / "build" / "esm"
    for path in sorted(fake_indexeddb.rglob("*.js")):
        sources[f"fake-indexeddb/{path.relative_to(fake_indexeddb).as_posix()}"] = path
    for package, entry in CODEMIRROR_MODULES.items():
        sources[f"codemirror/{codemirror_file(package)}"] = NODE_MODULES / package / entry
    return sources


def write_manifest() -> None:
    """Record the sha256 of every vendored runtime file (run after changing a pin)."""
    files = {name: sha256_of(path) for name, path in vendor_sources().items()}
    files[f"pyodide/{NUMPY_WHEEL}"] = NUMPY_SHA256
    MANIFEST.write_text(json.dumps({"files": files}, indent=1, sort_keys=True) + "\n")


def verify_against_manifest(files: dict[str, Path]) -> None:
    """Raise SetupError naming the first file whose sha256 differs from the manifest."""
    expected = json.loads(MANIFEST.read_text())["files"]
    for name, path in files.items():
        want = expected.get(name)
        if want is None:
            raise SetupError(f"integrity: {name} is not in {MANIFEST.name}; "
                             "run `python -m backprop_lab manifest` after changing a pin")
        got = sha256_of(path)
        if got != want:
            raise SetupError(f"integrity: {name} ({path}) has sha256 {got}, but {MANIFEST.name} pins {want}. "
                             "Reinstall with `npm ci` (or refill the wheel cache) and build again.")


def python_sources() -> list[Path]:
    return [path for package in PYTHON_PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]


def python_archive() -> bytes:
    """engine/ and app/ as one zip, unpacked by PyScript into the Python file system."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in python_sources():
            archive.write(path, path.relative_to(ROOT).as_posix())
    return buffer.getvalue()


def vendor(log=print, full_runtime: bool = False) -> bool:
    """Fill static/vendor/.  Returns True when NumPy is served locally.  The runtime is the lean
    one (lean.py: only what the pages import) unless `full_runtime`, which recording needs."""
    if not (NODE_MODULES / "pyodide").is_dir():
        raise SetupError("node_modules/ is missing: run `npm ci` first (the Makefile does).")
    sources = vendor_sources()
    verify_against_manifest(sources)
    wheel = find_numpy_wheel(log=log)
    if wheel is not None:
        verify_against_manifest({f"pyodide/{NUMPY_WHEEL}": wheel})
    if not full_runtime:
        check_lean_imports(wheel)
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for name, path in sources.items():
        target = VENDOR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    link_es_modules(VENDOR / "codemirror")

    pyodide = VENDOR / "pyodide"
    scratch_dir = tempfile.TemporaryDirectory()
    scratch = Path(scratch_dir.name)
    stdlib = NODE_MODULES / "pyodide" / "python_stdlib.zip"
    if not full_runtime:
        stdlib, wheel = lean_inputs(stdlib, wheel, scratch)
    # The stdlib ships bytecode only, as Pyodide's own releases used to: sources too would add 2.4 MB.
    # The lean runtime leaves out docstrings too (as `python -OO`): NumPy's alone are 0.4 MB.
    optimize = -1 if full_runtime else 2
    jobs = [bytecode.Job(stdlib, pyodide / "python_stdlib.zip", bytecode.STDLIB_PATH, "beside", keep_sources=False,
                         optimize=optimize)]
    if not full_runtime:
        # What the lean stdlib leaves out, fetched only by lesson 6's runner when the learner's code
        # imports it (any standard-library module may be imported there).
        rest = scratch / STDLIB_REST
        lean.rest_of_stdlib(NODE_MODULES / "pyodide" / "python_stdlib.zip", rest, set(lean.recorded()["stdlib"]))
        jobs.append(bytecode.Job(rest, pyodide / STDLIB_REST, f"/lib/{STDLIB_REST}/", "beside", keep_sources=False,
                                 optimize=optimize))
    lock_path = pyodide / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    if wheel is not None and full_runtime:
        # The full NumPy keeps its sources (tracebacks quote them) but not its C headers, static
        # libraries and type stubs, which nothing in a browser reads.
        jobs.append(bytecode.Job(wheel, pyodide / NUMPY_WHEEL, bytecode.SITE_PACKAGES, "pycache",
                                 drop=(".pyi", ".h", ".a", ".pxd", ".c")))
    elif wheel is not None:
        # The lean NumPy ships bytecode only, each .pyc where its .py would be (a traceback names
        # the file and line, without the source line): its sources would add 0.9 MB.
        jobs.append(bytecode.Job(wheel, pyodide / NUMPY_WHEEL, bytecode.SITE_PACKAGES, "beside", keep_sources=False,
                                 optimize=optimize))
    else:
        # Point the lock entry at the CDN; Pyodide still checks the pinned sha256 (SRI).
        lock["packages"]["numpy"]["file_name"] = PYODIDE_CDN + NUMPY_WHEEL
        log(f"NumPy for Pyodide is not in {wheel_cache()}: the site will load it from Pyodide's CDN at run time "
            "(see README, 'Runtime pins', to make it fully offline).")
    with scratch_dir:
        python_zip = scratch / PYTHON_ZIP
        python_zip.write_bytes(python_archive())
        # The site's own modules keep their sources (tracebacks quote them); their bytecode leaves
        # out docstrings in the lean build (nothing reads them at run time).
        jobs.append(bytecode.Job(python_zip, VENDOR / PYTHON_ZIP, bytecode.HOME, "pycache", optimize=optimize))
        try:
            bytecode.compile_archives(jobs, NODE_MODULES / "pyodide", cache_root() / "bytecode")
        except bytecode.BytecodeError as error:
            raise SetupError(str(error)) from None
    if wheel is not None:
        # Pyodide checks a package against the lock's sha256: the one with bytecode added.
        lock["packages"]["numpy"]["sha256"] = sha256_of(pyodide / NUMPY_WHEEL)
    lock_path.write_text(json.dumps(lock))
    # Compress the runtime now, once per content (cached): the first page load must not wait for it.
    compress.warm(VENDOR)
    return wheel is not None


def check_lean_imports(wheel: Path | None) -> None:
    """Stop, naming the module, if app/ or engine/ imports what the lean runtime lacks."""
    numpy_all = lean.numpy_modules(wheel) if wheel is not None else set()
    stdlib_all = lean.stdlib_names(NODE_MODULES / "pyodide" / "python_stdlib.zip")
    try:
        lean.check_imports(python_sources(), stdlib_all, numpy_all, ROOT)
        lean.check_recorded_pages_without_numpy([ROOT / page for page in python_pages()], ROOT)
    except lean.LeanError as error:
        raise SetupError(str(error)) from None


def lean_inputs(stdlib: Path, wheel: Path | None, scratch: Path) -> tuple[Path, Path | None]:
    """The stdlib zip and NumPy wheel cut down to what the pages import (lean.py)."""
    lean_stdlib = scratch / "python_stdlib.zip"
    lean.trim_stdlib(stdlib, lean_stdlib, set(lean.recorded()["stdlib"]))
    if wheel is None:
        return lean_stdlib, None
    lean_wheel = scratch / NUMPY_WHEEL
    lean.trim_numpy(wheel, lean_wheel, set(lean.recorded()["numpy_files"]))
    return lean_stdlib, lean_wheel


def build(out: Path, log=print, full_runtime: bool = False, precompressed: bool = False) -> Path:
    """Write a deployable copy of the site to `out` and a zip beside it; return the zip.
    `precompressed` adds .br and .gz copies beside the text and WebAssembly files."""
    vendor(log=log, full_runtime=full_runtime)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for entry in SITE_ENTRIES:
        source = ROOT / entry
        if source.is_dir():
            shutil.copytree(source, out / entry, ignore=shutil.ignore_patterns("__pycache__", "*.map"))
        else:
            shutil.copyfile(source, out / entry)
    (out / "static" / MANIFEST.name).unlink(missing_ok=True)
    write_preloads(out)
    write_offline_files(out)
    if precompressed:
        compress.write_siblings(out)
    archive = shutil.make_archive(str(out), "zip", root_dir=out)
    log(f"built {out} and {archive}")
    return Path(archive)


# The chunks PyScript's core imports whenever it starts a page (not the editor's, the terminal's own
# or micropip's), by name before the hash; and the one it imports when a config lists packages.
PYSCRIPT_START_CHUNKS = ("deprecations-manager", "donkey", "error", "py-editor", "py-game", "py-terminal")
PYSCRIPT_PACKAGES_CHUNK = "pyodide_graph"


def runtime_preloads(out: Path, config: Path) -> list[list[str]]:
    """The files a page's start fetches one after another, as [kind, href] or [kind, href, integrity]
    for static/loader.js, which asks for them all at once right after the first paint (asked for in
    the page's head, they held up the first paint on localhost).  start.js imports offline.js, then
    PyScript's core, which imports a chunk, which reads the config, imports more chunks and
    pyodide.mjs, which fetches the lock file, the stdlib and NumPy's wheel; python.zip PyScript
    fetches once Python has started.  Each step is a round trip (a 304 on the next lesson, 40 ms on
    a school link), and on a first visit the link sits idle meanwhile.  Not preloaded:
    pyodide.asm.wasm (Chromium then kept no compiled code for it and compiled it again)."""
    pyscript = out / "static" / "vendor" / "pyscript"
    core_import = re.search(r'from"\./(core-[\w-]+\.js)"', (pyscript / "core.js").read_text())
    if core_import is None:
        raise SetupError("static/vendor/pyscript/core.js no longer imports a core-*.js chunk: "
                         "update runtime_preloads in backprop_lab/site.py for this PyScript")
    chunks = [core_import.group(1)]
    for prefix in PYSCRIPT_START_CHUNKS + ((PYSCRIPT_PACKAGES_CHUNK,) if lean.loads_numpy(config) else ()):
        found = [path for path in sorted(pyscript.glob(f"{prefix}-*.js"))
                 if re.fullmatch(re.escape(prefix) + r"-[\w-]{8}\.js", path.name)]
        if len(found) != 1:
            raise SetupError(f"PyScript chunk {prefix}-*.js: found {len(found)} in {pyscript}; update "
                             "PYSCRIPT_START_CHUNKS in backprop_lab/site.py for this PyScript")
        chunks.append(found[0].name)
    modules = (["../static/offline.js"] + [f"../static/vendor/pyscript/{name}" for name in chunks]
               + ["../static/vendor/pyodide/pyodide.mjs"])
    # Fetched as `fetch()` asks (loader.js: CORS mode), or the browser fetches them again; the large
    # ones last, so that the small ones get the first connections.
    fetched = [f"../static/{config.name}", "../static/vendor/pyodide/pyodide-lock.json",
               f"../static/vendor/{PYTHON_ZIP}", "../static/vendor/pyodide/python_stdlib.zip"]
    preloads = [["module", href] for href in modules] + [["fetch", href] for href in fetched]
    numpy = json.loads((out / "static/vendor/pyodide/pyodide-lock.json").read_text())["packages"]["numpy"]
    if lean.loads_numpy(config) and "://" not in numpy["file_name"]:  # not a CDN copy (see vendor())
        # Pyodide fetches a package with the lock's sha256 as its integrity: the preload must say the same.
        integrity = "sha256-" + base64.b64encode(bytes.fromhex(numpy["sha256"])).decode()
        preloads.append(["fetch", f"../static/vendor/pyodide/{numpy['file_name']}", integrity])
    return preloads


LOADER_SCRIPT = '<script src="../static/loader.js"'


def write_preloads(out: Path) -> None:
    """Give every built page that runs Python its runtime_preloads (loader.js's data-preload)."""
    for page in sorted((out / "pages").glob("*.html")):
        html = page.read_text()
        if "static/start.js" not in html:
            continue
        if LOADER_SCRIPT not in html:
            raise SetupError(f"{page.name} runs Python but lacks {LOADER_SCRIPT}>")
        config, _ = lean.page_script(page)
        listed = html_escape(json.dumps(runtime_preloads(out, config), separators=(",", ":")))
        page.write_text(html.replace(LOADER_SCRIPT, f'{LOADER_SCRIPT} data-preload="{listed}"', 1))


# PyScript's editor and terminal chunks: no page uses them, so the service worker does not precache them.
# Nor the standard library that only a learner's import in lesson 6 fetches (1.9 MB; see vendor()).
NOT_PRECACHED = ("static/vendor/pyscript/codemirror", "static/vendor/pyscript/xterm", "static/sw.js",
                 "static/vendor/pyodide/python_stdlib_rest.zip")


def write_offline_files(out: Path) -> str:
    """Put the service worker at the site's root (it controls only pages at or below its folder)
    and write build.json beside it: the build's version (a hash of every file) and the files to
    precache.  Returns the version."""
    files = sorted(path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file())
    digest = hashlib.sha256()
    for name in files:
        digest.update(f"{name}\0{sha256_of(out / name)}\n".encode())
    version = digest.hexdigest()[:16]
    precached = ["./"] + [name for name in files if not name.startswith(NOT_PRECACHED)]
    shutil.copyfile(ROOT / "static" / "sw.js", out / "sw.js")
    (out / "build.json").write_text(json.dumps({"version": version, "files": precached}, indent=0) + "\n")
    return version


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files as a good static host serves them: correct MIME types, gzip or Brotli for
    text and WebAssembly (compressed once per file content, see compress.py), and an ETag (the
    content's hash) on every file so that a browser's second visit asks "still this?" and gets
    304 Not Modified instead of the file.  Every response says `Cache-Control: no-cache`
    (use the copy, but ask first): the runtime's URLs do not change when its content does, so
    no file may be kept unasked.  When serving the repository itself, python.zip is rebuilt on
    every request so edits to engine/ and app/ show on reload."""
    live_python = False
    extra_headers: dict[str, str] = {}
    protocol_version = "HTTP/1.1"  # keep-alive: a page's files come over a few connections, as from any host
    # Headers and body go out in two writes.  With Nagle's algorithm the body then waits for the
    # browser to acknowledge the headers, which Linux delays by 40 ms: every file after the first
    # on a connection came 40 ms late.  Static hosts set TCP_NODELAY too.
    disable_nagle_algorithm = True

    def send_head(self):
        if self.live_python and self.path.split("?")[0] == f"/static/vendor/{PYTHON_ZIP}":
            body = python_archive()
            return self.send_body(body, "application/zip", f'"{hashlib.sha256(body).hexdigest()[:24]}"')
        path = Path(self.translate_path(self.path))
        folder = self.path.split("?")[0].endswith("/")
        if folder and (path / "index.html").is_file():
            # The site's own address (/): its index.html with the same ETag and no-cache as any file.
            # The base class sends Last-Modified alone, which a browser keeps for a tenth of the file's
            # age without asking: offline, the landing page then came from that cache, not the
            # service worker's, and its scripts from nowhere.
            path = path / "index.html"
        elif not path.is_file() or folder:
            return super().send_head()  # other directories, redirects and 404s as before
        digest = compress.FileInfo.digest(path)
        source, encoding = path, None
        if compress.compressible(path):
            for encoding in compress.acceptable(self.headers.get("Accept-Encoding", "")):
                source = compress.compressed(path, encoding, digest)
                if source is not None:
                    break
            else:
                source, encoding = path, None
        etag = f'"{digest[:24]}{"-" + encoding if encoding else ""}"'
        if self.not_modified(etag):
            return None
        f = open(source, "rb")  # noqa: SIM115 (closed by the base class after sending, as in send_head)
        try:
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Length", str(os.fstat(f.fileno()).st_size))
            self.send_validators(etag, varies=compress.compressible(path))
            if encoding:
                self.send_header("Content-Encoding", encoding)
            self.end_headers()
        except BaseException:
            f.close()
            raise
        return f

    def send_body(self, body: bytes, content_type: str, etag: str):
        if self.not_modified(etag):
            return None
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_validators(etag, varies=False)
        self.end_headers()
        return io.BytesIO(body)

    def not_modified(self, etag: str) -> bool:
        """Answer 304 (and return True) when the browser already has this version."""
        asked = self.headers.get("If-None-Match")
        if asked is None or (asked.strip() != "*" and etag not in [tag.strip() for tag in asked.split(",")]):
            return False
        self.send_response(304)
        self.send_validators(etag, varies=True)
        self.end_headers()
        return True

    def send_validators(self, etag: str, varies: bool) -> None:
        self.send_header("ETag", etag)
        self.send_header("Cache-Control", "no-cache")
        if varies:
            self.send_header("Vary", "Accept-Encoding")

    def end_headers(self):
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format, *args):  # quiet: tests and the console stay readable
        if os.environ.get("BACKPROP_LAB_VERBOSE"):
            super().log_message(format, *args)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A browser that navigates away mid-download closes its connection: normal, not worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def make_server(directory: Path, port: int = 0, live_python: bool = False,
                headers: dict[str, str] | None = None) -> Server:
    handler = type("SiteHandler", (Handler,), {"live_python": live_python, "extra_headers": dict(headers or {})})
    return Server(("127.0.0.1", port), functools.partial(handler, directory=str(directory)))


def serve(port: int = 8000, directory: Path | None = None) -> None:
    if directory is None:
        vendor()
        directory, live = ROOT, True
    else:
        live = False
    server = make_server(directory, port, live_python=live, headers={"Content-Security-Policy": STRICT_CSP})
    print(f"Backprop Lab is at http://127.0.0.1:{server.server_address[1]}/  (Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use `python -m backprop_lab`")
