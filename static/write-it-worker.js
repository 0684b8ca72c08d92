// The runner of lesson 6 ("Write it yourself"): a module worker with its own Pyodide and NumPy
// that runs the learner's code and grades it with app.write_it_model.grade.
//
// Why a worker: the learner's code must not reach the page (its interpreter, its DOM) and an
// endless loop must not freeze it.  In here `import js` is the worker's global scope (no
// document), and the page can always stop a run by terminating the worker and starting another.
// Messages only (postMessage): no SharedArrayBuffer, so no cross-origin isolation headers are
// needed and the page keeps working inside other sites' iframes.
//
// Protocol.  Page -> worker: {type: "grade", id, key, code}.
// Worker -> page: {type: "ready"} once warmed; {type: "started", id} when a run begins (the page's
// time limit counts from here, not from the worker's start-up); {type: "loading", id} when the
// run waits for the rest of the standard library (the time limit pauses until "started" again);
// {type: "result", id, key, checks, output, error, passed, picture}, picture being the plain data
// (numbers, lists) of exercise 3's, 5's or 8's picture, or null; {type: "failed", message} if the
// runtime cannot start; {type: "recycle"} after a run that left the worker holding much memory (the
// page replaces it); {type: "crashed", id} when the run broke this Pyodide (the page restarts it).
import { loadPyodide } from "./vendor/pyodide/pyodide.mjs";

const vendor = new URL("./vendor/", import.meta.url);
// The standard library the lean runtime leaves out (backprop_lab/lean.py rest_of_stdlib): fetched
// the first time the learner's code imports a module of it, so a page load never pays for it.
const STDLIB_REST = "python_stdlib_rest.zip";
const RECYCLE_ABOVE_BYTES = 768 * 2 ** 20;

// The same runtime and Python package the pages load (static/pyscript.json): NumPy from the
// vendored lock file, engine/ and app/ from python.zip unpacked into the home folder (on sys.path).
async function start() {
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", vendor).href });
  await pyodide.loadPackage("numpy", { messageCallback: () => {} });
  const archive = await fetch(new URL("python.zip", vendor));
  if (!archive.ok) throw new Error(`python.zip: HTTP ${archive.status}`);
  pyodide.unpackArchive(await archive.arrayBuffer(), "zip");
  const grade = pyodide.runPython(`
import importlib
import json
import sys
from app.write_it_model import grade

REST = "/lib/${STDLIB_REST}"
LEAN = "/lib/python314.zip"


def grade_as_json(key, code, rest_fetched):
    """The result as JSON, or null when the code imported a standard-library module that the
    rest of the library may hold and it has not been fetched yet."""
    result = grade(key, code)
    if result.missing_module.split(".")[0] in sys.stdlib_module_names and not rest_fetched:
        return None
    return json.dumps({"checks": [{"name": c.name, "passed": c.passed, "message": c.message}
                                  for c in result.checks],
                       "output": result.output, "error": result.error, "passed": result.passed,
                       "picture": result.picture})


def add_rest():
    """The rest of the standard library first on sys.path; packages already imported from the
    lean zip find their other submodules there too."""
    sys.path.insert(0, REST)
    for module in list(sys.modules.values()):
        paths = getattr(module, "__path__", None)
        if isinstance(paths, list):
            paths += [REST + path[len(LEAN):] for path in paths if path.startswith(LEAN + "/")]
    importlib.invalidate_caches()


# One grading before "ready", so that the learner's first Run does not pay for the first call
# of each code path (WebAssembly compiled on first use, modules' first imports).
from app.write_it_model import EXERCISES, prepare
grade("add-mul", EXERCISES["add-mul"].solution)

grade_as_json, add_rest, prepare
`);
  const [gradeAsJson, addRest, prepare] = grade.toJs();
  return { pyodide, gradeAsJson, addRest, prepare };
}

const runtime = start();
runtime.then(
  (python) => {
    self.postMessage({ type: "ready" });
    // Exercise 8's reference network, trained once while nobody waits (a Run sent meanwhile goes
    // first: its handler continues before this timer fires).
    setTimeout(() => python.prepare("training"), 1000);
  },
  (error) => self.postMessage({ type: "failed", message: String(error && error.message || error) }));

// Fetched at most once: true once on sys.path, or once it could not be (then an import of it
// fails as any missing module does).
let restFetched = null;

async function fetchRest(pyodide, addRest) {
  try {
    const response = await fetch(new URL(`pyodide/${STDLIB_REST}`, vendor));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    pyodide.FS.writeFile(`/lib/${STDLIB_REST}`, new Uint8Array(await response.arrayBuffer()));
    addRest();
  } catch (error) {
    console.warn(`${STDLIB_REST} could not be fetched: ${error && error.message || error}`);
  }
  return true;
}

self.addEventListener("message", async (event) => {
  const { type, id, key, code } = event.data || {};
  if (type !== "grade") return;
  let python;
  try { python = await runtime; } catch (error) { return; }     // "failed" was already posted
  try { python.prepare(String(key)); } catch (error) { /* the grader reports it */ }
  self.postMessage({ type: "started", id });
  try {
    let json = python.gradeAsJson(String(key), String(code), Boolean(restFetched));
    if (json === undefined || json === null) {
      self.postMessage({ type: "loading", id });
      restFetched = restFetched || fetchRest(python.pyodide, python.addRest);
      await restFetched;
      self.postMessage({ type: "started", id });
      json = python.gradeAsJson(String(key), String(code), true);
    }
    self.postMessage({ type: "result", id, key, ...JSON.parse(json) });
    // WebAssembly memory never shrinks: after code that took a lot of it, a fresh worker gives it
    // back to the browser (the page starts one; the next Run waits for it).
    if ((python.pyodide._module?.HEAPU8?.buffer?.byteLength ?? 0) > RECYCLE_ABOVE_BYTES) self.postMessage({ type: "recycle" });
  } catch (error) {
    // Not the learner's error (grade() catches those).  A fatal error (WebAssembly out of
    // memory, say) leaves this Pyodide unusable: the page starts another worker.
    if (/fatal error/i.test(String(error && error.message || error))) {
      self.postMessage({ type: "crashed", id });
      return;
    }
    // Otherwise the grader itself broke.
    self.postMessage({ type: "result", id, key, checks: [], output: "", passed: false, picture: null,
                       error: `The grader failed: ${error && error.message || error}` });
  }
});
