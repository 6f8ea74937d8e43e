// The fair page's "Positions for you": when this browser remembers a ticket of this fair (its
// secret, from tickets-remember.js), its best positions from GET /api/v1/tickets/{secret}/matches,
// with a link to the ticket page (the full list and the way through the fair). Text only
// (textContent): nothing from the answer is parsed as HTML.
import { forFair } from "./tickets-remember.js";

const box = document.getElementById("for-you");

async function show() {
  const ticket = forFair(box.dataset.fair);
  if (!ticket || !ticket.secret) return;
  const secret = encodeURIComponent(ticket.secret);
  let answer;
  try {
    const response = await fetch(`/api/v1/tickets/${secret}/matches?limit=5`, { credentials: "same-origin" });
    if (!response.ok) return;
    answer = await response.json();
  } catch {
    return; // offline: the section stays hidden
  }
  const all = box.querySelector(".matching-all");
  all.href = `/tickets/${secret}#matches`;
  if (!answer.profile) {
    box.querySelector(".matching-empty").hidden = false;
    all.href = `/tickets/${secret}/profile`;
  }
  const list = box.querySelector("ol");
  for (const item of answer.items) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = item.url;
    const title = document.createElement("strong");
    title.textContent = item.title;
    link.append(title);
    li.append(link, ` · ${item.employer_name} `);
    const badge = document.createElement("span");
    badge.className = item.fits ? "badge ok" : "badge";
    badge.textContent = box.dataset.points.replace("{score}", String(item.score));
    li.append(badge);
    if (item.booth) li.append(` · ${box.dataset.booth.replace("{code}", item.booth)}`);
    list.append(li);
  }
  box.hidden = false;
}

if (box) show();
