"""The playground's editing features in headless Chromium (issue 21 §2): a unit's map shown
large while pointed at or focused, a weight or bias typed into a small field at the diagram,
the architecture typed as "8,8,8", and controls hidden by hide= (offered in the share dialog).
Each test opens the page with the link it needs; keyboard use is tested beside the mouse.
They share one tab (`shared_tab`), each starting from the defaults untrained, with the
architecture its link would give (`back_to_the_defaults`)."""
import json

import numpy as np
import pytest
from playwright.sync_api import expect

from app import playground_draw as draw
from app import playground_model as model
from engine import MLP
from engine.mlp import grid_points
from tests.e2e.conftest import SCREENSHOTS, needs_numpy, page_for_module, save_screenshot, wait_until_ready
from tests.e2e.test_playground import back_to_the_defaults, menus_cut_off

pytestmark = [pytest.mark.e2e, needs_numpy]

PAGE = "pages/playground.html"


@pytest.fixture(scope="module")
def shared_tab(browser_context, base_url, external_requests):
    """The page with no link (a 4-2 network), in one tab (starting Python takes seconds)."""
    yield from page_for_module(browser_context, base_url, PAGE, external_requests)


PIXELS = """() => { const c = document.getElementById("boundary-canvas");
  return Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data); }"""


def picture(page):
    return np.array(page.evaluate(PIXELS), dtype=int)


def exported(page):
    """The page's network and settings, from its export (a person's way to read the weights)."""
    box = page.locator("details.pg-export")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    page.eval_on_selector("#export-json", "box => { box.value = ''; }")
    page.click("#export")
    expect(page.locator("#export-json")).not_to_have_value("")
    document = json.loads(page.locator("#export-json").input_value())
    return MLP.from_dict(document["network"]), document


def diagram_point(page, layout, x, y):
    """Page coordinates of the point (x, y) in diagram units."""
    diagram = page.locator("#diagram")
    diagram.scroll_into_view_if_needed()
    box = diagram.bounding_box()
    return box["x"] + x / layout.width * box["width"], box["y"] + y / layout.height * box["height"]


def link_middle(page, layout, layer, i, j):
    return diagram_point(page, layout, (layout.x(layer - 1) + layout.x(layer)) / 2,
                         (layout.y(layer - 1, i) + layout.y(layer, j)) / 2)


# ------------------------------------------------------------------ a unit's map

def test_pointing_at_a_unit_shows_its_map_and_leaving_restores_the_output(shared_tab):
    page = back_to_the_defaults(shared_tab, layers="3")
    output = picture(page)
    layout = draw.DiagramLayout((2, 3, 1))
    page.mouse.move(*diagram_point(page, layout, layout.x(1), layout.y(1, 2)))
    expect(page.locator("#unit-view")).to_contain_text("unit 3 of hidden layer 1")
    shown = picture(page)
    # The picture is that unit's tanh output over the plane, coloured as its small square.
    net, document = exported(page)
    settings = model.STATE.defaults() | {"layers": (3,)}
    data = model.make_data(settings)
    points = grid_points(*data.grid_bounds(), draw.FULL_GRID)
    values, centre = model.unit_function(net, 1, 2)
    expected = draw.unit_picture(values(points), centre, draw.palette(), draw.FULL_GRID).astype(int).ravel()
    assert np.abs(shown - expected).max() <= 3
    assert np.abs(shown - output).max() > 50
    page.mouse.move(5, 5)                       # away from the diagram
    expect(page.locator("#unit-view")).to_have_text("")
    assert np.array_equal(picture(page), output)


def test_a_focused_unit_shows_its_map_and_arrow_keys_move_between_units(shared_tab):
    page = back_to_the_defaults(shared_tab)
    output = picture(page)
    page.locator("#diagram").focus()
    page.keyboard.press("Tab")                  # the bias squares are one Tab stop
    expect(page.locator("#diagram-units button:focus")).to_have_attribute("data-unit", "0")
    expect(page.locator("#unit-view")).to_contain_text("unit 1 of hidden layer 1")
    first = picture(page)
    assert not np.array_equal(first, output)
    page.keyboard.press("ArrowDown")
    expect(page.locator("#unit-view")).to_contain_text("unit 2 of hidden layer 1")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#unit-view")).to_contain_text("unit 2 of hidden layer 2")
    page.keyboard.press("ArrowRight")           # the output unit: the network's output
    expect(page.locator("#unit-view")).to_have_text("")
    assert np.array_equal(picture(page), output)
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#unit-view")).to_contain_text("unit 1 of hidden layer 2")
    page.keyboard.press("Shift+Tab")            # back to the diagram: the output again
    expect(page.locator("#unit-view")).to_have_text("")
    assert np.array_equal(picture(page), output)


