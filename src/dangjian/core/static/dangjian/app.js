/* Small behaviours shared by all pages (no framework beyond htmx and Bootstrap). */
function djToggle(el) {
  var icon = el.querySelector("i");
  var children = el.parentElement.querySelector(":scope > .dj-children");
  if (el.dataset.loaded) { children.classList.toggle("d-none"); }
  el.dataset.loaded = "1";
  var open = !children.classList.contains("d-none");
  icon.classList.toggle("bi-caret-down-fill", open);
  icon.classList.toggle("bi-caret-right-fill", !open);
}
