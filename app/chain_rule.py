"""Chain-rule explorer (pages/chain-rule.html): five small graphs, every derivative
from the engine's trace.  What to show is decided in app/chain_rule_model.py; this
module only wires controls, URL state and the DOM."""
import js

from app import chain_rule_model as model
from app import ui

url = ui.UrlState(model.STATE)
state = {}  # the current value of every property in model.STATE


def save_url():
    url.save(state)


def change(name, value, redraw):
    """Record a control's new value, write it to the URL and redraw what depends on it."""
    state[name] = value
    save_url()
    redraw()


# ---------------------------------------------------------------- small DOM helpers


def add(parent, tag_name, text=None, tex=None, cls=None):
    """Append a child element holding plain text or a KaTeX formula."""
    child = js.document.createElement(tag_name)
    if cls:
        child.className = cls
    if text is not None:
        child.textContent = text
    if tex is not None:
        ui.tex(child, tex)
    parent.append(child)
    return child


def draw_graph_in(box, markup):
    """Put a graph's SVG in its box.  On a narrow screen the graph keeps a readable size
    (text no smaller than 60 %) and its box scrolls sideways instead."""
    box.innerHTML = markup  # built by app.svg, which escapes every text
    picture = box.querySelector("svg")
    if picture is not None:
        picture.style.minWidth = f"{0.6 * float(picture.viewBox.baseVal.width):.0f}px"


def wrappable(formula):
    """Full-size fractions, but as inline math: KaTeX can break inline math after = and +,
    so a long chain wraps in a narrow column instead of being cut off."""
    return r"\displaystyle " + formula


def show_notes(element_id, notes):
    """The engine's notes on undefined or infinite values (log of a negative number, an overflow),
    one sentence each; the box is hidden when there are none."""
    ui.set_text(element_id, " ".join(notes))
    ui.element(element_id).hidden = not notes


def clear(element_id):
    box = ui.element(element_id)
    box.replaceChildren()
    return box


class Slider:
    """A range input bound to one number in `state`, showing its value in the <output> beside it."""

    def __init__(self, name, input_id, on_change):
        prop = model.STATE.props[name]
        self.name, self.on_change = name, on_change
        self.input = ui.element(input_id)
        self.output = ui.element(f"{input_id}-out")
        self.input.min, self.input.max = str(prop.low), str(prop.high)
        self.input.step = str(model.SLIDER_STEPS[name])
        self.input.value = str(state[name])
        self.show()
        ui.on(self.input, "input", lambda event: self.changed())

    def show(self):
        self.output.textContent = model.show(state[self.name])

    def changed(self):
        change(self.name, float(self.input.value), self.on_change)
        self.show()


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


def show_derivation(container_id, graph, key):
    """A node's forward formula, local derivative(s) and chain-rule product from the output down."""
    derivation = model.derive(graph, key)
    box = clear(container_id)
    add(box, "h3", f"Node {derivation.heading}")
    if graph.nodes[key].constant:
        add(box, "p", derivation.explanation)
        return derivation
    node, out = graph.nodes[key], graph.output_node
    if node.op != "input":
        add(box, "p", "Forward:", cls="label")
        add(box, "p", tex=derivation.forward_tex, cls="formula")
    add(box, "p", "Local derivative" + ("s" if len(derivation.local) > 1 else "") + ":", cls="label")
    if not derivation.local:
        add(box, "p", f"None: {out.name} is the output, where the backward pass starts.")
    # One formula per use of the node, up to as many as the chain rule below spells out: each
    # is a KaTeX render, redone on every slider step.
    for factor in derivation.local[:model.MAX_PATHS]:
        line = add(box, "p", cls="formula")
        if len(derivation.local) > 1:  # say which use of the node each local derivative belongs to
            add(line, "span", f"into {graph.nodes[factor.child].name}: ", cls="muted")
        add(line, "span", tex=model.local_tex(factor))
    more = len(derivation.local) - model.MAX_PATHS
    if more > 0:
        add(box, "p", f"… and {more} more, one for each other use of {node.name}.", cls="muted")
    add(box, "p", f"Chain rule from {out.name} down to {node.name}:", cls="label")
    add(box, "p", tex=wrappable(derivation.tex), cls="formula")
    add(box, "p", derivation.text, cls="value derivation-text")
    routes = [model.route_text(graph, path) for path in derivation.paths if path.factors]
    if len(routes) == 1:
        add(box, "p", f"One path: {routes[0]}. Multiply the local derivatives along it.", cls="muted")
    elif routes:
        add(box, "p", f"{len(routes)} paths: {'; '.join(routes)}. Multiply along each path, then add the paths.",
            cls="muted")
    add(box, "p", derivation.explanation, cls="muted explanation")
    return derivation


