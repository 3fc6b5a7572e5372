// Live update: listen for store changes and refresh the page when new articles are ingested.
(function () {
  if (!window.EventSource) return;
  var badge = document.getElementById("live");
  var shown = document.body.getAttribute("data-version");
  var source = new EventSource("/api/v1/events?since=" + encodeURIComponent(shown || "0"));
  source.addEventListener("change", function (event) {
    var version = JSON.parse(event.data).version;
    if (String(version) === String(shown)) return;
    if (badge) { badge.textContent = "updated"; badge.className = "live fresh"; }
    source.close();
    window.location.reload();
  });
})();
