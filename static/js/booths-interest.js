// The employer's page at a fair (a booth poster's QR opens it): mark interest in a position
// with the ticket this browser remembers since registration (tickets-remember.js), or a typed
// code. Without JavaScript the form posts to the page, with the pressed button's position.
import { forFair, remember } from "./tickets-remember.js";

const form = document.getElementById("interest-form");

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)fairs_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

function normalise(code) {
  return (code || "").replace(/[\s-]+/g, "").toUpperCase();
}

if (form) {
  const fairId = Number(form.dataset.fair);
  const input = form.querySelector("input[name=code]");
  const field = document.getElementById("interest-code-field");
  const mine = document.getElementById("interest-mine");
  const status = document.getElementById("interest-status");

  const say = (text, kind) => {
    status.textContent = text;
    status.dataset.kind = kind || "";
  };

  const markButton = (button) => {
    button.dataset.marked = "true";
    button.setAttribute("aria-pressed", "true");
    button.textContent = form.dataset.labelMarked;
  };

  const showMarked = async (code) => {
    try {
      const response = await fetch(`/api/v1/tickets/${encodeURIComponent(code)}/interests`,
        { credentials: "same-origin" });
      if (!response.ok) return;
      const answer = await response.json();
      for (const item of answer.items) {
        const button = form.querySelector(`button[name=position][value="${item.position}"]`);
        if (button) markButton(button);
      }
    } catch { /* offline: the buttons still work */ }
  };

  const ticket = forFair(fairId);
  if (ticket && !input.value) {
    input.value = ticket.code;
    mine.querySelector("code").textContent = ticket.code;
    mine.hidden = false;
    field.hidden = true;
    showMarked(ticket.code);
  }

  form.addEventListener("submit", async (event) => {
    const button = event.submitter;
    if (!button || button.name !== "position") return;
    event.preventDefault();
    const code = normalise(input.value);
    if (!code) {
      field.hidden = false;
      input.focus();
      say(form.dataset.msgNeedCode, "error");
      return;
    }
    button.disabled = true;
    try {
      const response = await fetch(`/api/v1/positions/${button.value}/interests`, {
        method: "POST", credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrf-token": csrf() },
        body: JSON.stringify({ code }),
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        markButton(button);
        say(response.status === 201 ? form.dataset.msgMarked : form.dataset.msgAlready, "ok");
        if (!ticket || ticket.code !== code) remember({ code, fair: fairId });
      } else {
        const fields = (answer.errors || []).map((e) => e.field);
        let text = form.dataset.msgFailed;
        if (fields.includes("code")) text = response.status === 409 ? form.dataset.msgCancelled : form.dataset.msgBadCode;
        else if (fields.includes("fair")) text = form.dataset.msgFairCancelled;
        else if (response.status === 404) text = form.dataset.msgGone;
        say(text, "error");
        if (fields.includes("code")) {
          field.hidden = false;
          input.setAttribute("aria-invalid", "true");
        }
      }
    } catch {
      say(form.dataset.msgFailed, "error");
    } finally {
      button.disabled = false;
    }
  });
}