# ---------------------------------------------------------------- panel 1: (x + y) · z


class ClassicPanel:
    def __init__(self):
        for name in ("x", "y", "z"):
            Slider(f"p1{name}", f"p1-{name}", self.update)
        self.view = GraphView("p1-graph", self.select)
        self.update()

    def select(self, key):
        if key in model.STATE.props["p1node"].choices:
            change("p1node", key, self.update)

    def update(self):
        graph = model.classic_graph(state["p1x"], state["p1y"], state["p1z"])
        derivation = show_derivation("p1-detail", graph, state["p1node"])
        self.view.draw(model.draw_traced_graph(
            graph, "Computation graph of f = (x + y) · z with values and gradients",
            selected=state["p1node"], highlight=model.path_edges(derivation),
            edge_labels=model.path_edge_labels(derivation), marker_id="p1-arrow"))


# ---------------------------------------------------------------- panel 2: y = f(g(x))


class CompositionPanel:
    def __init__(self):
        Slider("p2x", "p2-x", self.update)
        for select_id, name, variable in (("p2-inner", "p2g", "x"), ("p2-outer", "p2f", "u")):
            options = [(key, function.of(variable)) for key, function in model.UNARY_FUNCTIONS.items()]
            select = ui.fill_select(select_id, options, state[name])
            ui.on(select, "change", lambda event, name=name: change(name, str(event.target.value), self.update))
        self.update()

    def update(self):
        c = model.compose(state["p2g"], state["p2f"], state["p2x"])
        inner, outer = model.UNARY_FUNCTIONS[state["p2g"]], model.UNARY_FUNCTIONS[state["p2f"]]
        ui.set_text("p2-formula", c.formula)
        ui.set_text("p2-u", model.show(c.u))
        ui.set_text("p2-y", model.show(c.y))
        ui.set_text("p2-du", model.show(c.du_dx.value))
        ui.set_text("p2-dy", model.show(c.dy_du.value))
        ui.set_text("p2-dydx", model.show(c.dy_dx))
        ui.tex("p2-u-tex", f"u = {inner.tex_of('x')}")
        ui.tex("p2-y-tex", f"y = {outer.tex_of('u')}")
        ui.tex("p2-du-tex", model.local_tex(c.du_dx, model.ordinary("u", "x")))
        ui.tex("p2-dy-tex", model.local_tex(c.dy_du, model.ordinary("y", "u")))
        ui.tex("p2-dydx-tex", rf"\frac{{dy}}{{dx}} = \frac{{dy}}{{du}} \cdot \frac{{du}}{{dx}}")
        ui.set_text("p2-product", c.product_text())
        show_notes("p2-note", c.notes)
        edges = {("x", "u"): f"du/dx = {model.show(c.du_dx.value)}", ("u", "y"): f"dy/du = {model.show(c.dy_du.value)}"}
        draw_graph_in(ui.element("p2-graph"), model.draw_traced_graph(
            c.graph, "The chain x → u → y with the local derivative on each edge",
            highlight=tuple(edges), edge_labels=edges, marker_id="p2-arrow"))


# ---------------------------------------------------------------- panel 3: three plots in lockstep


