// ID numbers never in a URL (issue 13 item 4): a GET form whose fields hold an 18-character ID
// number is sent as POST with _id_search=1; the server answers 303 with the number sealed
// (gonghui.core.middleware.IdNumberQueryMiddleware). Plain forms without ID numbers stay GET.
(function () {
  "use strict";
  var ID = /^\s*[0-9]{17}[0-9Xx]\s*$/;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "get") return;
    var hasId = Array.prototype.some.call(form.elements, function (el) {
      return el.name && typeof el.value === "string" && ID.test(el.value);
    });
    if (!hasId) return;
    event.preventDefault();
    var post = document.createElement("form");
    post.method = "post";
    post.action = form.getAttribute("action") || window.location.pathname;
    post.hidden = true;
    var data = new FormData(form);
    data.append("_id_search", "1");
    data.forEach(function (value, name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      post.appendChild(input);
    });
    document.body.appendChild(post);
    post.submit();
  }, true);
})();
