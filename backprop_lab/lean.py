"""The lean runtime: only the standard-library modules and NumPy files the pages import.

Pyodide's python_stdlib.zip holds about 600 modules and the NumPy wheel ships its tests,
f2py, type stubs and every extension; a lesson imports a small part of either.  The part
is recorded, the way `pyodide-pack` does it, by opening every page on the full runtime
and reading which files its modules came from (`backprop-lab record-imports` writes
backprop_lab/lean_imports.json, committed).  Setup then packs only those files
(`trim_stdlib`, `trim_numpy`), and `check_imports` makes the build fail, naming the
module and the file, when app/ or engine/ imports a standard-library module or NumPy
subpackage the recording lacks: never a half-working page.

A page whose PyScript config lists no packages (static/pyscript-lite.json: the chain-rule
lesson) starts without NumPy, 2 MB less to download.  `check_pages_without_numpy` makes the
build fail, naming the import, when anything such a page imports, at any depth, imports NumPy;
the recording lists those pages and stops if one of them loaded a NumPy file.
"""
from __future__ import annotations

import ast
import json
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECORD = HERE / "lean_imports.json"
STDLIB_PREFIX = "/lib/python314.zip/"
NUMPY_PREFIX = "/lib/python3.14/site-packages/"
# The importer's own modules load from the zip before anything is recorded.
ALWAYS = {"encodings", "encodings.aliases", "encodings.utf_8", "encodings.latin_1", "encodings.ascii",
          "encodings.idna", "site", "_sitebuiltins", "sitecustomize"}
# Whatever a module does, these NumPy subpackages are its import machinery, not features.
NUMPY_DROP_DIRS = ("tests", "f2py", "distutils", "_pyinstaller", "typing", "testing", "doc", "_typing")


class LeanError(RuntimeError):
    pass


def module_of(member: str) -> str | None:
    """json/__init__.py -> json, json/decoder.pyc -> json.decoder; None for other files."""
    if member.endswith(".pyc"):
        member = member[:-1]
    if not member.endswith(".py"):
        return None
    parts = member[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def recorded() -> dict:
    return json.loads(RECORD.read_text())


def stdlib_names(stdlib_zip: Path) -> set[str]:
    with zipfile.ZipFile(stdlib_zip) as archive:
        return {name for name in map(module_of, archive.namelist()) if name}


def with_parents(keep: set[str]) -> set[str]:
    wanted = set(keep) | ALWAYS
    for name in list(wanted):
        parts = name.split(".")
        wanted.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return wanted


def trim_stdlib(source: Path, target: Path, keep: set[str]) -> None:
    """Copy the .py files of the modules in `keep` (and their parent packages) to a new zip."""
    wanted = with_parents(keep)
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            if module_of(info.filename) in wanted:
                out.writestr(info, archive.read(info))


def rest_of_stdlib(source: Path, target: Path, keep: set[str]) -> None:
    """The standard library that trim_stdlib leaves out, for lesson 6's runner to fetch when the
    learner's code imports a module the lean runtime lacks (static/write-it-worker.js).  It goes
    first on sys.path there, so a package that the lean zip holds only in part is here whole: its
    __init__ found here gives it every submodule."""
    wanted = with_parents(keep)
    with zipfile.ZipFile(source) as archive:
        groups = {}
        for info in archive.infolist():
            groups.setdefault(info.filename.split("/")[0].removesuffix(".py"), []).append(info)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for infos in groups.values():
                modules = [name for name in (module_of(info.filename) for info in infos) if name]
                if modules and all(name in wanted for name in modules):
                    continue
                for info in infos:
                    out.writestr(info, archive.read(info))


def trim_numpy(source: Path, target: Path, keep_files: set[str]) -> None:
    """Copy the NumPy files in `keep_files` (paths inside the wheel, .py for Python modules),
    the parent packages' __init__.py and the wheel's metadata; leave out everything else
    (tests, f2py, stubs, the extensions no page loads)."""
    wanted = set(keep_files)
    for name in list(wanted):
        parts = name.split("/")
        wanted.update("/".join(parts[:i]) + "/__init__.py" for i in range(1, len(parts)))
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            name = info.filename
            # RECORD lists every file with its hash: it would name files that are no longer there.
            metadata = ".dist-info/" in name and not name.endswith("RECORD") and "/licenses/" not in name
            if metadata or name in wanted:
                out.writestr(info, archive.read(info))


def imports_of(path: Path) -> list[tuple[str, int]]:
    """(module, line) for every absolute import in a file, anywhere in it (functions too), and
    every `np.<sub>` attribute: NumPy loads some subpackages on first attribute access."""
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno))
            found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id in ("np", "numpy")):
            found.append((f"numpy.{node.attr}", node.lineno))
    return found


