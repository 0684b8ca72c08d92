"""Chain-rule explorer (pages/chain-rule.html): five small graphs, every derivative from the
engine's trace.  What to show is decided in app/chain_rule_model.py and drawn in
app/chain_rule_draw.py; this module binds the controls, the link and the DOM.

One ChainRulePage owns the state (one value per property of model.STATE); each of the five
panels reads it from the page and sends every change back through page.change()."""
import js

from app import chain_rule_draw as draw
from app import chain_rule_model as model
from app import code_view, ui
from engine.text import fixed, gradient_name, plain

TALLY_KEY = "predictions:chain-rule"
# Each panel's Python view and the property that says whether it is open (in the link).
CODE_VIEWS = [(f"p{panel}-code", f"p{panel}code") for panel in range(1, 6)]

# ---------------------------------------------------------------- small DOM helpers


# A graph's labels are 12 px at full size (site.css); a graph is never drawn so small that they
# fall below SMALLEST_TEXT_PX: its box scrolls instead, and says so.
LABEL_TEXT_PX = 12
SMALLEST_TEXT_PX = 11
GRAPH_BOXES = ("p1-graph", "p2-graph", "p4-graph", "p5-graph")


def draw_graph_in(box, markup):
    """Put a graph's SVG in its box, at least at the size that keeps its text readable (on a
    narrow screen, or for a big expression, the box then scrolls sideways)."""
    box.innerHTML = markup  # built by app.svg, which escapes every text
    picture = box.querySelector("svg")
    if picture is not None:
        view = picture.viewBox.baseVal
        scale = SMALLEST_TEXT_PX / LABEL_TEXT_PX
        # Both: a minimum width alone lets max-height shrink a tall picture inside its box.
        picture.style.minWidth = f"{scale * float(view.width):.0f}px"
        picture.style.minHeight = f"{scale * float(view.height):.0f}px"
    show_scroll_cue(box)


def follow(box, element):
    """Scroll a graph box sideways, not the page, so that element (the active node) is in view."""
    outer, inner = box.getBoundingClientRect(), element.getBoundingClientRect()
    if inner.left < outer.left or inner.right > outer.right:
        box.scrollLeft += (inner.left + inner.right) / 2 - (outer.left + outer.right) / 2


def show_scroll_cue(box):
    """The line under a graph box that says it scrolls sideways, shown only when it does
    (and the box's class "scrolls" adds shadows at the edge that has more)."""
    scrolls = box.scrollWidth > box.clientWidth + 1
    box.classList.toggle("scrolls", scrolls)
    cue = js.document.getElementById(f"{box.id}-cue")
    if cue is not None:
        cue.hidden = not scrolls


def show_notes(element_id, notes):
    """The engine's notes on undefined or infinite values (log of a negative number, an overflow),
    one sentence each; the box is hidden when there are none."""
    ui.set_text(element_id, " ".join(notes))
    ui.element(element_id).hidden = not notes


def emptied(element_id):
    box = ui.element(element_id)
    box.replaceChildren()
    return box


def add_formula(parent, formula):
    """A KaTeX formula in a new paragraph of parent."""
    ui.tex(ui.create("p", parent=parent, class_="formula"), formula)


class GraphView:
    """An SVG graph in a container whose nodes are chosen by click, or by Enter/Space when focused."""

    def __init__(self, container_id, on_select):
        self.box = ui.element(container_id)
        self.on_select = on_select
        ui.on(self.box, "click", self.clicked)
        ui.on(self.box, "keydown", self.key_pressed)

    def _node_key(self, event):
        node = ui.closest(event, "[data-key]")
        return None if node is None else str(node.dataset.key)

    def clicked(self, event):
        key = self._node_key(event)
        if key is not None:
            self.on_select(key)

    def key_pressed(self, event):
        key = self._node_key(event)
        if key is not None and event.key in ("Enter", " "):
            event.preventDefault()
            self.on_select(key)

    def draw(self, markup):
        """Replace the picture; a node that had focus keeps it (the markup is rebuilt on every change)."""
        focused = js.document.activeElement
        focused_key = None
        if focused is not None and self.box.contains(focused) and focused.dataset is not None:
            focused_key = focused.dataset.key
        draw_graph_in(self.box, markup)
        if focused_key:
            for node in self.box.querySelectorAll("[data-key]"):
                if node.dataset.key == focused_key:
                    node.focus()


