// CodeMirror 6 behind a small React component: JSON editors (with a syntax linter) and the
// one-line editor of the textual selector `q` (keywords highlighted, Enter submits, and a syntax
// error the server reports is underlined at its column).
import { useEffect, useRef } from "react";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import {
  bracketMatching,
  HighlightStyle,
  StreamLanguage,
  syntaxHighlighting,
} from "@codemirror/language";
import { linter, lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, placeholder as placeholderExt } from "@codemirror/view";
import { tags } from "@lezer/highlight";

const highlight = HighlightStyle.define([
  { tag: tags.string, color: "var(--syntax-string)" },
  { tag: tags.number, color: "var(--syntax-number)" },
  { tag: [tags.bool, tags.null, tags.keyword], color: "var(--syntax-keyword)", fontWeight: "600" },
  { tag: tags.propertyName, color: "var(--syntax-property)" },
  { tag: tags.operator, color: "var(--muted)" },
]);

const theme = EditorView.theme({
  "&": { color: "var(--fg)", backgroundColor: "var(--surface)" },
  ".cm-content": { caretColor: "var(--fg)", fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
  ".cm-gutters": { backgroundColor: "var(--surface-2)", color: "var(--muted)", border: "none" },
  "&.cm-focused .cm-cursor": { borderLeftColor: "var(--fg)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: "var(--accent-soft) !important",
  },
  ".cm-placeholder": { color: "var(--muted)" },
  ".cm-tooltip": { backgroundColor: "var(--surface)", color: "var(--fg)", border: "1px solid var(--border)" },
});

/** The textual selector language: keywords, attribute names, 'strings' with '' escapes. */
const selectorLanguage = StreamLanguage.define<{ inString: boolean }>({
  startState: () => ({ inString: false }),
  token(stream, state) {
    if (state.inString) {
      while (!stream.eol()) {
        const c = stream.next();
        if (c === "'") {
          if (stream.peek() === "'") stream.next();
          else {
            state.inString = false;
            break;
          }
        }
      }
      return "string";
    }
    if (stream.eatSpace()) return null;
    if (stream.eat("'")) {
      state.inString = true;
      return "string";
    }
    if (stream.match(/^(and|or|like|is|null|any)\b/i)) return "keyword";
    if (stream.match(/^(stream|subject|type|tag)\b/)) return "propertyName";
    if (stream.match(/^[=()]/)) return "operator";
    stream.next();
    return null;
  },
});

export interface EditorError {
  /** 1-based column (single-line editors) or 0-based offset (from). */
  from: number;
  to?: number;
  message: string;
}

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  language: "json" | "selector";
  /** id of the visible label element. */
  labelledBy: string;
  id?: string;
  singleLine?: boolean;
  /** Enter (single line) or Ctrl/Cmd+Enter submits. */
  onSubmit?: () => void;
  error?: EditorError | null;
  placeholder?: string;
  minLines?: number;
  describedBy?: string;
}

export function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const submit = () => {
      latest.current.onSubmit?.();
      return latest.current.onSubmit !== undefined;
    };
    const extensions: Extension[] = [
      history(),
      keymap.of([
        ...(props.singleLine ? [{ key: "Enter", run: submit }] : []),
        { key: "Mod-Enter", run: submit },
        ...defaultKeymap,
        ...historyKeymap,
      ]),
      theme,
      syntaxHighlighting(highlight),
      bracketMatching(),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) latest.current.onChange(u.state.doc.toString());
      }),
      EditorView.contentAttributes.of({
        "aria-labelledby": props.labelledBy,
        ...(props.id ? { id: props.id } : {}),
        ...(props.describedBy ? { "aria-describedby": props.describedBy } : {}),
      }),
    ];
    if (props.placeholder) extensions.push(placeholderExt(props.placeholder));
    if (props.language === "json") {
      extensions.push(json(), linter(jsonParseLinter()), lintGutter(), lineNumbers());
    } else {
      extensions.push(selectorLanguage);
    }
    if (props.singleLine) {
      // one line: a newline typed or pasted becomes a space
      extensions.push(
        EditorState.transactionFilter.of((tr) => {
          if (!tr.docChanged || tr.newDoc.lines === 1) return tr;
          return [tr, { changes: { from: 0, to: tr.newDoc.length, insert: tr.newDoc.toString().replace(/\r?\n/g, " ") }, sequential: true }];
        }),
      );
    }
    // long lines wrap and the editor grows with its text: no scrolling region inside the page
    extensions.push(EditorView.lineWrapping);
    if (props.minLines && !props.singleLine) {
      extensions.push(EditorView.theme({ ".cm-content, .cm-gutter": { minHeight: `${props.minLines * 1.4}em` } }));
    }
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({ doc: props.value, extensions }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // the editor is created once; value and error updates are applied below
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
    }
  }, [props.value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const diagnostics: Diagnostic[] = [];
    if (props.error) {
      const length = v.state.doc.length;
      const from = Math.min(Math.max(props.error.from, 0), length);
      const to = Math.min(Math.max(props.error.to ?? from + 1, from), length);
      diagnostics.push({ from, to: Math.max(to, from), severity: "error", message: props.error.message });
    }
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [props.error]);

  const classes = ["editor", props.singleLine ? "single" : "", props.error ? "invalid" : ""].join(" ");
  return <div className={classes} ref={host} data-testid={props.id ? `editor-${props.id}` : undefined} />;
}
