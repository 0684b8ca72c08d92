"""End-to-end training: the classic problems are learned, runs reproduce bit
for bit, and mini-batching behaves."""
import numpy as np
import pytest

from engine import MLP, datasets, optim


def test_xor_truth_table_with_a_2_4_1_sigmoid_net():
    X, y = datasets.xor_points()
    net = MLP([2, 4, 1], activation="sigmoid", output="sigmoid", loss="bce", init="he", seed=0)
    trainer = optim.Trainer(net, X, y, "sgd", lr=1.0)
    trainer.run(2000)
    assert net.accuracy(X, y) >= 0.99
    assert trainer.loss < 0.01


def test_spiral_with_a_deeper_relu_net():
    X, y = datasets.spiral(200, noise=0.0, seed=0)
    net = MLP([2, 16, 16, 16, 1], activation="relu", init="he", seed=0)
    optim.Trainer(net, X, y, "adam", lr=0.01).run(400)
    assert net.accuracy(X, y) >= 0.99


def test_mini_batch_training_on_circle():
    X, y = datasets.circle(200, noise=0.05, seed=0)
    net = MLP([2, 4, 2, 1], activation="tanh", seed=0)
    optim.Trainer(net, X, y, "sgd", lr=0.3, batch_size=10).run(100)
    assert net.accuracy(X, y) >= 0.95


def test_logistic_regression_loss_decreases_monotonically():
    X, y = datasets.gaussians(200, noise=0.2, seed=0)
    net = MLP([2, 1], output="sigmoid", loss="bce", seed=0)     # no hidden layer: convex
    trainer = optim.Trainer(net, X, y, "sgd", lr=0.1)
    losses = [trainer.run(1) for _ in range(300)]
    assert all(b < a for a, b in zip(losses, losses[1:]))
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("batch_size", [None, 16])
def test_seeded_runs_reproduce_bit_for_bit(optimizer, batch_size):
    def train():
        X, y = datasets.moons(100, noise=0.1, seed=3)
        net = MLP([2, 6, 6, 1], activation="relu", init="he", seed=11, regularization="l2")
        trainer = optim.Trainer(net, X, y, optimizer, batch_size=batch_size, seed=5)
        losses = [trainer.run(1) for _ in range(20)]
        return losses, [p.copy() for p in net.params]

    (losses_a, params_a), (losses_b, params_b) = train(), train()
    assert losses_a == losses_b
    assert all(np.array_equal(p, q) for p, q in zip(params_a, params_b))


def test_train_epoch_uses_the_nets_generator_by_default():
    X, y = datasets.xor(60, seed=0)
    a, b = MLP([2, 4, 1], seed=2), MLP([2, 4, 1], seed=2)
    for _ in range(3):
        a.train_epoch(X, y, optim.SGD(lr=0.1), batch_size=7)
        b.train_epoch(X, y, optim.SGD(lr=0.1), batch_size=7)
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))


def test_full_batch_epoch_is_one_gradient_step():
    X, y = datasets.circle(50, seed=0)
    net = MLP([2, 4, 1], seed=0)
    loss, grads = net.loss_and_grads(X, y)
    expected = [p - 0.1 * g for p, g in zip(net.params, grads)]
    assert net.train_epoch(X, y, optim.SGD(lr=0.1), batch_size=50) == loss   # >= n: full batch
    assert all(np.allclose(p, e, rtol=0, atol=1e-15) for p, e in zip(net.params, expected))


def test_mini_batch_epoch_reports_the_size_weighted_mean_loss():
    X, y = datasets.circle(10, seed=0)
    net = MLP([2, 3, 1], seed=0)
    twin = MLP([2, 3, 1], seed=0)
    rng = np.random.default_rng(4)
    order = np.random.default_rng(4).permutation(10)
    opt, twin_opt = optim.SGD(lr=0.1), optim.SGD(lr=0.1)
    got = net.train_epoch(X, y, opt, batch_size=4, rng=rng)
    losses = []
    for batch in (order[:4], order[4:8], order[8:]):            # 4 + 4 + 2
        loss, grads = twin.loss_and_grads(X[batch], y[batch])
        twin_opt.step(twin.params, grads)
        losses.append(loss * len(batch))
    assert got == pytest.approx(sum(losses) / 10, rel=1e-12)
    assert all(np.allclose(p, q, rtol=0, atol=1e-14) for p, q in zip(net.params, twin.params))


def test_clipping_limits_each_update():
    X, y = datasets.spiral(100, seed=0)
    net = MLP([2, 8, 1], init="normal", init_scale=3.0, seed=0, clip_norm=0.01)
    before = np.concatenate([p.ravel() for p in net.params])
    net.train_epoch(X, y, optim.SGD(lr=1.0))
    after = np.concatenate([p.ravel() for p in net.params])
    assert net.last_grad_norm > 0.01
    assert np.linalg.norm(after - before) == pytest.approx(0.01)


def test_train_epoch_checks_its_arguments():
    net = MLP([2, 3, 1])
    X, y = datasets.circle(20, seed=0)
    with pytest.raises(ValueError, match="^batch_size"):
        net.train_epoch(X, y, optim.SGD(), batch_size=-2)
    with pytest.raises(ValueError, match="^X"):
        net.train_epoch(np.full((4, 2), np.nan), np.zeros(4), optim.SGD())
    with pytest.raises(ValueError, match="^y"):
        net.train_epoch(X, y[:-1], optim.SGD())
