/* Behaviour that pages used to carry in inline handlers (onsubmit, onclick, javascript: links),
   moved here so the Content-Security-Policy can forbid inline script (issue 13 item 11).
   Everything is declared in the markup with data- attributes and delegated from the document,
   so fragments htmx swaps in work too:
   - <form data-confirm="…">                 asks before submitting;
   - <form data-prompt="…" data-prompt-field="reason">  asks for a text, puts it in that field,
                                                 and submits only when one was given;
   - <form data-action-from="org">           posts to the URL chosen in its `org` select;
   - <a data-back href="/">                   goes back in history (the href is the fallback);
   - [data-expand-icon] (a tree toggle)       shows the "open" caret once clicked;
   - [data-org-pick] inside [data-org-picker] fills the picker with the chosen org;
   - [data-form-controls] anywhere on a page  gives every form field Bootstrap's classes. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    if (form.dataset.confirm !== undefined && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.prompt !== undefined) {
      var answer = window.prompt(form.dataset.prompt);
      if (!answer) { event.preventDefault(); return; }
      form.elements[form.dataset.promptField || "reason"].value = answer;
    }
    if (form.dataset.actionFrom) {
      form.action = form.elements[form.dataset.actionFrom].value;
    }
  }, true);

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var back = target.closest("a[data-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
      return;
    }
    var toggle = target.closest("[data-expand-icon]");
    if (toggle) {
      var icon = document.createElement("i");
      icon.className = toggle.dataset.expandIcon;
      toggle.replaceChildren(icon);
    }
    var pick = target.closest("[data-org-pick]");
    if (pick) {
      var picker = pick.closest("[data-org-picker]");
      picker.querySelector("input").value = pick.dataset.code;
      picker.querySelector(".org-picker-chosen").textContent = "✓ " + pick.dataset.label;
      pick.parentNode.replaceChildren();
    }
  });

  function formControls() {
    if (!document.querySelector("[data-form-controls]")) { return; }
    document.querySelectorAll(
      "form input:not([type=checkbox]):not([type=radio]), form select, form textarea"
    ).forEach(function (e) {
      e.classList.add(e.tagName === "SELECT" ? "form-select" : "form-control");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", formControls);
  } else {
    formControls();
  }
})();
