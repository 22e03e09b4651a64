// Narrow screens: every GOV.UK table reads as stacked rows below 641px (app.css), each cell labelled with its
// column heading. The labels are copied from the table's own <thead> so templates say them once; the ARIA roles
// keep the table's meaning for screen readers once CSS has made its parts blocks.
export function stackTables(root) {
  for (const table of root.querySelectorAll("table.govuk-table")) {
    const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent.replace(/\s+/g, " ").trim());
    table.setAttribute("role", "table");
    for (const row of table.querySelectorAll("tr")) {
      row.setAttribute("role", "row");
      [...row.children].forEach((cell, index) => {
        const inHead = cell.closest("thead") !== null;
        cell.setAttribute("role", inHead ? "columnheader" : cell.tagName === "TH" ? "rowheader" : "cell");
        if (!inHead && headings[index] && !cell.dataset.label) cell.dataset.label = headings[index];
      });
    }
    for (const group of table.querySelectorAll("thead, tbody")) group.setAttribute("role", "rowgroup");
    table.classList.add("app-table--stackable");
  }
}
