// The warehouse floor (returns.admin.floor): a scanner types a number and Enter; the answer
// replaces the page's result region, a failed scan beeps, and the cursor is back in the scan
// field. Alt+<key> presses the button or focuses the field marked data-shortcut="<key>".
(function () {
  "use strict";

  let audio = null;

  // A short low tone, made here: no sound file to load from anywhere.
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.type = "square";
      tone.frequency.value = 220;
      volume.gain.value = 0.15;
      tone.connect(volume).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.3);
    } catch (error) {
      // No sound on this machine: the red flag on the page says the same.
    }
  }

  function refocus() {
    const field = document.querySelector("[data-scan-field]");
    if (field) {
      field.value = "";
      field.focus();
    }
  }

  function signal(region) {
    const flagged = region.querySelector("[data-beep]") !== null;
    document.body.classList.toggle("scan-flagged", flagged);
    if (flagged) {
      beep();
    }
  }

  async function send(form) {
    const data = new FormData(form);
    const headers = { "X-Scan": "1" };
    if (form.method.toLowerCase() === "get") {
      const url = new URL(form.action || window.location.href);
      url.search = new URLSearchParams(data).toString();
      window.history.replaceState(null, "", url.pathname + url.search);
      return fetch(url, { headers, credentials: "same-origin" });
    }
    return fetch(form.action, { method: "POST", body: data, headers, credentials: "same-origin" });
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-scan-form]");
    if (!form) {
      return;
    }
    event.preventDefault();
    const region = document.getElementById(form.dataset.scanForm);
    const response = await send(form).catch(() => null);
    if (!response || !response.ok) {
      form.submit(); // the page without the script
      return;
    }
    region.innerHTML = await response.text();
    signal(region);
    refocus();
  });

  function shortcutKey(event) {
    if (event.code.startsWith("Digit")) {
      return event.code.slice(5);
    }
    if (event.code.startsWith("Key")) {
      return event.code.slice(3).toLowerCase();
    }
    return "";
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      refocus();
      return;
    }
    if (!event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const key = shortcutKey(event);
    const target = key && document.querySelector(`[data-shortcut="${key}"]`);
    if (!target) {
      return;
    }
    event.preventDefault();
    if (target.matches("input, select, textarea")) {
      target.focus();
    } else {
      target.click();
    }
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    const region = document.querySelector("[data-scan-region]");
    if (region) {
      signal(region);
    }
  });
})();
