"""Markup for the matrix-form lesson (pure: strings from the model's matrices).

Matrices are HTML tables, so a screen reader reads them as tables and a learner can select
the numbers.  Every cell carries its matrix, row and column (`data-*`), so that hovering or
focusing a cell of a product's result can light up the row and column it came from.
"""
from __future__ import annotations

import numpy as np

from app.lesson_two_names import cell_name
from app.matrix_form_model import MatrixStep, ProductCell, product_cell, product_sources, shape_text
from app.svg import esc, tag
from engine import text

# The names the tables carry, in plain Unicode (the equation above them is LaTeX).
NAMES = {"X": "X", "y": "y", "W1": "W₁", "b1": "b₁", "W2": "W₂", "b2": "b₂", "Z1": "Z₁", "H1": "H₁",
         "z2": "z₂", "yhat": "ŷ", "losses": "ℓ", "L": "L", "d2": "δ₂", "dW2": "dW₂", "db2": "db₂", "dH1": "dH₁",
         "d1": "δ₁", "dW1": "dW₁", "db1": "db₁", "W1_new": "W₁ after", "b1_new": "b₁ after",
         "W2_new": "W₂ after", "b2_new": "b₂ after", "slope": "act′(Z₁)"}
# Matrices with one row per example: the highlighted example is a row of each.
PER_EXAMPLE = {"X", "y", "Z1", "H1", "z2", "yhat", "losses", "d2", "dH1", "slope", "d1"}


def matrix_table(name: str, matrix: np.ndarray, example: int | None = None,
                 lit: tuple[str, int] | None = None, focus: tuple[int, int] | None = None,
                 focusable: bool = False, units: int | None = None, caption: str | None = None) -> str:
    """One matrix as a captioned table.  example: the highlighted example's row (for matrices
    with a row per example); lit: ("row" or "column", index) that makes the focused result cell;
    focus: the result cell whose sources are lit; focusable: the table is one tab stop (the
    focused cell, else the first) and arrow keys move between its cells (app/matrix_form.py),
    each cell named for a screen reader; units: the hidden units, so that a parameter's cells
    can say their names in lesson 2; caption: the table's name where it is not NAMES[name] (a
    term of a sum, the activation's slope)."""
    title = caption or NAMES[name]
    tab_stop = focus if focus is not None else (0, 0)
    rows = []
    for r, row in enumerate(matrix):
        cells = []
        for c, value in enumerate(row):
            # a parameter's cell (or its gradient's, or its update's) has a name in lesson 2
            known_as = cell_name(name.removeprefix("d").removesuffix("_new"), r, c, units) if units else None
            hover = text.plain(float(value), 12)
            if known_as:
                hover += f" ({'grad ' if name.startswith('d') else ''}{text.pretty_name(known_as)} in lesson 2)"
            elif name == "losses":          # one example's loss is lesson 2's L on that example
                hover += f" (lesson 2's L for example {r + 1})"
            classes = []
            if example is not None and name in PER_EXAMPLE and r == example:
                classes.append("example")
            if lit is not None and ((lit[0] == "row" and r == lit[1]) or (lit[0] == "column" and c == lit[1])):
                classes.append("source")
            if focus == (r, c):
                classes.append("focus")
            shown = text.plain(float(value))
            keyboard = {"tabindex": "0" if (r, c) == tab_stop else "-1",
                        "aria_label": f"{title}[{r + 1},{c + 1}] = {shown}"} if focusable else {}
            cells.append(tag("td", {"class": " ".join(classes) or None, "data_matrix": name, "data_row": r,
                                    "data_col": c, **keyboard, "title": hover}, esc(shown)))
        rows.append(tag("tr", None, *cells))
    heading = tag("caption", None, tag("span", {"class": "matrix-name"}, esc(title)), " ",
                  tag("span", {"class": "shape"}, esc(shape_text(matrix))))
    return tag("table", {"class": "matrix", "data_name": name, "role": "grid" if focusable else None},
               heading, tag("tbody", None, *rows))


