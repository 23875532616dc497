// Mock interview pages: the round's countdown (against the server's clock),
// answers saved as they are typed, the candidate's rubric ticks and rating,
// and the peer interviewer's scorecard. The pages work without it, except
// for saving answers, which needs it.

function csrf() {
  const field = document.querySelector("input[name='_csrf']");
  return field ? field.value : "";
}

// save sends one change and reports in the status line next to it.
async function save(url, body, status) {
  if (status) status.textContent = "Saving…";
  try {
    const response = await fetch(url, {
      method: "PUT",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body),
      keepalive: true,
    });
    if (!response.ok) {
      let message = `The server answered ${response.status}.`;
      try {
        message = (await response.json()).error.message || message;
      } catch (_) { /* not JSON */ }
      if (status) status.textContent = `Not saved: ${message}`;
      return false;
    }
    if (status) status.textContent = `Saved at ${new Date().toLocaleTimeString()}.`;
    return true;
  } catch (err) {
    if (status) status.textContent = `Not saved (${err.message}); your text is still here, and saving retries on the next change.`;
    return false;
  }
}

// debounced calls fn once typing pauses, and at once when the page is left.
const pending = new Set();
function debounced(fn, ms) {
  let timer = null;
  const run = () => {
    clearTimeout(timer);
    timer = null;
    pending.delete(run);
    fn();
  };
  return () => {
    clearTimeout(timer);
    pending.add(run);
    timer = setTimeout(run, ms);
  };
}
window.addEventListener("pagehide", () => { for (const run of [...pending]) run(); });

const answerURL = (el) => `/api/v1/interviews/${el.dataset.interview}/rounds/${el.dataset.round}/answers/${el.dataset.position}`;

// The countdown: the page carries the deadline and the server's now, so a
// wrong clock in the browser does not change the time left.
const timer = document.querySelector(".timer[data-deadline]");
if (timer) {
  const offset = Number(timer.dataset.now) - Date.now();
  const deadline = Number(timer.dataset.deadline);
  const tick = () => {
    const left = Math.max(0, deadline - (Date.now() + offset));
    const minutes = Math.floor(left / 60000);
    const seconds = Math.floor((left % 60000) / 1000);
    timer.textContent = left > 0 ? `${minutes}:${String(seconds).padStart(2, "0")} left` : "Time is up: handing the round in…";
    timer.classList.toggle("timer-low", left < 5 * 60000);
    if (left <= 0) {
      clearInterval(interval);
      for (const run of [...pending]) run();
      setTimeout(() => window.location.reload(), 1500);
    }
  };
  const interval = setInterval(tick, 500);
  tick();
}

// Written answers.
for (const box of document.querySelectorAll("textarea.answer-text")) {
  const status = box.parentElement.querySelector(".save-status");
  box.addEventListener("input", debounced(() => save(answerURL(box), { text: box.value }, status), 800));
}

// Coding answers: the question's answer form, with the code kept on the
// server and each graded submit attached to the interview.
for (const form of document.querySelectorAll(".practice-form[data-interview]")) {
  const article = form.closest("article");
  const saved = article && article.querySelector("textarea.saved-code");
  const select = form.querySelector("select[name='language']");
  const code = form.querySelector("textarea[name='code']");
  if (saved && saved.value.trim() !== "") {
    if (saved.dataset.language && [...select.options].some((o) => o.value === saved.dataset.language)) {
      select.value = saved.dataset.language;
      select.dispatchEvent(new Event("change"));
    }
    code.value = saved.value;
    code.dispatchEvent(new Event("input"));
  }
  const status = document.createElement("p");
  status.className = "save-status muted";
  status.setAttribute("aria-live", "polite");
  form.after(status);
  const push = debounced(() => save(answerURL(form), { code: code.value, language: select.value }, status), 1000);
  code.addEventListener("input", push);
  select.addEventListener("change", push);
  form.addEventListener("onsite:graded", async (event) => {
    const sub = event.detail;
    if (sub.mode !== "submit" || sub.status !== "done") return;
    await fetch(`${answerURL(form)}/graded`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify({ submission: sub.id }),
    });
  });
}

// The candidate's ticks and rating after a round.
for (const form of document.querySelectorAll("form.self-score")) {
  const status = form.querySelector(".save-status");
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", () => {
    const covered = [...form.querySelectorAll("input[name='covered']:checked")].map((c) => Number(c.value));
    const body = { covered };
    const rating = form.querySelector("input[name='self_rating']:checked");
    if (rating) body.self_rating = Number(rating.value);
    save(answerURL(form), body, status);
  });
}

// The peer interviewer's scorecard.
for (const form of document.querySelectorAll("form.peer-score")) {
  const status = form.querySelector(".save-status");
  const url = `/peer/${form.dataset.token}/rounds/${form.dataset.round}/answers/${form.dataset.position}`;
  const send = () => {
    const covered = [...form.querySelectorAll("input[name='covered']:checked")].map((c) => Number(c.value));
    save(url, { covered, signal: form.querySelector("select[name='signal']").value, notes: form.querySelector("textarea[name='notes']").value }, status);
  };
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", send);
  form.querySelector("textarea[name='notes']").addEventListener("input", debounced(send, 800));
}

for (const button of document.querySelectorAll(".print-button")) {
  button.addEventListener("click", () => window.print());
}
