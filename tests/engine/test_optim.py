"""Optimizers step exactly as their formulas say, keep state across lr
changes, and are built by registry name."""
import math

import numpy as np
import pytest

from engine import MLP, datasets, optim
from engine.registry import OPTIMIZERS

G1 = np.array([0.5, -2.0, 0.0])
G2 = np.array([-1.0, 1.0, 3.0])
G3 = np.array([0.25, 0.0, -0.5])


def run(opt, grads, start=(1.0, 2.0, 3.0)):
    p = np.array(start)
    history = []
    for g in grads:
        opt.step([p], [g])
        history.append(p.copy())
    return history


def test_sgd():
    (p,) = run(optim.SGD(lr=0.1), [G1])
    assert np.allclose(p, [1.0 - 0.05, 2.0 + 0.2, 3.0])


def test_momentum_hand_computed():
    p1, p2 = run(optim.Momentum(lr=0.1, beta=0.9), [G1, G2])
    v1 = G1
    v2 = 0.9 * v1 + G2
    assert np.allclose(p1, np.array([1.0, 2.0, 3.0]) - 0.1 * v1)
    assert np.allclose(p2, p1 - 0.1 * v2)


def adam_reference(grads, lr=0.01, b1=0.9, b2=0.999, eps=1e-8):
    """Adam as written in Kingma & Ba, Algorithm 1, one scalar at a time."""
    p = [1.0, 2.0, 3.0]
    m = [0.0] * 3
    v = [0.0] * 3
    history = []
    for t, g in enumerate(grads, start=1):
        for i in range(3):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            m_hat = m[i] / (1 - b1 ** t)
            v_hat = v[i] / (1 - b2 ** t)
            p[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
        history.append(list(p))
    return history


def test_adam_first_steps_match_the_paper():
    ours = run(optim.Adam(lr=0.01), [G1, G2, G3])
    for got, expected in zip(ours, adam_reference([G1, G2, G3])):
        assert np.allclose(got, expected, rtol=1e-13, atol=1e-15)
    # First step moves each coordinate with a nonzero gradient by ~lr.
    assert np.allclose(ours[0] - [1.0, 2.0, 3.0], [-0.01, 0.01, 0.0], atol=1e-9)


def test_adam_matches_pytorch():
    torch = pytest.importorskip("torch")
    p = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.01)
    expected = []
    for g in (G1, G2, G3):
        p.grad = torch.from_numpy(g.copy())
        opt.step()
        expected.append(p.detach().numpy().copy())
    for got, want in zip(run(optim.Adam(lr=0.01), [G1, G2, G3]), expected):
        assert np.allclose(got, want, rtol=1e-15, atol=0)


def test_changing_lr_keeps_state():
    opt = optim.Adam(lr=0.01)
    p = np.array([1.0, 2.0, 3.0])
    opt.step([p], [G1])
    opt.lr = 0.001
    opt.step([p], [G2])
    assert opt.t == 2
    reference = optim.Adam(lr=0.01)
    q = np.array([1.0, 2.0, 3.0])
    reference.step([q], [G1])
    m, v = reference._state[0][0], reference._state[1][0]
    m2, v2 = 0.9 * m + 0.1 * G2, 0.999 * v + 0.001 * G2 ** 2
    step = 0.001 * (m2 / (1 - 0.9 ** 2)) / (np.sqrt(v2 / (1 - 0.999 ** 2)) + 1e-8)
    assert np.allclose(p, q - step, rtol=1e-12)


def test_momentum_lr_change_takes_effect_at_once():
    opt = optim.Momentum(lr=0.1)
    p = np.zeros(3)
    opt.step([p], [G1])
    opt.lr = 0.0001
    before = p.copy()
    opt.step([p], [np.zeros(3)])
    assert np.allclose(p, before - 0.0001 * 0.9 * G1)


def test_reset_and_mismatched_params():
    opt = optim.Momentum()
    opt.step([np.zeros(3)], [G1])
    with pytest.raises(ValueError, match="params"):
        opt.step([np.zeros(3), np.zeros(2)], [G1, np.ones(2)])
    opt.reset()
    opt.step([np.zeros(3), np.zeros(2)], [G1, np.ones(2)])
    assert opt.t == 1


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_make_by_registry_name(name):
    opt = optim.make(name, lr=0.05)
    assert opt.name == name and opt.lr == 0.05
    assert optim.make(name).lr == type(opt).default_lr
    assert set(optim.OPTIMIZER_CLASSES) == set(OPTIMIZERS)


def test_make_rejects_unknown_names_and_bad_lr():
    with pytest.raises(ValueError, match="^optimizer.*sgd, momentum, adam"):
        optim.make("rmsprop")
    with pytest.raises(ValueError, match="^lr"):
        optim.make("sgd", lr=-0.1)
    with pytest.raises(ValueError, match="^lr"):
        optim.SGD().lr = float("nan")


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_lowers_the_loss(name):
    X, y = datasets.gaussians(100, 0.1, seed=0)
    net = MLP([2, 4, 1], seed=0)
    trainer = optim.Trainer(net, X, y, name)
    first = trainer.run(1)
    assert trainer.run(50) < first


def test_trainer_api():
    X, y = datasets.circle(40, seed=0)
    net = MLP([2, 4, 1], seed=0)
    trainer = optim.Trainer(net, X, y, "momentum", lr=0.05, batch_size=8, seed=1)
    assert trainer.lr == 0.05
    trainer.lr = 0.02
    assert trainer.optimizer.lr == 0.02
    loss = trainer.run(3)
    assert trainer.epoch == 3 and loss == trainer.loss and np.isfinite(loss)
    shared = optim.SGD(lr=0.1)
    assert optim.Trainer(net, X, y, shared, lr=0.3).optimizer is shared and shared.lr == 0.3
    with pytest.raises(ValueError, match="^batch_size"):
        optim.Trainer(net, X, y, batch_size=0)
    with pytest.raises(ValueError, match="^X"):
        optim.Trainer(net, X[:, :1], y)


def test_epoch_progress_is_the_share_of_the_epoch_trained_so_far():
    # The playground's progress bar while Step finishes an epoch in slices.
    X, y = datasets.circle(n=40, noise=0.0, seed=0)
    trainer = optim.Trainer(MLP([2, 3, 1], seed=0), X, y, "sgd", lr=0.1, batch_size=10, seed=0)
    assert trainer.epoch_progress == 0.0
    trainer.run_steps(1)
    assert trainer.epoch_progress == 0.25
    trainer.run_steps(2)
    assert trainer.epoch_progress == 0.75
    trainer.run_steps(1)                     # the epoch is finished
    assert trainer.epoch_progress == 0.0 and trainer.epoch == 1
