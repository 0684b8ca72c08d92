"""The playground's notebook export, executed headless as a learner would run it in Jupyter:
it reproduces the run (the same weights as the playground's trainer) and draws its plots."""
import json
from pathlib import Path

import nbclient
import nbformat
import numpy as np

from app import playground_model as model

ROOT = Path(__file__).resolve().parents[2]     # where a learner who cloned the project runs Jupyter


def test_the_exported_notebook_reproduces_the_run_and_plots_it():
    settings = dict(model.STATE.defaults(), dataset="xor", layers=(5, 3), optimizer="momentum", batch="32", lr=0.05)
    data = model.make_data(settings)
    net = model.make_network(settings)
    trainer = model.make_trainer(net, data, settings)
    log = model.RunLog.begin(settings)
    trainer.run(20)
    model.apply_live_setting(trainer, "lr", 0.02)       # a change mid-run is replayed too
    log.record(trainer.epoch, "lr", 0.02)
    settings["lr"] = 0.02
    final_loss = trainer.run(15)

    document = nbformat.reads(model.notebook(settings, trainer.epoch, log), as_version=4)
    nbformat.validate(document)
    document.cells.append(nbformat.v4.new_code_cell(
        "import json\nprint(json.dumps({'params': [p.tolist() for p in net.params], 'losses': losses}))"))
    client = nbclient.NotebookClient(document, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    assert document.cells[1].outputs[0]["text"].startswith("test accuracy:")
    # Jupyter's inline backend shows the figure as a picture: the boundary and the curve
    assert any("image/png" in output.get("data", {}) for output in document.cells[2].outputs)
    result = json.loads(document.cells[-1].outputs[0]["text"])
    for ours, theirs in zip(net.params, result["params"], strict=True):
        np.testing.assert_allclose(np.array(theirs), ours, rtol=0, atol=1e-12)
    assert len(result["losses"]) == 35 and abs(result["losses"][-1] - final_loss) <= 1e-12
