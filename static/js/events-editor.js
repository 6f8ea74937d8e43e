// The fair editor: show the venue for an offline fair and the channel for an online one.
// Without this script both are shown, each labelled with the kind it belongs to.
const form = document.getElementById("fair-editor");
if (form) {
  const radios = form.querySelectorAll('input[name="kind"][type="radio"]');
  const show = () => {
    const checked = form.querySelector('input[name="kind"]:checked');
    if (!checked) return;
    for (const block of form.querySelectorAll("[data-kind-only]")) {
      block.hidden = block.dataset.kindOnly !== checked.value;
    }
  };
  radios.forEach((r) => r.addEventListener("change", show));
  show();
  // After a refused save, put the focus on the first field at fault.
  const bad = form.querySelector('[aria-invalid="true"]');
  if (bad) {
    (bad.matches("fieldset") ? bad.querySelector("input") : bad)?.focus();
  }
}
