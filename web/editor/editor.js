// The code editor of the coding answer form: CodeMirror 6, bundled by
// build.mjs into web/static/editor.js. The page loads it before app.js, which
// calls window.onsiteEditor.create on the form's code textarea.
//
// The textarea stays the source of truth for everything else on the page:
// the editor hides it, writes every change back to its value and fires an
// "input" event on it (so drafts and the submit handler keep working), and
// an "input" event that someone else fires on the textarea after setting its
// value pushes that value into the editor.

import { Compartment, EditorState, Prec } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { classHighlighter } from "@lezer/highlight";
// The bare languages, not python() and the like: those add completion
// sources, which this editor has no use for without autocompletion.
import { pythonLanguage } from "@codemirror/lang-python";
import { javascriptLanguage, typescriptLanguage } from "@codemirror/lang-javascript";
import { cppLanguage } from "@codemirror/lang-cpp";
import { javaLanguage } from "@codemirror/lang-java";
import { goLanguage } from "@codemirror/lang-go";
import { StyleModule } from "style-mod";

// CodeMirror's layout rules (EditorView.baseTheme) are generated at run time.
// style-mod puts them in a <style> element, which the page's Content
// Security Policy (style-src 'self', no 'unsafe-inline') blocks. A
// constructed stylesheet adopted by the document is not inline markup and
// the policy allows it, so mount the rules that way wherever the browser
// can; elsewhere fall back to style-mod's own mount.
const adoptedSets = new WeakMap();
const styleModMount = StyleModule.mount;
StyleModule.mount = function mount(root, modules, options) {
  const doc = root.ownerDocument || root;
  const win = doc.defaultView;
  if (!win || !("adoptedStyleSheets" in root) || !win.CSSStyleSheet || !("replaceSync" in win.CSSStyleSheet.prototype)) {
    return styleModMount.call(this, root, modules, options);
  }
  let set = adoptedSets.get(root);
  if (!set) {
    set = { sheet: new win.CSSStyleSheet(), modules: [] };
    adoptedSets.set(root, set);
  }
  // Merge the modules into the sheet's list in the order style-mod keeps
  // them, so that themes override the base theme as CodeMirror expects.
  const list = Array.isArray(modules) ? modules : [modules];
  let changed = false;
  let j = 0;
  for (const mod of list) {
    let index = set.modules.indexOf(mod);
    if (index > -1 && index < j) {
      set.modules.splice(index, 1);
      j--;
      index = -1;
    }
    if (index === -1) {
      set.modules.splice(j++, 0, mod);
      changed = true;
    } else {
      j = index + 1;
    }
  }
  if (changed) set.sheet.replaceSync(set.modules.map((m) => m.getRules()).join("\n"));
  if (!root.adoptedStyleSheets.includes(set.sheet)) root.adoptedStyleSheets = [set.sheet, ...root.adoptedStyleSheets];
};

// languages maps the names of the form's language select to CodeMirror's
// languages; a name not here is edited as plain text. Tab indents Go with a
// tab, as gofmt does, and everything else with four spaces.
const languages = new Map([
  ["python", pythonLanguage],
  ["javascript", javascriptLanguage],
  ["typescript", typescriptLanguage],
  ["go", goLanguage],
  ["c", cppLanguage],
  ["cpp", cppLanguage],
  ["java", javaLanguage],
]);

function languageSupport(name) {
  return [languages.get(name) || [], indentUnit.of(name === "go" ? "\t" : "    ")];
}

