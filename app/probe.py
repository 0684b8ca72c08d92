"""Runtime check page: proves Python, NumPy and the engine run in this browser."""
import sys

import numpy as np

from app import ui
from engine import parse


def main():
    expression = parse("tanh(x**2)**2 + x*y")
    out = expression.evaluate(x=0.7, y=-1.5)
    out.backward()
    leaves = {node.label: node for node in out.nodes() if node.label in expression.variables}
    ui.set_text("python-version", sys.version.split()[0])
    ui.set_text("numpy-version", np.__version__)
    ui.set_text("probe-expression", expression.text)
    ui.set_text("probe-value", f"{out.data:.12g}")
    ui.set_text("probe-grad-x", repr(leaves["x"].grad))
    ui.set_text("probe-grad-y", repr(leaves["y"].grad))
    ui.ready()


ui.start(main)
