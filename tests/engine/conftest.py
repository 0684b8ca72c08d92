"""Helpers shared by the engine's tests (import them: `from tests.engine.conftest import small_data`)."""
import numpy as np


def small_data(n=7, seed=1):
    """n random 2-D points with random 0/1 labels: enough for a gradient check."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)), (rng.random(n) > 0.5).astype(float)


def randomize_biases(net, seed=5):
    """Give every bias a random value in [-0.5, 0.5].  Zero biases would put ReLU
    pre-activations of all-dead rows exactly on the kink at 0, where finite
    differences are meaningless."""
    rng = np.random.default_rng(seed)
    for b in net.params[1::2]:
        b[...] = rng.uniform(-0.5, 0.5, b.shape)
