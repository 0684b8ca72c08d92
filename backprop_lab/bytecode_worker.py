"""Runs inside Pyodide (see run_in_pyodide.mjs), never on the host Python.

Reads /work/jobs.json, a list of {"source", "target", "prefix", "layout",
"keep_sources", "drop"}, and copies each source zip to target with a compiled .pyc
for every .py:
- layout "beside": foo.pyc next to foo.py, which is where zipimport looks (the stdlib zip);
- layout "pycache": __pycache__/foo.<tag>.pyc, where the import system looks for
  files unpacked to disk (wheels and python.zip).
keep_sources false leaves out the .py files (smaller; tracebacks then show no source
lines); files ending in one of `drop` are left out (C headers and type stubs, which
nothing in a browser reads); `optimize` 2 compiles as `python -OO` does (no docstrings,
no asserts).
The .pyc files are unchecked-hash (PEP 552): the browser's file system gives every
file a fresh mtime, so timestamp-based ones would be rejected and recompiled.
`prefix` + the name inside the zip is the path the module has at run time, so
tracebacks name the right file.
"""
import importlib.util
import json
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

TAG = sys.implementation.cache_tag


def pyc_name(name: str, layout: str) -> str:
    if layout == "beside":
        return name + "c"
    folder, _, file = name.rpartition("/")
    return f"{folder}/__pycache__/{file[:-3]}.{TAG}.pyc".lstrip("/")


def compile_archive(source, target, prefix, layout, keep_sources, drop, optimize=-1) -> int:
    compiled = 0
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            if info.filename.endswith(tuple(drop)):
                continue
            data = archive.read(info)
            if not info.filename.endswith(".py"):
                out.writestr(info, data)
                continue
            try:
                code = compile(data, prefix + info.filename, "exec", dont_inherit=True, optimize=optimize)
            except SyntaxError:
                out.writestr(info, data)  # a template or test fixture, not meant to be imported
                continue
            if keep_sources:
                out.writestr(info, data)
            pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
            out.writestr(zipfile.ZipInfo(pyc_name(info.filename, layout), info.date_time), pyc,
                         zipfile.ZIP_DEFLATED)
            compiled += 1
    return compiled


with open("/work/jobs.json") as f:
    jobs = json.load(f)
for job in jobs:
    count = compile_archive("/work/" + job["source"], "/work/" + job["target"], job["prefix"], job["layout"],
                            job["keep_sources"], job["drop"], job.get("optimize", -1))
    print(f"compiled {count} modules in {job['source']}")
