// Run a Python file inside Pyodide under Node, with a host folder mounted at /work.
// `node run_in_pyodide.mjs <pyodide dir> <python file> <host folder>`
// The build uses it to compile bytecode with exactly the interpreter the browser runs.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, script, folder] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(resolve(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: resolve(pyodideDir) + "/" });
pyodide.FS.mkdirTree("/work");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: resolve(folder) }, "/work");
pyodide.runPython(readFileSync(script, "utf8"), { filename: script });
