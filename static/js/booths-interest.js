// The employer's page at a fair (a booth poster's QR opens it): mark interest in a position
// with the ticket this browser remembers since registration (tickets-remember.js: its secret), or
// the ticket's address pasted. Without JavaScript the form posts to the page, with the pressed
// button's position. The door code does not mark interest: employers and door staff see it.
import { forFair, remember } from "./tickets-remember.js";

const form = document.getElementById("interest-form");

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)fairs_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

function secretOf(text) {
  // The ticket's secret, pasted as itself or as the ticket's address (.../tickets/{secret}).
  let value = (text || "").trim();
  const at = value.indexOf("/tickets/");
  if (at >= 0) value = value.slice(at + "/tickets/".length);
  return value.split(/[/?#]/)[0];
}

if (form) {
  const fairId = Number(form.dataset.fair);
  const input = form.querySelector("input[name=secret]");
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

  const showMarked = async (secret) => {
    try {
      const response = await fetch(`/api/v1/tickets/${encodeURIComponent(secret)}/interests`,
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
  if (ticket && ticket.secret && !input.value) {
    input.value = ticket.secret;
    mine.querySelector("code").textContent = ticket.code || "";
    mine.hidden = false;
    field.hidden = true;
    showMarked(ticket.secret);
  }

  form.addEventListener("submit", async (event) => {
    const button = event.submitter;
    if (!button || button.name !== "position") return;
    event.preventDefault();
    const secret = secretOf(input.value);
    if (!secret) {
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
        body: JSON.stringify({ secret }),
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        markButton(button);
        say(response.status === 201 ? form.dataset.msgMarked : form.dataset.msgAlready, "ok");
        if (!ticket || ticket.secret !== secret) {
          const read = await fetch(`/api/v1/tickets/${encodeURIComponent(secret)}`, { credentials: "same-origin" })
            .then((r) => (r.ok ? r.json() : null)).catch(() => null);
          if (read) remember({ secret, code: read.code, fair: fairId });
        }
      } else {
        const fields = (answer.errors || []).map((e) => e.field);
        let text = form.dataset.msgFailed;
        if (fields.includes("secret")) text = response.status === 409 ? form.dataset.msgCancelled : form.dataset.msgBadCode;
        else if (fields.includes("fair")) text = form.dataset.msgFairCancelled;
        else if (response.status === 404) text = form.dataset.msgGone;
        say(text, "error");
        if (fields.includes("secret")) {
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
