// The employer's floor plan: click a free booth to book it; booths taken by others turn taken
// without a reload (a small JSON poll every few seconds: simple, and robust behind any proxy).
// Without JavaScript the booth buttons still submit the form and the server books.

const form = document.getElementById("floor-plan");
const statusBox = document.getElementById("booking-status");
const POLL_MS = 2000;

function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)fairs_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

function say(text) {
  statusBox.textContent = text;
}

function fill(template, code) {
  return template.replace("%(code)s", code);
}

function labelFor(status) {
  const d = form.dataset;
  return { free: d.msgFree, booked: d.msgBookedLabel, blocked: d.msgBlocked }[status] || status;
}

function render(items) {
  const mine = form.dataset.mine;
  const locked = Boolean(form.dataset.locked);
  let free = 0;
  for (const item of items) {
    const button = form.querySelector(`button[data-code="${CSS.escape(item.code)}"]`);
    if (!button) continue;
    const state = item.code === mine ? "mine" : item.status;
    if (item.status === "free") free += 1;
    if (!button.classList.contains(state)) {
      button.classList.remove("free", "booked", "blocked", "mine");
      button.classList.add(state);
    }
    button.disabled = locked || item.status !== "free";
    button.setAttribute("aria-label", `${item.code} ${labelFor(item.status)}`);
    button.title = item.employer_name || "";
  }
  const counter = document.querySelector("[data-free-count]");
  if (counter) counter.textContent = String(free);
}

async function poll() {
  try {
    const r = await fetch(`/api/v1/fairs/${form.dataset.fair}/booths`, {
      headers: { accept: "application/json" }, cache: "no-store",
    });
    if (r.ok) render((await r.json()).items);
  } catch (_) {
    // offline for a moment: the next poll catches up
  }
}

async function book(code) {
  const r = await fetch(`/api/v1/fairs/${form.dataset.fair}/bookings`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": csrfToken(),
               accept: "application/json" },
    body: JSON.stringify({ booth: code || null }),
  });
  const body = await r.json().catch(() => ({}));
  if (r.status === 201 || r.status === 202) {
    say(fill(form.dataset.msgBooked, body.booth || ""));
    window.location.reload();
    return;
  }
  if (r.status === 409 && code) {
    say(fill(form.dataset.msgTaken, code));
  } else {
    say(body.detail || `${r.status}`);
  }
  await poll();
}

if (form) {
  form.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (!button || !window.fetch) return;
    event.preventDefault();
    button.disabled = true;
    book(button.value).finally(() => {
      if (button.hasAttribute("data-any")) button.disabled = false;
    });
  });
  setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") poll();
  });
}
