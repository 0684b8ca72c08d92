"""A safe parser for the formulas a learner types: "(x + y) * z", "tanh(x**2)".

The text is read by Python's own `ast` module (mode="eval") and every node is
checked against a short whitelist; nothing is ever evaluated or compiled to
code.  Any bad input raises `ParseError` whose message starts with the 0-based
column: "position 7: expected an expression after '+'".

`parse(text).evaluate(x=..., ...)` builds a fresh `Value` graph.  Arithmetic
that has no real answer (log(-1), 1/0) gives an undefined node (NaN, with a
note on the function's domain in its trace step) rather than an exception, so a
page can show it.
"""
from __future__ import annotations

import ast
import keyword
import operator
import re
import string
import warnings

from .graph import Value

FUNCTIONS = {"exp": Value.exp, "log": Value.log, "tanh": Value.tanh, "sigmoid": Value.sigmoid,
             "relu": Value.relu, "leaky_relu": Value.leaky_relu, "sin": Value.sin, "cos": Value.cos,
             "sqrt": Value.sqrt}
OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
             ast.Div: operator.truediv, ast.Pow: operator.pow}
MAX_LENGTH = 500
MAX_DEPTH = 50

# Typeset symbols people paste, each replaced one for one so positions stay put.
_PLAIN = str.maketrans({"−": "-", "×": "*", "·": "*", "÷": "/", "\t": " ", "\n": " ", "\r": " "})
_ALLOWED = set(string.ascii_letters + string.digits + " +-*/()._,")
_ALLOWED_TEXT = "numbers, variables, + - * / ** ( ) and " + ", ".join(FUNCTIONS)
# Python syntax the checker names when it turns it away.
_REFUSED = {ast.Attribute: "attribute access ('.')", ast.Tuple: "a list of expressions (',')",
            ast.Compare: "a comparison", ast.BoolOp: "'and'/'or'", ast.IfExp: "'if ... else'",
            ast.Starred: "'*' unpacking", ast.GeneratorExp: "a generator"}


class ParseError(ValueError):
    """Bad expression text; `.position` is the 0-based column of the problem."""

    def __init__(self, message: str, position: int):
        super().__init__(f"position {position}: {message}")
        self.position = position


class Expression:
    """A checked formula.  `.text` as typed, `.variables` in order of first
    appearance, and `.evaluate(**values)` to build its graph."""

    def __init__(self, text: str, tree: ast.expr, variables: tuple):
        self.text = text
        self.variables = variables
        self._tree = tree

    def __repr__(self):
        return f"Expression({self.text!r}, variables={self.variables!r})"

    def evaluate(self, **values) -> Value:
        """Build a fresh graph at these values and return its output node.

        Variables become leaves labelled by name (one leaf per name, however
        often it appears); the output is labelled "f" (unless f is a
        variable), other nodes v1, v2, ...; every node's `.expr` holds its
        sub-expression's text.  Values for names the formula does not use are
        ignored, so a page can always pass all of its sliders."""
        for name in self.variables:
            if name not in values:
                raise ValueError(f"missing a value for variable {name!r}; "
                                 f"this expression uses {', '.join(self.variables)}")
        leaves = {}
        for name in self.variables:
            leaves[name] = Value(values[name], name)
            leaves[name].expr = name
        out = _build(self._tree, leaves)
        if isinstance(out, float):  # a bare number still needs an output node to trace
            out = Value(out)
            out.expr = ast.unparse(self._tree)
        if not out.label and "f" not in leaves:
            out.label = "f"
        return out.label_unnamed()


def parse(text: str) -> Expression:
    """Check `text` and return an Expression, or raise ParseError."""
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}", 0)
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}", MAX_LENGTH)
    source = text.translate(_PLAIN)
    if not source.strip():
        raise ParseError("the expression is empty; expected something like (x + y) * z", 0)
    for word in re.finditer(r"[A-Za-z_]\w*", source):
        if keyword.iskeyword(word.group()):
            raise ParseError(f"'{word.group()}' is a Python keyword, not allowed here; allowed: {_ALLOWED_TEXT}",
                             word.start())
    depth = 0
    for i, char in enumerate(source):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth > MAX_DEPTH:
            raise ParseError(f"more than {MAX_DEPTH} parentheses inside one another; the limit is {MAX_DEPTH}", i)
        if char == "^":
            raise ParseError("use ** for powers (x**2), not ^", i)
        if char not in _ALLOWED:
            raise ParseError(f"unexpected character {char!r}; allowed: {_ALLOWED_TEXT}", i)
    # Python will not parse leading spaces in eval mode; drop them and shift positions back.
    body = source.lstrip()
    shift = len(source) - len(body)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning for "2(x)"; it is refused below anyway
            tree = ast.parse(body, mode="eval").body
    except SyntaxError as error:
        raise _syntax_error(error, body, shift) from None
    except (ValueError, RecursionError, MemoryError):
        raise ParseError("the expression is too complicated to read", 0) from None
    variables = []
    _check(tree, body, shift, 1, variables)
    return Expression(text, tree, tuple(dict.fromkeys(variables)))