# ------------------------------------------------------------------ editing a weight or bias

def test_clicking_a_link_edits_its_weight_and_training_goes_on_from_it(shared_tab):
    page = back_to_the_defaults(shared_tab, layers="2")
    layout = draw.DiagramLayout((2, 2, 1))
    page.mouse.click(*link_middle(page, layout, 1, 0, 1))
    editor, field = page.locator("#param-editor"), page.locator("#param-value")
    expect(editor).to_be_visible()
    expect(page.locator("#param-label")).to_have_text("Weight from input x₁ to unit 2 of hidden layer 1")
    expect(field).to_be_focused()
    field.fill("2..5")
    field.press("Enter")
    expect(page.locator("#param-error")).to_contain_text("not a number")
    expect(page.locator("#param-error")).to_contain_text("The old value stays")
    expect(editor).to_be_visible()
    field.fill("5000")
    field.press("Enter")
    expect(page.locator("#param-error")).to_contain_text("too large")
    field.fill("2.5")
    field.press("Enter")
    expect(editor).to_be_hidden()
    net, _ = exported(page)
    assert net.params[0][0, 1] == 2.5
    # Escape cancels.
    page.mouse.click(*link_middle(page, layout, 1, 0, 1))
    expect(field).to_have_value("2.5")
    field.fill("-7")
    field.press("Escape")
    expect(editor).to_be_hidden()
    net, _ = exported(page)
    assert net.params[0][0, 1] == 2.5
    # Step trains from the edited weight, and the exported snippet replays it.
    page.click("#step")
    expect(page.locator("#epoch")).to_have_text("1")
    net, document = exported(page)
    settings = model.STATE.defaults() | {"layers": (2,)}
    expected = model.make_network(settings)
    expected.params[0][0, 1] = 2.5
    model.make_trainer(expected, model.make_data(settings), settings).run(1)
    assert all(np.allclose(a, b, rtol=1e-12, atol=1e-15) for a, b in zip(net.params, expected.params))
    snippet = page.locator("#export-python").input_value()
    assert "net.params[0][0, 1] = 2.5" in snippet


def test_the_keyboard_edits_a_link_and_a_bias(shared_tab):
    page = back_to_the_defaults(shared_tab, layers="2")
    page.locator("#diagram").focus()
    page.keyboard.press("ArrowRight")           # the first link: x₁ to unit 1
    expect(page.locator("#link-readout")).to_contain_text("Weight from input x₁ to unit 1 of hidden layer 1")
    page.keyboard.press("Enter")
    field = page.locator("#param-value")
    expect(field).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("−1.5")                  # a Unicode minus, as a person may type it
    page.keyboard.press("Enter")
    expect(page.locator("#param-editor")).to_be_hidden()
    expect(page.locator("#diagram")).to_be_focused()
    expect(page.locator("#link-readout")).to_contain_text("−1.5;")
    # The output unit's bias: Tab to the bias squares, then right to the output.
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#diagram-units button:focus")).to_have_attribute("aria-label", "Bias of the output: "
                                                                          "press Enter to edit it; the arrow keys "
                                                                          "move between units")
    page.keyboard.press("Enter")
    expect(page.locator("#param-label")).to_have_text("Bias of the output")
    page.keyboard.press("Control+a")
    page.keyboard.type("0.75")
    page.keyboard.press("Enter")
    expect(page.locator("#diagram-units button:focus")).to_have_count(1)
    expect(page.locator("#diagram-units button[data-column='2']")).to_have_class("pg-bias pos")
    net, document = exported(page)
    assert net.params[0][0, 0] == -1.5 and net.params[3][0] == 0.75
    assert "net.params[3][0] = 0.75" in page.locator("#export-python").input_value()


def test_clicking_a_bias_square_edits_it_and_play_continues_from_it(shared_tab):
    page = back_to_the_defaults(shared_tab)
    page.locator("#diagram-units button[data-column='1'][data-unit='2']").click()
    expect(page.locator("#param-label")).to_have_text("Bias of unit 3 of hidden layer 1")
    page.locator("#param-value").fill("-3")
    page.locator("#param-apply").click()
    expect(page.locator("#param-editor")).to_be_hidden()
    expect(page.locator("#diagram-units button[data-column='1'][data-unit='2']")).to_have_class("pg-bias neg")
    net, _ = exported(page)
    assert net.params[1][2] == -3
    page.click("#play")
    expect(page.locator("#epoch")).not_to_have_text("0")
    page.click("#play")
    net, _ = exported(page)
    assert net.params[1][2] != -3                # trained on from it
    assert "net.params[1][2] = -3.0" in page.locator("#export-python").input_value()


