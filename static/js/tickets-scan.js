// An attendee's in-page scanner (what a phone's camera app does): read a QR code and open it
// when it is an address of this site (the wall's self check-in code, a booth's poster).
const box = document.getElementById("attendee-scan");
const video = document.getElementById("attendee-video");
const canvas = document.getElementById("attendee-canvas");
const status = document.getElementById("attendee-status");
const ctx = canvas.getContext("2d", { willReadFrequently: true });

function tick() {
  if (video.readyState >= 2 && window.jsQR) {
    const scale = Math.min(1, 960 / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
    if (found && found.data) {
      try {
        const url = new URL(found.data, location.href);
        if (url.origin === location.origin) {
          status.textContent = url.pathname;
          location.assign(url.href);
          return;
        }
      } catch { /* not an address */ }
    }
  }
  setTimeout(tick, 150);
}

navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
  .then(async (stream) => { video.srcObject = stream; await video.play(); tick(); })
  .catch(() => { status.textContent = box.dataset.msgCameraError; });
