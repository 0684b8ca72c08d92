// Lesson 6's code editor: CodeMirror 6 (self-hosted in static/vendor/codemirror, see
// backprop_lab/site.py) put in place of the page's <textarea id="code">.
//
// The textarea stays the page's one source of truth: every edit is copied into it and announced
// with an "input" event, so app/write_it.py reads and saves the code the same way with or without
// this editor (if this module fails to load, the plain textarea is the editor).  The page writes
// new code (another exercise, Reset) through window.backpropLabEditor.setText.
// Keyboard: Tab indents; Escape then Tab leaves the editor (CodeMirror's tab focus mode);
// Ctrl/Cmd-Enter runs.
// readOnlyEditor (below) is the lessons' read-only "Python" view (static/code-view.js).
import { EditorView, minimalSetup } from "./vendor/codemirror/codemirror.js";
import { Compartment, EditorState, Text } from "./vendor/codemirror/codemirror-state.js";
import { Decoration, highlightActiveLine, keymap, lineNumbers } from "./vendor/codemirror/codemirror-view.js";
import { indentWithTab } from "./vendor/codemirror/codemirror-commands.js";
import { HighlightStyle, bracketMatching, indentOnInput, indentUnit, syntaxHighlighting }
  from "./vendor/codemirror/codemirror-language.js";
import { tags } from "./vendor/codemirror/lezer-highlight.js";
import { python } from "./vendor/codemirror/codemirror-lang-python.js";

// Colours are the site's CSS variables (light-dark() in static/write-it.css), so the editor
// follows the page's light or dark theme without a second theme here.
const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.definitionKeyword, tags.operatorKeyword], color: "var(--code-keyword)" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--code-string)" },
  { tag: [tags.number, tags.bool, tags.null], color: "var(--code-number)" },
  { tag: tags.comment, color: "var(--code-comment)", fontStyle: "italic" },
  { tag: [tags.function(tags.definition(tags.variableName)), tags.definition(tags.className)], color: "var(--code-definition)" },
]);

