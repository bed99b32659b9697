// Polls an import job's status fragment when htmx is not available; reloads the page when the job ends.
(function () {
  "use strict";
  function poll() {
    if (window.htmx) { return; }
    var box = document.getElementById("job-status");
    if (!box || !box.dataset.poll) { return; }
    window.setTimeout(function () {
      fetch(box.dataset.poll, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#job-status");
          if (!fresh) { return; }
          if (!fresh.dataset.poll) { window.location.reload(); return; }
          box.replaceWith(fresh);
          poll();
        })
        .catch(function () { poll(); });
    }, 1000);
  }
  document.addEventListener("DOMContentLoaded", poll);
})();
