// Confirmation before destructive or bulk actions (issue 15): a form (or its submit button)
// with data-confirm="…" asks that question, in the page's language, before it is sent; "Cancel"
// keeps the page as it is. A form that also has data-confirm-field="name" gets name=yes when the
// person agreed, so the server skips its own confirmation step (the one a browser without
// JavaScript sees: fairs' bulk publish and fair cancel answer a confirmation page to a form
// posted without that field). No inline script: the site's CSP forbids it.

function question(form, submitter) {
  return (submitter && submitter.dataset && submitter.dataset.confirm) || form.dataset.confirm;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const text = question(form, event.submitter);
  if (!text) return;
  if (!window.confirm(text)) {
    event.preventDefault();
    event.stopImmediatePropagation();
    return;
  }
  const field = form.dataset.confirmField;
  if (field && !form.querySelector(`input[type=hidden][name="${CSS.escape(field)}"]`)) {
    const agreed = document.createElement("input");
    agreed.type = "hidden";
    agreed.name = field;
    agreed.value = "yes";
    form.append(agreed);
  }
}, true);