def _syntax_error(error: SyntaxError, body: str, shift: int) -> ParseError:
    """Python's SyntaxError turned into a message about this formula."""
    at = (error.offset or 0) - 1
    if "never closed" in error.msg:
        return ParseError("this '(' is never closed; expected ')'", shift + max(at, 0))
    if "unmatched" in error.msg:
        return ParseError("unmatched ')'", shift + max(at, 0))
    if "decimal literal" in error.msg:  # "2x": a number running into a name
        end = max(at, 0)
        while end < len(body) and (body[end].isdigit() or body[end] == "."):
            end += 1
        return ParseError("a number runs into a name; write 2*x for a product", shift + end)
    if "literal" in error.msg:  # "01", "0x"
        return ParseError(f"this is not a valid number ({error.msg})", shift + max(at, 0))
    if not 0 <= at < len(body):  # Python points past the end
        at = len(body.rstrip())
    before = body[:at].rstrip()
    operator_ = "**" if before.endswith("**") else before[-1:]
    if operator_ in ("+", "-", "*", "/", "**", "(", ","):
        return ParseError(f"expected an expression after '{operator_}'", shift + at)
    if at >= len(body):
        return ParseError("the expression ends too early", shift + at)
    return ParseError(f"unexpected {body[at]!r}; expected an operator (+ - * / **) or ')'", shift + at)


def _check(node: ast.AST, body: str, shift: int, depth: int, variables: list) -> None:
    """Refuse anything outside the whitelist; collect variable names in order.
    Positions in `body` are `shift` columns right of those in the text."""
    at = shift + getattr(node, "col_offset", 0)
    if depth > MAX_DEPTH:
        # The graph is built recursively, so what is limited is how many operations one term sits
        # inside, and a flat sum x + x + … is a chain of them: its first x is inside every "+".
        raise ParseError(f"the expression is too deep: a term may sit inside at most {MAX_DEPTH - 1} operations "
                         f"(+ − * / **, signs and functions), so a sum or product has at most {MAX_DEPTH} terms",
                         at)
    if isinstance(node, ast.BinOp):
        if type(node.op) not in OPERATORS:  # only // gets this far
            raise ParseError("'//' is not supported; use / for division",
                             shift + body.find("//", node.left.end_col_offset))
        _check(node.left, body, shift, depth + 1, variables)
        _check(node.right, body, shift, depth + 1, variables)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise ParseError("only - and + may come before a term", at)
        _check(node.operand, body, shift, depth + 1, variables)
    elif isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            if name is None:
                raise ParseError("expected an operator before '('; write a*(b) for a product",
                                 shift + body.find("(", node.func.end_col_offset))
            raise ParseError(f"unknown function {name!r}; allowed: {', '.join(FUNCTIONS)} "
                             f"(for a product write {name}*(...))", at)
        if len(node.args) != 1 or node.keywords:
            raise ParseError(f"{name} takes exactly one argument: {name}(x)", at)
        _check(node.args[0], body, shift, depth + 1, variables)
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise ParseError(f"{node.id} is a function; call it like {node.id}(x)", at)
        if not node.id[0].isalpha():
            raise ParseError(f"variable names start with a letter, unlike {node.id!r}", at)
        variables.append(node.id)
    elif isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise ParseError(f"expected a real number, not {node.value!r}", at)
        try:
            number = float(node.value)
        except OverflowError:
            number = float("inf")
        if number in (float("inf"), float("-inf")):
            raise ParseError("this number is too large", at)
    else:
        what = _REFUSED.get(type(node), type(node).__name__)
        raise ParseError(f"{what} is not allowed; allowed: {_ALLOWED_TEXT}", at)


def _build(node: ast.AST, leaves: dict):
    """The graph for a checked tree; each new node remembers its source text.
    Literal numbers stay floats, so x**2 uses the power rule with n = 2."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return leaves[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _build(node.operand, leaves)
        if isinstance(node.op, ast.UAdd) or isinstance(operand, float):
            return operand if isinstance(node.op, ast.UAdd) else -operand  # -2 is a number, not an op
        out = -operand
    elif isinstance(node, ast.BinOp):
        left, right = _build(node.left, leaves), _build(node.right, leaves)
        if isinstance(left, float) and isinstance(right, float):
            left = Value(left, constant=True)  # "2 / 0" goes through the graph: inf, not an exception
        out = OPERATORS[type(node.op)](left, right)
    else:  # a call, the only node left after _check
        argument = _build(node.args[0], leaves)
        out = FUNCTIONS[node.func.id](argument if isinstance(argument, Value) else Value(argument, constant=True))
    if out.expr is None:
        out.expr = ast.unparse(node)
    return out
