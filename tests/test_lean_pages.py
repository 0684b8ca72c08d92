"""Pages that start without NumPy (static/pyscript-lite.json): the build knows which they are and
stops, naming the import, if one of them would import NumPy (issue 22: lesson 1 downloads 2 MB less,
and lesson 2, the next lesson, uses about 0.3 s less CPU to start)."""
import json
import zipfile

import pytest

from backprop_lab import lean, site

PAGE = """<!doctype html><html><body>
  <script type="py" config="../static/{config}">import app.lesson</script>
</body></html>
"""


def write_site(root, config="lite.json", engine_helper="import math\n"):
    """A site with one page: app/lesson.py -> engine.graph -> (from . import helper) engine/helper.py."""
    (root / "pages").mkdir()
    (root / "static").mkdir()
    (root / "app").mkdir()
    (root / "engine").mkdir()
    (root / "pages" / "lesson.html").write_text(PAGE.format(config=config))
    (root / "static" / "lite.json").write_text(json.dumps({"interpreter": "x.mjs"}))
    (root / "static" / "full.json").write_text(json.dumps({"interpreter": "x.mjs", "packages": ["numpy"]}))
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "lesson.py").write_text("import math\n\nfrom engine.graph import Value\n")
    (root / "engine" / "__init__.py").write_text("")
    (root / "engine" / "graph.py").write_text("from . import helper\n\nValue = helper\n")
    (root / "engine" / "helper.py").write_text(engine_helper)
    return [root / "pages" / "lesson.html"]


def test_a_page_whose_config_lists_no_packages_is_known_to_start_without_numpy(tmp_path):
    pages = write_site(tmp_path)
    assert lean.check_pages_without_numpy(pages, tmp_path) == ["pages/lesson.html"]


def test_a_page_with_numpy_in_its_config_may_import_it(tmp_path):
    pages = write_site(tmp_path, config="full.json", engine_helper="import numpy as np\n")
    assert lean.check_pages_without_numpy(pages, tmp_path) == []


@pytest.mark.parametrize("helper, line", [
    ("import math\nimport numpy as np\n", 2),
    ("def spread(values):\n    import numpy\n    return numpy.std(values)\n", 2),  # inside a function too
    ("from numpy.linalg import norm\n", 1),
])
def test_the_build_stops_naming_the_import_if_a_page_without_numpy_would_import_it(tmp_path, helper, line):
    pages = write_site(tmp_path, engine_helper=helper)
    with pytest.raises(lean.LeanError, match=rf"engine/helper\.py:{line} imports numpy") as error:
        lean.check_pages_without_numpy(pages, tmp_path)
    # and how the page reaches it
    assert "pages/lesson.html: import app.lesson -> app/lesson.py:3 -> engine/graph.py:1" in str(error.value)


def test_the_build_needs_the_recording_to_have_seen_the_page_start_without_numpy(tmp_path, monkeypatch):
    pages = write_site(tmp_path)
    monkeypatch.setattr(lean, "recorded", lambda: {"pages_without_numpy": []})
    with pytest.raises(lean.LeanError, match="record-imports"):
        lean.check_recorded_pages_without_numpy(pages, tmp_path)
    monkeypatch.setattr(lean, "recorded", lambda: {"pages_without_numpy": ["pages/lesson.html"]})
    lean.check_recorded_pages_without_numpy(pages, tmp_path)


def test_lessons_1_and_2_start_without_numpy_and_the_recording_agrees():
    pages = [site.ROOT / page for page in site.python_pages()]
    without = lean.check_pages_without_numpy(pages, site.ROOT)
    assert {"pages/chain-rule.html", "pages/step-through.html"} <= set(without)
    lean.check_recorded_pages_without_numpy(pages, site.ROOT)


def test_the_lite_config_is_the_full_one_without_packages():
    full = json.loads((site.ROOT / "static" / "pyscript.json").read_text())
    lite = json.loads((site.ROOT / "static" / "pyscript-lite.json").read_text())
    assert lite == {key: value for key, value in full.items() if key not in ("packages", "packages_cache")}


def test_the_rest_of_the_stdlib_holds_what_the_lean_one_leaves_out_and_partial_packages_whole(tmp_path):
    source, rest = tmp_path / "stdlib.zip", tmp_path / "rest.zip"
    with zipfile.ZipFile(source, "w") as archive:
        for name in ("kept.py", "left.py", "part/__init__.py", "part/used.py", "part/unused.py",
                     "whole/__init__.py", "whole/sub.py", "encodings/__init__.py"):
            archive.writestr(name, "")
    lean.rest_of_stdlib(source, rest, {"kept", "part.used", "whole", "whole.sub"})
    with zipfile.ZipFile(rest) as archive:
        # A package the lean zip holds in part comes whole: it goes first on sys.path in the runner,
        # and its __init__ found there must find every submodule beside it.
        assert sorted(archive.namelist()) == ["left.py", "part/__init__.py", "part/unused.py", "part/used.py"]
