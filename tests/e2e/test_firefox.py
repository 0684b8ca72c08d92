"""A second browser engine: the built site in Debian's Firefox ESR, driven over WebDriver BiDi by
puppeteer-core (tests/firefox/smoke.mjs). One run of the script loads every page, makes one real
interaction on each, and frames each lesson from another site; the tests below check its verdict and
compare the numbers Firefox showed with the engine run here in CPython."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from app import chain_rule_model, playground_model, predict, write_it_draw, write_it_model
from app.step_through_model import STATE as STEP_THROUGH_STATE
from app.step_through_model import Network, lesson_steps, step_question
from backprop_lab import site
from engine import text
from engine.text import plain, significant
from tests.e2e.conftest import SCREENSHOTS, needs_numpy
from tests.e2e.test_gradients import engine_stats

pytestmark = [pytest.mark.e2e, needs_numpy]

FIREFOX = os.environ.get("BACKPROP_LAB_FIREFOX", "/usr/bin/firefox-esr")
SMOKE_SCRIPT = site.ROOT / "tests" / "firefox" / "smoke.mjs"
RUN_TIMEOUT_S = 300     # the run takes about 35 s on an idle 2-core machine


def run_smoke(base_url, report_path: Path, *options: str):
    """(exit status, output, report) of one smoke run against the served build."""
    if not Path(FIREFOX).exists():
        pytest.fail(f"Firefox not found at {FIREFOX}: apt-get install -y firefox-esr")
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed (the README's requirements)")
    if not (site.NODE_MODULES / "puppeteer-core").is_dir():
        pytest.fail("node_modules/puppeteer-core is missing: run `npm ci` (the README's test command does)")
    # No browser download, ever: Firefox is the system's.
    environment = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1", "BACKPROP_LAB_FIREFOX": FIREFOX,
                   "BACKPROP_LAB_SCREENSHOTS": str(SCREENSHOTS)}
    finished = subprocess.run([node, str(SMOKE_SCRIPT), base_url, str(report_path), *options], cwd=site.ROOT,
                              env=environment, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    output = finished.stdout + finished.stderr
    report = json.loads(report_path.read_text()) if report_path.exists() else {"pages": {}, "embeds": {}}
    return finished.returncode, output, report


@pytest.fixture(scope="module")
def firefox_run(base_url, tmp_path_factory):
    """Every page, and the lessons framed by another site with Firefox's default: the frame's
    storage partitioned by the site that frames it."""
    return run_smoke(base_url, tmp_path_factory.mktemp("firefox") / "report.json")


def shown(firefox_run, page: str) -> dict:
    """What the page showed after its interaction; fails with the run's output if it got no further."""
    _, output, report = firefox_run
    if page not in report["pages"]:
        pytest.fail(f"the Firefox run did not reach {page}'s interaction:\n{output}")
    return report["pages"][page]["shown"]


def test_every_page_starts_and_responds_in_firefox(firefox_run):
    # Ready with no page error and no request to another host, one interaction per page, and each
    # lesson framed by another site: the script's own checks (its output names each failure).
    status, output, _ = firefox_run
    assert status == 0, output


LESSONS = ["chain-rule", "step-through", "gradients", "playground", "matrix-form", "write-it"]
# Storage in a partitioned frame works as on the site itself, so the lessons' code takes the paths
# the full pages took; one lesson checks the frame (every lesson is framed with storage blocked).
PARTITIONED_EMBEDS = ["chain-rule"]


def test_cross_site_frames_start_with_partitioned_storage(firefox_run):
    # By default Firefox gives a cross-site frame storage of its own, keyed by the site that frames
    # it: the lesson starts and tells the host page, and progress marks made on the site itself
    # (the run marked the chain rule completed first) are not seen there.
    _, output, report = firefox_run
    assert sorted(report["embeds"]) == PARTITIONED_EMBEDS, output
    for embed in report["embeds"].values():
        statuses = [message["data"]["backprop-lab"] for message in embed["messages"]]
        assert statuses[-1] == "ready" and set(statuses[:-1]) <= {"loading"}
        assert embed["storage"] == {"completed": None}