def show_derivation(container_id, graph, derivation):
    """A node's forward formula, local derivative(s) and chain-rule product from the output down."""
    box = emptied(container_id)
    ui.create("h3", f"Node {derivation.heading}", parent=box)
    node, out = graph.nodes[derivation.key], graph.output_node
    if node.constant:
        ui.create("p", derivation.explanation, parent=box)
        return
    if node.op != "input":
        ui.create("p", "Forward:", parent=box, class_="label")
        add_formula(box, derivation.forward_tex)
    ui.create("p", "Local derivative" + ("s" if len(derivation.local) > 1 else "") + ":", parent=box, class_="label")
    if not derivation.local:
        ui.create("p", f"None: {out.name} is the output, where the backward pass starts.", parent=box)
    # One formula per use of the node, up to as many as the chain rule below spells out: each
    # is a KaTeX render, redone on every slider step.
    for factor in derivation.local[:model.MAX_PATHS]:
        line = ui.create("p", parent=box, class_="formula")
        if len(derivation.local) > 1:  # say which use of the node each local derivative belongs to
            ui.create("span", f"into {graph.nodes[factor.child].name}: ", parent=line, class_="muted")
        ui.tex(ui.create("span", parent=line), model.local_tex(factor))
    more = len(derivation.local) - model.MAX_PATHS
    if more > 0:
        ui.create("p", f"… and {more} more, one for each other use of {node.name}.", parent=box, class_="muted")
    ui.create("p", f"Chain rule from {out.name} down to {node.name}:", parent=box, class_="label")
    add_formula(box, draw.wrappable(derivation.tex))
    ui.create("p", derivation.text, parent=box, class_="value derivation-text")
    routes = [model.route_text(graph, path) for path in derivation.paths if path.factors]
    if len(routes) == 1:
        ui.create("p", f"One path: {routes[0]}. Multiply the local derivatives along it.", parent=box, class_="muted")
    elif routes:
        ui.create("p", f"{len(routes)} paths: {'; '.join(routes)}. Multiply along each path, then add the paths.",
                  parent=box, class_="muted")
    ui.create("p", derivation.explanation, parent=box, class_="muted explanation")


# ---------------------------------------------------------------- panel 1: (x + y) · z


class ClassicPanel:
    controls = (("p1-x", "p1x"), ("p1-y", "p1y"), ("p1-z", "p1z"))   # (element id, property)
    names = ("p1x", "p1y", "p1z", "p1node")                            # what it shows depends on

    def __init__(self, page):
        self.page = page
        self.view = GraphView("p1-graph", self.select)
        self.graph = None       # the graph on screen, whose chosen node's code the Python view shows
        self.code = ui.CodeView("p1-code", lambda: code_view.chosen_node(self.graph, self.page.state["p1node"]))

    def select(self, key):
        if key in model.STATE.props["p1node"].choices:
            self.page.change("p1node", key)

    def update(self):
        state = self.page.state
        graph = self.graph = model.classic_graph(state["p1x"], state["p1y"], state["p1z"])
        derivation = model.derive(graph, state["p1node"])
        show_derivation("p1-detail", graph, derivation)
        self.code.refresh()
        self.view.draw(draw.derivation_picture(
            graph, derivation, "Computation graph of f = (x + y) · z with values and gradients", "p1-arrow"))


# ---------------------------------------------------------------- panel 2: y = f(g(x))


