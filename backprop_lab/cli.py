"""`backprop-lab` (or `python -m backprop_lab`): set up, serve, build and benchmark the site."""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from . import site

# `backprop-lab bench NAME` runs backprop_lab/<module>.py's main(argv).
BENCHMARKS = {
    "engine": "bench_engine",          # CPython epochs/s, and the ratio to PyTorch when installed
    "playground": "bench_pages",       # browser: epochs/s, frames/s, longest task while training
    "gradients": "bench_gradients",    # browser: one forward+backward pass at depth 30
    "loads": "bench_loads",            # browser: cold and warm load of every page to "ready"
    "writeit": "bench_writeit",        # browser: lesson 6's first and later Runs, and its readiness
    "versus": "bench_versus",          # browser: epochs/s at Speed "Max" against TensorFlow Playground, side by side
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backprop-lab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup", help="copy the pinned runtimes into static/vendor/ (after `npm ci`)")
    serve = commands.add_parser("serve", help="serve the site on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--dir", type=Path, default=None, help="serve a built folder instead of the repository")
    build = commands.add_parser("build", help="write a deployable folder and a zip of it")
    build.add_argument("--out", type=Path, default=site.ROOT / "dist" / "backprop-lab")
    build.add_argument("--precompressed", action="store_true",
                       help="also write .br and .gz copies of text and WebAssembly files (README, 'Hosting')")
    commands.add_parser("record-imports", help="record what every page imports, for the lean runtime (opens the pages)")
    commands.add_parser("manifest", help="re-record the sha256 of the vendored runtimes after changing a pin")
    bench = commands.add_parser("bench", help="print speed figures")
    bench.add_argument("what", choices=sorted(BENCHMARKS))
    bench.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    try:
        if args.command == "setup":
            site.vendor()
        elif args.command == "serve":
            site.serve(args.port, args.dir)
        elif args.command == "build":
            site.build(args.out, precompressed=args.precompressed)
        elif args.command == "record-imports":
            from . import lean
            lean.record_imports()
        elif args.command == "manifest":
            site.write_manifest()
        elif args.command == "bench":
            module = importlib.import_module(f"backprop_lab.{BENCHMARKS[args.what]}")
            return module.main(args.rest) or 0
    except site.SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
