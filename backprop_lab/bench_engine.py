"""Training-speed benchmark of the NumPy engine, against PyTorch if present.

    python -m backprop_lab.bench_engine [--scale 0.2] [--repeat 3] [--no-torch]

Each reference configuration trains for a fixed number of epochs with plain
SGD and reports epochs per second.  When PyTorch is importable the same
network (float64, CPU, the engine's initial weights copied over, the same
SGD and the same mini-batch order) is trained in the same run; the final
losses of the two should agree to rounding, which checks that the race is
fair.  PyTorch runs once on one thread and once on all of them, and the engine
is compared with the faster of the two: for networks this small, PyTorch's
threads cost more than they save.  The target is engine >= 3x PyTorch.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import sys
import time
from dataclasses import dataclass

import numpy as np

from engine import MLP, datasets
from engine.optim import Trainer


@dataclass(frozen=True)
class Config:
    name: str
    dataset: str
    n: int
    sizes: tuple[int, ...]
    batch_size: int | None
    epochs: int
    lr: float = 0.1
    activation: str = "tanh"


CONFIGS = [
    Config("spiral n=400 [2,8,8,8,1] tanh full batch", "spiral", 400, (2, 8, 8, 8, 1), None, 3000),
    Config("circle n=200 [2,4,2,1] tanh batch 10", "circle", 200, (2, 4, 2, 1), 10, 300),
]


def _engine_run(config: Config, X, y, epochs: int):
    """(seconds, final epoch loss) for `epochs` epochs of engine training."""
    net = MLP(list(config.sizes), activation=config.activation, output="sigmoid", loss="bce", seed=0)
    trainer = Trainer(net, X, y, "sgd", lr=config.lr, batch_size=config.batch_size, seed=0)
    start = time.perf_counter()
    loss = trainer.run(epochs)
    return time.perf_counter() - start, loss


def _torch_run(config: Config, X, y, epochs: int, torch):
    """The same training in PyTorch: same initial weights, same batch order."""
    nn = torch.nn
    init = MLP(list(config.sizes), activation=config.activation, output="sigmoid", loss="bce", seed=0)
    layers = []
    for i, (W, b) in enumerate(zip(init.params[0::2], init.params[1::2])):
        linear = nn.Linear(*W.shape, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T.copy()))   # torch stores (out, in)
            linear.bias.copy_(torch.from_numpy(b.copy()))
        layers.append(linear)
        if i < len(config.sizes) - 2:
            layers.append(nn.Tanh())
    model = nn.Sequential(*layers)
    loss_fn = nn.BCEWithLogitsLoss()
    opt = torch.optim.SGD(model.parameters(), lr=config.lr)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    n, batch = len(y), config.batch_size
    rng = np.random.default_rng(0)        # the Trainer's shuffling, replayed

    start = time.perf_counter()
    for _ in range(epochs):
        if batch is None or batch >= n:
            opt.zero_grad()
            loss = loss_fn(model(Xt)[:, 0], yt)
            loss.backward()
            opt.step()
            epoch_loss = loss.item()
            continue
        order = torch.from_numpy(rng.permutation(n))
        Xs, ys = Xt[order], yt[order]
        total = 0.0
        for s in range(0, n, batch):
            opt.zero_grad()
            loss = loss_fn(model(Xs[s:s + batch])[:, 0], ys[s:s + batch])
            loss.backward()
            opt.step()
            total += loss.item() * len(ys[s:s + batch])
        epoch_loss = total / n
    return time.perf_counter() - start, epoch_loss


def _fastest_torch(config: Config, X, y, epochs: int, repeat: int, torch):
    """(seconds, final loss, threads) of PyTorch at its faster thread count."""
    default_threads = torch.get_num_threads()
    results = []
    try:
        for threads in sorted({1, default_threads}):
            torch.set_num_threads(threads)
            _torch_run(config, X, y, max(1, epochs // 10), torch)          # warm up
            seconds, loss = _best(lambda: _torch_run(config, X, y, epochs, torch), repeat)
            results.append((seconds, loss, threads))
    finally:
        torch.set_num_threads(default_threads)
    return min(results)


def _best(run, repeat: int):
    """Fastest of `repeat` runs (the loss is the same every time)."""
    results = [run() for _ in range(repeat)]
    return min(r[0] for r in results), results[0][1]


def _extras() -> list[tuple[str, float]]:
    """Engine-only timings the pages rely on, in milliseconds per call."""
    X, y = datasets.spiral(200, 0.1, seed=0)
    deep = MLP([2] + [64] * 30 + [1], activation="relu", init="he", seed=0)
    small = MLP([2, 8, 8, 8, 1], seed=0)
    rows = []
    for label, call in [("gradient_stats, depth 30 width 64, n=200", lambda: deep.gradient_stats(X, y)),
                        ("predict_grid 100x100, [2,8,8,8,1]", lambda: small.predict_grid(-1, 1, -1, 1, 100))]:
        call()
        start = time.perf_counter()
        for _ in range(20):
            call()
        rows.append((label, (time.perf_counter() - start) / 20 * 1e3))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench_engine", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every epoch count (default 1)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    args = parser.parse_args(argv)

    torch = None
    if not args.no_torch:
        with contextlib.suppress(ImportError):
            import torch

    print(f"Backprop Lab engine benchmark, {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"CPU count {os.cpu_count()}, {platform.machine()}, Python {platform.python_version()}, "
          f"NumPy {np.__version__}, "
          + (f"PyTorch {torch.__version__} (1 or {torch.get_num_threads()} threads, whichever is faster)"
             if torch else "PyTorch not available"))
    print()
    header = (f"{'configuration':<44} {'epochs':>6} {'engine ep/s':>12} {'torch ep/s':>11} {'threads':>7} "
              f"{'ratio':>6} {'|Δ loss|':>9}")
    print(header)
    print("-" * len(header))
    for config in CONFIGS:
        epochs = max(1, round(config.epochs * args.scale))
        X, y = datasets.make(config.dataset, config.n, noise=0.0, seed=0)
        _engine_run(config, X, y, max(1, epochs // 10))           # warm up
        seconds, loss = _best(lambda config=config, X=X, y=y, epochs=epochs: _engine_run(config, X, y, epochs),
                              args.repeat)
        engine_rate = epochs / seconds
        torch_text = threads_text = ratio_text = diff_text = "-"
        if torch is not None:
            t_seconds, t_loss, threads = _fastest_torch(config, X, y, epochs, args.repeat, torch)
            torch_rate = epochs / t_seconds
            torch_text, ratio_text = f"{torch_rate:.0f}", f"{engine_rate / torch_rate:.2f}x"
            threads_text, diff_text = str(threads), f"{abs(loss - t_loss):.1e}"
        print(f"{config.name:<44} {epochs:>6} {engine_rate:>12.0f} {torch_text:>11} {threads_text:>7} "
              f"{ratio_text:>6} {diff_text:>9}")
    print()
    for label, ms in _extras():
        print(f"{label:<44} {ms:>8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