def check_imports(sources: list[Path], stdlib_all: set[str], numpy_all: set[str], root: Path) -> None:
    """Raise LeanError naming the first module that a page's Python imports and the lean runtime
    lacks.  `stdlib_all` / `numpy_all`: every module of the full stdlib / wheel, to tell a
    standard-library module or NumPy subpackage from the site's own and from attributes."""
    record = recorded()
    have = set(record["stdlib"]) | set(record["numpy_modules"])
    for path in sources:
        for module, line in imports_of(path):
            known = module in stdlib_all or module in numpy_all
            if known and module not in have:
                where = f"{path.relative_to(root)}:{line}"
                raise LeanError(
                    f"lean runtime: {where} imports {module}, which the lean runtime does not ship. "
                    f"Run `python -m backprop_lab record-imports` (it records what every page imports) "
                    f"and set up again.")


# A page's Python: <script type="py" config="../static/pyscript.json">import app.chain_rule</script>
PAGE_SCRIPT = re.compile(r'<script type="py" config="([^"]+)">(.*?)</script>', re.S)


def page_script(page: Path) -> tuple[Path, str]:
    """(the PyScript config file, the page's Python) of a page that runs Python."""
    match = PAGE_SCRIPT.search(page.read_text())
    if not match:
        raise LeanError(f"{page.name}: no <script type=\"py\" config=...> found")
    return (page.parent / match.group(1)).resolve(), match.group(2)


def loads_numpy(config: Path) -> bool:
    return "numpy" in json.loads(config.read_text()).get("packages", [])


