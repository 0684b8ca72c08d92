"""What the pages' menus call the engine's activations and losses, and the outputs a network may
end in: plain names without NumPy, so that a page that starts without it (lesson 2) builds its
menus from the same table as the NumPy MLP.  engine.registry's records take their labels from here.
"""
from __future__ import annotations

ACTIVATION_LABELS = {
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "elu": "ELU",
    "gelu": "GELU",
    "silu": "SiLU (swish)",
    "linear": "Linear",
}

LOSS_LABELS = {
    "bce": "Binary cross-entropy",
    "mse_half": "Squared error ½(ŷ−y)²",
    "mse": "Mean squared error (ŷ−y)²",
}

# Output layers a network may end in (a subset of the activations).
OUTPUTS = ("sigmoid", "linear")


def labels(records) -> tuple[tuple[str, str], ...]:
    """(name, label) of every record in a registry (ACTIVATIONS, LOSSES) or of a
    name -> label dict (ACTIVATION_LABELS, INIT_LABELS): what a ChoiceProp shows in its menu."""
    return tuple((name, getattr(record, "label", record)) for name, record in records.items())
