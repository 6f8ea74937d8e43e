// Copy buttons of templates/calendar/_subscribe.html: copy the feed address, say so.
for (const button of document.querySelectorAll("[data-cal-copy]")) {
  if (button.dataset.ready) continue;
  button.dataset.ready = "1";
  button.addEventListener("click", async () => {
    const input = button.closest(".cal-copy").querySelector("[data-cal-url]");
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      document.execCommand("copy");
    }
    const label = button.textContent;
    button.textContent = button.dataset.copied;
    button.setAttribute("aria-live", "polite");
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}
