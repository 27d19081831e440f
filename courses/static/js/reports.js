// Follows the reports still being built: polls each one's status and shows its progress; when
// one finishes the page reloads to show its download link (or its error).
(function () {
  "use strict";
  function follow(row) {
    var bar = row.querySelector("progress");
    var text = row.querySelector(".progress-text");
    function poll() {
      fetch(row.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (report) {
          if (!report) { return; }
          if (report.status === "done" || report.status === "failed") {
            window.location.reload();
            return;
          }
          if (bar) { bar.value = report.progress; }
          if (text) { text.textContent = report.progress + "%"; }
          window.setTimeout(poll, 1500);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    poll();
  }
  document.querySelectorAll('tr[data-status="pending"], tr[data-status="running"]').forEach(follow);
})();
