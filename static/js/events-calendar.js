// The month calendar as a keyboard grid: one day is in the tab order; the arrow keys move a day
// or a week, Home/End to the week's ends, Page Up/Page Down to the previous/next month, and
// Enter (on a day with fairs) jumps to that day's list. Without this script every day with fairs
// is an ordinary link.
const table = document.querySelector("table.month");
if (table) {
  const days = [...table.querySelectorAll("td:not(.outside) .day")];
  const byDate = new Map(days.map((el) => [el.dataset.date, el]));
  const iso = (d) => d.toISOString().slice(0, 10);
  const parse = (s) => new Date(`${s}T00:00:00Z`);
  let current =
    table.querySelector(".day[aria-current]") ||
    table.querySelector("a.day") ||
    days[0];
  const focusDay = (el, move = true) => {
    if (!el) return;
    days.forEach((d) => d.setAttribute("tabindex", "-1"));
    el.setAttribute("tabindex", "0");
    current = el;
    if (move) el.focus();
  };
  focusDay(current, false);
  const hash = location.hash.match(/^#day-(\d{4}-\d{2}-\d{2})$/);
  if (hash && byDate.get(hash[1])) focusDay(byDate.get(hash[1]), false);

  table.addEventListener("keydown", (event) => {
    const el = event.target.closest(".day");
    if (!el) return;
    const date = parse(el.dataset.date);
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 }[event.key];
    if (step !== undefined) {
      date.setUTCDate(date.getUTCDate() + step);
      const next = byDate.get(iso(date));
      if (next) focusDay(next);
      else {
        const nav = document.querySelector(`[data-month-nav="${step < 0 ? "prev" : "next"}"]`);
        if (nav) location.href = nav.href;
      }
      event.preventDefault();
    } else if (event.key === "Home" || event.key === "End") {
      const weekday = (date.getUTCDay() + 6) % 7; // Monday first
      date.setUTCDate(date.getUTCDate() + (event.key === "Home" ? -weekday : 6 - weekday));
      let target = byDate.get(iso(date));
      for (let i = 0; !target && i < 7; i++) {
        date.setUTCDate(date.getUTCDate() + (event.key === "Home" ? 1 : -1));
        target = byDate.get(iso(date));
      }
      focusDay(target);
      event.preventDefault();
    } else if (event.key === "PageUp" || event.key === "PageDown") {
      const nav = document.querySelector(
        `[data-month-nav="${event.key === "PageUp" ? "prev" : "next"}"]`,
      );
      if (nav) location.href = nav.href;
      event.preventDefault();
    } else if (event.key === "Enter" && el.tagName === "A") {
      const heading = document.getElementById(`day-${el.dataset.date}`);
      if (heading) {
        event.preventDefault();
        history.replaceState(null, "", `#day-${el.dataset.date}`);
        heading.scrollIntoView({ block: "start" });
        heading.focus();
      }
    }
  });
  table.addEventListener("click", (event) => {
    const el = event.target.closest(".day");
    if (el) focusDay(el, false);
  });
}
