"""The playground's notebook download, run in Jupyter (headless): the same network as the page's
export, and its plots."""
import json
from pathlib import Path

import nbclient
import nbformat
import numpy as np
import pytest
from playwright.sync_api import expect

from app import playground_model as model
from engine.text import loss_text
from tests.e2e.conftest import needs_numpy
from tests.e2e.test_playground import PAGE, click_step

pytestmark = [pytest.mark.e2e, needs_numpy]

ROOT = Path(__file__).resolve().parents[2]


def test_the_downloaded_notebook_trains_the_pages_network(open_page):
    page = open_page(PAGE + "?dataset=moons&layers=6,3&optimizer=adam&lr=0.03&batch=16")
    click_step(page, 12)
    page.click(".pg-export summary")
    page.click("#export")
    with page.expect_download() as json_download:
        page.click("#download-json")
    with page.expect_download() as notebook_download:
        page.click("#download-notebook")
    assert notebook_download.value.suggested_filename == "playground-epoch-12.ipynb"
    net, scaler, document = model.load_export(Path(json_download.value.path()).read_text())
    shown_loss = page.locator("#train-loss").inner_text()
    page.locator("#curve-table-box summary").click()
    expect(page.locator("#curve-table tr").first).to_be_attached()     # Python fills it on the toggle event
    curve_rows = [row.locator("td, th").all_inner_texts() for row in page.locator("#curve-table tr").all()]

    notebook = nbformat.read(notebook_download.value.path(), as_version=4)
    nbformat.validate(notebook)
    notebook.cells.append(nbformat.v4.new_code_cell(
        "import json\nfrom app.playground_model import evaluate\n"
        "loss = evaluate(net, scaler.transform(X_train), y_train)[0]\n"
        "print(json.dumps({'params': [p.tolist() for p in net.params], 'loss': loss, 'losses': losses}))"))
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    assert any("image/png" in output.get("data", {}) for output in notebook.cells[2].outputs)
    result = json.loads(notebook.cells[-1].outputs[0]["text"])
    for replayed, exported in zip(result["params"], net.params, strict=True):
        np.testing.assert_allclose(np.array(replayed), exported, rtol=1e-9, atol=1e-12)
    # the notebook's network ends with the page's network's training loss
    train = np.array(document["train"])
    page_loss = model.evaluate(net, scaler.transform(train[:, :2]), train[:, 2])[0]
    assert abs(result["loss"] - page_loss) <= 1e-12
    # its curve is the page's: the final value to 1e-12, printed as the page shows it, and the
    # newest epochs of the page's curve table (batches of 16: not each epoch's mean batch loss)
    losses = result["losses"]
    assert len(losses["training"]) == len(losses["test"]) == 13 and abs(losses["training"][-1] - page_loss) <= 1e-12
    assert notebook.cells[1].outputs[0]["text"].splitlines()[-1] == f"training loss after 12 epochs: {shown_loss}"
    assert curve_rows and curve_rows == [[str(epoch), loss_text(losses["training"][epoch]), loss_text(losses["test"][epoch])]
                                         for epoch in range(12, 12 - len(curve_rows), -1)]