class CompositionPanel:
    controls = (("p2-x", "p2x"), ("p2-inner", "p2g"), ("p2-outer", "p2f"))
    names = ("p2x", "p2g", "p2f")

    def __init__(self, page):
        self.page = page
        self.composition = None     # what is on screen, whose ops the Python view shows
        self.code = ui.CodeView("p2-code", lambda: code_view.graph_ops(self.composition.graph))

    def update(self):
        state = self.page.state
        c = self.composition = model.compose(state["p2g"], state["p2f"], state["p2x"])
        ui.set_text("p2-formula", c.formula)
        ui.set_text("p2-u", plain(c.u))
        ui.set_text("p2-y", plain(c.y))
        ui.set_text("p2-du", plain(c.du_dx.value))
        ui.set_text("p2-dy", plain(c.dy_du.value))
        ui.set_text("p2-dydx", plain(c.dy_dx))
        ui.tex("p2-u-tex", c.u_tex)
        ui.tex("p2-y-tex", c.y_tex)
        ui.tex("p2-du-tex", model.local_tex(c.du_dx, model.ordinary("u", "x")))
        ui.tex("p2-dy-tex", model.local_tex(c.dy_du, model.ordinary("y", "u")))
        ui.tex("p2-dydx-tex", r"\frac{dy}{dx} = \frac{dy}{du} \cdot \frac{du}{dx}")
        ui.set_text("p2-product", c.product_text())
        show_notes("p2-note", c.notes)
        draw_graph_in(ui.element("p2-graph"), draw.composition_picture(c))
        self.code.refresh()


# ---------------------------------------------------------------- panel 3: three plots in lockstep


class LockstepPanel:
    controls = (("p3-x", "p3x"), ("p3-predict", "predict"))
    names = ("p3x", "predict")

    def __init__(self, page):
        self.page = page
        self.question = None    # predict mode: df/dx for the x shown
        self.answered = {}      # verdicts by question key (the x)
        self.predict_panel = ui.PredictPanel("p3-predict-panel", TALLY_KEY, self.on_answer, prefix="p3-predict")
        self.listing = None     # the Python view's: the same three ops at every x, so built once, when first opened
        self.code = ui.CodeView("p3-code", self.code_listing)

    def on_answer(self, _response, verdict):
        self.answered[self.question.key] = verdict.message
        self.update()

    def code_listing(self):
        if self.listing is None:
            self.listing = code_view.graph_ops(model.lockstep(self.page.state["p3x"]).graph, check=True)
        return self.listing

    def update(self):
        result = model.lockstep(self.page.state["p3x"])
        for stage, factor in zip(model.STAGES, result.locals):
            argument, value = result.point(stage)
            ui.set_svg(f"p3-plot-{stage.key}", draw.plot_stage(stage, result))
            ui.set_text(f"p3-at-{stage.key}", fixed(argument))
            ui.set_text(f"p3-out-{stage.key}", fixed(value))
            ui.set_text(f"p3-local-{stage.key}", fixed(factor.value))
            ui.tex(f"p3-local-{stage.key}-tex", model.stage_local_tex(stage, factor))
        # Predict mode: the product and its check wait for the learner's df/dx.
        self.question = model.lockstep_question(result) if self.page.state["predict"] else None
        waiting = self.question is not None and self.question.key not in self.answered
        ui.set_text("p3-product", "?" if waiting else fixed(result.product))
        ui.set_text("p3-fd", "?" if waiting else fixed(result.finite_difference))
        self.predict_panel.show(self.question, self.answered.get(self.question and self.question.key))
        ui.element("panel-3").classList.toggle("predicting", self.question is not None)


# ---------------------------------------------------------------- panel 4: animated backward pass

STEP_MS = 1100  # long enough to read the edge label before the next one lights up


