// onsite's small page behaviours: keyboard shortcuts and confirmations.
// Pages work without it; it only makes them quicker to use.

// "/" focuses the search box, as on most sites with one.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  const search = document.querySelector("[data-shortcut='/']");
  if (search) {
    event.preventDefault();
    search.focus();
  }
});

// Forms with data-confirm ask before they submit.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// A freshly created token is selected on focus, ready to copy.
for (const input of document.querySelectorAll("[data-select-on-focus]")) {
  input.addEventListener("focus", () => input.select());
}

// The answer form of a coding question: the language's starter code, a
// draft kept per question and language in this browser, and Run or Submit
// through the grading API with the results shown as the grader reports
// them.
const verdictLabels = {
  accepted: "Accepted",
  wrong_answer: "Wrong Answer",
  time_limit_exceeded: "Time Limit Exceeded",
  memory_limit_exceeded: "Memory Limit Exceeded",
  runtime_error: "Runtime Error",
  compilation_error: "Compilation Error",
  output_limit_exceeded: "Output Limit Exceeded",
  internal_error: "Internal Error",
};

function csrfToken() {
  const field = document.querySelector("input[name='_csrf']");
  return field ? field.value : "";
}

function element(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, value);
  for (const child of children) {
    if (child !== null && child !== undefined && child !== "") el.append(child);
  }
  return el;
}

function labelled(label, text) {
  if (!text) return null;
  return element("div", { class: "io" }, element("span", { class: "label" }, label), element("pre", {}, text));
}

function renderResult(box, sub) {
  box.replaceChildren();
  const result = sub.result;
  if (!result) {
    box.append(element("p", { class: "muted" }, "Still grading…"));
    return;
  }
  const verdict = result.verdict;
  const summary = element("p", { class: `verdict verdict-${verdict}`, role: "status" },
    element("strong", {}, verdictLabels[verdict] || verdict),
    ` · ${result.passed}/${result.total} tests passed · ${Math.round(result.time_ms)} ms`);
  box.append(summary);
  if (result.message) box.append(element("p", { class: "muted" }, result.message));
  if (result.compile_output) box.append(labelled("Compiler", result.compile_output));
  const list = element("ol", { class: "test-results" });
  for (const t of result.tests || []) {
    const name = t.custom ? "custom input" : t.name || `test ${t.index + 1}`;
    const item = element("li", { class: t.passed ? "passed" : "failed" },
      element("span", { class: "badge" }, t.passed ? "passed" : verdictLabels[t.verdict] || t.verdict),
      " ", element("strong", {}, name), t.sample ? " (sample)" : t.custom ? "" : " (hidden)",
      ` · ${t.time_ms.toFixed(1)} ms`);
    for (const [label, text] of [["Input", t.input], ["Expected", t.expected], ["Output", t.actual], ["Stdout", t.stdout], ["Stderr", t.stderr]]) {
      const block = labelled(label, text);
      if (block) item.append(block);
    }
    list.append(item);
  }
  box.append(list);
}

