/* Small enhancements; every page works without this file.
   - [data-deadline]: live "2 days 4 hours left" countdowns, worded as the server words them
     (returns/formatting.py, time_left), in the page's language: the translations come from
     the djangojs catalog, served by our own /jsi18n/<lang>/ script loaded before this one.
   - [data-print]: print buttons, hidden until this script can make them work. */
(function () {
  "use strict";

  // Without the catalog script (blocked, or not loaded yet), the English source strings.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, other, n) { return n === 1 ? one : other; };
  var pgettext = window.pgettext || function (context, text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

  function days(n) {
    return interpolate(ngettext("%(days)s day", "%(days)s days", n), { days: n }, true);
  }

  function hours(n) {
    return interpolate(ngettext("%(hours)s hour", "%(hours)s hours", n), { hours: n }, true);
  }

  function minutes(n) {
    return interpolate(ngettext("%(minutes)s minute", "%(minutes)s minutes", n), { minutes: n }, true);
  }

  function timeLeft(deadline, now) {
    var seconds = Math.floor((deadline - now) / 1000);
    if (seconds < 0) {
      return null;
    }
    var d = Math.floor(seconds / 86400);
    var h = Math.floor((seconds % 86400) / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var larger, smaller;
    if (d) {
      larger = days(d);
      smaller = h ? hours(h) : null;
    } else if (h) {
      larger = hours(h);
      smaller = m ? minutes(m) : null;
    } else {
      larger = minutes(m);
      smaller = null;
    }
    var duration = larger;
    if (smaller) {
      // Translators: two units of a duration, larger first: "2 days" + "4 hours" → "2 days 4 hours".
      duration = interpolate(gettext("%(larger)s %(smaller)s"), { larger: larger, smaller: smaller }, true);
    }
    // Translators: the time a seller has left to act, e.g. "2 days 4 hours left", "12 minutes left".
    return interpolate(gettext("%(duration)s left"), { duration: duration }, true);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (element) {
      var text = timeLeft(Date.parse(element.dataset.deadline), now);
      // Translators: shown in place of the countdown once the claim window has closed.
      element.textContent = text === null ? pgettext("claim window", "Window closed") : text;
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
