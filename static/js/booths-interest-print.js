// Booth posters: the print button (each poster is one A4 page; see the print stylesheet).
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
