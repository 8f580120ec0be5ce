/* A follow-up question shows only when its condition's answer is picked (moved out of portal_answer.html: no inline script under the CSP). */
(function () {
  const form = document.getElementById("answer-form");
  function refresh() {
    form.querySelectorAll("fieldset[data-show-if]").forEach(function (fs) {
      const picked = Array.from(form.querySelectorAll('[name="q' + fs.dataset.showIf + '"]:checked')).map(function (i) { return i.value; });
      fs.hidden = picked.indexOf(fs.dataset.showValue) === -1;
    });
  }
  form.addEventListener("change", refresh);
  refresh();
})();
