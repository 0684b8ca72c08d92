"""The write-it-yourself exercises: every reference solution passes, every starter fails, and the
typical mistakes fail with the message that names them."""
import numpy as np
import pytest

from app.write_it_model import BUGGY, EXERCISES, grade

WRONG = [
    ("add-mul", "def add_backward(a, b, upstream):\n    return upstream, upstream\n\n"
                "def mul_backward(a, b, upstream):\n    return a * upstream, b * upstream\n", "swapped"),
    ("add-mul", "def add_backward(a, b, upstream):\n    return upstream, upstream\n\n"
                "def mul_backward(a, b, upstream):\n    return b, a\n", "upstream gradient"),
    ("add-mul", "def add_backward(a, b, upstream):\n    return upstream, 0.0\n\n"
                "def mul_backward(a, b, upstream):\n    return b * upstream, a * upstream\n", "whole upstream"),
    ("activations", EXERCISES["activations"].solution.replace("out * (1 - out)", "out * (1 + out)"),
     "check the sign"),
    ("activations", EXERCISES["activations"].solution.replace("return 1 - out * out", "return 1 - math.tanh(out) ** 2"),
     "the output, not z"),
    ("backward", EXERCISES["backward"].solution.replace("parent.grad += node.grad * local",
                                                        "parent.grad = node.grad * local"), "+="),
    ("backward", EXERCISES["backward"].solution.replace(
        "        for node in order:\n            node.grad = 0.0\n", ""), "set every node's grad to 0"),
    ("neuron", EXERCISES["neuron"].solution.replace("d_z = 2 * (s - y)", "d_z = (s - y)"), "factor 2"),
    ("neuron", EXERCISES["neuron"].solution.replace(" * s * (1 - s)", ""), "σ(1 − σ)"),
    ("network", EXERCISES["network"].solution.replace("(1 - h * h)", "(1 + h * h)"), "gradients are off"),
    ("dense", "def dense_backward(X, W, b, delta):\n    return delta.T @ X, delta.sum(axis=0), delta @ W.T\n",
     "missing transpose"),
    ("dense", "def dense_backward(X, W, b, delta):\n    return X.T @ delta, delta.sum(axis=1), delta @ W.T\n",
     "Sum δ over the examples"),
    ("bce", EXERCISES["bce"].solution.replace(") / len(z)", ")"), "Divide by n"),
    ("bce", EXERCISES["bce"].solution.replace("np.logaddexp(0, z)", "np.log(1 + np.exp(z))"), "overflowed"),
    ("training", EXERCISES["training"].solution.replace("W1 -= lr * X.T @ d1", "W1 -= 0 * X.T @ d1")
     .replace("epochs=2000", "epochs=20"), "XOR right"),
    # train() that returns no tuple of four: a forgotten return, one array, two of the four.
    ("training", EXERCISES["training"].solution.replace("epochs=2000", "epochs=1")
     .replace("    return W1, b1, W2, b2\n", ""), "train should return the four parameters, return W1, b1, W2, b2; "
                                                  "yours returned None."),
    ("training", EXERCISES["training"].solution.replace("epochs=2000", "epochs=1")
     .replace("return W1, b1, W2, b2", "return W1"), "yours returned a NumPy array of shape (2, 4)."),
    ("training", EXERCISES["training"].solution.replace("epochs=2000", "epochs=1")
     .replace("return W1, b1, W2, b2", "return W1, W2"), "yours returned a tuple of 2 values."),
    ("gradcheck", "def gradcheck(f, x, h=1e-5):\n    g = np.zeros_like(x)\n    for i in range(len(x)):\n"
                  "        s = np.zeros_like(x)\n        s[i] = h\n"
                  "        g[i] = (f(x + s) - f(x)) / h\n    return g\n",
     "central differences"),
    ("find-the-bug", BUGGY, "gradcheck"),
]


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_the_reference_solution_passes(key):
    result = grade(key, EXERCISES[key].solution)
    assert result.error == "" and result.passed, [c.message for c in result.checks if not c.passed]


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_the_starter_code_does_not_pass(key):
    assert not grade(key, EXERCISES[key].starter).passed


@pytest.mark.parametrize("key, code, message", WRONG, ids=[f"{k}-{m[:18]}" for k, _, m in WRONG])
def test_a_typical_mistake_fails_with_a_message_that_names_it(key, code, message):
    result = grade(key, code)
    assert not result.passed and result.error == ""
    failed = [check.message for check in result.checks if not check.passed]
    assert failed and message in failed[0]


def test_a_syntax_error_points_at_the_learners_line():
    result = grade("neuron", "def neuron_grads(w, x, b, y):\n    return (w x)\n")
    assert not result.passed and result.error.startswith("line 2:") and "^" in result.error


def test_a_runtime_error_shows_only_the_learners_lines():
    result = grade("neuron", "def neuron_grads(w, x, b, y):\n    return 1 / 0\n")
    assert "line 2, in neuron_grads: return 1 / 0" in result.error
    assert "ZeroDivisionError" in result.error and "write_it_model" not in result.error


def test_a_missing_function_is_named_and_print_output_is_kept():
    result = grade("dense", "print('hello')\n")
    assert result.output == "hello\n" and "define a function called dense_backward" in result.error


@pytest.mark.parametrize("code", ["x = [0] * 10**10\n", "x = np.zeros((10**6, 10**6))\n", "x = 'ab' * 10**19\n",
                                  "x = np.ones(10**19)\n"])