class BackwardPanel:
    controls = (("p4-w", "p4w"), ("p4-x", "p4x"), ("p4-b", "p4b"), ("p4-y", "p4y"), ("p4-predict", "predict"),
                ("p4-ask", "p4ask"))
    names = ("p4w", "p4x", "p4b", "p4y", "predict", "p4ask")

    def __init__(self, page):
        self.page = page
        self.graph = None       # the neuron's traced graph for the current inputs
        self.frames = []        # its backward pass, one edge a frame
        self.index = 0          # the frame shown
        self.next_time = 0.0    # when the animation shows the next frame (performance.now())
        self.loop = ui.Loop(self.tick)
        self.paused = False     # the animation was paused part-way (the button then says Resume)
        self.question = None    # predict mode: what the frame shown asks
        self.answered = {}      # verdicts by (question key, why): new inputs ask again
        self.predict_panel = ui.PredictPanel("p4-predict-panel", TALLY_KEY, self.on_answer, prefix="p4-predict")
        self.play_button = ui.element("p4-play")
        ui.on(self.play_button, "click", lambda event: self.play_or_pause())
        ui.on("p4-prev", "click", lambda event: self.step(-1))
        ui.on("p4-next", "click", lambda event: self.step(+1))
        ui.on("p4-end", "click", lambda event: self.step(len(self.frames)))
        ui.on("panel-4", "keydown", self.key_pressed)
        self.code = ui.CodeView("p4-code", self.code_listing)

    def update(self):
        """New inputs: a new graph and backward pass, at the same step."""
        state = self.page.state
        self.graph = model.neuron_graph(state["p4w"], state["p4x"], state["p4b"], state["p4y"])
        self.frames = model.backward_frames(self.graph)
        self.go(min(self.index, len(self.frames) - 1))

    def key_pressed(self, event):
        if str(event.target.tagName) in ("INPUT", "SELECT", "TEXTAREA"):
            return  # arrows move the caret in a text box
        if event.key in ("ArrowLeft", "ArrowRight"):
            event.preventDefault()
            self.step(-1 if event.key == "ArrowLeft" else +1)

    def step(self, delta):
        """Move by delta frames (clamped to the first and last); stops a running animation."""
        self.stop(paused=False)
        self.go(max(0, min(len(self.frames) - 1, self.index + delta)))

    def play_or_pause(self):
        """The one button: Animate (from the start), Pause while it runs, Resume after a pause."""
        if self.loop.running:
            self.stop(paused=True)
        else:
            self.play()

    def play(self):
        if js.window.matchMedia("(prefers-reduced-motion: reduce)").matches:
            # No moving highlight for people who asked for less motion: show the result, step by hand.
            self.go(len(self.frames) - 1)
            ui.set_text("p4-counter", "Reduced motion is on: showing the end. Use ← and → to step.")
            return
        if not self.paused or self.index >= len(self.frames) - 1:
            self.go(0)
        self.paused = False
        self.next_time = js.performance.now() + STEP_MS
        self.loop.start()
        self.show_play_button()

    def stop(self, paused):
        self.loop.stop()
        self.paused = paused
        self.show_play_button()

    def show_play_button(self):
        """The button's text (its accessible name) says what a press does now."""
        running = self.loop.running
        self.play_button.textContent = ("Pause" if running else "Resume animation" if self.paused
                                        else "Animate backward pass")

    def on_answer(self, _response, verdict):
        self.answered[(self.question.key, self.question.why)] = verdict.message
        self.go(self.index)

    def waiting(self) -> bool:
        return self.question is not None and (self.question.key, self.question.why) not in self.answered

    def tick(self, _deadline):
        now = js.performance.now()
        if self.index < len(self.frames) - 1 and now >= self.next_time:
            self.go(self.index + 1)
            self.next_time = now + STEP_MS
            if self.waiting():      # predict mode: the animation waits for the answer
                self.stop(paused=True)
                self.predict_panel.focus_answer()
                return False
        if self.index >= len(self.frames) - 1:
            self.stop(paused=False)   # the end: the button offers the animation again
            return False
        return True

    def go(self, index):
        self.index = index
        frame, last = self.frames[index], len(self.frames) - 1
        state = self.page.state
        ui.element("p4-ask").hidden = not state["predict"]
        self.question = model.frame_question(frame, state["p4ask"]) if state["predict"] else None
        waiting = self.waiting()
        box = ui.element("p4-graph")
        draw_graph_in(box, draw.backward_picture(self.graph, self.frames, index, withheld=waiting))
        active = box.querySelector(".node.active")
        if active is not None:   # on a narrow screen the graph scrolls: keep the step in view
            follow(box, active)
        # Predict mode: the step's factors are on screen, its result waits for the answer.
        ui.tex("p4-step-tex", draw.wrappable(frame.asked_tex if waiting else frame.tex))
        ui.set_text("p4-step-text", model.ASKED_TEXT if waiting else frame.text)
        ui.set_text("p4-counter", f"Step {index + 1} of {len(self.frames)}")
        ui.element("p4-prev").disabled = index == 0
        ui.element("p4-next").disabled = index == last
        self.show_results(self.frames[index - 1] if waiting else frame)
        key = self.question and (self.question.key, self.question.why)
        self.predict_panel.show(self.question, self.answered.get(key))
        ui.element("panel-4").classList.toggle("predicting", bool(state["predict"]))
        self.code.refresh()

    def code_listing(self):
        """The engine code of this step: the op whose local derivative it multiplies, and backward()."""
        edge = self.frames[self.index].edge
        if edge is None:
            return code_view.graph_step("backward", "", 0, start=True)
        child = self.graph.nodes[edge[1]]
        return code_view.graph_step("backward", child.op, len(child.inputs))

    def show_results(self, frame):
        """L, and each input's gradient from the step that computes it on (never ahead of the steps)."""
        box = emptied("p4-results")
        ui.create("dt", "L", parent=box)
        ui.create("dd", plain(self.graph.output_node.value), parent=box, class_="value")
        for key in ("w", "x", "b"):
            ui.create("dt", gradient_name(key), parent=box)
            ui.create("dd", plain(frame.grads[key]) if key in frame.grads else "… (not reached yet)",
                      parent=box, class_="value", id=f"p4-grad-{key}")