// theme takes its colours from the page: app.css sets the --editor-*
// variables for light and dark mode, and the page's own colours stand in
// for any it leaves out. CodeMirror's own light theme would stay light in
// dark mode, since it knows nothing of prefers-color-scheme. Token colours
// are app.css's too, on the tok-* classes of classHighlighter.
const theme = EditorView.theme({
  "&": {
    color: "var(--editor-text, var(--text, inherit))",
    backgroundColor: "var(--editor-bg, var(--surface, transparent))",
  },
  "&.cm-focused": { outline: "3px solid var(--focus, Highlight)", outlineOffset: "2px" },
  ".cm-content": { caretColor: "var(--editor-cursor, var(--text, currentColor))" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--editor-cursor, var(--text, currentColor))" },
  ".cm-selectionBackground, &.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground": {
    backgroundColor: "var(--editor-selection, Highlight)",
  },
  ".cm-activeLine": { backgroundColor: "var(--editor-active-line, transparent)" },
  ".cm-gutters": {
    backgroundColor: "var(--editor-gutter-bg, var(--code-bg, transparent))",
    color: "var(--editor-gutter-text, var(--muted, inherit))",
    borderRight: "1px solid var(--border, currentColor)",
  },
  ".cm-activeLineGutter": {
    backgroundColor: "var(--editor-active-line, transparent)",
    color: "var(--editor-text, var(--text, inherit))",
  },
  "&.cm-focused .cm-matchingBracket": {
    backgroundColor: "var(--editor-bracket, transparent)",
    outline: "1px solid var(--editor-bracket-border, currentColor)",
  },
  "&.cm-focused .cm-nonmatchingBracket": { backgroundColor: "var(--editor-bracket-bad, transparent)" },
  ".cm-specialChar": { color: "var(--danger, red)" },
});

const instances = new WeakMap();

// create mounts an editor after the textarea, hides the textarea and keeps
// the two in step. options.language is a language select's value;
// options.onRun is called on Ctrl+Enter (Cmd+Enter on a Mac).
function create(textarea, options = {}) {
  if (instances.has(textarea)) return instances.get(textarea);
  const language = new Compartment();
  let current = options.language || "";
  let syncing = false;

  const run = () => {
    if (!options.onRun) return false;
    options.onRun();
    return true;
  };
  const extensions = () => [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    EditorState.allowMultipleSelections.of(true),
    EditorState.tabSize.of(4),
    indentOnInput(),
    syntaxHighlighting(classHighlighter),
    theme,
    bracketMatching(),
    closeBrackets(),
    highlightActiveLine(),
    Prec.highest(keymap.of([{ key: "Mod-Enter", run, preventDefault: true }, { key: "Ctrl-Enter", run, preventDefault: true }])),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
    language.of(languageSupport(current)),
    EditorView.contentAttributes.of({ "aria-label": textarea.getAttribute("aria-label") || "Code" }),
    EditorView.updateListener.of((update) => {
      if (!update.docChanged) return;
      syncing = true;
      try {
        textarea.value = update.state.doc.toString();
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      } finally {
        syncing = false;
      }
    }),
  ];
  const newState = (doc) => EditorState.create({ doc, extensions: extensions() });

  const view = new EditorView({ state: newState(textarea.value) });
  textarea.after(view.dom);
  textarea.hidden = true;

  const instance = {
    view,
    // setLanguage switches highlighting and indentation to a language
    // select's value.
    setLanguage(name) {
      current = name || "";
      view.dispatch({ effects: language.reconfigure(languageSupport(current)) });
    },
    getValue() {
      return view.state.doc.toString();
    },
    // setValue replaces the code, as assigning a textarea's value does: no
    // "input" event, and the undo history starts afresh.
    setValue(text) {
      text = text ?? "";
      const focused = view.hasFocus;
      view.setState(newState(text));
      textarea.value = text;
      if (focused) view.focus();
    },
    focus() {
      view.focus();
    },
    destroy() {
      view.destroy();
      textarea.hidden = false;
      textarea.removeEventListener("input", pull);
      instances.delete(textarea);
    },
  };
  // Code that sets textarea.value and fires "input" (as a test or another
  // script would) updates the editor too.
  function pull() {
    if (!syncing && textarea.value !== view.state.doc.toString()) instance.setValue(textarea.value);
  }
  textarea.addEventListener("input", pull);
  instances.set(textarea, instance);
  return instance;
}

window.onsiteEditor = {
  create,
  // get returns the editor made on a textarea, if any.
  get: (textarea) => instances.get(textarea),
  languages: [...languages.keys()],
};
