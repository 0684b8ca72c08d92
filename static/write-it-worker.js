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
// time limit counts from here, not from the worker's start-up); {type: "result", id, checks,
// output, error, passed}; {type: "failed", message} if the runtime cannot start.
import { loadPyodide } from "./vendor/pyodide/pyodide.mjs";

const vendor = new URL("./vendor/", import.meta.url);

// The same runtime and Python package the pages load (static/pyscript.json): NumPy from the
// vendored lock file, engine/ and app/ from python.zip unpacked into the home folder (on sys.path).
async function start() {
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", vendor).href });
  await pyodide.loadPackage("numpy", { messageCallback: () => {} });
  const archive = await fetch(new URL("python.zip", vendor));
  if (!archive.ok) throw new Error(`python.zip: HTTP ${archive.status}`);
  pyodide.unpackArchive(await archive.arrayBuffer(), "zip");
  return pyodide.runPython(`
import json
from app.write_it_model import grade

def grade_as_json(key, code):
    result = grade(key, code)
    return json.dumps({"checks": [{"name": c.name, "passed": c.passed, "message": c.message}
                                  for c in result.checks],
                       "output": result.output, "error": result.error, "passed": result.passed})

grade_as_json
`);
}

const gradeAsJson = start();
gradeAsJson.then(
  () => self.postMessage({ type: "ready" }),
  (error) => self.postMessage({ type: "failed", message: String(error && error.message || error) }));

self.addEventListener("message", async (event) => {
  const { type, id, key, code } = event.data || {};
  if (type !== "grade") return;
  let grader;
  try { grader = await gradeAsJson; } catch (error) { return; }     // "failed" was already posted
  self.postMessage({ type: "started", id });
  try {
    self.postMessage({ type: "result", id, ...JSON.parse(grader(String(key), String(code))) });
  } catch (error) {
    // Not the learner's error (grade() catches those): the grader itself broke.
    self.postMessage({ type: "result", id, checks: [], output: "", passed: false,
                       error: `The grader failed: ${error && error.message || error}` });
  }
});
