"""The playground's notebook export, executed headless as a learner would run it in Jupyter:
it reproduces the run (the same weights as the playground's trainer), computes the page's loss
curve and draws its plots."""
import json
from pathlib import Path

import nbclient
import nbformat
import numpy as np

from app import playground_model as model
from engine.text import loss_text

ROOT = Path(__file__).resolve().parents[2]     # where a learner who cloned the project runs Jupyter


def page_curve(net, data, settings, losses):
    """Append what the page's curve records after an epoch: evaluate() on each whole set."""
    for name, X, y in (("training", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        losses[name].append(model.evaluate(net, model.network_inputs(data, X, settings), y)[0])


def test_the_exported_notebook_reproduces_the_run_and_plots_it():
    settings = dict(model.STATE.defaults(), dataset="xor", layers=(5, 3), optimizer="momentum", batch="32", lr=0.05)
    data = model.make_data(settings)
    net = model.make_network(settings)
    trainer = model.make_trainer(net, data, settings)
    log = model.RunLog.begin(settings)
    page = {"training": [], "test": []}
    page_curve(net, data, settings, page)
    for epoch in range(35):
        if epoch == 20:
            model.apply_live_setting(trainer, "lr", 0.02)       # a change mid-run is replayed too
            log.record(trainer.epoch, "lr", 0.02)
            settings["lr"] = 0.02
        trainer.run(1)
        page_curve(net, data, settings, page)

    document = nbformat.reads(model.notebook(settings, trainer.epoch, log), as_version=4)
    nbformat.validate(document)
    document.cells.append(nbformat.v4.new_code_cell(
        "import json\nprint(json.dumps({'params': [p.tolist() for p in net.params], 'losses': losses}))"))
    client = nbclient.NotebookClient(document, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    printed = document.cells[1].outputs[0]["text"].splitlines()
    assert printed[0].startswith("test accuracy:")
    # the final training loss, written as the page writes it, for the learner to compare
    assert printed[1] == f"training loss after 35 epochs: {loss_text(page['training'][-1])}"
    # Jupyter's inline backend shows the figure as a picture: the boundary and the curve
    assert any("image/png" in output.get("data", {}) for output in document.cells[2].outputs)
    result = json.loads(document.cells[-1].outputs[0]["text"])
    for ours, theirs in zip(net.params, result["params"], strict=True):
        np.testing.assert_allclose(np.array(theirs), ours, rtol=0, atol=1e-12)
    # the notebook's curve is the page's: each set's loss from epoch 0 to 35, not each epoch's mean batch loss
    for name in ("training", "test"):
        assert len(result["losses"][name]) == 36
        np.testing.assert_allclose(result["losses"][name], page[name], rtol=0, atol=1e-12)


def test_the_notebooks_curve_counts_epochs_finished_after_edits_inside_them():
    """Edits between mini-batches end an epoch with `while trainer.mid_epoch`: that epoch is on the
    curve too, and without a test set there is only the training loss."""
    settings = dict(model.STATE.defaults(), dataset="custom", batch="4", optimizer="adam", lr=0.03,
                    points=((0.1, 0.2, 0), (0.5, -0.4, 1), (-0.6, 0.3, 0), (0.7, 0.8, 1), (-0.2, -0.9, 1)))
    data = model.make_data(settings)
    run = model.TrainingRun(settings, data)
    page = {"training": [model.evaluate(run.net, model.network_inputs(data, data.X_train, settings),
                                        data.y_train)[0]]}
    step = 0
    while step < 9 or run.trainer.mid_epoch:             # the export finishes the epoch
        if step in (3, 6):                               # inside epochs 2 and 4 (two mini-batches each)
            model.edit_param(run, ("bias", 1, 0), -0.25 * step)
        run.step()
        step += 1
        if not run.trainer.mid_epoch:
            page["training"].append(model.evaluate(run.net, model.network_inputs(data, data.X_train, settings),
                                                   data.y_train)[0])
    code = json.loads(model.notebook(settings, run.epoch, run.log))["cells"][1]["source"]
    assert "while trainer.mid_epoch" in "".join(code) and "'test'" not in "".join(code)
    namespace = {}
    exec(compile("".join(code), "notebook", "exec"), namespace)
    assert namespace["losses"] == {"training": page["training"]}
    assert len(page["training"]) == run.epoch + 1
