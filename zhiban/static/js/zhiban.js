// Zhiban page behaviour. Loaded as a file: the Content Security Policy allows no inline script.
(function () {
  "use strict";
  // A session that expired mid-page: htmx follows HX-Redirect to the login page (server side),
  // and any 401/403 on an htmx request reloads the page so the user sees why.
  // Any other failed htmx request says so above the page (htmx swaps nothing on errors);
  // the translated texts come from <template id="zb-htmx-error"> in base.html.
  function showRequestError(key) {
    var template = document.getElementById("zb-htmx-error");
    var main = document.getElementById("main");
    if (!template || !main) { return; }
    var text = template.dataset[key] || template.dataset.other;
    var alert = template.content.firstElementChild.cloneNode(true);
    alert.querySelector("[data-message]").textContent = text;
    var previous = main.querySelector(":scope > [data-testid='htmx-error']");
    if (previous) { previous.remove(); }
    main.insertBefore(alert, main.firstChild);
  }
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401) { window.location.reload(); return; }
    showRequestError({403: "forbidden", 404: "missing"}[status] || "other");
  });
  document.body.addEventListener("htmx:sendError", function () { showRequestError("offline"); });
  // Elements with data-confirm ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);
  // Auto-submit filter forms on change (select elements marked data-autosubmit).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      if (window.htmx && el.form.hasAttribute("hx-get")) { window.htmx.trigger(el.form, "submit"); }
      else { el.form.requestSubmit(); }
    }
  });
})();
