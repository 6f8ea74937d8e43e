// Tickets: the browser remembers the tickets it has shown (localStorage), so that the fair page
// can link to "my ticket" and the self check-in page can admit it without typing anything.
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
  const list = remembered().filter((t) => t.code !== ticket.code);
  list.unshift(ticket);
  try { localStorage.setItem(KEY, JSON.stringify(list.slice(0, 20))); } catch { /* private mode */ }
}

export function forget(code) {
  try { localStorage.setItem(KEY, JSON.stringify(remembered().filter((t) => t.code !== code))); } catch { /* ignore */ }
}

export function forFair(fairId) {
  return remembered().find((t) => String(t.fair) === String(fairId));
}

const article = document.querySelector("article.ticket[data-code]");
if (article) {
  const { code, fair, title, starts, status } = article.dataset;
  if (status === "active") remember({ code, fair: Number(fair), title, starts });
  else forget(code);
  const form = article.querySelector("form.ticket-cancel");
  if (form) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      else forget(code);
    });
  }
}

const mine = document.querySelector(".ticket-mine[data-fair]");
if (mine) {
  const t = forFair(mine.dataset.fair);
  if (t) {
    mine.querySelector("a").href = `/tickets/${t.code}`;
    mine.hidden = false;
  }
}
