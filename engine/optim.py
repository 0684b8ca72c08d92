"""Optimizers and a small training loop.

An optimizer is a small object with a learning rate `lr` (change it between
steps whenever you like; the state is kept) and `step(params, grads)`, which
updates the arrays in `params` in place:

    opt = optim.make("adam", lr=0.01)
    loss, grads = net.loss_and_grads(X, y)
    opt.step(net.params, grads)

State (velocities, moments) is created on the first step, one array per
parameter array; `reset()` forgets it.  The names are registry.OPTIMIZERS.

`Trainer` runs whole epochs of `MLP.train_epoch` on fixed data, which is
what the playground's animation loop calls.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from . import registry
from .mlp import batches, check_batch_size, epoch_loss


class Optimizer:
    name = ""
    default_lr = 0.1
    slots = 0           # state arrays kept per parameter array (velocities, moments)

    def __init__(self, lr: float | None = None):
        self.lr = self.default_lr if lr is None else lr
        self.reset()

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ValueError(f"lr: expected a finite number > 0, got {value!r}")
        self._lr = float(value)

    def reset(self) -> None:
        """Forget the accumulated state (the next step is a first step)."""
        self.t = 0
        self._state: list[list[np.ndarray]] | None = None

    def _slots(self, params) -> list[list[np.ndarray]]:
        """`self.slots` zero arrays shaped like each parameter, made on first use."""
        if self._state is None or len(self._state[0]) != len(params):
            if self._state is not None and self.t > 0:
                raise ValueError("params: this optimizer was stepping a different list of "
                                 "parameters; call reset() or make a new optimizer")
            self._state = [[np.zeros_like(p) for p in params] for _ in range(self.slots)]
        return self._state

    def step(self, params, grads) -> None:
        raise NotImplementedError

    def state(self) -> tuple:
        """(steps taken, copies of the state arrays or None before the first step): what
        set_state() puts back, so that training can go on from an earlier point exactly."""
        slots = None if self._state is None else [[a.copy() for a in slot] for slot in self._state]
        return self.t, slots

    def set_state(self, state: tuple) -> None:
        self.t, slots = state
        self._state = None if slots is None else [[a.copy() for a in slot] for slot in slots]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr!r})"


class SGD(Optimizer):
    """p -= lr * g"""
    name = "sgd"
    default_lr = 0.1

    def step(self, params, grads) -> None:
        self.t += 1
        lr = self._lr
        for p, g in zip(params, grads):
            p -= lr * g


class Momentum(Optimizer):
    """Heavy-ball momentum as PyTorch writes it: v = beta*v + g; p -= lr*v.
    Keeping lr outside the velocity means changing lr takes effect at once."""
    name = "momentum"
    default_lr = 0.03
    slots = 1

    def __init__(self, lr: float | None = None, beta: float = 0.9):
        self.beta = beta
        super().__init__(lr)

    def step(self, params, grads) -> None:
        self.t += 1
        (velocities,) = self._slots(params)
        lr, beta = self._lr, self.beta
        for p, g, v in zip(params, grads, velocities):
            v *= beta
            v += g
            p -= lr * v

    def __repr__(self) -> str:
        return f"Momentum(lr={self.lr!r}, beta={self.beta!r})"


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction:
        m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g²
        p -= lr * m̂ / (sqrt(v̂) + eps),  m̂ = m/(1-b1^t),  v̂ = v/(1-b2^t)
    arranged as PyTorch does it (same rounding)."""
    name = "adam"
    default_lr = 0.01
    slots = 2

    def __init__(self, lr: float | None = None, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        super().__init__(lr)

    def step(self, params, grads) -> None:
        self.t += 1
        ms, vs = self._slots(params)
        b1, b2 = self.beta1, self.beta2
        step_size = self._lr / (1.0 - b1 ** self.t)
        sqrt_bc2 = math.sqrt(1.0 - b2 ** self.t)
        for p, g, m, v in zip(params, grads, ms, vs):
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * (g * g)
            denom = np.sqrt(v)
            denom /= sqrt_bc2
            denom += self.eps
            p -= step_size * (m / denom)

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr!r}, beta1={self.beta1!r}, beta2={self.beta2!r}, eps={self.eps!r})"


OPTIMIZER_CLASSES: dict[str, type[Optimizer]] = {cls.name: cls for cls in (SGD, Momentum, Adam)}


def make(name: str, lr: float | None = None, **options) -> Optimizer:
    """An optimizer by registry name, e.g. make("adam", lr=0.01).  lr=None
    uses the class default (SGD 0.1, Momentum 0.03, Adam 0.01)."""
    registry.lookup(registry.OPTIMIZERS, name, "optimizer")
    return OPTIMIZER_CLASSES[name](lr, **options)


