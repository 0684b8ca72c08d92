"""The pages keep the one notation (issue 20, section 2): "grad x" for the gradient of the loss
accumulated at x, ∂d/∂a for node d's local derivative with respect to its input a.  Checked
on the texts the page models build and on the words of the pages and quick checks."""
import json
import re
from pathlib import Path

from app import chain_rule_model, step_through_model
from engine.text import partial_name

ROOT = Path(__file__).resolve().parents[2]


def test_lesson_one_panel_four_step_two_reads_grad_d_plus_equals_grad_l_times_the_local_derivative():
    frames = chain_rule_model.backward_frames(chain_rule_model.neuron_graph(2.0, 0.5, -0.5, 1.0))
    assert frames[0].text == "Start at the output: grad L = 1."
    step_two = frames[1]
    assert step_two.text == "grad d += grad L · ∂L/∂d = 1 · (−0.7551) = −0.7551, so grad d is now −0.7551."
    assert step_two.tex.startswith(r"\operatorname{grad} d \mathrel{+}= \operatorname{grad} L \cdot "
                                   r"\frac{\partial L}{\partial d} = (1) \cdot ")
    assert step_two.edge_label == "∂L/∂d = −0.7551"
    for frame in frames[1:]:
        node, child = frame.edge
        assert frame.text.startswith(f"grad {node} += grad {child} · ∂{child}/∂{node} = ")


def test_lesson_two_backward_steps_name_grad_and_the_local_derivative():
    network = step_through_model.Network(step_through_model.preset_values("default", step_through_model.STATE.defaults()))
    steps = step_through_model.lesson_steps(network)
    step_nine = steps[8]
    assert (step_nine.phase, step_nine.node, step_nine.title) == ("backward", "yhat", "grad ŷ")
    assert step_nine.formula == r"\operatorname{grad} \hat{y} = \operatorname{grad} L\cdot\frac{\partial L}{\partial \hat{y}}"
    assert step_nine.local_label == "∂L/∂ŷ" and step_nine.upstream_text == "grad L = 1"
    backward = [s for s in steps if s.phase == "backward"]
    assert len(backward) == 15
    for step in backward:
        (child,) = network.step("backward", step.node).inputs
        assert step.title.startswith("grad ") and step.result_text.startswith(step.title + " = ")
        assert step.upstream_text.startswith("grad ") and step.local_label == partial_name(child, step.node)
        # A ∂ in the sentence is the local derivative ∂child/∂node (∂L/∂ŷ at step 9), never the gradient.
        assert re.findall(r"∂\S+?/∂\S+?(?=[;,.])", step.explanation) == [step.local_label]
    assert "grad w" in steps[-1].title and r"\operatorname{grad} w" in steps[-1].formula


def words_of_the_lessons():
    """(where, text) for every page, the landing page and the quick checks."""
    for page in [ROOT / "index.html", *sorted((ROOT / "pages").glob("*.html"))]:
        yield page.name, page.read_text(encoding="utf-8")
    yield "quick-checks.json", (ROOT / "static" / "quick-checks.json").read_text(encoding="utf-8")


def test_no_page_writes_an_accumulated_gradient_with_a_partial_of_the_loss():
    """∂L/∂… may only name the loss node's own local derivative, ∂L/∂ŷ; a gradient is grad x."""
    for where, text in words_of_the_lessons():
        assert re.findall(r"∂L/∂(\w)", text) in ([], ["ŷ"]), where
        assert r"\partial L" not in text, where


def test_the_glossary_explains_grad_and_the_pages_link_to_it():
    glossary = (ROOT / "pages" / "glossary.html").read_text(encoding="utf-8")
    assert '<dt id="grad">' in glossary and "grad a += grad d · ∂d/∂a" in glossary
    for page in ("chain-rule.html", "step-through.html", "gradients.html", "matrix-form.html"):
        assert 'href="glossary.html#grad"' in (ROOT / "pages" / page).read_text(encoding="utf-8"), page
    checks = json.loads((ROOT / "static" / "quick-checks.json").read_text(encoding="utf-8"))
    assert checks["step-through"][1]["question"].endswith("What is grad w₁₁?")