class LockstepPanel:
    def __init__(self):
        Slider("p3x", "p3-x", self.update)
        self.update()

    def update(self):
        result = model.lockstep(state["p3x"])
        for stage, factor in zip(model.STAGES, result.locals):
            argument, value = result.point(stage)
            ui.set_svg(f"p3-plot-{stage.key}", model.plot_stage(stage, result))
            ui.set_text(f"p3-at-{stage.key}", model.fixed(argument))
            ui.set_text(f"p3-out-{stage.key}", model.fixed(value))
            ui.set_text(f"p3-local-{stage.key}", model.fixed(factor.value))
            ui.tex(f"p3-local-{stage.key}-tex", model.stage_local_tex(stage, factor))
        ui.set_text("p3-product", model.fixed(result.product))
        ui.set_text("p3-fd", model.fixed(result.finite_difference))


# ---------------------------------------------------------------- panel 4: animated backward pass

STEP_MS = 1100  # long enough to read the edge label before the next one lights up


class BackwardPanel:
    def __init__(self):
        for name in ("p4w", "p4x", "p4b", "p4y"):  # the text boxes are #p4-w, #p4-x, ...
            ui.NumberField(f"p4-{name[2:]}", state[name], lambda value, name=name: change(name, value, self.rebuild),
                           low=model.STATE.props[name].low, high=model.STATE.props[name].high)
        self.index = 0
        self.next_time = 0.0
        self.loop = ui.Loop(self.tick)
        ui.on("p4-play", "click", lambda event: self.play())
        ui.on("p4-prev", "click", lambda event: self.step(-1))
        ui.on("p4-next", "click", lambda event: self.step(+1))
        ui.on("p4-end", "click", lambda event: self.step(len(self.frames)))
        ui.on("panel-4", "keydown", self.key_pressed)
        self.rebuild()

    def rebuild(self):
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
        self.loop.stop()
        self.go(max(0, min(len(self.frames) - 1, self.index + delta)))

    def play(self):
        if js.window.matchMedia("(prefers-reduced-motion: reduce)").matches:
            # No moving highlight for people who asked for less motion: show the result, step by hand.
            self.go(len(self.frames) - 1)
            ui.set_text("p4-counter", "Reduced motion is on: showing the end. Use ← and → to step.")
            return
        self.go(0)
        self.next_time = js.performance.now() + STEP_MS
        self.loop.start()

    def tick(self, _deadline):
        now = js.performance.now()
        if self.index >= len(self.frames) - 1:
            return False
        if now < self.next_time:
            return True
        self.go(self.index + 1)
        self.next_time = now + STEP_MS
        return self.index < len(self.frames) - 1

    def go(self, index):
        self.index = index
        frame = self.frames[index]
        graph = self.graph
        edges = (frame.edge,) if frame.edge else ()
        labels = {frame.edge: frame.edge_label} if frame.edge else {}
        draw_graph_in(ui.element("p4-graph"), model.draw_traced_graph(
            graph, f"Backward pass, step {index + 1} of {len(self.frames)}", selected=frame.active,
            highlight=edges, edge_labels=labels, grads=frame.grads,
            focusable=False, marker_id="p4-arrow", spacing=(170, 95)))  # keys here step (← →), not choose nodes
        ui.tex("p4-step-tex", wrappable(frame.tex))
        ui.set_text("p4-step-text", frame.text)
        ui.set_text("p4-counter", f"Step {index + 1} of {len(self.frames)}")
        ui.element("p4-prev").disabled = index == 0
        ui.element("p4-next").disabled = index == len(self.frames) - 1
        self.show_results(index == len(self.frames) - 1)

    def show_results(self, finished):
        box = clear("p4-results")
        out = self.graph.output_node
        add(box, "dt", "L")
        add(box, "dd", model.show(out.value), cls="value")
        for key in ("w", "x", "b"):
            add(box, "dt", f"∂L/∂{key}")
            add(box, "dd", model.show(self.graph.grad(key)) if finished else "… (run the backward pass)",
                cls="value").id = f"p4-grad-{key}"


# ---------------------------------------------------------------- panel 5: your own expression


