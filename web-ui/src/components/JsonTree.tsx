import { allExpanded, defaultStyles, JsonView, type Props } from "react-json-view-lite";
import "react-json-view-lite/dist/index.css";

/**
 * The library's layout classes with our colours (styles.css, .jv-*), which follow the light and
 * dark themes and meet the contrast rules in both.
 */
const styles: Props["style"] = {
  ...defaultStyles,
  container: "_GzYRV jv",
  label: "jv-label",
  clickableLabel: "jv-label _1MFti",
  punctuation: "jv-punctuation _3eOF8",
  nullValue: "jv-null",
  undefinedValue: "jv-null",
  stringValue: "jv-string",
  booleanValue: "jv-keyword",
  numberValue: "jv-number",
  otherValue: "jv-other",
  expandIcon: "_2AXVT _f10Tu _1MFti _1UmXx jv-icon",
  collapseIcon: "_oLqym _f10Tu _1MFti _1LId0 jv-icon",
  collapsedContent: "_2KJWg _1pNG9 _1MFti jv-icon",
};

/** A collapsible, keyboard-navigable JSON tree (react-json-view-lite). */
export function JsonTree({ value, label, expandAll = false }: { value: unknown; label: string; expandAll?: boolean }) {
  const data = value !== null && typeof value === "object" ? (value as object) : { value };
  return (
    <div className="json-tree" aria-label={label} role="region" tabIndex={0}>
      <JsonView data={data} shouldExpandNode={expandAll ? allExpanded : (level) => level < 2} style={styles} clickToExpandNode />
    </div>
  );
}
