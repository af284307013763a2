// shenbao report, filing view: a click on a field (or on a finding's path) lights up
// where it was read in the source and scrolls it into view. `#field=PATH` in the
// address does the same when the page opens, so other pages can link to a field.
(function () {
  "use strict";
  function select(item) {
    document.querySelectorAll(".hl").forEach(function (el) { el.classList.remove("hl"); });
    document.querySelectorAll(".selected").forEach(function (el) { el.classList.remove("selected"); });
    item.classList.add("selected");
    var first = null;
    (item.getAttribute("data-anchors") || "").split(" ").forEach(function (id) {
      var target = id && document.getElementById(id);
      if (target) {
        target.classList.add("hl");
        first = first || target;
      }
    });
    if (first) { first.scrollIntoView({block: "center", inline: "nearest"}); }
  }
  document.addEventListener("click", function (event) {
    var item = event.target.closest("[data-anchors]");
    if (item) { select(item); }
  });
  var wanted = /^#field=(.+)$/.exec(location.hash);
  if (wanted) {
    var path = decodeURIComponent(wanted[1]);
    var row = Array.prototype.find.call(document.querySelectorAll("tr[data-path]"), function (el) {
      return el.getAttribute("data-path") === path;
    });
    if (row) { select(row); row.scrollIntoView({block: "center"}); }
  }
})();