const theme = EditorView.theme({
  "&": { color: "var(--text)", backgroundColor: "var(--bg)", border: "1px solid var(--border)", borderRadius: "6px",
         fontSize: "0.9rem", minHeight: "16rem", maxHeight: "70vh", boxSizing: "border-box" },
  "&.cm-focused": { outline: "3px solid var(--focus)", outlineOffset: "2px" },
  ".cm-scroller": { minHeight: "calc(16rem - 2px)", fontFamily: "var(--mono)", lineHeight: "1.45" },
  ".cm-content": { caretColor: "var(--text)", fontFamily: "var(--mono)" },
  ".cm-gutters": { backgroundColor: "var(--surface)", color: "var(--muted)", borderRight: "1px solid var(--border)" },
  ".cm-activeLine": { backgroundColor: "var(--code-active-line)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--code-active-line)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground": { backgroundColor: "var(--code-selection)" },
  "&.cm-focused .cm-cursor": { borderLeftColor: "var(--text)" },
});

// In a shadow root because of the Content-Security-Policy (style-src 'self'): CodeMirror's
// styles are built at run time, and outside a shadow root they go into a <style> element, which
// the policy blocks; inside one they are a constructed style sheet, which it allows.  The site's
// CSS variables (colours, fonts) are inherited into it.
function shadowHost(after) {
  const host = document.createElement("div");
  host.className = "code-editor-host";
  after.after(host);
  return host.attachShadow({ mode: "open" });
}

function upgrade(textarea) {
  const copyToTextarea = EditorView.updateListener.of((update) => {
    if (!update.docChanged) return;
    textarea.value = update.state.doc.toString();
    textarea.dispatchEvent(new Event("input"));
  });
  const extensions = [
    keymap.of([{ key: "Mod-Enter", run: () => { document.getElementById("run").click(); return true; } }, indentWithTab]),
    minimalSetup, lineNumbers(), highlightActiveLine(), indentOnInput(), bracketMatching(),
    indentUnit.of("    "), python(), syntaxHighlighting(highlight), theme, copyToTextarea,
    // The editor lives in a shadow root (below), which ids of the page cannot reach: it is named here.
    EditorView.contentAttributes.of({
      "aria-label": "Your code",
      "aria-description": document.getElementById("editor-keys").textContent.replace(/\s+/g, " ").trim(),
    }),
  ];
  const shadow = shadowHost(textarea);
  const view = new EditorView({ doc: textarea.value, extensions, root: shadow, parent: shadow });
  textarea.hidden = true;
  // The label names the textarea; clicking it should still reach the code.
  const label = document.querySelector('label[for="code"]');
  if (label) label.addEventListener("click", (event) => { event.preventDefault(); view.focus(); });
  document.documentElement.dataset.codeEditor = "codemirror";
  window.backpropLabEditor = {
    // A new state, not an edit: another exercise's code has its own undo history.
    setText(text) { view.setState(EditorState.create({ doc: text, extensions })); },
    focus() { view.focus(); },
  };
}

// Code to read, not edit, put after `element` (which is hidden): the same look, numbered with
// `numbers` (one label a line: the file's own line numbers), the 1-based `marked` lines highlighted
// and line `focus` (by default the first marked) scrolled into view.  Not editable: its scrolling
// box is one tab stop (a region named `label`) that the arrow keys scroll; Tab leaves it.
// Returns show(text, numbers, marked, label, focus).
const readOnlyTheme = EditorView.theme({   // ".cm-editor" outranks the editor's theme above
  "&.cm-editor": { minHeight: "0", maxHeight: "min(24rem, 60vh)" },
  "&.cm-editor .cm-scroller": { minHeight: "0" },
  ".cm-scroller:focus-visible": { outline: "3px solid var(--focus)", outlineOffset: "2px" },
  ".cm-marked": { backgroundColor: "var(--highlight)" },
});

export function readOnlyEditor(element) {
  const shadow = shadowHost(element);
  element.hidden = true;
  const listing = new Compartment();   // what changes with each listing: numbers, marks, name
  let view = null;
  return function show(text, numbers, marked, label, focus = marked[0]) {
    const doc = Text.of(text.split("\n"));
    const marks = Decoration.set(marked.map((n) => Decoration.line({ class: "cm-marked" }).range(doc.line(n).from)));
    const perListing = [lineNumbers({ formatNumber: (n) => numbers[n - 1] ?? "" }), EditorView.decorations.of(marks),
      EditorView.contentAttributes.of({ "aria-label": label, "aria-readonly": "true" })];
    if (!view) {
      view = new EditorView({ root: shadow, parent: shadow, state: EditorState.create({ doc, extensions: [
        EditorState.readOnly.of(true), EditorView.editable.of(false), python(), syntaxHighlighting(highlight),
        theme, readOnlyTheme, listing.of(perListing)] }) });
      Object.assign(view.scrollDOM, { tabIndex: 0, role: "region" });
    } else {
      // A transaction, not a new state, so that the editor keeps its scroll position to move from.
      const same = view.state.doc.eq(doc);
      view.dispatch({ changes: same ? [] : { from: 0, to: view.state.doc.length, insert: doc },
                      effects: listing.reconfigure(perListing) });
    }
    view.scrollDOM.ariaLabel = label;
    if (!focus) return;
    // Only the editor scrolls, never the page: the learner's place on it stays where it is.
    // After the editor's own measuring of the change, which keeps its old scroll anchor.
    const from = doc.line(focus).from;
    requestAnimationFrame(() => view.requestMeasure({
      read: () => view.lineBlockAt(from).top,
      write: (top) => { view.scrollDOM.scrollTop = Math.max(0, top - view.scrollDOM.clientHeight / 3); },
    }));
  };
}

const textarea = document.getElementById("code");
if (textarea) upgrade(textarea);
