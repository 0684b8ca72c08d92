"""Ship Python bytecode, not just sources, to the browser.

Pyodide's stdlib zip, the NumPy wheel and python.zip hold .py files only, so every
page load compiled each module it imported from source: about a quarter of the time
to "ready" (README, "Speed").  The build compiles them once, with Pyodide's own
interpreter running under Node (the bytecode format is specific to the exact
CPython), and caches the results by content hash.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "run_in_pyodide.mjs"
WORKER = HERE / "bytecode_worker.py"

# Where Pyodide puts things at run time: the stdlib zip is mounted at STDLIB_PATH,
# wheels unpack into SITE_PACKAGES, and PyScript unpacks python.zip into HOME.
STDLIB_PATH = "/lib/python314.zip/"
SITE_PACKAGES = "/lib/python3.14/site-packages/"
HOME = "/home/pyodide/"
KEEP = 24  # cached results kept: a few dozen MB


class BytecodeError(RuntimeError):
    pass


@dataclass(frozen=True)
class Job:
    """Copy `source` (a zip) to `target`, adding bytecode for every .py in it."""
    source: Path
    target: Path
    prefix: str   # the run-time path of the zip's root, so tracebacks name the right file
    layout: str   # "beside" (for zipimport) or "pycache" (for files unpacked to disk)
    keep_sources: bool = True
    drop: tuple[str, ...] = ()  # file endings to leave out
    optimize: int = -1  # 2 leaves out docstrings and asserts (python -OO)

    def key(self, interpreter: bytes) -> str:
        """Same inputs, same compiler, same interpreter (its digest): same output."""
        digest = hashlib.sha256(interpreter)
        for part in (self.source.read_bytes(), WORKER.read_bytes(),
                     json.dumps([self.prefix, self.layout, self.keep_sources, self.drop]
                                + ([self.optimize] if self.optimize != -1 else [])).encode()):
            digest.update(hashlib.sha256(part).digest())
        return digest.hexdigest()


def compile_archives(jobs: list[Job], pyodide_dir: Path, cache: Path) -> None:
    """Run the jobs, reusing earlier results from `cache`; one Node process for all that are new."""
    interpreter = hashlib.sha256((pyodide_dir / "pyodide.asm.wasm").read_bytes()).digest()
    todo = []
    for job in jobs:
        cached = cache / f"{job.key(interpreter)}.zip"
        if cached.is_file():
            shutil.copyfile(cached, job.target)
            os.utime(cached)  # recently used: kept by prune()
        else:
            todo.append((job, cached))
    if not todo:
        return
    node = shutil.which("node")
    if node is None:
        raise BytecodeError("Node.js is needed to compile the Python bytecode (it comes with npm).")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        specs = []
        for index, (job, _) in enumerate(todo):
            shutil.copyfile(job.source, work / f"in{index}.zip")
            specs.append({"source": f"in{index}.zip", "target": f"out{index}.zip", "prefix": job.prefix,
                          "layout": job.layout, "keep_sources": job.keep_sources, "drop": list(job.drop),
                          "optimize": job.optimize})
        (work / "jobs.json").write_text(json.dumps(specs))
        result = subprocess.run([node, str(RUNNER), str(pyodide_dir), str(WORKER), str(work)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise BytecodeError(f"compiling bytecode in Pyodide failed:\n{result.stderr[-2000:]}")
        cache.mkdir(parents=True, exist_ok=True)
        for index, (job, cached) in enumerate(todo):
            partial = cached.with_suffix(".partial")
            shutil.copyfile(work / f"out{index}.zip", partial)
            os.replace(partial, cached)  # another setup running at the same time never reads half a file
            shutil.copyfile(cached, job.target)
    prune(cache)


def prune(cache: Path, keep: int = KEEP) -> None:
    """Delete all but the `keep` most recently used results: every edit to app/ makes a new one."""
    results = sorted(cache.glob("*.zip"), key=lambda path: path.stat().st_mtime, reverse=True)
    for path in results[keep:]:
        path.unlink(missing_ok=True)
