"""The engine's shape: it runs unchanged in CPython and in Pyodide, and a learner
can read it, because it imports nothing but NumPy, the standard library and
itself: no browser modules (js, pyodide, pyscript), no app code, no other
packages.  The files are parsed, not imported, so an import hidden inside a
function or behind `if sys.platform == ...` counts too."""
import ast
import sys
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "engine"
ALLOWED = {"numpy"} | set(sys.stdlib_module_names)


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, top-level module name) of every absolute import in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:  # level > 0: from . import x
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def test_the_check_sees_every_kind_of_import():
    source = ("import numpy as np\nimport js\nfrom pyodide.ffi import create_proxy\n"
              "from . import graph\ndef f():\n    import app.ui\n")
    assert imported_modules(source) == [(1, "numpy"), (2, "js"), (3, "pyodide"), (6, "app")]


@pytest.mark.parametrize("path", sorted(ENGINE.glob("*.py")), ids=lambda p: p.name)
def test_engine_imports_only_numpy_and_the_standard_library(path):
    outside = [f"{path.name}:{line} imports {module}"
               for line, module in imported_modules(path.read_text(encoding="utf-8"))
               if module not in ALLOWED]
    assert not outside, "engine/ may import only NumPy and the standard library: " + "; ".join(outside)
