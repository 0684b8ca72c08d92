"""Backprop Lab's engine: scalar autodiff with a readable trace, a vectorized
NumPy MLP, 2-D datasets and gradient checks.  Runs unchanged in CPython and
in Pyodide; nothing here imports browser modules."""
from . import datasets
from .graph import Value
from .mlp import MLP
from .parser import ParseError, parse
from .registry import ACTIVATIONS, LOSSES

__all__ = ["MLP", "Value", "parse", "ParseError", "datasets", "ACTIVATIONS", "LOSSES"]
