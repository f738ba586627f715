import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// Pages that show a long task's progress poll a JSON endpoint and reload when the task is done. Still
// working: "validating" and "applying" (staff imports, assignments), "queued" and "running" (reports).
// A page that says which status it was drawn in (data-progress-status) also reloads when that changes,
// so a report's "Queued" tag becomes "Compiling" while the bar keeps moving.
const WORKING = ["validating", "applying", "queued", "running"];
const poller = document.querySelector("[data-progress-url]");
if (poller) {
  const drawnIn = poller.dataset.progressStatus;
  const bar = poller.querySelector("progress");
  const text = poller.querySelector("[data-progress-text]");
  const tick = async () => {
    try {
      const response = await fetch(poller.dataset.progressUrl, { headers: { Accept: "application/json" } });
      const data = await response.json();
      if (bar && data.total) {
        bar.max = data.total;
        bar.value = data.done;
      }
      if (text) {
        text.textContent = data.total ? `${data.stage}: ${data.done.toLocaleString("en-GB")} of ${data.total.toLocaleString("en-GB")} ${data.unit || "rows"}` : data.stage;
      }
      if (!WORKING.includes(data.status) || (drawnIn && data.status !== drawnIn)) {
        window.location.reload();
        return;
      }
    } catch (e) {
      // A missed poll is retried on the next tick.
    }
    setTimeout(tick, 1000);
  };
  setTimeout(tick, 1000);
}

// Surveys saved part-way live only in this browser: signing out from any page clears them, so the
// next person on a shared device never sees them, and so does a sign-in page (data-clear-drafts): whoever
// saved them has been signed out, perhaps by an idle timeout.
import("./survey.mjs").then(({ clearAllDrafts }) => {
  if (document.querySelector("[data-clear-drafts]")) clearAllDrafts();
  for (const form of document.querySelectorAll("form[data-sign-out]")) {
    form.addEventListener("submit", clearAllDrafts);
  }
});

// Readiness tree table: with JavaScript, each department with teams gets a button that shows or hides
// them. Without it, the whole tree is shown, indented.
const tree = document.querySelector("table[data-tree-table]");
if (tree) {
  const rows = [...tree.querySelectorAll("tr[data-id]")];
  const kids = new Map();
  for (const row of rows) {
    const parent = row.dataset.parent;
    if (!kids.has(parent)) kids.set(parent, []);
    kids.get(parent).push(row);
  }
  const setHidden = (id, hidden) => {
    for (const child of kids.get(id) || []) {
      child.hidden = hidden;
      const button = child.querySelector(".tandem-toggle");
      // A team folded on its own stays folded when its parent opens again.
      if (!hidden && button && button.getAttribute("aria-expanded") === "false") continue;
      setHidden(child.dataset.id, hidden);
    }
  };
  for (const button of tree.querySelectorAll(".tandem-toggle")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", String(!open));
      setHidden(button.closest("tr").dataset.id, open);
    });
  }
}

// Wide tables: say that they scroll sideways, where they do (and only there), above the table.
const scrollHints = () => {
  for (const wrap of document.querySelectorAll(".tandem-table-wrap")) {
    const wide = wrap.scrollWidth > wrap.clientWidth + 1;
    let hint = wrap.previousElementSibling;
    if (!(hint && hint.classList.contains("tandem-scroll-hint"))) hint = null;
    if (wide && !hint) {
      hint = document.createElement("p");
      hint.className = "govuk-body-s tandem-scroll-hint";
      hint.textContent = "Scroll sideways to see every column.";
      wrap.before(hint);
    } else if (!wide && hint) {
      hint.remove();
    }
  }
};
scrollHints();
window.addEventListener("resize", scrollHints);
// A table in a folded section has no width until it is opened: look again when one opens.
document.addEventListener("toggle", scrollHints, true);
