"""Compressed copies of the site's text and WebAssembly files, made once per content.

A file's gzip and Brotli encodings are kept in ~/.cache/backprop-lab/compressed/, named
by the sha256 of the file: the same Pyodide in every build is compressed once per
machine (Brotli at its best setting takes minutes on pyodide.asm.wasm), never per
request.  `vendor()` fills the cache for the runtime at setup; the server asks for the
rest on first use.  Brotli needs the `brotli` package (pinned in pyproject's test
extras); without it the server sends gzip only.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import threading
import time
from pathlib import Path

try:
    import brotli
except ImportError:  # optional: gzip alone still meets most of the saving
    brotli = None

# What browsers decode and common hosts compress.  Already-compressed files (.zip, .whl,
# .woff2, images) gain nothing.
COMPRESSIBLE = {".wasm", ".mjs", ".js", ".json", ".css", ".html", ".svg", ".txt", ".map"}
SMALLEST = 512  # bytes: below this, headers cost more than the saving
ENCODINGS = ("br", "gzip") if brotli is not None else ("gzip",)
SUFFIX = {"br": ".br", "gzip": ".gz"}


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "backprop-lab" / "compressed"


def encode(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=11)
    return gzip.compress(data, compresslevel=9, mtime=0)


class FileInfo:
    """A file's content hash (its ETag) and where its compressed copies are, remembered by
    (size, mtime) so that an unchanged file is hashed once per process."""

    _known: dict[Path, tuple[tuple[int, int], str]] = {}
    _lock = threading.Lock()

    @classmethod
    def digest(cls, path: Path) -> str:
        stat = path.stat()
        stamp = (stat.st_size, stat.st_mtime_ns)
        with cls._lock:
            known = cls._known.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with cls._lock:
            cls._known[path] = (stamp, digest)
        return digest


def compressible(path: Path) -> bool:
    return path.suffix in COMPRESSIBLE and path.stat().st_size >= SMALLEST


def compressed(path: Path, encoding: str, digest: str | None = None) -> Path | None:
    """The cached `encoding` copy of `path`, made now if it is not there yet; None while another
    process is making it (Brotli takes minutes on the largest file: nobody waits for it twice)."""
    digest = digest or FileInfo.digest(path)
    target = cache_dir() / f"{digest}{SUFFIX[encoding]}"
    if not target.is_file():
        if any(time.time() - other.stat().st_mtime < 1800 for other in target.parent.glob(f"{target.name}.*.partial")):
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.partial")
        partial.touch()  # says "being made" to other processes
        try:
            partial.write_bytes(encode(path.read_bytes(), encoding))
            os.replace(partial, target)  # a second server or setup at the same time never reads half a file
        finally:
            partial.unlink(missing_ok=True)
    return target


def warm(folder: Path, log=print) -> None:
    """Compress every compressible file under `folder` that is not in the cache yet."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and compressible(path):
            for encoding in ENCODINGS:
                compressed(path, encoding)


def write_siblings(folder: Path) -> int:
    """Put foo.js.br and foo.js.gz beside every compressible foo.js under `folder`, for hosts that
    send a precompressed copy but compress nothing themselves (GitLab Pages; nginx's gzip_static and
    brotli_static; Caddy's `file_server precompressed`).  Returns how many files were written."""
    written = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in COMPRESSIBLE and compressible(path):
            for encoding in ENCODINGS:
                source = compressed(path, encoding)
                if source is not None:
                    shutil.copyfile(source, path.with_name(path.name + SUFFIX[encoding]))
                    written += 1
    return written


def acceptable(accept_encoding: str) -> list[str]:
    """The encodings we have that the request accepts (q=0 refuses one), best first."""
    offered = {}
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        offered[name.strip().lower()] = quality
    return [encoding for encoding in ENCODINGS if offered.get(encoding, offered.get("*", 0.0)) > 0]
