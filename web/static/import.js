// The import page: Preview sends the chosen files to POST /api/v1/imports
// with dry_run and shows the plan; Import sends the same files again to
// write them. Without JavaScript the form posts to /import and the server
// renders the same plan. Everything from the server is set as text, never
// as HTML.
const form = document.getElementById("import-form");
const result = document.getElementById("import-result");

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function slugList(label, slugs) {
  if (!slugs.length) return "";
  const p = el("p", {}, `${label}: `);
  slugs.forEach((s, i) => {
    if (i) p.append(", ");
    p.append(el("code", {}, s));
  });
  return p;
}

function showPlan(plan) {
  result.replaceChildren();
  if (plan.errors.length) {
    const list = el("ul", {});
    for (const e of plan.errors) list.append(el("li", {}, el("code", {}, e)));
    result.append(el("div", { class: "alert alert-error", role: "alert", id: "import-errors" },
      el("p", {}, el("strong", {}, `${plan.errors.length} problem(s); nothing was imported.`), " Fix them and try again."),
      list));
    return;
  }
  const box = el("div", { class: `alert ${plan.dry_run ? "alert-info" : "alert-success"}`, role: "status", id: "import-plan" },
    el("p", {}, el("strong", {}, plan.dry_run ? "Preview: nothing written yet." : "Imported."),
      ` ${plan.added.length} added, ${plan.updated.length} updated, ${plan.unchanged.length} unchanged, ${plan.retired.length} retired.`),
    slugList("Added", plan.added), slugList("Updated", plan.updated),
    slugList("Retired (hidden from new practice, history kept)", plan.retired));
  if (plan.notes.length) {
    const notes = el("ul", {});
    for (const n of plan.notes) notes.append(el("li", {}, n));
    box.append(notes);
  }
  const sets = el("p", {}, "Sets: ");
  plan.sets.forEach((s, i) => {
    if (i) sets.append(", ");
    sets.append(el("a", { href: `/sets/${encodeURIComponent(s)}` }, s));
  });
  box.append(sets);
  if (plan.dry_run) box.append(el("p", { class: "muted" }, "Press Import to write these changes."));
  result.append(box);
}

function showError(message) {
  result.replaceChildren(el("div", { class: "alert alert-error", role: "alert" }, el("p", {}, message)));
}

async function send(dryRun) {
  const data = new FormData(form);
  data.delete("action");
  data.set("dry_run", dryRun ? "true" : "false");
  const token = form.querySelector("input[name='_csrf']").value;
  result.replaceChildren(el("p", { class: "muted" }, dryRun ? "Checking…" : "Importing…"));
  try {
    const response = await fetch("/api/v1/imports", { method: "POST", body: data, headers: { "X-CSRF-Token": token } });
    const body = await response.json();
    if (body.error) {
      showError(body.error.message);
      return;
    }
    showPlan(body);
  } catch (err) {
    showError(`The import could not be sent: ${err.message}`);
  }
}

if (form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    send(event.submitter?.value !== "import");
  });
}
