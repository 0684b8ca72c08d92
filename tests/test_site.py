"""The set-up and build steps: integrity of vendored runtimes, what a build contains."""
import contextlib
import json
import shutil
import threading
import zipfile

import pytest

from backprop_lab import site

needs_node_modules = pytest.mark.skipif(not (site.NODE_MODULES / "pyodide").is_dir(),
                                        reason="node_modules/ missing: run `npm ci`")


@needs_node_modules
def test_manifest_covers_every_vendored_file():
    recorded = json.loads(site.MANIFEST.read_text())["files"]
    assert set(site.vendor_sources()) <= set(recorded)
    assert recorded[f"pyodide/{site.NUMPY_WHEEL}"] == site.NUMPY_SHA256


@needs_node_modules
def test_tampered_runtime_file_stops_the_build_and_is_named(tmp_path, monkeypatch):
    sources = site.vendor_sources()
    tampered = tmp_path / "pyodide.mjs"
    shutil.copyfile(sources["pyodide/pyodide.mjs"], tampered)
    with open(tampered, "a") as f:
        f.write("\n// one extra line\n")
    sources["pyodide/pyodide.mjs"] = tampered
    monkeypatch.setattr(site, "vendor_sources", lambda: sources)
    monkeypatch.setattr(site, "VENDOR", tmp_path / "vendor")
    with pytest.raises(site.SetupError, match=r"integrity: pyodide/pyodide\.mjs .*sha256"):
        site.vendor(log=lambda *_: None)
    assert not (tmp_path / "vendor").exists()  # nothing half-copied


def test_tampered_wheel_in_cache_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_LAB_PACKAGES", str(tmp_path))
    (tmp_path / site.NUMPY_WHEEL).write_bytes(b"not the wheel")
    notes = []
    assert site.find_numpy_wheel(try_download=False, log=notes.append) is None
    assert "does not match" in notes[0]


def test_python_archive_holds_engine_and_app_sources():
    with zipfile.ZipFile(__import__("io").BytesIO(site.python_archive())) as archive:
        names = set(archive.namelist())
    assert {"engine/__init__.py", "engine/mlp.py", "engine/graph.py", "app/ui.py"} <= names
    assert not any("__pycache__" in name for name in names)


@needs_node_modules
def test_build_without_the_wheel_loads_numpy_from_the_cdn_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "find_numpy_wheel", lambda **_: None)
    monkeypatch.setattr(site, "VENDOR", tmp_path / "vendor")
    said = []
    assert site.vendor(log=said.append) is False
    lock = json.loads((tmp_path / "vendor" / "pyodide" / "pyodide-lock.json").read_text())
    assert lock["packages"]["numpy"]["file_name"] == site.PYODIDE_CDN + site.NUMPY_WHEEL
    assert lock["packages"]["numpy"]["sha256"] == site.NUMPY_SHA256
    assert len(said) == 1 and "CDN" in said[0]


def pyc_flags(data: bytes) -> int:
    return int.from_bytes(data[4:8], "little")


@needs_node_modules
def test_vendored_python_ships_as_bytecode_the_browser_uses_unchecked(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "VENDOR", tmp_path / "vendor")
    numpy_local = site.vendor(log=lambda *_: None)
    pyodide = tmp_path / "vendor" / "pyodide"
    with zipfile.ZipFile(pyodide / "python_stdlib.zip") as stdlib:
        names = set(stdlib.namelist())
        # zipimport looks for foo.pyc beside where foo.py would be; the sources stay out (2.4 MB).
        assert {"inspect.pyc", "json/__init__.pyc", "_pyodide/__init__.pyc"} <= names
        assert "inspect.py" not in names
        # The lean stdlib: what the pages import (backprop_lab/lean_imports.json), not the rest.
        assert not {"sqlite3/__init__.pyc", "tkinter/__init__.pyc", "xml/dom/minidom.pyc", "mailbox.pyc"} & names
        assert pyc_flags(stdlib.read("inspect.pyc")) == 1  # unchecked hash: no mtime to compare
    with zipfile.ZipFile(pyodide / site.STDLIB_REST) as rest:
        rest_names = set(rest.namelist())
        # The rest, for lesson 6's runner: what the lean one lacks, and whole any package it holds
        # only in part; none of its top-level modules twice.
        assert {"fractions.pyc", "statistics.pyc", "mailbox.pyc", "xml/dom/minidom.pyc"} <= rest_names
        assert {"json/__init__.pyc", "json/tool.pyc"} <= rest_names and "inspect.pyc" not in rest_names
        assert not any(name.endswith(".py") for name in rest_names)
    # Fetched when a learner's import needs it, never in advance: the service worker leaves it out.
    out = tmp_path / "site"
    shutil.copytree(tmp_path / "vendor", out / "static" / "vendor")
    site.write_offline_files(out)
    precached = json.loads((out / "build.json").read_text())["files"]
    assert "static/vendor/pyodide/python_stdlib.zip" in precached
    assert f"static/vendor/pyodide/{site.STDLIB_REST}" not in precached
    with zipfile.ZipFile(tmp_path / "vendor" / site.PYTHON_ZIP) as python:
        names = set(python.namelist())
        assert {"app/ui.py", "app/__pycache__/ui.cpython-314.pyc", "engine/__pycache__/mlp.cpython-314.pyc"} <= names
    if numpy_local:
        wheel = pyodide / site.NUMPY_WHEEL
        with zipfile.ZipFile(wheel) as numpy:
            names = set(numpy.namelist())
            assert pyc_flags(numpy.read("numpy/__init__.pyc")) == 1
        # The lean NumPy: bytecode where the sources were, none of the tests, f2py or stubs.
        assert {"numpy/__init__.pyc", "numpy/_core/_multiarray_umath.cpython-314-wasm32-emscripten.so"} <= names
        assert not any(name.endswith((".py", ".pyi", ".h")) for name in names)
        assert not any(part in name for name in names for part in ("/tests/", "/f2py/", "/typing/"))
        lock = json.loads((pyodide / "pyodide-lock.json").read_text())
        assert lock["packages"]["numpy"]["sha256"] == site.sha256_of(wheel)  # Pyodide checks it