def step_matrices(step: MatrixStep, values: dict, example: int | None,
                  focus: tuple[int, int] | None = None, lr: float | None = None) -> str:
    """The operands of a step and, after an arrow, what it computes; for a product, the result's
    focused cell lights the row and the column it came from.  lr: η, written into the update."""
    units = values["W1"].shape[1]
    sources = {}
    if step.kind == "product" and focus is not None:
        (left, left_axis, left_index), (right, right_axis, right_index) = product_sources(step, *focus)
        sources = {left: (left_axis, left_index), right: (right_axis, right_index)}
    if step.kind == "update":       # one line per parameter: W and dW → the new W
        return "".join(update_row(name, values, units, lr) for name in ("W1", "b1", "W2", "b2"))
    if step.kind == "input":        # the data itself: X and y side by side, nothing computed
        return tag("div", {"class": "matrix-row"}, matrix_table("X", values["X"], example),
                   matrix_table("y", values["y"], example))
    parts = [matrix_table(o.name, values[o.name], example, sources.get(o.name), units=units, caption=o.plain or None)
             for o in step.operands]
    if step.kind == "elementwise" and len(parts) == 2:      # dH₁ ⊙ (1 − H₁²): the product is cell by cell
        parts.insert(1, tag("span", {"class": "arrow operator", "title": "elementwise product"}, "⊙"))
    result = matrix_table(step.result, values[step.result], example, focus=focus if step.kind == "product" else None,
                          focusable=True, units=units)
    if step.via:                    # ŷ, y → ℓ (one per example) → mean → L
        result = matrix_table(step.via, values[step.via], example, focusable=True) + MEAN + result
    return tag("div", {"class": "matrix-row"}, *parts, ARROW, result)


def source_selectors(step: MatrixStep, focus: tuple[int, int]) -> list[str]:
    """CSS selectors of the cells a product's result cell is made from: a row (or column) of
    each operand, and the bias entry added to it."""
    selectors = []
    for matrix, axis, index in product_sources(step, *focus):
        selectors.append(f'td[data-matrix="{matrix}"][data-{"row" if axis == "row" else "col"}="{index}"]')
    if len(step.operands) > 2:
        selectors.append(f'td[data-matrix="{step.operands[2].name}"][data-col="{focus[1]}"]')
    return selectors


ARROW = tag("span", {"class": "arrow", "aria_hidden": "true"}, "→")
MEAN = tag("span", {"class": "arrow mean"}, "mean", tag("span", {"aria_hidden": "true"}, " →"))


def update_row(name: str, values: dict, units: int, lr: float | None = None) -> str:
    """W − η·dW → W after, for one parameter."""
    step_size = "η" if lr is None else text.plain(lr)
    return tag("div", {"class": "matrix-row update"}, matrix_table(name, values[name], units=units),
               tag("span", {"class": "arrow", "aria_hidden": "true"}, f"− {esc(step_size)} ·"),
               matrix_table(f"d{name}", values[f"d{name}"], units=units),
               ARROW, matrix_table(f"{name}_new", values[f"{name}_new"], units=units, focusable=True))


def outer_product_sum(values: dict, left: str, right: str, result: str, pieces: list[np.ndarray],
                      example: int | None) -> str:
    """dW as the sum of one small matrix per example (leftᵢᵀ rightᵢ): where the transpose and the
    sum come from.  The highlighted example's piece is marked."""
    items = []
    for i, piece in enumerate(pieces):
        label = f"example {i + 1}: row {i + 1} of {NAMES[left]}, transposed, times row {i + 1} of {NAMES[right]}"
        table = matrix_table(result, piece, caption=f"{NAMES[left]}[{i + 1}]ᵀ {NAMES[right]}[{i + 1}]")
        items.append(tag("figure", {"class": "piece" + (" example" if i == example else "")},
                         table, tag("figcaption", None, esc(label))))
        items.append(tag("span", {"class": "plus", "aria_hidden": "true"}, "+" if i < len(pieces) - 1 else "="))
    items.append(matrix_table(result, values[result]))
    return tag("div", {"class": "outer-sum"}, *items)


def code_lines(step: MatrixStep) -> str:
    return tag("div", {"class": "code-pair"},
               tag("figure", None, tag("figcaption", None, "NumPy"),
                   tag("pre", {"tabindex": "0"}, tag("code", None, esc(step.numpy)))),
               tag("figure", None, tag("figcaption", None, "PyTorch (autograd)"),
                   tag("pre", {"tabindex": "0"}, tag("code", None, esc(step.torch)))))