@dataclass(frozen=True)
class Checkpoint:
    """A Trainer between epochs, without the weights: see Trainer.checkpoint."""
    epoch: int
    loss: float
    optimizer: tuple        # Optimizer.state()
    rng: dict               # the shuffling generator's state

    @property
    def nbytes(self) -> int:
        """The bytes of its arrays (the optimizer's state)."""
        slots = self.optimizer[1] or []
        return sum(a.nbytes for slot in slots for a in slot)


class Trainer:
    """Epoch-by-epoch training of `net` on fixed data.

        trainer = Trainer(net, X, y, optimizer="adam", lr=0.01, batch_size=10, seed=0)
        loss = trainer.run(epochs=10)      # mean loss of the last epoch
        trainer.lr = 0.003                 # takes effect next step; state kept

    The data are checked once here, so each epoch goes straight to the
    vectorized pass.  Mini-batches are shuffled by a generator seeded with
    `seed`, so a run is reproducible bit for bit.
    """

    def __init__(self, net, X, y, optimizer: str | Optimizer = "sgd", lr: float | None = None,
                 batch_size: int | None = None, seed: int | None = 0):
        self.net = net
        self.X, self.y = net.check_data(X, y)
        if isinstance(optimizer, str):
            optimizer = make(optimizer, lr)
        elif lr is not None:
            optimizer.lr = lr
        self.optimizer = optimizer
        check_batch_size(batch_size)
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.epoch = 0
        self.loss = math.nan    # mean loss of the latest epoch
        # An epoch that run_steps() has started: its batches still to take, and
        # (loss, size) of those taken.
        self._batches_left = deque()
        self._batch_losses = []
        self._samples_done = 0         # of the epoch under way: epoch_progress reads it on every paced step

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = value

    @property
    def mid_epoch(self) -> bool:
        """True while run_steps() has started an epoch and not finished it."""
        return bool(self._batches_left)

    @property
    def epoch_progress(self) -> float:
        """The share of the epoch under way that run_steps() has trained on (0 between epochs)."""
        if not self.mid_epoch:
            return 0.0
        return self._samples_done / len(self.y)

    def checkpoint(self) -> Checkpoint:
        """Everything the next epochs depend on besides the weights and the learning rate, taken
        between epochs: resume(checkpoint) with the same weights trains on bit for bit as from here."""
        if self.mid_epoch:
            raise RuntimeError("checkpoint: an epoch is half done; take checkpoints between epochs")
        return Checkpoint(self.epoch, self.loss, self.optimizer.state(), self.rng.bit_generator.state)

    def resume(self, checkpoint: Checkpoint) -> None:
        """Go back (or forward) to a checkpoint; the caller puts back the weights of that epoch."""
        self.epoch, self.loss = checkpoint.epoch, checkpoint.loss
        self.optimizer.set_state(checkpoint.optimizer)
        self.rng.bit_generator.state = checkpoint.rng
        self._batches_left.clear()
        self._batch_losses = []
        self._samples_done = 0

    def run(self, epochs: int = 1) -> float:
        """Train for `epochs` epochs; returns the last epoch's mean loss."""
        if self.mid_epoch:
            raise RuntimeError("run: run_steps() left an epoch half done; finish it with run_steps() first")
        net, X, y, opt, batch, rng = self.net, self.X, self.y, self.optimizer, self.batch_size, self.rng
        for _ in range(epochs):
            self.loss = net.train_epoch(X, y, opt, batch, rng, check=False)
        self.epoch += epochs
        return self.loss

    def run_steps(self, steps: int = 1) -> int:
        """Take up to `steps` optimizer steps (one mini-batch each), continuing
        an unfinished epoch; returns how many epochs finished.  However a run is
        cut into steps, the weights come out bit for bit as with run(): the
        playground uses this to keep each animation frame short even when one
        epoch of small batches takes longer than a frame.  With full batches a
        step is a whole epoch."""
        if self.batch_size is None or self.batch_size >= len(self.y):
            self.run(steps)   # the playground's usual case: no batches to keep between calls
            return steps
        finished = 0
        for _ in range(steps):
            if not self._batches_left:   # a new epoch: the batches MLP.train_epoch would take
                self._batches_left = deque(batches(self.X, self.y, self.batch_size, self.rng))
                self._batch_losses = []
                self._samples_done = 0
            X_batch, y_batch = self._batches_left.popleft()
            self._samples_done += len(y_batch)
            self._batch_losses.append((self.net.train_batch(X_batch, y_batch, self.optimizer), len(y_batch)))
            if not self._batches_left:
                self.loss = epoch_loss(self._batch_losses)
                self.epoch += 1
                finished += 1
        return finished