# ------------------------------------------------------------------ typing the architecture

def test_typing_the_architecture_builds_the_network_and_bad_text_keeps_it(shared_tab):
    page = back_to_the_defaults(shared_tab)
    field, error = page.locator("#layers"), page.locator("#layers-error")
    expect(field).to_have_value("4,2")
    field.fill("8, 8,8")
    field.press("Enter")
    expect(page.locator("#diagram-controls .pg-layers span")).to_have_text("3 hidden layers")
    expect(field).to_have_value("8,8,8")
    assert "layers=8%2C8%2C8" in page.url or "layers=8,8,8" in page.url
    expect(page.locator("#diagram .pg-unit")).to_have_count(2 + 24 + 1)
    for text, message in [("8,,x", "layer 2 is empty"), ("0", "1 to 16 units"), ("1000", "1 to 16 units"),
                          (",".join(["4"] * 40), "at most 8 hidden layers"), ("4,x", "not a whole number")]:
        field.fill(text)
        field.press("Enter")
        expect(error).to_contain_text(message)
        expect(error).to_contain_text("the network stays 8,8,8")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#diagram .pg-unit")).to_have_count(2 + 24 + 1)
    # The ± buttons and the field follow each other.
    page.locator("#diagram-controls button[data-action='add-layer']").click()
    expect(field).to_have_value("8,8,8,8")
    expect(error).to_have_text("")
    # Eight layers of 16: every ± button stays inside the Network panel (they ran past it).
    field.fill(",".join(["16"] * 8))
    field.press("Enter")
    expect(page.locator("#diagram-controls .pg-layers span")).to_have_text("8 hidden layers")
    outside = page.evaluate("""() => {
        const panel = document.querySelector('.pg-network').getBoundingClientRect();
        return [...document.querySelectorAll('#diagram-controls button')].filter(b => {
            const r = b.getBoundingClientRect(); return r.left < panel.left || r.right > panel.right; }).length; }""")
    assert outside == 0
    field.fill("")
    field.press("Enter")
    expect(page.locator("#diagram-controls .pg-layers span")).to_have_text("0 hidden layers")
    # Arabic-Indic and full-width digits, as the learning rate's and the seed's fields read them.
    field.fill("٣,３")
    field.press("Enter")
    expect(field).to_have_value("3,3")
    expect(page.locator("#diagram-controls .pg-layers span")).to_have_text("2 hidden layers")


# ------------------------------------------------------------------ hiding controls

def test_hide_in_the_link_hides_those_controls_and_notes_unknown_names(page, base_url):
    page.set_viewport_size({"width": 800, "height": 600})
    # Loss moves to the middle column; it and Normal (0.1) fit the embed (Cross-entropy was cut).
    page.goto(base_url + PAGE + "?embed=1&hide=dataset,noise,activation,layers,bogus&init=normal")
    wait_until_ready(page)
    # The presets too: a preset button would change the dataset, activation and layers hidden (audit gap 3).
    for element_id in ("dataset", "noise", "activation", "layers", "diagram-controls", "preset-row"):
        expect(page.locator(f"#{element_id}")).to_be_hidden()
    assert menus_cut_off(page) == []
    for element_id in ("n", "train", "loss", "lr", "play", "diagram"):
        expect(page.locator(f"#{element_id}")).to_be_visible()
    expect(page.locator("#url-notes")).to_contain_text("no control is called “bogus”; ignored")
    page.click("#play")                         # the page works
    expect(page.locator("#epoch")).not_to_have_text("0")
    page.click("#play")
    save_screenshot(page, "playground-edit-embed-hide", full_page=False)


def test_hiding_every_data_control_hides_the_data_panel(open_page):
    page = open_page(PAGE + "?hide=problem,dataset,noise,train,n,data_seed,points")
    expect(page.locator(".pg-data")).to_be_hidden()
    expect(page.locator(".pg-network")).to_be_visible()


def test_every_name_the_share_dialog_offers_hides_a_control(open_page):
    page = open_page(PAGE + "?hide=" + ",".join(model.HIDEABLE))
    assert page.locator("#url-notes").inner_text() == ""
    for name in model.HIDEABLE:
        for element_id in model.hide_targets(name):
            expect(page.locator(f"#{element_id}")).to_be_hidden()
    for element_id in ("play", "step", "reset", "diagram", "boundary", "loss-curve"):
        expect(page.locator(f"#{element_id}")).to_be_visible()


