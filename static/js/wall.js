// The wall: live counts over server-sent events, and (for staff screens) the rotating self
// check-in QR code, fetched again every 30 seconds (each code works for about two minutes).
const wall = document.getElementById("wall");
const fairId = wall.dataset.fair;

function update(counts) {
  for (const dd of wall.querySelectorAll("dd[data-key]")) {
    const value = counts[dd.dataset.key];
    if (value !== undefined && dd.textContent !== String(value)) {
      dd.textContent = value;
      dd.classList.remove("bump");
      void dd.offsetWidth;
      dd.classList.add("bump");
    }
  }
}

// The server ends a stream after a while (FAIRS_STREAM_MAX_AGE) and the browser's EventSource
// reconnects by itself, after the `retry:` delay the stream named. An answer that is not a stream
// (429 or 503 when the server holds too many streams, a restart, a 5xx from a proxy) closes the
// EventSource for good: then we open a new one ourselves, waiting longer each time (5 s doubling
// to 2 minutes, spread at random so that a room of walls does not come back at once).
let failures = 0;

function listen() {
  const source = new EventSource(`/api/v1/fairs/${fairId}/attendance/stream`);
  source.onmessage = (event) => {
    failures = 0;
    try { update(JSON.parse(event.data)); } catch { /* ignore a bad frame */ }
  };
  source.onerror = () => {
    wall.dataset.live = "reconnecting";
    if (source.readyState === EventSource.CLOSED) {
      const wait = Math.min(120000, 5000 * 2 ** failures) * (0.5 + Math.random() / 2);
      failures += 1;
      setTimeout(listen, wait);
    }
  };
  source.onopen = () => { wall.dataset.live = "on"; };
}
listen();

async function rotate() {
  try {
    const response = await fetch(`/api/v1/fairs/${fairId}/self-checkin-code`, { credentials: "same-origin" });
    if (!response.ok) return;
    const body = await response.json();
    document.getElementById("wall-qr").innerHTML = body.svg;
    document.getElementById("wall-self-link").href = body.url;
  } catch { /* keep the current code */ }
}
if (wall.dataset.self) setInterval(rotate, 30000);

// The screen view (?kiosk=1): a button for full screen (browsers only enter it on a click), and
// the screen kept awake while the page shows (the Wake Lock API, where the browser has it; it
// is released when the tab is hidden, so it is asked for again when the tab shows).
if (wall.dataset.kiosk) {
  const button = document.getElementById("wall-fullscreen");
  const showButton = () => { button.hidden = !document.fullscreenEnabled || Boolean(document.fullscreenElement); };
  button.addEventListener("click", () => document.documentElement.requestFullscreen().catch(() => {}));
  document.addEventListener("fullscreenchange", showButton);
  showButton();
  const awake = () => {
    if (navigator.wakeLock && document.visibilityState === "visible") navigator.wakeLock.request("screen").catch(() => {});
  };
  document.addEventListener("visibilitychange", awake);
  awake();
}