def pretty_entry(name: str) -> str:
    """dW1[1,2] -> dW₁[1,2]."""
    matrix, _, cell = name.partition("[")
    return f"{NAMES[matrix]}[{cell}"


def check_rows(checks) -> list[tuple[str, ...]]:
    """Rows for the gradient-check table: entry, backprop, finite differences, relative difference."""
    return [(pretty_entry(c.name), text.fixed(c.backprop, 6),
             text.fixed(c.numeric, 6), text.relative(c.relative)) for c in checks]


def _used_name(name: str, transposed: bool) -> str:
    return NAMES[name] + ("ᵀ" if transposed else "")


def _dims(shape: tuple[int, int]) -> str:
    return f"{shape[0]}×{shape[1]}"


def product_explanation(step: MatrixStep, values: dict, focus: tuple[int, int]) -> str:
    """Markup: the focused result cell worked out, then why the product's shapes must match."""
    cell = product_cell(step, values, *focus)
    return (tag("span", {"class": "cell-sum"}, esc(cell_sum(step, cell))) +
            tag("span", {"class": "shape-why"}, esc(product_why(step, values))))


def product_why(step: MatrixStep, values: dict) -> str:
    """Why a product's shapes must match, in words from the step's live shapes."""
    cell = product_cell(step, values, 0, 0)
    left, right = _used_name(cell.left, cell.left_transposed), _used_name(cell.right, cell.right_transposed)
    inner = cell.left_shape[1]
    numbers = "1 number" if inner == 1 else f"{inner} numbers"
    why = (f"Why the shapes must match: {left} is {_dims(cell.left_shape)} and {right} is {_dims(cell.right_shape)}. "
           f"Each cell of {NAMES[step.result]} pairs a row of {left} ({numbers}) with a column of {right} "
           f"({numbers}), multiplies pair by pair and adds, so {left}'s columns must equal "
           f"{right}'s rows ({inner} = {cell.right_shape[0]}). The result has {left}'s rows and {right}'s columns: "
           f"{_dims((cell.left_shape[0], cell.right_shape[1]))}.")
    if cell.left_transposed:
        why += f" The transpose puts the {inner} examples on the inside, so the sum runs over the batch."
    return why


def cell_sum(step: MatrixStep, cell: ProductCell) -> str:
    """Z₁[2,1] = row 2 of X · column 1 of W₁ + b₁[1] = 1 · 0.5 + 0 · (−0.3) + 0.1 = 0.6"""
    def where(name, transposed, axis, index):
        said = f"{axis} {index + 1} of {_used_name(name, transposed)}"
        if transposed:   # a row of Aᵀ is a column of A
            said += f" ({'column' if axis == 'row' else 'row'} {index + 1} of {NAMES[name]})"
        return said

    def number(x):
        shown = text.plain(x)
        return f"({shown})" if shown.startswith("−") else shown

    terms = [f"{number(a)} · {number(b)}" for a, b in cell.pairs]
    sources = (f"{where(cell.left, cell.left_transposed, 'row', cell.row)} · "
               f"{where(cell.right, cell.right_transposed, 'column', cell.column)}")
    if cell.bias is not None:
        bias_name = NAMES[step.operands[2].name]
        sources += f" + {bias_name}[{cell.column + 1}]"
        terms.append(number(cell.bias))
    return (f"{NAMES[step.result]}[{cell.row + 1},{cell.column + 1}] = {sources} = {' + '.join(terms)} "
            f"= {text.plain(cell.value)}.")


def check_note(shown: list[str]) -> str:
    """What the gradient check shows at this step, and what agreement looks like."""
    if not shown:
        return ("Each gradient is checked here once the backward pass has computed it (from the step "
                "that computes dW₂).")
    return ("Checked so far: " + ", ".join(NAMES[name] for name in shown) + ". A relative difference "
            "below 10⁻⁶ means backprop and finite differences agree (what is left is rounding); a wrong "
            "gradient differs by 10⁻² or more.")
