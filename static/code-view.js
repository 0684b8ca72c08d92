// The lessons' read-only "Python" view (app/ui.py CodeView), loaded only when a learner first opens
// one, so no lesson downloads CodeMirror before then.  app/ui.py writes the listing into the view's
// <pre> (its text; data-line-numbers, data-marked, data-focus, data-title) and calls update(pre); the <pre>
// shows the plain text until this module has put lesson 6's editor, read-only, in its place.
import { readOnlyEditor } from "./write-it-editor.js";

const stylesheet = document.createElement("link");
stylesheet.rel = "stylesheet";
stylesheet.href = new URL("code-view.css", import.meta.url).href;
document.head.append(stylesheet);

const editors = new WeakMap();

function update(pre) {
  if (!editors.has(pre)) editors.set(pre, readOnlyEditor(pre));
  editors.get(pre)(pre.textContent, JSON.parse(pre.dataset.lineNumbers), JSON.parse(pre.dataset.marked),
                   pre.dataset.title, Number(pre.dataset.focus));
  pre.closest("details").dataset.codeEditor = "codemirror";
}

window.backpropLabCodeView = { update };
for (const pre of document.querySelectorAll(".code-view pre[data-line-numbers]")) update(pre);
