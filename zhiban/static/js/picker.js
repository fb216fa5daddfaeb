// Person and department pickers (template org/_person_picker.html). No inline script: CSP.
(function () {
  "use strict";
  // htmx copies "style" between old and new elements of the same id while it settles a
  // swap; an empty style="" (left by the browser on a touched input) then breaks the
  // strict CSP (style-src-attr). Settle classes and sizes only.
  if (window.htmx) { window.htmx.config.attributesToSettle = ["class", "width", "height"]; }
  function pickerOf(el) { return el.closest("[data-picker]"); }
  function changed(picker) { picker.dispatchEvent(new Event("change", {bubbles: true})); }
  function choose(picker, id, label) {
    var chosen = picker.querySelector("[data-picker-chosen]");
    if (chosen.querySelector('[data-id="' + CSS.escape(id) + '"]')) { return; }
    if (picker.dataset.multiple !== "1") { chosen.replaceChildren(); }
    var chip = picker.querySelector("template[data-picker-chip]").content.firstElementChild.cloneNode(true);
    chip.dataset.id = id;
    var input = chip.querySelector("input");
    input.name = picker.dataset.name;
    input.value = id;
    chip.querySelector("[data-picker-label]").textContent = label;
    chosen.appendChild(chip);
    changed(picker);
  }
  function clear(picker) {
    picker.querySelector("[data-picker-results]").replaceChildren();
    var search = picker.querySelector("input[type=search]");
    search.value = "";
    search.focus();
  }
  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-picker-option]");
    if (option && pickerOf(option)) {
      var picker = pickerOf(option);
      choose(picker, option.dataset.id, option.dataset.label);
      clear(picker);
      return;
    }
    var remove = event.target.closest("[data-picker-remove]");
    if (remove && pickerOf(remove)) {
      var owner = pickerOf(remove);
      remove.closest(".zb-picker-chip").remove();
      changed(owner);
    }
  });
  document.addEventListener("keydown", function (event) {
    // Arrow keys move between the search box and the matches.
    var here = event.target;
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && here.closest && pickerOf(here)) {
      var options = Array.from(pickerOf(here).querySelectorAll("[data-picker-option]"));
      if (!options.length) { return; }
      var at = options.indexOf(here);
      var next = event.key === "ArrowDown" ? at + 1 : at - 1;
      event.preventDefault();
      if (next < 0) { pickerOf(here).querySelector("input[type=search]").focus(); }
      else { options[Math.min(next, options.length - 1)].focus(); }
      return;
    }
    var search = event.target;
    if (event.key !== "Enter" || !search.matches || !search.matches("[data-picker] input[type=search]")) { return; }
    // Enter picks the first match instead of submitting the form.
    event.preventDefault();
    var picker = pickerOf(search);
    var first = picker.querySelector("[data-picker-option]");
    if (first) { choose(picker, first.dataset.id, first.dataset.label); clear(picker); }
  });
})();
