// Loaded as a module file (no inline script, so the Content-Security-Policy can forbid it).
import { initAll } from "./govuk-frontend.min.js";
import { stackTables } from "./tables.js";

initAll();
stackTables(document);