for (const form of document.querySelectorAll(".practice-form")) {
  const select = form.querySelector("select[name='language']");
  const code = form.querySelector("textarea[name='code']");
  const input = form.querySelector("textarea[name='input']");
  const results = form.parentElement.querySelector(".results");
  const draftKey = () => `onsite:draft:${form.dataset.question}:${select.value}`;
  const starter = () => select.selectedOptions[0].dataset.starter || "";
  const savedLanguage = localStorage.getItem(`onsite:language:${form.dataset.question}`);
  if (savedLanguage && [...select.options].some((o) => o.value === savedLanguage)) select.value = savedLanguage;
  // With the editor bundle (editor.js) loaded, a CodeMirror editor takes
  // the textarea's place and keeps its value and "input" events in step;
  // without it, the plain textarea does the job.
  const run = () => form.requestSubmit(form.querySelector("button[value='run']"));
  const editor = window.onsiteEditor ? window.onsiteEditor.create(code, { language: select.value, onRun: run }) : null;
  const setCode = (text) => {
    if (editor) editor.setValue(text);
    else code.value = text;
  };
  const load = () => {
    if (editor) editor.setLanguage(select.value);
    setCode(localStorage.getItem(draftKey()) ?? starter());
  };
  load();
  select.addEventListener("change", () => {
    localStorage.setItem(`onsite:language:${form.dataset.question}`, select.value);
    load();
  });
  code.addEventListener("input", () => localStorage.setItem(draftKey(), code.value));
  form.querySelector("[data-action='reset']").addEventListener("click", () => {
    if (code.value !== starter() && !window.confirm("Replace your code with the starter code?")) return;
    setCode(starter());
    localStorage.removeItem(draftKey());
  });
  // Tab indents instead of leaving the box (the editor does this itself);
  // Ctrl+Enter runs the samples.
  code.addEventListener("keydown", (event) => {
    if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      code.setRangeText(select.value === "go" ? "\t" : "    ", code.selectionStart, code.selectionEnd, "end");
      code.dispatchEvent(new Event("input"));
    }
  });
  form.addEventListener("keydown", (event) => {
    // The editor's own Ctrl+Enter has already run the samples.
    if (event.defaultPrevented) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const mode = event.submitter ? event.submitter.value : "run";
    const body = { question: form.dataset.question, language: select.value, code: code.value, mode };
    if (mode === "run" && input && input.value.trim() !== "") body.input = input.value;
    const buttons = form.querySelectorAll("button[type='submit']");
    buttons.forEach((b) => { b.disabled = true; });
    results.replaceChildren(element("p", { class: "muted" }, mode === "run" ? "Running the samples…" : "Grading every test…"));
    try {
      let response = await fetch("/api/v1/submissions?wait=true", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
        body: JSON.stringify(body),
      });
      let sub = await response.json();
      if (!response.ok) {
        const err = sub.error || {};
        results.replaceChildren(element("p", { class: "alert alert-error", role: "alert" }, err.message || `The server answered ${response.status}.`));
        return;
      }
      while (sub.status !== "done") {
        renderResult(results, sub);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        response = await fetch(`/api/v1/submissions/${sub.id}`);
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        sub = await response.json();
      }
      renderResult(results, sub);
      form.dispatchEvent(new CustomEvent("onsite:graded", { bubbles: true, detail: sub }));
    } catch (err) {
      results.replaceChildren(element("p", { class: "alert alert-error", role: "alert" }, `Could not reach the server: ${err.message}`));
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
}

// The drill: keys 1-4 rate, u undoes, space reveals the answer; a coding
// card's submissions ask the server for a suggested rating, which the
// candidate can still change.
const ratingForm = document.querySelector(".rating-form");
if (ratingForm) {
  const card = document.querySelector(".drill-card");
  const typing = (target) => target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (/^[1-4]$/.test(event.key)) {
      const button = ratingForm.querySelector(`button[data-key="${event.key}"]`);
      if (button) {
        event.preventDefault();
        ratingForm.requestSubmit(button);
      }
    } else if (event.key === "u") {
      const undo = document.querySelector(".undo-form");
      if (undo) {
        event.preventDefault();
        undo.requestSubmit();
      }
    } else if (event.key === " ") {
      const answer = card && card.querySelector("details.answer:not([open])");
      if (answer) {
        event.preventDefault();
        answer.open = true;
      }
    }
  });
  const accepted = [];
  let hints = 0;
  if (card) {
    for (const hint of card.querySelectorAll("details.reveal:not(.answer)")) {
      hint.addEventListener("toggle", () => { if (hint.open) hints++; }, { once: true });
    }
  }
  document.addEventListener("onsite:graded", async (event) => {
    const sub = event.detail;
    if (!card || sub.mode !== "submit" || !sub.result) return;
    accepted.push(sub.result.verdict === "accepted");
    const shownAt = Number(ratingForm.querySelector("input[name='shown_at']").value);
    const response = await fetch("/api/v1/drill/suggest", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify({ question: card.dataset.question, accepted, hints_used: hints, took_ms: Date.now() - shownAt }),
    });
    if (!response.ok) return;
    const { number } = await response.json();
    for (const button of ratingForm.querySelectorAll("button.rating")) {
      const suggested = button.dataset.key === String(number);
      button.classList.toggle("suggested", suggested);
      if (suggested) button.focus();
    }
  });
}

// Browser reminders: while an onsite tab is open, show today's reminder as
// a notification at its time. The server hands it to the first tab that
// claims it, so several tabs (or a reload) show it once.
async function browserReminders() {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  if (localStorage.getItem("onsite.browserReminders") !== "1") return;
  const next = await fetch("/api/v1/reminders/browser", { headers: { Accept: "application/json" } });
  if (!next.ok) return;
  const when = await next.json();
  if (!when.enabled) return;
  const wait = Date.parse(when.at) - Date.now();
  if (Date.now() > Date.parse(when.until) || wait > 24 * 3600 * 1000) return;
  setTimeout(async () => {
    const claim = await fetch("/api/v1/reminders/browser/claim", {
      method: "POST",
      headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
    });
    if (claim.status !== 200) return;
    const r = await claim.json();
    const n = new Notification(r.title, { body: r.body, tag: "onsite-drill" });
    n.onclick = () => { window.focus(); location.href = r.url; };
  }, Math.max(wait, 0));
}
browserReminders().catch(() => {});
