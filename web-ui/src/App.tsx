import { useEffect, useRef } from "react";
import { createBrowserRouter, Link, NavLink, Outlet, useLocation, useNavigate, useParams, useSearchParams } from "react-router";
import { listDatabases } from "./api/endpoints";
import { SessionControl } from "./components/SessionControl";
import { ThemeSwitch } from "./components/theme";
import { useAsync } from "./lib/useAsync";
import { Append } from "./screens/Append";
import { CommandRunner } from "./screens/CommandRunner";
import { Components } from "./screens/Components";
import { Databases } from "./screens/Databases";
import { EventDetail } from "./screens/EventDetail";
import { Events } from "./screens/Events";
import { Live } from "./screens/Live";
import { NotFound } from "./screens/NotFound";
import { Overview } from "./screens/Overview";
import { ViewReader } from "./screens/ViewReader";

/** Sets the document title, so tabs, history and screen readers name the screen. */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · EvidentSource`;
  }, [title]);
}

/** The time-travel parameters of the current URL, carried along by the navigation links. */
function travelQuery(params: URLSearchParams): string {
  const keep = new URLSearchParams();
  for (const key of ["revision", "as_of_effective_time"]) {
    const v = params.get(key);
    if (v) keep.set(key, v);
  }
  const s = keep.toString();
  return s ? "?" + s : "";
}

function DatabaseSwitch() {
  const { db } = useParams();
  const navigate = useNavigate();
  const { data } = useAsync((signal) => listDatabases(signal), [db]);
  if (!db) return null;
  return (
    <div className="field">
      <label htmlFor="database-switch" className="visually-hidden">
        Database
      </label>
      <select
        id="database-switch"
        value={db}
        onChange={(e) => navigate(`/databases/${encodeURIComponent(e.target.value)}`)}
      >
        {(data ?? [{ name: db }]).map((d) => (
          <option key={d.name} value={d.name}>
            Database: {d.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function SideNav() {
  const { db } = useParams();
  const [params] = useSearchParams();
  if (!db) return null;
  const base = `/databases/${encodeURIComponent(db)}`;
  const travel = travelQuery(params);
  const items: [string, string, boolean][] = [
    [base, "Overview", true],
    [`${base}/events${travel}`, "Events", false],
    [`${base}/live`, "Live tail", false],
    [`${base}/append`, "Append", false],
    [`${base}/components${travel}`, "State views & changes", false],
  ];
  return (
    <nav className="sidenav" aria-label="Database">
      <div className="db-name">
        Database <strong>{db}</strong>
      </div>
      <ul>
        {items.map(([to, label, end]) => (
          <li key={label}>
            <NavLink to={to} end={end}>
              {label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Layout() {
  const { db } = useParams();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const shown = useRef(location.pathname);
  // a new screen: move focus to its heading, as a page load would for assistive technology
  useEffect(() => {
    if (shown.current === location.pathname) return;
    shown.current = location.pathname;
    const heading = main.current?.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  }, [location.pathname]);
  const fill = /\/(events|live)$/.test(location.pathname);
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link className="brand" to="/">
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" />
          EvidentSource
        </Link>
        <Link to="/">Databases</Link>
        <DatabaseSwitch />
        <span className="spacer" />
        <a href="/api/v1/openapi.json">REST API</a>
        <SessionControl />
        <ThemeSwitch />
      </header>
      <div className={db ? "body" : "body single"} style={db ? undefined : { gridTemplateColumns: "1fr" }}>
        <SideNav />
        <main id="main" ref={main} className={fill ? "fill" : undefined}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}

export const router = createBrowserRouter(
  [
    {
      element: <Layout />,
      children: [
        { path: "/", element: <Databases /> },
        { path: "/databases/:db", element: <Overview /> },
        { path: "/databases/:db/events", element: <Events /> },
        { path: "/databases/:db/events/:revision", element: <EventDetail /> },
        { path: "/databases/:db/live", element: <Live /> },
        { path: "/databases/:db/append", element: <Append /> },
        { path: "/databases/:db/components", element: <Components /> },
        { path: "/databases/:db/state-views/:name", element: <ViewReader /> },
        { path: "/databases/:db/state-changes/:name", element: <CommandRunner /> },
        { path: "*", element: <NotFound /> },
      ],
    },
  ],
  { basename: "/ui" },
);