def test_cross_site_frames_start_with_third_party_storage_blocked(base_url, tmp_path):
    # "Block all third-party cookies": localStorage, indexedDB.open and BroadcastChannel throw
    # SecurityError in the frame.
    status, output, report = run_smoke(base_url, tmp_path / "report.json", "--third-party-storage=blocked")
    assert status == 0, output
    assert sorted(report["embeds"]) == sorted(LESSONS), output
    for embed in report["embeds"].values():
        assert embed["storage"] == {"blocked": "SecurityError"}


def test_chain_rule_slider_shows_the_engines_numbers(firefox_run):
    # Panel 2's x slider moved from 2 to 1.5 by the keyboard.
    expected = chain_rule_model.compose("times3", "square", 1.5)
    show = plain
    assert shown(firefox_run, "chain-rule") == {
        "p2-x-value": show(1.5), "p2-u": show(expected.u), "p2-y": show(expected.y),
        "p2-du": show(expected.du_dx.value), "p2-dy": show(expected.dy_du.value), "p2-dydx": show(expected.dy_dx)}


def test_step_through_key_shows_the_engines_second_step_and_a_prediction_is_checked(firefox_run):
    # → shows step 2; a first pass has predict mode on, and the update's question, answered by the
    # keyboard, gets the verdict CPython gives (focused, so a screen reader reads it).
    network = Network(STEP_THROUGH_STATE.defaults())
    steps = lesson_steps(network)
    question = step_question(network, steps[-1])
    page = shown(firefox_run, "step-through")
    assert page == {"step-counter": f"Step 2 / {len(steps)}", "step-result": steps[1].result_text,
                    "predict-on": True, "prompt": question.prompt, "answer": question.choices[0][0],
                    "verdict": predict.check(question, question.choices[0][0]).message,
                    "focused": "predict-verdict"}


def test_gradients_depth_key_shows_the_engines_bars(firefox_run):
    # One more hidden layer than the default five; every other setting is the default.
    page = shown(firefox_run, "gradients")
    assert page["depth-value"] == "6"
    bar_values = [re.search(r"= (.+?), ", title).group(1) for title in page["bar-titles"]]
    assert bar_values == [significant(layer["mean_abs_grad"], 4, overflow=True) for layer in engine_stats(depth=6)]


def test_playground_step_trains_one_epoch_as_the_engine_does(firefox_run):
    settings = playground_model.STATE.defaults()
    data = playground_model.make_data(settings)
    net = playground_model.make_network(settings)
    trainer = playground_model.make_trainer(net, data, settings)
    inputs = data.scaler.transform(data.X_train)
    loss_before = playground_model.evaluate(net, inputs, data.y_train)[0]
    with np.errstate(all="ignore"):
        trainer.run(1)
    loss_after = playground_model.evaluate(net, inputs, data.y_train)[0]
    assert shown(firefox_run, "playground") == {
        "epoch-before": "0", "train-loss-before": text.loss_text(loss_before),
        "epoch": "1", "train-loss": text.loss_text(loss_after)}


def test_write_it_run_shows_the_graders_verdicts(firefox_run):
    # Run with the first exercise's starter code: the worker's verdicts are the grader's in CPython.
    page = shown(firefox_run, "write-it")
    result = write_it_model.grade(page["exercise"], write_it_model.EXERCISES[page["exercise"]].starter)
    rows = [("✓ Passed " if check.passed else "✗ Failed ") + check.name + (f": {check.message}" if check.message else "")
            for check in result.checks]
    assert page == {"exercise": next(iter(write_it_model.EXERCISES)), "summary": write_it_draw.summary(result),
                    "verdicts": rows}
    assert not result.passed