# ---------------------------------------------------------------- panel 5: your own expression


class ExpressionPanel:
    controls = tuple((f"p5-{name}", f"p5{name}") for name in model.ALLOWED_VARIABLES)
    names = ("expr", "p5node") + tuple(f"p5{name}" for name in model.ALLOWED_VARIABLES)

    def __init__(self, page):
        self.page = page
        self.input = ui.element("p5-expr")
        self.input.value = page.state["expr"]
        self.expression = model.check_expression(page.state["expr"])  # the link's value was checked already
        self.view = GraphView("p5-graph", self.select)
        # The chosen node's derivation (up to a dozen KaTeX formulas) is drawn a frame after the
        # graph: each is a task of its own, under 100 ms, and a slider dragged through several
        # values in one frame typesets them once.
        self.detail = None      # (graph, derivation) still to show, or None
        self.detail_loop = ui.Loop(self.show_detail)
        self.chosen = None      # (the graph on screen, its chosen node), whose code the Python view shows
        self.code = ui.CodeView("p5-code", lambda: code_view.chosen_node(*self.chosen))
        presets = ui.element("p5-presets")
        for text, label in model.PRESETS:
            button = ui.create("button", label, parent=presets, type="button", aria_label=f"Use the preset {label}")
            ui.on(button, "click", lambda event, text=text: self.use(text))
        ui.on("p5-draw", "click", lambda event: self.submit())
        ui.on(self.input, "keydown", lambda event: self.submit() if event.key == "Enter" else None)

    def use(self, text):
        self.input.value = text
        self.submit()

    def submit(self):
        text = str(self.input.value)
        try:
            expression = model.check_expression(text)
        except model.ParseError as error:
            self.show_error(text, error)
            return  # the previous expression and its graph stay
        self.show_error(text, None)
        self.expression = expression
        state = self.page.state
        state["expr"] = text
        if state["p5node"] not in expression.variables:  # an operation's key means another node now
            state["p5node"] = expression.variables[0] if expression.variables else "f"
        self.page.save_url()
        self.update()

    def show_error(self, text, error):
        self.input.setAttribute("aria-invalid", "true" if error else "false")
        ui.set_text("p5-expr-error", f"Not drawn: {error}. The graph below is still the last valid expression."
                    if error else "")
        caret = ui.element("p5-expr-caret")
        caret.hidden = error is None
        caret.textContent = model.caret_line(text, error.position) if error else ""

    def select(self, key):
        self.page.change("p5node", key)

    def update(self):
        state = self.page.state
        for name in model.ALLOWED_VARIABLES:
            ui.element(f"p5-{name}-field").hidden = name not in self.expression.variables
        graph = model.expression_graph(self.expression, {name: state[f"p5{name}"] for name in model.ALLOWED_VARIABLES})
        if state["p5node"] not in graph.nodes:
            state["p5node"] = graph.output
        derivation = model.derive(graph, state["p5node"])
        self.chosen = (graph, state["p5node"])
        self.code.refresh()
        self.detail = (graph, derivation)
        self.detail_loop.start()
        self.view.draw(draw.derivation_picture(
            graph, derivation, f"Computation graph of f = {self.expression.text}", "p5-arrow"))
        box = emptied("p5-results")
        ui.create("dt", "f", parent=box)
        ui.create("dd", plain(graph.output_node.value), parent=box, class_="value", id="p5-value")
        for leaf in graph.leaves():
            ui.create("dt", f"grad {leaf.name}", parent=box)
            ui.create("dd", plain(graph.grad(leaf.key)), parent=box, class_="value", id=f"p5-grad-{leaf.key}")
        show_notes("p5-note", graph.notes)

    def show_detail(self, _deadline=None):
        """The derivation of the chosen node in the newest graph (Loop work: once, then stop)."""
        if self.detail is not None:
            graph, derivation = self.detail
            self.detail = None
            show_derivation("p5-detail", graph, derivation)
        return False


