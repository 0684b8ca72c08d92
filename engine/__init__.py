"""Backprop Lab's engine: scalar autodiff with a readable trace, a vectorized
NumPy MLP, 2-D datasets and gradient checks.  Runs unchanged in CPython and
in Pyodide; nothing here imports browser modules.

The names below are imported when first used (PEP 562), not with the package:
`import engine.graph` must not load NumPy (through engine.mlp), so that the
chain-rule lesson, which needs only the scalar graph, starts without it."""
import importlib

_HOMES = {"datasets": ".datasets", "Value": ".graph", "MLP": ".mlp", "ParseError": ".parser",
          "parse": ".parser", "ACTIVATIONS": ".registry", "LOSSES": ".registry"}

__all__ = ["MLP", "Value", "parse", "ParseError", "datasets", "ACTIVATIONS", "LOSSES"]


def __getattr__(name):
    if name not in _HOMES:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    module = importlib.import_module(_HOMES[name], __name__)
    return module if name == "datasets" else getattr(module, name)
