"""The matrix-form lesson's markup: tables a person can read, with the right cells lit."""
import re
from html.parser import HTMLParser

from app import matrix_form_draw as draw
from app import matrix_form_model as model


class Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells = []          # (attrs, text)
        self._open = None

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self._open = [dict(attrs), ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "td" and self._open is not None:
            self.cells.append(tuple(self._open))
            self._open = None


def cells(markup):
    parser = Cells()
    parser.feed(markup)
    return parser.cells


VALUES = model.run(model.STATE.defaults()).values
STEPS = {step.result: step for step in model.lesson_steps("tanh")}


def test_a_product_step_shows_its_operands_and_result_with_their_numbers():
    markup = draw.step_matrices(STEPS["Z1"], VALUES, example=None)
    found = cells(markup)
    by_matrix = {}
    for attrs, value in found:
        by_matrix.setdefault(attrs["data-matrix"], []).append(value)
    assert set(by_matrix) == {"X", "W1", "b1", "Z1"}
    assert len(by_matrix["Z1"]) == 8 and len(by_matrix["X"]) == 8
    assert by_matrix["Z1"][0] == draw.text.short(VALUES["Z1"][0, 0])
    assert "4×2" in markup and "2×2" in markup


def test_the_chosen_example_is_lit_in_every_matrix_with_a_row_per_example():
    markup = draw.step_matrices(STEPS["Z1"], VALUES, example=2)
    lit = [(a["data-matrix"], a["data-row"]) for a, _ in cells(markup) if "example" in a.get("class", "")]
    assert set(lit) == {("X", "2"), ("Z1", "2")}
    assert len(lit) == 4


def test_a_focused_result_cell_lights_the_row_and_column_it_came_from():
    markup = draw.step_matrices(STEPS["dW1"], VALUES, example=None, focus=(1, 0))
    sources = {(a["data-matrix"], a["data-row"], a["data-col"])
               for a, _ in cells(markup) if "source" in a.get("class", "")}
    # dW1[1, 0] = (column 1 of X) · (column 0 of δ1): Xᵀ's row 1 is X's column 1
    assert sources == {("X", str(r), "1") for r in range(4)} | {("d1", str(r), "0") for r in range(4)}
    assert [a["data-row"] + a["data-col"] for a, _ in cells(markup) if "focus" in a.get("class", "")] == ["10"]


def test_the_outer_products_add_up_in_the_picture():
    pieces = model.outer_products(VALUES, "H1", "d2")
    markup = draw.outer_product_sum(VALUES, "H1", "d2", "dW2", pieces, example=1)
    assert markup.count("<table") == 5 and markup.count("example 2:") == 1
    assert re.search(r'class="piece example"', markup)


def test_code_is_escaped():
    markup = draw.code_lines(STEPS["dW2"])
    assert "H1.T @ d2" in markup and "<script" not in markup


def test_pointing_at_a_product_cell_says_why_the_shapes_match_and_works_the_cell_out():
    for name in ("Z1", "z2", "dW2", "dH1", "dW1"):
        step = STEPS[name]
        result = VALUES[name]
        for row in range(result.shape[0]):
            for column in range(result.shape[1]):
                cell = model.product_cell(step, VALUES, row, column)
                # the row times the column (plus the bias) is the cell the engine computed
                total = sum(a * b for a, b in cell.pairs) + (cell.bias or 0.0)
                assert abs(total - result[row, column]) < 1e-12
                assert cell.left_shape[1] == cell.right_shape[0] == len(cell.pairs)
                said = draw.cell_sum(step, cell)
                assert said.startswith(f"{draw.NAMES[name]}[{row + 1},{column + 1}] = ")
                assert f"= {draw.text.plain(float(result[row, column]))}." in said
    said = draw.product_why(STEPS["dW1"], VALUES)
    assert "Xᵀ is 2×4 and δ₁ is 4×2" in said and "columns must equal δ₁'s rows (4 = 4)" in said
    assert "sum runs over the batch" in said
    assert "(1 number)" in draw.product_why(STEPS["dH1"], VALUES)


def test_the_shapes_in_the_explanation_follow_the_batch_and_the_hidden_units():
    state = model.STATE.defaults() | {"units": 3, "batch": [(0, 0, 0), (1, 1, 0)]}
    values = model.run(state).values
    said = draw.product_why(STEPS["dW1"], values)
    assert "Xᵀ is 2×2 and δ₁ is 2×3" in said and "result has Xᵀ's rows and δ₁'s columns: 2×3" in said


def tables(markup):
    """{matrix name: [(attrs, text) of its cells]} in the order drawn."""
    found = {}
    for attrs, value in cells(markup):
        found.setdefault(attrs["data-matrix"], []).append((attrs, value))
    return found


def test_each_result_matrix_is_one_tab_stop_with_named_cells():
    for step in model.lesson_steps("tanh")[1:]:
        markup = draw.step_matrices(step, VALUES, example=None, lr=0.5)
        results = {f"{m}_new" for m in ("W1", "b1", "W2", "b2")} if step.kind == "update" else \
            {step.result} | ({step.via} if step.via else set())
        for name, found in tables(markup).items():
            stops = [a for a, _ in found if a.get("tabindex") == "0"]
            if name in results:
                assert len(stops) == 1 and (stops[0]["data-row"], stops[0]["data-col"]) == ("0", "0")
                assert all(a["tabindex"] == "-1" for a, _ in found if a is not stops[0])
                # a screen reader names each cell: its matrix, row, column and number
                for attrs, value in found:
                    r, c = int(attrs["data-row"]) + 1, int(attrs["data-col"]) + 1
                    assert attrs["aria-label"].endswith(f"[{r},{c}] = {value}")
            else:
                assert all("tabindex" not in a for a, _ in found), f"{name} is an operand: no tab stop"
        assert markup.count('role="grid"') == len(results)
    # the focused cell of a product is its matrix's tab stop
    found = tables(draw.step_matrices(STEPS["Z1"], VALUES, example=None, focus=(2, 1)))["Z1"]
    assert [(a["data-row"], a["data-col"]) for a, _ in found if a["tabindex"] == "0"] == [("2", "1")]
    assert found[0][0]["aria-label"] == f"Z₁[1,1] = {draw.text.plain(float(VALUES['Z1'][0, 0]))}"


def test_the_loss_step_shows_each_examples_loss_then_their_mean():
    markup = draw.step_matrices(STEPS["L"], VALUES, example=1)
    found = tables(markup)
    assert list(found) == ["yhat", "y", "losses", "L"]
    assert [v for _, v in found["losses"]] == [draw.text.plain(float(x)) for x in VALUES["losses"][:, 0]]
    assert [v for _, v in found["L"]] == [draw.text.plain(float(VALUES["losses"].mean()))]
    assert "example" in found["losses"][1][0]["class"]                   # the lit example's row
    assert found["losses"][1][0]["title"].endswith("(lesson 2's L for example 2)")
    assert "mean" in markup and "ℓ" in markup


def test_delta_one_shows_the_activations_slope_as_its_own_matrix():
    for hidden, caption in (("tanh", "1 − H₁²"), ("relu", "[Z₁ > 0]")):
        values = model.run(model.STATE.defaults() | {"hidden": hidden}).values
        step = next(s for s in model.lesson_steps(hidden) if s.result == "d1")
        markup = draw.step_matrices(step, values, example=None)
        found = tables(markup)
        assert list(found) == ["dH1", "slope", "d1"]
        assert [v for _, v in found["slope"]] == [draw.text.plain(float(x)) for x in values["slope"].ravel()]
        assert f'<span class="matrix-name">{draw.esc(caption)}</span>' in markup
        assert markup.index("dH1") < markup.index("⊙") < markup.index('data-matrix="slope"')