@needs_node_modules
def test_bytecode_is_reused_from_the_cache_without_running_pyodide(tmp_path, monkeypatch):
    from backprop_lab import bytecode

    source = tmp_path / "in.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr("pkg/mod.py", "ANSWER = 42\n")
    job = bytecode.Job(source, tmp_path / "out.zip", bytecode.HOME, "pycache")
    bytecode.compile_archives([job], site.NODE_MODULES / "pyodide", tmp_path / "cache")
    with zipfile.ZipFile(job.target) as archive:
        assert set(archive.namelist()) == {"pkg/mod.py", "pkg/__pycache__/mod.cpython-314.pyc"}
    (job.target).unlink()
    monkeypatch.setattr(bytecode.shutil, "which", lambda _: None)  # no Node: only the cache can answer
    bytecode.compile_archives([job], site.NODE_MODULES / "pyodide", tmp_path / "cache")
    assert job.target.is_file()


def test_bytecode_cache_keeps_only_the_most_recently_used_results(tmp_path):
    import os

    from backprop_lab import bytecode

    for age in range(5):
        path = tmp_path / f"{age}.zip"
        path.write_bytes(b"")
        os.utime(path, (1000 - age, 1000 - age))
    bytecode.prune(tmp_path, keep=2)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["0.zip", "1.zip"]


@contextlib.contextmanager
def running_server(directory):
    """`backprop-lab serve`'s server in this process, on a free port."""
    server = site.make_server(directory)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_server_answers_every_request_on_a_connection_at_once(tmp_path):
    # A browser fetches a page's files over a few kept-alive connections.  The server once sent
    # headers and body in two packets and let the body wait for the browser's acknowledgement,
    # which Linux delays by 40 ms: every file after a connection's first came 40 ms late.
    import http.client
    import statistics
    import time

    (tmp_path / "site.css").write_text("p { color: #333; }\n" * 200)
    with running_server(tmp_path) as server:
        connection = http.client.HTTPConnection(*server.server_address)
        waits = []
        for _ in range(9):
            start = time.perf_counter()
            connection.request("GET", "/site.css")
            assert connection.getresponse().read().startswith(b"p {")
            waits.append(time.perf_counter() - start)
        connection.close()
    # Requests take well under 1 ms here; the delayed acknowledgement is 40 ms or more.
    assert statistics.median(waits[1:]) < 0.02, [round(wait * 1000, 1) for wait in waits]