def test_the_share_dialog_writes_hide_into_the_snippet(open_page):
    page = open_page(PAGE + "?noise=10")
    page.click(".share-button")
    choices = page.locator("#share-panel .share-choices")
    expect(choices.locator("legend")).to_have_text("Hide these controls in the embed")
    expect(choices.locator("input")).to_have_count(len(model.HIDEABLE))
    snippet = page.locator("#share-embed")
    expect(snippet).not_to_contain_text("hide=")
    presets = choices.get_by_label("Presets", exact=True)
    expect(presets).to_be_enabled()
    choices.get_by_label("Noise (%)").check()
    choices.get_by_label("Dataset", exact=True).check()
    # The page hides the presets with the dataset anyway: the box says so, the link need not.
    expect(presets).to_be_checked()
    expect(presets).to_be_disabled()
    expect(choices.locator("p")).to_have_text(model.PRESETS_HIDDEN_NOTE)
    save_screenshot(page, "playground-edit-share", full_page=False)
    assert "hide=dataset%2Cnoise" in snippet.input_value()
    assert "noise=10" in snippet.input_value()
    # The keyboard: Space toggles a focused checkbox.
    choices.get_by_label("Noise (%)").focus()
    page.keyboard.press("Space")
    expect(choices.get_by_label("Noise (%)")).not_to_be_checked()
    assert 'hide=dataset"' in snippet.input_value()
    choices.get_by_label("Dataset", exact=True).uncheck()
    assert "hide=" not in snippet.input_value()
    expect(presets).not_to_be_checked()
    presets.check()
    assert "hide=presets" in snippet.input_value()


# ------------------------------------------------------------------ screenshots

@pytest.mark.parametrize("width, scheme", [(1280, "light"), (360, "light"), (1280, "dark")])
def test_screenshots_of_the_editing_features(page, base_url, width, scheme):
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(base_url + PAGE + "?layers=3,2")
    wait_until_ready(page)
    layout = draw.DiagramLayout((2, 3, 2, 1))
    page.locator("#diagram").focus()            # the keyboard: the screenshot's scrolling moves no pointer
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#unit-view")).to_contain_text("unit 2 of hidden layer 1")
    page.locator(".pg-columns").screenshot(path=str(SCREENSHOTS / f"playground-edit-unit-{width}-{scheme}.png"))
    page.locator("#layers").fill("3,,2")
    page.locator("#layers").press("Enter")
    page.locator("#diagram").scroll_into_view_if_needed()    # a click by coordinates must land on screen
    page.mouse.move(*link_middle(page, layout, 2, 1, 0))      # a person points at the link, then clicks
    expect(page.locator("#link-readout")).to_contain_text("Weight from")
    page.mouse.click(*link_middle(page, layout, 2, 1, 0))
    page.locator("#param-value").fill("abc")
    page.locator("#param-value").press("Enter")
    expect(page.locator("#param-error")).to_contain_text("not a number")
    expect(page.locator("#layers-error")).to_contain_text("layer 2 is empty")
    save_screenshot(page, f"playground-edit-{width}-{scheme}")
    page.locator(".pg-columns").screenshot(path=str(SCREENSHOTS / f"playground-edit-panels-{width}-{scheme}.png"))


def test_tapping_links_on_a_phone_opens_their_field_without_pointing_first(browser, base_url):
    """At 360 px on a touch screen a tap sends its mousemove just before the click: the link's
    read-out then replaced the hint (a line longer) and the page moved under the finger, so the
    click missed the link and nothing opened (issue 21)."""
    context = browser.new_context(viewport={"width": 360, "height": 800}, has_touch=True, is_mobile=True,
                                  service_workers="block")
    try:
        page = context.new_page()
        page.goto(base_url + PAGE)
        wait_until_ready(page)
        page.locator("#diagram").scroll_into_view_if_needed()
        layout = draw.DiagramLayout((2, 4, 2, 1))
        half = layout.node / 2
        # Links between the hidden layers, whose read-outs are the longest, tapped in turn.
        for i, j, along in ((3, 1, 0.7), (0, 0, 0.3), (2, 1, 0.25), (1, 0, 0.75)):      # away from crossings
            box = page.locator("#diagram").bounding_box()
            xa, xb = layout.x(1) + half, layout.x(2) - half
            x = xa + along * (xb - xa)
            y = layout.y(1, i) + along * (layout.y(2, j) - layout.y(1, i))
            page.touchscreen.tap(box["x"] + x / layout.width * box["width"], box["y"] + y / layout.height * box["height"])
            expect(page.locator("#param-editor")).to_be_visible()
            expect(page.locator("#param-label")).to_have_text(
                f"Weight from unit {i + 1} of hidden layer 1 to unit {j + 1} of hidden layer 2")
            page.keyboard.press("Escape")
            expect(page.locator("#param-editor")).to_be_hidden()
    finally:
        context.close()
