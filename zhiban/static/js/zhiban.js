// Zhiban page behaviour. Loaded as a file: the Content Security Policy allows no inline script.
(function () {
  "use strict";
  // A session that expired mid-page: htmx follows HX-Redirect to the login page (server side),
  // and any 401/403 on an htmx request reloads the page so the user sees why.
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401) { window.location.reload(); }
  });
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