def test_code_that_asks_for_too_much_memory_is_told_so_in_plain_words(code):
    # In the browser's 32-bit Python the first and last raise OverflowError, NumPy a ValueError or
    # MemoryError; here (64-bit) MemoryError or OverflowError: each gets the same sentence.  NumPy's
    # "Maximum allowed dimension exceeded" (np.ones(10**10) in the browser) is np.ones(10**19) here.
    result = grade("neuron", code)
    assert result.error.startswith("line 1, in <module>: " + code.strip())
    assert "more memory than Python in this browser tab can have" in result.error
    assert "more memory" not in grade("neuron", "raise ValueError('too big')\n").error


def test_a_missing_module_is_named_so_the_runner_can_fetch_the_rest_of_the_standard_library():
    assert grade("neuron", "import no_such_module_here\n").missing_module == "no_such_module_here"
    assert grade("neuron", "from json import tool\nimport fractions\n").missing_module == ""
    assert grade("neuron", "x = 1 / 0\n").missing_module == ""


def test_the_engines_xor_reference_is_trained_once_before_any_run_needs_it():
    from app.write_it_model import engine_xor_network, prepare

    prepare("training")          # the runner does this outside the learner's time limit
    assert engine_xor_network.cache_info().currsize == 1
    assert engine_xor_network().accuracy(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0])) == 1.0
    prepare("neuron")            # nothing to prepare for the others


def test_a_failed_gradient_check_reads_its_numbers_alike_on_both_sides():
    # The backward exercise printed two Python lists of strings (['0.5', '0.5', '-1']); the network
    # exercise put a six-digit expected value beside the full repr of the learner's.
    wrong_order = EXERCISES["backward"].solution.replace("for node in reversed(order):", "for node in order:")
    message = [c.message for c in grade("backward", wrong_order).checks if not c.passed][0]
    assert "expected gradients 0.5, 0.5, −1 for x, y, z; got 0, 0, −1." in message
    sigmoid_slope = EXERCISES["network"].solution.replace("(1 - h * h)", "h * (1 - h)")
    message = [c.message for c in grade("network", sigmoid_slope).checks if not c.passed][0]
    assert message.endswith("grad w11, should be −0.115493, got −0.0373357.")


def test_numbers_in_verdicts_are_written_as_on_the_rest_of_the_site():
    # The site writes a minus as − (engine.text); a check's title is a Python call, which keeps "-"
    # so that it can be pasted into the editor.
    swapped = "def add_backward(a, b, upstream):\n    return upstream, upstream\n\n" \
              "def mul_backward(a, b, upstream):\n    return a * upstream, b * upstream\n"
    failed = [c for c in grade("add-mul", swapped).checks if not c.passed][0]
    assert "-" not in failed.message.split(", got")[0].replace("add_backward", "") and "−" in failed.message
    assert failed.name.startswith("mul_backward(") and "−" not in failed.name
    sign = EXERCISES["neuron"].solution.replace("d_z = 2 * (s - y)", "d_z = -2 * (s - y)")
    message = [c.message for c in grade("neuron", sign).checks if not c.passed][0]
    assert "-" not in message.replace("(grad w, grad x, grad b)", "") and message.count("−") >= 3
    forward_difference = next(code for key, code, _ in WRONG if key == "gradcheck")
    one_sided = [c for c in grade("gradcheck", forward_difference).checks if not c.passed][0]
    assert one_sided.name == "gradcheck at [1.0, -2.0, 0.5]"
    assert one_sided.message.startswith("expected [2, −4, 1], got [")
    assert "-" not in one_sided.message.split("Use central")[0]
    tanh_sign = EXERCISES["activations"].solution.replace("return 1 - out * out", "return 1 + out * out")
    failed = [c for c in grade("activations", tanh_sign).checks if not c.passed][0]
    assert failed.name == "tanh_local(out=-0.995055)" and "−" not in failed.name


def test_the_learners_xor_picture_is_their_network_as_the_engine_runs_it():
    """Exercise 8 draws the learner's weights with the engine's MLP: the same numbers, to 1e-12, as
    the learner's forward pass written out (tanh hidden layer, sigmoid output), for trained,
    random, large and NaN weights, with b as a row or a flat vector."""
    from app.write_it_model import BOUNDARY_EXTENT, BOUNDARY_RESOLUTION, XOR_X, learners_xor_network
    from engine.mlp import grid_points

    def written_out(W1, b1, W2, b2, points):
        hidden = np.tanh(points @ W1 + b1.reshape(1, -1))
        return 1 / (1 + np.exp(-(hidden @ W2 + b2.reshape(1, -1))[:, 0]))

    rng = np.random.default_rng(7)
    trained = grade("training", EXERCISES["training"].solution)
    assert trained.picture["accuracy_yours"] == 1.0
    cases = [tuple(rng.normal(0, scale, shape) for shape in ((2, 4), (4,), (4, 1), (1,))) for scale in (0.5, 3.0, 30.0)]
    cases.append((rng.normal(size=(2, 4)), rng.normal(size=(1, 4)), rng.normal(size=(4, 1)), rng.normal(size=(1, 1))))
    points = np.vstack([XOR_X, grid_points(*BOUNDARY_EXTENT, *BOUNDARY_EXTENT, BOUNDARY_RESOLUTION)])
    for params in cases:
        with np.errstate(over="ignore"):
            expected = written_out(*params, points)
        assert np.max(np.abs(learners_xor_network(params).predict_proba(points) - expected)) <= 1e-12
    nan = [np.full((2, 4), np.nan), np.zeros(4), np.zeros((4, 1)), np.zeros(1)]
    with np.errstate(all="ignore"):
        assert np.isnan(learners_xor_network(nan).predict_proba(XOR_X)).all()
