/* The ballot page's helpers; the page works without them (the server checks every answer). */
(function () {
  "use strict";
  var form = document.getElementById("dj-ballot");
  if (form) {
    var items = Array.prototype.slice.call(form.querySelectorAll(".dj-ballot-item.dj-required"));
    var progress = form.querySelector("[data-ballot-progress]");
    var done = form.querySelector("[data-done]");
    var missingNote = form.querySelector("[data-ballot-missing]");
    var answered = function (item) {
      var radio = item.querySelector("input[type=radio]:checked");
      if (radio) { return true; }
      var input = item.querySelector("input[type=number]");
      return !!(input && input.value.trim() !== "");
    };
    var update = function () {
      var count = 0;
      items.forEach(function (item) {
        var ok = answered(item);
        if (ok) { count += 1; item.classList.remove("dj-missing"); }
        var card = item.closest(".dj-ballot-card");
        if (card && !card.querySelector(".dj-ballot-item.dj-missing")) { card.classList.remove("dj-missing"); }
      });
      if (done) { done.textContent = count; }
      if (missingNote && count === items.length) { missingNote.classList.add("d-none"); }
    };
    if (progress && items.length) { progress.classList.remove("d-none"); }
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    form.querySelectorAll("[data-fill-scale]").forEach(function (button) {
      button.addEventListener("click", function () {
        var selector = "input[type=radio][data-scale='" + button.dataset.fillScale + "'][value='" + button.dataset.fillValue + "']";
        form.querySelectorAll(selector).forEach(function (radio) { radio.checked = true; });
        update();
      });
    });
    var helper = form.querySelector("[data-ballot-helper]");
    if (helper) { helper.classList.remove("d-none"); }
    var sending = false;
    form.addEventListener("submit", function (event) {
      var first = null;
      items.forEach(function (item) {
        if (!answered(item)) {
          item.classList.add("dj-missing");
          var card = item.closest(".dj-ballot-card");
          if (card) { card.classList.add("dj-missing"); }
          if (!first) { first = item; }
        }
      });
      if (first || sending) {
        event.preventDefault();
        if (first) {
          if (missingNote) { missingNote.classList.remove("d-none"); }
          first.scrollIntoView({ behavior: "smooth", block: "center" });
        }
        return;
      }
      sending = true;  // one tap, one ballot: a double tap must not send twice
      var submit = form.querySelector("[type=submit]");
      if (submit) { submit.disabled = true; }
    });
    update();
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copy).then(function () {
        button.textContent = button.dataset.copied;
      });
    });
  });
})();
