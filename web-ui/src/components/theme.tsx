// Light and dark: the system's preference unless the user picks one (remembered in
// localStorage, which holds nothing else).
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

export type ThemeMode = "system" | "light" | "dark";
const KEY = "evidentsource.theme";
const media = () => window.matchMedia("(prefers-color-scheme: dark)");

interface ThemeState {
  mode: ThemeMode;
  resolved: "light" | "dark";
  setMode: (m: ThemeMode) => void;
}

const Ctx = createContext<ThemeState>({ mode: "system", resolved: "light", setMode: () => {} });

function stored(): ThemeMode {
  const v = window.localStorage.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

export function ThemeProvider({ children }: { children: ReactNode }) {
  const [mode, setModeState] = useState<ThemeMode>(stored);
  const [systemDark, setSystemDark] = useState(() => media().matches);
  useEffect(() => {
    const m = media();
    const on = (e: MediaQueryListEvent) => setSystemDark(e.matches);
    m.addEventListener("change", on);
    return () => m.removeEventListener("change", on);
  }, []);
  const resolved = mode === "system" ? (systemDark ? "dark" : "light") : mode;
  useEffect(() => {
    document.documentElement.setAttribute("data-theme", resolved);
  }, [resolved]);
  const setMode = useCallback((m: ThemeMode) => {
    if (m === "system") window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, m);
    setModeState(m);
  }, []);
  return <Ctx.Provider value={{ mode, resolved, setMode }}>{children}</Ctx.Provider>;
}

export const useTheme = () => useContext(Ctx);

/** Sets the theme before the first render, so a dark system never sees a light flash. */
export function applyInitialTheme(): void {
  const mode = stored();
  const dark = mode === "dark" || (mode === "system" && media().matches);
  document.documentElement.setAttribute("data-theme", dark ? "dark" : "light");
}

export function ThemeSwitch() {
  const { mode, setMode } = useTheme();
  return (
    <div className="field">
      <label htmlFor="theme" className="visually-hidden">
        Colour theme
      </label>
      <select id="theme" value={mode} onChange={(e) => setMode(e.target.value as ThemeMode)}>
        <option value="system">Theme: system</option>
        <option value="light">Theme: light</option>
        <option value="dark">Theme: dark</option>
      </select>
    </div>
  );
}
