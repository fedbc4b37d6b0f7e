/**
 * Component-test harness (built only for the tests): renders one component from props given in
 * the page (window.__render(name, props)), so a test drives it in a real browser.
 */
import { createRoot } from "react-dom/client";
import { flushSync } from "react-dom";
import { ErrorLine, OffersChart, ProgressBar, QuoteChecks, Timeline } from "./components.tsx";
import "./style.css";

const components = { ErrorLine, OffersChart, ProgressBar, QuoteChecks, Timeline } as const;
const root = createRoot(document.getElementById("root")!);

(
  window as unknown as { __render: (name: keyof typeof components, props: Record<string, unknown>) => void }
).__render = (name, props) => {
  const C = components[name] as (p: Record<string, unknown>) => React.ReactNode;
  flushSync(() => root.render(<C {...props} />));
};
