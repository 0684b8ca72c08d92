"""The shape every lesson page keeps (docs/PAGES.md), checked so that a new page copies it:

- page P is `app/P.py` (the only module touching the DOM), `app/P_model.py` (state and logic)
  and `app/P_draw.py` (SVG and markup), and pages/P.html imports `app.P`;
- `_model` and `_draw` modules are pure: no browser module (`js`, `pyodide`, `pyscript`);
- a page's modules never import another page's;
- every class in a page module creates all its attributes in `__init__`, so a reader finds
  the whole state of an object in one place.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
BROWSER_MODULES = {"js", "pyodide", "pyscript", "pyodide_js"}


def lesson_pages() -> dict[str, str]:
    """pages/<file>.html -> the app module it imports, for every page that runs a lesson."""
    found = {}
    for html in sorted((ROOT / "pages").glob("*.html")):
        match = re.search(r'<script type="py"[^>]*>\s*import (app\.\w+)\s*</script>', html.read_text(encoding="utf-8"))
        if match and html.stem not in ("probe",):
            found[html.stem] = match.group(1)
    return found


PAGES = lesson_pages()
MODULES = {module.split(".")[1] for module in PAGES.values()}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "app":        # from app import chain_rule_model
                names |= {f"app.{alias.name}" for alias in node.names}
    return names


def page_of(module: str) -> str | None:
    """The page a module of app/ belongs to (chain_rule_draw -> chain_rule), or None if shared."""
    for page in MODULES:
        if module in (page, f"{page}_model", f"{page}_draw"):
            return page
    return None


def test_every_lesson_page_is_three_modules():
    assert set(PAGES) >= {"chain-rule", "step-through", "gradients", "playground"}
    for page in MODULES:
        for module in (page, f"{page}_model", f"{page}_draw"):
            assert (APP / f"{module}.py").exists(), f"app/{module}.py is missing"


@pytest.mark.parametrize("module", sorted(f"{p}{part}" for p in MODULES for part in ("_model", "_draw")))
def test_model_and_draw_modules_are_pure(module):
    used = {name.split(".")[0] for name in imports(APP / f"{module}.py")}
    assert used & BROWSER_MODULES == set(), f"app/{module}.py imports a browser module"


@pytest.mark.parametrize("module", sorted(f"{p}{part}" for p in MODULES for part in ("", "_model", "_draw")))
def test_a_page_never_imports_another_page(module):
    own = page_of(module)
    for name in imports(APP / f"{module}.py"):
        if name.startswith("app."):
            other = page_of(name.split(".")[1])
            assert other in (None, own), f"app/{module}.py imports {name}, a module of another page"


@pytest.mark.parametrize("module", sorted(f"{p}{part}" for p in MODULES for part in ("", "_model", "_draw")))
def test_every_class_creates_its_attributes_in_init(module):
    tree = ast.parse((APP / f"{module}.py").read_text(encoding="utf-8"))
    late = []
    for cls in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
        methods = [node for node in cls.body if isinstance(node, ast.FunctionDef)]
        init = next((m for m in methods if m.name == "__init__"), None)
        declared = {target.attr for target in _self_assignments(init)} if init else set()
        declared |= {node.target.id for node in cls.body            # dataclass fields and class attributes
                     if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)}
        declared |= {target.id for node in cls.body if isinstance(node, ast.Assign)
                     for target in node.targets if isinstance(target, ast.Name)}
        declared |= {m.name for m in methods}                        # properties with setters
        for method in methods:
            if method is not init:
                late += [f"{cls.name}.{target.attr} (first set in {method.name})"
                         for target in _self_assignments(method) if target.attr not in declared]
    assert late == [], f"app/{module}.py: attributes not created in __init__"


def _self_assignments(function):
    for node in ast.walk(function):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name) and part.value.id == "self":
                    yield part
