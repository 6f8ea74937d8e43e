// Self check-in: the attendee scanned the wall's code. Admit the ticket this browser remembers
// (since registration), or find it by name and phone; the same check-in rule decides.
import { forFair, remember } from "./tickets-remember.js";

const box = document.getElementById("self-checkin");
const fairId = Number(box.dataset.fair);
const token = box.dataset.token;
const result = document.getElementById("self-result");
const CLASS = { ok: "ok", already_checked_in: "already" };

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)fairs_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

function show(title, text, kind) {
  if (!result) return;
  result.hidden = false;
  result.dataset.result = kind;
  result.querySelector(".scan-result-title").textContent = title;
  result.querySelector(".scan-result-text").textContent = text;
}

async function admit(body) {
  try {
    const response = await fetch(`/api/v1/fairs/${fairId}/self-checkin`, {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf() },
      body: JSON.stringify({ token, ...body }),
    });
    const answer = await response.json();
    if (!response.ok) {
      show(answer.title || "", answer.detail || box.dataset.msgFailed, "refused");
      return;
    }
    show(answer.attendee ? answer.attendee.name : answer.result, answer.explanation, CLASS[answer.result] || "refused");
    if (answer.code) remember({ code: answer.code, fair: fairId });
    if (answer.result === "ok" || answer.result === "already_checked_in") {
      const form = document.getElementById("self-form");
      if (form) form.hidden = true;
      const mine = document.getElementById("self-remembered");
      if (mine) mine.hidden = true;
    }
  } catch {
    show("", box.dataset.msgFailed, "refused");
  }
}

if (token && document.getElementById("self-form")) {
  const ticket = forFair(fairId);
  if (ticket) {
    document.getElementById("self-code").textContent = ticket.code;
    document.getElementById("self-remembered").hidden = false;
    document.getElementById("self-admit").addEventListener("click", () => admit({ code: ticket.code }));
  }
  document.getElementById("self-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    admit({ name: data.get("name"), phone: data.get("phone") });
  });
}
