"""Lesson 2's names for the weights of a 2-2-1 or 2-3-1 network, and the link that opens lesson 2
on one example with given weights (pure: no browser, no NumPy).

Lesson 2 numbers the units across the whole network: hidden unit j computes
z_j = w_j1·x₁ + w_j2·x₂ + b_j, and the output unit o = units + 1 computes z_o = Σ w_oj·h_j + b_o.
So the 2-2-1 network's output weights are w31 w32 b3, and the 2-3-1 one's w41 w42 w43 b4.
In matrix form (W1 2 × units, b1 1 × units, W2 units × 1, b2 1 × 1), W1[i, j] is w_(j+1)(i+1)
and W2[j, 0] is w_o(j+1).  Lesson 2 (step_through_model), lesson 5 (matrix_form_model) and the
playground's link to lesson 2 all take the names from here.
"""
from __future__ import annotations


def output_unit(units: int) -> int:
    return units + 1


def hidden_params(unit: int) -> list[str]:
    return [f"w{unit}1", f"w{unit}2", f"b{unit}"]


def output_params(units: int) -> list[str]:
    o = output_unit(units)
    return [f"w{o}{j}" for j in range(1, units + 1)] + [f"b{o}"]


def param_names(units: int) -> list[str]:
    """Every weight and bias of the network, hidden units first (lesson 2's order)."""
    names = [name for unit in range(1, units + 1) for name in hidden_params(unit)]
    return names + output_params(units)


# Both networks' parameters: a state table that takes either network knows all of them.
ALL_PARAMS = tuple(dict.fromkeys(param_names(2) + param_names(3)))


def matrix_names(units: int) -> dict[str, list[list[str]]]:
    """The name of every cell of W1, b1, W2 and b2, as grids of the matrices' shapes."""
    o = output_unit(units)
    hidden = range(1, units + 1)
    return {"W1": [[f"w{j}{i}" for j in hidden] for i in (1, 2)],
            "b1": [[f"b{j}" for j in hidden]],
            "W2": [[f"w{o}{j}"] for j in hidden],
            "b2": [[f"b{o}"]]}


def cell_name(matrix: str, row: int, column: int, units: int) -> str | None:
    """Lesson 2's name for cell (row, column) of W1, b1, W2 or b2 (0-based), or None for
    another matrix."""
    grid = matrix_names(units).get(matrix)
    return None if grid is None else grid[row][column]


def named_values(units: int, matrices) -> dict[str, float]:
    """{name: value} from W1, b1, W2, b2 given as 2-D arrays (or nested lists) in matrix_names' shapes."""
    return {name: float(matrix[r][c])
            for grid, matrix in zip(matrix_names(units).values(), matrices, strict=True)
            for r, row in enumerate(grid) for c, name in enumerate(row)}


def query(units: int, hidden: str, x1: float, x2: float, y: float, params: dict,
          lr: float | None = None) -> str:
    """The query that opens lesson 2 on the example (x1, x2, y) with these weights (a sigmoid
    output and cross-entropy, as lessons 5 and the playground have).  Numbers are written with
    repr, so lesson 2 reads back exactly the same floats."""
    words = [("units", str(units)), ("hidden", hidden), ("output", "sigmoid"), ("loss", "bce")]
    numbers = [("x1", x1), ("x2", x2), ("y", y)] + [(name, params[name]) for name in param_names(units)]
    if lr is not None:
        numbers.append(("lr", lr))
    return "?" + "&".join([f"{key}={value}" for key, value in words] +
                          [f"{key}={float(value)!r}" for key, value in numbers])
