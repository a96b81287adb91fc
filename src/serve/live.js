// vcd serve: reloads the page when a rebuild finishes and shows build errors
// over the last good page. Served only by `vcd serve`, never part of a build.
(function () {
  "use strict";
  var box = null;
  function show(errors) {
    if (!errors.length) {
      if (box) box.remove();
      box = null;
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "vcd-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:1rem;right:1rem;bottom:1rem;max-height:60vh;overflow:auto;z-index:99999;" +
        "background:#1f1f1f;color:#f5f5f5;border:2px solid #ff6b6b;border-radius:10px;padding:1rem 1.25rem;" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;box-shadow:0 8px 30px rgba(0,0,0,.4)";
      document.body.append(box);
    }
    box.style.display = "";
    box.replaceChildren();
    var head = document.createElement("div");
    head.style.cssText = "font-weight:700;color:#ff8787;margin-bottom:.5rem";
    head.textContent = "vcd: the last rebuild failed (" + errors.length + " error" + (errors.length === 1 ? "" : "s") +
      "); this is the last good page. Fix the file and it reloads.";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Hide the errors");
    close.style.cssText = "float:right;background:none;border:0;color:inherit;font-size:1.2rem;cursor:pointer";
    close.addEventListener("click", function () { box.style.display = "none"; });
    box.append(close, head);
    errors.forEach(function (e) {
      var item = document.createElement("div");
      item.className = "vcd-overlay-error";
      item.style.cssText = "margin:.5rem 0;white-space:pre-wrap";
      item.textContent = e.text;
      box.append(item);
    });
  }
  // The rebuild this page was served under; the server's first event says
  // which is current, so a rebuild that finished before the stream opened is
  // never missed.
  var served = Number((document.currentScript && document.currentScript.getAttribute("data-build")) || 0);
  // Started after the page has loaded, so the open stream never holds up its load event.
  function listen() {
    var events = new EventSource("/__vcd/events");
    events.addEventListener("state", function (e) {
      var now = JSON.parse(e.data);
      show(now.errors);
      if (!now.errors.length && now.build !== served) location.reload();
    });
    events.addEventListener("reload", function () { location.reload(); });
    events.addEventListener("errors", function (e) { show(JSON.parse(e.data)); });
  }
  if (document.readyState === "complete") listen();
  else window.addEventListener("load", listen);
})();