# ---------------------------------------------------------------- the page


class ChainRulePage:
    def __init__(self, url: ui.UrlState):
        self.url = url
        self.state = url.load()         # the current value of every property in model.STATE
        self.expression_panel = ExpressionPanel(self)
        self.panels = (ClassicPanel(self), CompositionPanel(self), LockstepPanel(self), BackwardPanel(self),
                       self.expression_panel)
        self.panels_of = {}     # which panels redraw for a property (predict mode: panels 3 and 4)
        for panel in self.panels:
            for name in panel.names:
                self.panels_of.setdefault(name, []).append(panel)
        self.controls = ui.Controls(url, [binding for panel in self.panels for binding in panel.controls]
                                    + CODE_VIEWS, self.state, self.change, on_slide=self.slide)
        ui.on("panel-switcher", "click", self.choose_panel)
        ui.on(js.window, "resize", lambda event: self.show_scroll_cues())
        self.show_panel(self.state["panel"])
        for panel in self.panels:
            panel.update()
        self.expression_panel.show_detail()  # at start, with the rest of the page
        # The link now says what the page shows: a value it refused or clamped (the note says
        # which) does not stay in the address bar.
        self.save_url()

    def save_url(self):
        self.url.save(self.state)

    def slide(self, name, value):
        """A slider moving: its panel follows at once; the link is written when it is let go."""
        self.state[name] = value
        for panel in self.panels_of[name]:
            panel.update()

    def change(self, name, value):
        """A committed change (a slider let go, a menu, a number, a node chosen): the link
        follows, and the panel redraws unless it shows this value already (a slider's)."""
        if self.state[name] != value:
            self.state[name] = value
            for panel in self.panels_of[name]:
                panel.update()
        self.save_url()

    def show_panel(self, number):
        """Which panel an embedded page shows (the CSS reads <html data-panel>)."""
        self.state["panel"] = number
        js.document.documentElement.dataset.panel = number
        for button in ui.element("panel-switcher").querySelectorAll("button"):
            button.setAttribute("aria-pressed", "true" if button.dataset.panel == number else "false")
        self.show_scroll_cues()  # a panel shown now has a width only now

    def show_scroll_cues(self):
        for box_id in GRAPH_BOXES:
            show_scroll_cue(ui.element(box_id))

    def choose_panel(self, event):
        button = ui.closest(event, "button")
        if button is not None:
            self.show_panel(str(button.dataset.panel))
            self.save_url()


def main(url):
    ChainRulePage(url)
    ui.ready()


ui.start(main, model.STATE)   # if main fails after reading the link, the page restarts without it
