import { Link } from "react-router";
import { usePageTitle } from "../App";

export function NotFound() {
  usePageTitle("Not found");
  return (
    <>
      <h1>Nothing here</h1>
      <p>
        This address is not a screen of the UI. <Link to="/">Go to the databases</Link>.
      </p>
    </>
  );
}
