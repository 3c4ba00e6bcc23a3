/* Small enhancements; every page works without this file.
   - [data-deadline]: live "2 days 4 hours left" countdowns, worded as the server words them
     (returns/formatting.py, time_left).
   - [data-print]: print buttons, hidden until this script can make them work. */
(function () {
  "use strict";

  function count(n, unit) {
    return n + " " + unit + (n === 1 ? "" : "s");
  }

  function timeLeft(deadline, now) {
    var seconds = Math.floor((deadline - now) / 1000);
    if (seconds < 0) {
      return null;
    }
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var parts;
    if (days) {
      parts = [count(days, "day")].concat(hours ? [count(hours, "hour")] : []);
    } else if (hours) {
      parts = [count(hours, "hour"), count(minutes, "minute")];
    } else {
      parts = [count(minutes, "minute")];
    }
    return parts.join(" ") + " left";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (element) {
      var text = timeLeft(Date.parse(element.dataset.deadline), now);
      element.textContent = text === null ? "Window closed" : text;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-deadline]")) {
      tick();
      window.setInterval(tick, 30000);
    }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  });
})();
