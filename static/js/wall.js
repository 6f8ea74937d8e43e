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

function listen() {
  const source = new EventSource(`/api/v1/fairs/${fairId}/attendance/stream`);
  source.onmessage = (event) => {
    try { update(JSON.parse(event.data)); } catch { /* ignore a bad frame */ }
  };
  source.onerror = () => { wall.dataset.live = "reconnecting"; };
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