def test_server_stays_quiet_when_a_browser_drops_a_download(tmp_path, capfd):
    # A learner navigating away mid-download must not fill the `serve` console with tracebacks.
    import socket
    import struct

    (tmp_path / "big.bin").write_bytes(b"x" * 8_000_000)
    with running_server(tmp_path) as server:
        for _ in range(3):
            client = socket.create_connection(server.server_address)
            client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            client.recv(1024)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
            client.close()
        # The server still answers.
        client = socket.create_connection(server.server_address)
        client.sendall(b"HEAD /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert client.recv(1024).startswith(b"HTTP/1.1 200")
        client.close()
    assert "Traceback" not in capfd.readouterr().err


def fetch(server, path, **headers):
    import http.client

    connection = http.client.HTTPConnection(*server.server_address)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


@pytest.fixture
def compress_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "backprop-lab" / "compressed"


def test_server_compresses_text_and_wasm_once_per_content(tmp_path, compress_cache, monkeypatch):
    import gzip

    from backprop_lab import compress

    script = b"console.log('a lesson');\n" * 400
    (tmp_path / "app.js").write_bytes(script)
    (tmp_path / "photo.zip").write_bytes(b"PK" + b"x" * 4000)  # already compressed: sent as it is
    made = []
    real_encode = compress.encode
    monkeypatch.setattr(compress, "encode", lambda data, encoding: made.append(encoding) or real_encode(data, encoding))
    with running_server(tmp_path) as server:
        for _ in range(3):
            response, body = fetch(server, "/app.js", **{"Accept-Encoding": "gzip"})
            assert response.getheader("Content-Encoding") == "gzip"
            assert response.getheader("Vary") == "Accept-Encoding"
            assert gzip.decompress(body) == script
        response, body = fetch(server, "/app.js")  # a client that decodes nothing gets the file as it is
        assert response.getheader("Content-Encoding") is None and body == script
        response, body = fetch(server, "/photo.zip", **{"Accept-Encoding": "gzip, br"})
        assert response.getheader("Content-Encoding") is None and len(body) == 4002
        if "br" in compress.ENCODINGS:
            import brotli

            response, body = fetch(server, "/app.js", **{"Accept-Encoding": "gzip, deflate, br"})
            assert response.getheader("Content-Encoding") == "br"
            assert brotli.decompress(body) == script
    assert sorted(made) == sorted({"gzip", *(["br"] if "br" in compress.ENCODINGS else [])})  # never per request
    assert len(list(compress_cache.iterdir())) == len(made)


def test_server_answers_a_repeat_visit_with_not_modified(tmp_path, compress_cache):
    (tmp_path / "site.css").write_text("p { color: #333; }\n" * 100)
    (tmp_path / "python.zip").write_bytes(b"PK" + b"y" * 3000)
    with running_server(tmp_path) as server:
        for path, encoding in (("/site.css", "gzip"), ("/python.zip", "gzip")):
            response, _ = fetch(server, path, **{"Accept-Encoding": encoding})
            assert response.status == 200 and response.getheader("Cache-Control") == "no-cache"
            etag = response.getheader("ETag")
            response, body = fetch(server, path, **{"Accept-Encoding": encoding, "If-None-Match": etag})
            assert (response.status, body) == (304, b"")
            assert response.getheader("ETag") == etag
        css_etag = fetch(server, "/site.css", **{"Accept-Encoding": "gzip"})[0].getheader("ETag")
        (tmp_path / "site.css").write_text("p { color: #000; }\n" * 100)  # a new deploy: the file changed
        response, body = fetch(server, "/site.css", **{"Accept-Encoding": "gzip", "If-None-Match": css_etag})
        assert response.status == 200 and body


def test_a_page_importing_what_the_lean_runtime_lacks_stops_the_build_naming_it(tmp_path, monkeypatch):
    from backprop_lab import lean

    page_module = tmp_path / "app" / "money.py"
    page_module.parent.mkdir()
    page_module.write_text("import math\n\n\ndef total(prices):\n    import decimal\n    return decimal.Decimal(0)\n")
    stdlib_all = {"decimal", "json"}  # math is built into the interpreter: never a file
    assert "decimal" not in lean.recorded()["stdlib"]
    with pytest.raises(lean.LeanError, match=r"app/money\.py:5 imports decimal"):
        lean.check_imports([page_module], stdlib_all, set(), tmp_path)
    # The same through setup, which stops before writing anything.
    monkeypatch.setattr(site, "python_sources", lambda: [page_module])
    monkeypatch.setattr(site, "ROOT", tmp_path)
    monkeypatch.setattr(site, "VENDOR", tmp_path / "vendor")
    if (site.NODE_MODULES / "pyodide").is_dir():
        with pytest.raises(site.SetupError, match="imports decimal"):
            site.vendor(log=lambda *_: None)


def test_a_numpy_subpackage_used_by_attribute_must_be_in_the_lean_runtime(tmp_path):
    from backprop_lab import lean

    module = tmp_path / "spectrum.py"
    module.write_text("import numpy as np\n\nSPECTRUM = np.fft.rfft([1.0, 2.0])\n")
    with pytest.raises(lean.LeanError, match="imports numpy.fft"):
        lean.check_imports([module], set(), {"numpy", "numpy.fft", "numpy.random"}, tmp_path)


def test_precompressed_copies_sit_beside_the_files_they_encode(tmp_path, compress_cache):
    import gzip

    from backprop_lab import compress

    (tmp_path / "static").mkdir()
    script = b"export const lesson = 1;\n" * 100
    (tmp_path / "static" / "app.mjs").write_bytes(script)
    (tmp_path / "static" / "tiny.css").write_bytes(b"p{}")  # too small to gain anything
    (tmp_path / "python.zip").write_bytes(b"PK" + b"z" * 5000)
    compress.write_siblings(tmp_path)
    assert gzip.decompress((tmp_path / "static" / "app.mjs.gz").read_bytes()) == script
    assert not (tmp_path / "static" / "tiny.css.gz").exists() and not (tmp_path / "python.zip.gz").exists()
    if "br" in compress.ENCODINGS:
        import brotli

        assert brotli.decompress((tmp_path / "static" / "app.mjs.br").read_bytes()) == script
