// The export job's page: while the workbook is being written, check every few seconds (the page's data-check-ms,
// 3 s unless configured: EXPORT_JOB_CHECK_MS) and show the news in place.
// No timed reload of the page (WCAG 2.2.1, axe's meta-refresh rule); without JavaScript, "Check again" does it.
const INTERVAL_MS = Number(document.getElementById("export-job")?.dataset.checkMs) || 3000;

async function check() {
  const shown = document.getElementById("export-job");
  if (!shown || shown.dataset.working !== "true") return;
  try {
    const response = await fetch(window.location.href, { credentials: "same-origin" });
    if (response.ok) {
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("export-job");
      if (fresh) {
        shown.replaceWith(document.importNode(fresh, true));
        document.title = page.title;
      }
    }
  } finally {
    window.setTimeout(check, INTERVAL_MS);
  }
}

window.setTimeout(check, INTERVAL_MS);