class ExpressionPanel:
    def __init__(self):
        self.input = ui.element("p5-expr")
        self.input.value = state["expr"]
        self.expression = model.check_expression(state["expr"])  # the URL value was checked already
        for name in model.ALLOWED_VARIABLES:
            Slider(f"p5{name}", f"p5-{name}", self.update)
        self.view = GraphView("p5-graph", self.select)
        # The chosen node's derivation (up to a dozen KaTeX formulas) is drawn a frame after the
        # graph: each is a task of its own, under 100 ms, and a slider dragged through several
        # values in one frame typesets them once.
        self.detail = None
        self.detail_loop = ui.Loop(self.show_detail)
        presets = ui.element("p5-presets")
        for text, label in model.PRESETS:
            button = add(presets, "button", label)
            button.type = "button"
            button.setAttribute("aria-label", f"Use the preset {label}")
            ui.on(button, "click", lambda event, text=text: self.use(text))
        ui.on("p5-draw", "click", lambda event: self.submit())
        ui.on(self.input, "keydown", lambda event: self.submit() if event.key == "Enter" else None)
        self.update()
        self.show_detail()  # at start, with the rest of the page

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
        if state["p5node"] not in expression.variables:
            state["p5node"] = expression.variables[0] if expression.variables else "f"
        change("expr", text, self.update)

    def show_error(self, text, error):
        self.input.setAttribute("aria-invalid", "true" if error else "false")
        ui.set_text("p5-expr-error", f"Not drawn: {error}. The graph below is still the last valid expression."
                    if error else "")
        caret = ui.element("p5-expr-caret")
        caret.hidden = error is None
        caret.textContent = model.caret_line(text, error.position) if error else ""

    def select(self, key):
        change("p5node", key, self.update)

    def update(self):
        for name in model.ALLOWED_VARIABLES:
            ui.element(f"p5-{name}-field").hidden = name not in self.expression.variables
        values = {name: state[f"p5{name}"] for name in model.ALLOWED_VARIABLES}
        graph = model.expression_graph(self.expression, values)
        if state["p5node"] not in graph.nodes:
            state["p5node"] = graph.output
        derivation = model.derive(graph, state["p5node"])
        self.detail = (graph, state["p5node"])
        self.detail_loop.start()
        self.view.draw(model.draw_traced_graph(
            graph, f"Computation graph of f = {self.expression.text}", selected=state["p5node"],
            highlight=model.path_edges(derivation), edge_labels=model.path_edge_labels(derivation),
            marker_id="p5-arrow"))
        box = clear("p5-results")
        out = graph.output_node
        add(box, "dt", "f")
        add(box, "dd", model.show(out.value), cls="value").id = "p5-value"
        for leaf in graph.leaves():
            add(box, "dt", f"∂f/∂{leaf.name}")
            add(box, "dd", model.show(graph.grad(leaf.key)), cls="value").id = f"p5-grad-{leaf.key}"
        show_notes("p5-note", graph.notes)

    def show_detail(self, _deadline=None):
        """The derivation of the chosen node in the newest graph (Loop work: once, then stop)."""
        if self.detail is not None:
            graph, key = self.detail
            self.detail = None
            show_derivation("p5-detail", graph, key)
        return False


# ---------------------------------------------------------------- start


def show_panel(number):
    """Which panel an embedded page shows (the CSS reads <html data-panel>)."""
    state["panel"] = number
    js.document.documentElement.dataset.panel = number
    for button in ui.element("panel-switcher").querySelectorAll("button"):
        button.setAttribute("aria-pressed", "true" if button.dataset.panel == number else "false")


def choose_panel(event):
    button = ui.closest(event, "button")
    if button is not None:
        show_panel(str(button.dataset.panel))
        save_url()


def main():
    state.update(url.load())
    show_panel(state["panel"])
    ui.on("panel-switcher", "click", choose_panel)
    ClassicPanel()
    CompositionPanel()
    LockstepPanel()
    BackwardPanel()
    ExpressionPanel()
    ui.ready()


ui.start(main)