def _module_file(module: str, root: Path) -> Path | None:
    path = root.joinpath(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _site_imports(path: Path, module: str, root: Path) -> list[tuple[str, int]]:
    """(module, line) of every site module (app.*, engine.*) that `path` imports, relative imports
    resolved, with the packages whose __init__ importing runs."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        for name in _imported_names(node, package):
            parts = name.split(".")
            found += [(".".join(parts[:i]), node.lineno) for i in range(1, len(parts) + 1)
                      if _module_file(".".join(parts[:i]), root)]
    return found


def check_pages_without_numpy(pages: list[Path], root: Path) -> list[str]:
    """The pages (paths from `root`) whose config loads no NumPy; raise LeanError, naming the
    chain of imports, if anything such a page imports, at any depth, imports NumPy."""
    without = []
    for page in pages:
        config, script = page_script(page)
        if loads_numpy(config):
            continue
        name = page.relative_to(root).as_posix()
        chains, todo = {}, []  # module -> how the page reaches it; modules still to read
        for node in ast.walk(ast.parse(script)):
            if isinstance(node, ast.Import):
                todo += [(alias.name, (f"{name}: import {alias.name}",)) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                todo.append((node.module, (f"{name}: from {node.module} import ...",)))
        todo = [(".".join(m.split(".")[:i]), chain) for m, chain in todo for i in range(1, len(m.split(".")) + 1)]
        while todo:
            module, chain = todo.pop()
            path = _module_file(module, root)
            if module in chains or path is None:
                continue
            chains[module] = chain
            where = path.relative_to(root).as_posix()
            for imported, line in imports_of(path):
                if imported == "numpy" or imported.startswith("numpy."):
                    raise LeanError(
                        f"lean runtime: {name} starts without NumPy ({config.name} lists no packages), "
                        f"but {where}:{line} imports {imported}; it is loaded through "
                        f"{' -> '.join(chain + (where,))}.  Keep NumPy out of what this page imports, "
                        f"or give the page static/pyscript.json.")
            todo += [(imported, chain + (f"{where}:{line}",)) for imported, line in _site_imports(path, module, root)]
        without.append(name)
    return without


def check_recorded_pages_without_numpy(pages: list[Path], root: Path) -> None:
    """check_pages_without_numpy, and the recording must have seen each such page reach ready
    without NumPy (a page that imports NumPy by a name the build cannot read fails there)."""
    recorded_without = set(recorded().get("pages_without_numpy", []))
    for name in check_pages_without_numpy(pages, root):
        if name not in recorded_without:
            raise LeanError(f"lean runtime: {name} starts without NumPy, which the recording has not seen it do. "
                            f"Run `python -m backprop_lab record-imports` and set up again.")


def numpy_modules(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        names = set()
        for member in archive.namelist():
            if member.endswith(".so"):
                names.add(member.split(".", 1)[0].replace("/", "."))
            elif member.endswith(".py"):
                names.add(module_of(member))
        return names


def import_closure(names: set[str], stdlib_zip: Path, known: set[str] = frozenset()) -> set[str]:
    """`names` and every standard-library module they import as they load (module level, not
    inside functions), read from the stdlib's sources, not looking further into `known` modules
    (recorded with what they import): for imports the site makes only on some paths (an error's
    traceback), which opening the pages does not record.  Over-inclusive (both branches of an
    `if sys.platform`), so only for what the recording missed."""
    with zipfile.ZipFile(stdlib_zip) as archive:
        sources = {module_of(member): member for member in archive.namelist() if member.endswith(".py")}
        found, todo = set(), [name for name in names if name in sources]
        while todo:
            name = todo.pop()
            if name in found or name in known:
                continue
            found.add(name)
            member = sources[name]
            package = name if member.endswith("__init__.py") else name.rpartition(".")[0]
            parts = name.split(".")
            todo += [".".join(parts[:i]) for i in range(1, len(parts))]
            source = archive.read(member)
            try:
                statements = list(_module_level(ast.parse(source).body))
            except SyntaxError:  # newer syntax than this Python reads: its unindented imports
                statements = [node for line in source.decode().splitlines()
                              if line.startswith(("import ", "from ")) and "(" not in line
                              for node in _parse_line(line)]
            for node in statements:
                todo += [target for target in _imported_names(node, package)
                         if target in sources and target not in found]
    return found


def _imported_names(node, package: str) -> list[str]:
    """The modules an import statement in `package` may load (`from a import b`: a, and a.b in
    case b is a module), relative imports resolved; [] for any other node."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join(anchor + ([node.module] if node.module else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def _parse_line(line: str) -> list:
    try:
        return ast.parse(line).body
    except SyntaxError:
        return []


def _module_level(statements):
    """The statements that run when a module is imported: into if/try/with/class bodies, not into
    functions."""
    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(node, field, None)
            if isinstance(inner, list):
                yield from _module_level(inner)


def record_imports(log=print) -> dict:
    """Open every page on a build of the full runtime, and write what their Python loaded."""
    from playwright.sync_api import sync_playwright

    from . import site
    from .browser import launch, served_site, wait_until_ready

    files: set[str] = set()
    # Before opening any page: a page without NumPy that imports it stops here, naming the import.
    without_numpy = check_pages_without_numpy([site.ROOT / page for page in site.python_pages()], site.ROOT)
    with served_site(full_runtime=True) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        for page_path in site.python_pages():
            page = browser.new_page()
            page.goto(base + page_path)
            wait_until_ready(page)
            loaded = json.loads(page.evaluate("backpropLab.diagnostics()"))["loaded_files"]
            uses_numpy = any(f.startswith(NUMPY_PREFIX + "numpy/") for f in loaded)
            log(f"{page_path}: {len(loaded)} files{'' if uses_numpy else ', no NumPy'}")
            if uses_numpy and page_path in without_numpy:
                raise LeanError(f"lean runtime: {page_path} starts without NumPy but loaded NumPy's files")
            files.update(loaded)
            page.close()
        browser.close()
    stdlib = {module_of(f[len(STDLIB_PREFIX):]) for f in files if f.startswith(STDLIB_PREFIX)} - {None}
    # What app/ and engine/ import only on some paths, with what that imports in turn.
    stdlib_zip = site.NODE_MODULES / "pyodide" / "python_stdlib.zip"
    direct = {module for path in site.python_sources() for module, _ in imports_of(path)}
    stdlib = sorted(stdlib | import_closure(direct & stdlib_names(stdlib_zip), stdlib_zip, known=stdlib))
    numpy_files = sorted(f[len(NUMPY_PREFIX):] for f in files
                         if f.startswith(NUMPY_PREFIX + "numpy/") and f.endswith((".py", ".so")))
    record = {"stdlib": stdlib, "numpy_files": numpy_files, "pages_without_numpy": without_numpy,
              "numpy_modules": sorted({module_of(f) or f.split(".", 1)[0].replace("/", ".") for f in numpy_files})}
    RECORD.write_text(json.dumps(record, indent=1) + "\n")
    log(f"wrote {RECORD}: {len(stdlib)} standard-library modules, {len(numpy_files)} NumPy files")
    return record


def main(argv: list[str] | None = None) -> int:
    record_imports()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
