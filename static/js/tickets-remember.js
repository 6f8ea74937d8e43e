// Tickets: the browser remembers the tickets it has shown (localStorage), so that the fair page
// can link to "my ticket" and the self check-in page can admit it without typing anything.
// An entry is {secret?, code, fair, title?, starts?}: the secret (from the ticket page's address)
// opens the ticket and marks interests; the door code only admits (self check-in).
const KEY = "fairs.tickets";

export function remembered() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

export function remember(ticket) {
  const before = remembered();
  const same = before.find((t) => t.code === ticket.code) || {};
  const list = before.filter((t) => t.code !== ticket.code);
  list.unshift({ ...same, ...ticket, secret: ticket.secret || same.secret });
  try { localStorage.setItem(KEY, JSON.stringify(list.slice(0, 20))); } catch { /* private mode */ }
}

export function forget(code) {
  try { localStorage.setItem(KEY, JSON.stringify(remembered().filter((t) => t.code !== code))); } catch { /* ignore */ }
}

export function forFair(fairId) {
  const mine = remembered().filter((t) => String(t.fair) === String(fairId));
  return mine.find((t) => t.secret) || mine[0];
}

const article = document.querySelector("article.ticket[data-secret]");
if (article) {
  const { secret, code, fair, title, starts, status } = article.dataset;
  if (status === "active") remember({ secret, code, fair: Number(fair), title, starts });
  else forget(code);
  const form = article.querySelector("form.ticket-cancel");
  if (form) {
    // confirm.js asks the form's data-confirm question first (and stops a refused submit)
    form.addEventListener("submit", (event) => {
      if (!event.defaultPrevented) forget(code);
    });
  }
}

const mine = document.querySelector(".ticket-mine[data-fair]");
if (mine) {
  const t = forFair(mine.dataset.fair);
  if (t && t.secret) {
    mine.querySelector("a").href = `/tickets/${encodeURIComponent(t.secret)}`;
    mine.hidden = false;
  }
}
