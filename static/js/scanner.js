// The door scanner: camera + jsQR over the whole frame, typed codes, phone look-up, and an
// offline queue in IndexedDB synced through the batch endpoint when the network returns.
const root = document.getElementById("scanner");
const fairId = Number(root.dataset.fair);
const msg = root.dataset;
const $ = (id) => document.getElementById(id);

// --- small helpers -------------------------------------------------------------------------

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)fairs_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

function headers() {
  return { "content-type": "application/json", "x-csrf-token": csrf() };
}

function newNonce() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function deviceId() {
  let id = localStorage.getItem("fairs.device");
  if (!id) {
    id = "scanner-" + newNonce().slice(0, 8);
    localStorage.setItem("fairs.device", id);
  }
  return id;
}
const DEVICE = deviceId();

let audio;
function beep(kind) {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const tones = { ok: [[880, 0.12]], already: [[660, 0.1], [660, 0.1]], refused: [[220, 0.35]], queued: [[520, 0.08]] }[kind] || [];
    let t = audio.currentTime;
    for (const [freq, len] of tones) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      osc.type = "sine";
      gain.gain.value = 0.2;
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + len);
      t += len + 0.06;
    }
  } catch { /* no sound: the colour still tells */ }
}

const CLASS = { ok: "ok", already_checked_in: "already", unknown: "refused", wrong_fair: "refused",
  cancelled: "refused", not_open: "refused", queued: "queued" };

let mine = 0;
function show(answer) {
  const box = $("scan-result");
  const kind = CLASS[answer.result] || "refused";
  box.dataset.result = kind;
  box.dataset.code = answer.result;
  const who = answer.attendee ? answer.attendee.name : (answer.employer ? answer.employer.name : "");
  box.querySelector(".scan-result-title").textContent = who || answer.result;
  box.querySelector(".scan-result-text").textContent = answer.explanation || "";
  if (answer.counts) {
    $("scan-count").textContent = answer.counts.checked_in;
    $("scan-registered").textContent = answer.counts.registered;
  }
  if (answer.result === "ok" && !answer.replayed) {
    mine += 1;
    $("scan-mine").textContent = mine;
  }
  beep(kind);
}

// --- the offline queue (IndexedDB) --------------------------------------------------------

let dbPromise;
function idb() {
  dbPromise = dbPromise || new Promise((resolve, reject) => {
    const req = indexedDB.open("fairs-scanner", 1);
    req.onupgradeneeded = () => req.result.createObjectStore("queue", { keyPath: "nonce" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return dbPromise;
}

async function store(mode, fn) {
  const db = await idb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction("queue", mode);
    const result = fn(tx.objectStore("queue"));
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    tx.onerror = () => reject(tx.error);
  });
}

async function queued() {
  const all = (await store("readonly", (s) => s.getAll())) || [];
  return all.filter((s) => s.fair === fairId).sort((a, b) => a.scanned_at.localeCompare(b.scanned_at));
}

async function showPending() {
  $("scan-pending").textContent = (await queued()).length;
}

async function enqueue(scan) {
  await store("readwrite", (s) => s.put({ ...scan, fair: fairId, offline: true }));
  await showPending();
  show({ result: "queued", explanation: msg.msgQueued });
}

let syncing = false;
async function sync() {
  if (syncing || !navigator.onLine) return;
  syncing = true;
  try {
    const scans = await queued();
    if (!scans.length) return;
    const body = scans.map(({ code, nonce, scanned_at, device }) => ({ code, nonce, scanned_at, device, offline: true }));
    const response = await fetch(`/api/v1/fairs/${fairId}/checkins/batch`, {
      method: "POST", headers: headers(), body: JSON.stringify({ scans: body }), credentials: "same-origin",
    });
    if (!response.ok) return;
    const answer = await response.json();
    await store("readwrite", (s) => { for (const scan of scans) s.delete(scan.nonce); });
    const last = answer.results[answer.results.length - 1];
    if (last) {
      const ok = answer.results.filter((r) => r.result === "ok").length;
      show({ ...last, result: last.result, explanation: `${msg.msgSynced}: ${ok}/${answer.results.length}` +
        (answer.conflicts ? ` · ${answer.conflicts} ${msg.msgConflicts}` : "") });
    }
  } catch { /* still offline: try again later */ } finally {
    syncing = false;
    await showPending();
  }
}

function netBadge() {
  const badge = $("scan-net");
  badge.textContent = navigator.onLine ? msg.msgOnline : msg.msgOffline;
  badge.className = "badge " + (navigator.onLine ? "ok" : "warn");
}
window.addEventListener("online", () => { netBadge(); sync(); });
window.addEventListener("offline", netBadge);
setInterval(sync, 5000);

// --- submitting a scan ----------------------------------------------------------------------

async function submit(code) {
  code = (code || "").trim();
  if (!code) return;
  const scan = { code, nonce: newNonce(), scanned_at: new Date().toISOString(), device: DEVICE };
  if (!navigator.onLine) return enqueue(scan);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 5000);
  try {
    const response = await fetch(`/api/v1/fairs/${fairId}/checkins`, {
      method: "POST", headers: headers(), credentials: "same-origin",
      body: JSON.stringify({ ...scan, offline: false }), signal: abort.signal,
    });
    if (response.status >= 500) return enqueue(scan);
    const answer = await response.json();
    if (!response.ok) return show({ result: "unknown", explanation: answer.detail || answer.title });
    show(answer);
  } catch {
    // The network failed or timed out: keep the scan (same nonce; a retry counts once).
    await enqueue(scan);
  } finally {
    clearTimeout(timer);
  }
}

// A registration the phone look-up found: admitted by its id and the same 4 digits (the look-up
// never hands out door codes). Online only, as the look-up itself.
async function admitFound(id, last4) {
  try {
    const response = await fetch(`/api/v1/fairs/${fairId}/registrations/${id}/admit`, {
      method: "POST", headers: headers(), credentials: "same-origin",
      body: JSON.stringify({ last4, nonce: newNonce(), device: DEVICE }),
    });
    const answer = await response.json();
    if (!response.ok) return show({ result: "unknown", explanation: answer.detail || answer.title });
    show(answer);
  } catch {
    show({ result: "unknown", explanation: msg.msgOffline });
  }
}

// --- the camera ----------------------------------------------------------------------------

const video = $("scan-video");
const canvas = $("scan-canvas");
const ctx = canvas.getContext("2d", { willReadFrequently: true });
let last = { code: "", at: 0 };
let busy = false;

function tick() {
  if (video.readyState >= 2 && !busy && window.jsQR) {
    const w = video.videoWidth;
    const h = video.videoHeight;
    const scale = Math.min(1, 960 / Math.max(w, h));
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
    if (found && found.data) {
      const now = Date.now();
      if (found.data !== last.code || now - last.at > 4000) {
        last = { code: found.data, at: now };
        busy = true;
        submit(found.data).finally(() => { busy = false; });
      }
    }
  }
  setTimeout(tick, 150);
}

async function startCamera() {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false,
    });
    video.srcObject = stream;
    await video.play();
    $("scan-start").hidden = true;
    root.dataset.camera = "on";
    tick();
  } catch {
    show({ result: "unknown", explanation: msg.msgCameraError });
  }
}
$("scan-start").addEventListener("click", startCamera);
if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) startCamera();

// --- typed codes and phone look-up ----------------------------------------------------------

$("scan-manual").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("scan-code");
  submit(input.value);
  input.value = "";
  input.focus();
});

$("scan-lookup").addEventListener("submit", async (event) => {
  event.preventDefault();
  const last4 = $("scan-last4").value.trim();
  const list = $("scan-found");
  list.replaceChildren();
  if (!/^\d{4}$/.test(last4)) return;
  try {
    const response = await fetch(`/api/v1/fairs/${fairId}/registrations/lookup?last4=${last4}`, { credentials: "same-origin" });
    const body = await response.json();
    if (!body.items || !body.items.length) {
      list.append(Object.assign(document.createElement("li"), { textContent: msg.msgNone }));
      return;
    }
    for (const item of body.items) {
      const li = document.createElement("li");
      li.append(`${item.name} · ${item.phone}` + (item.checked_in_at ? " ✓" : "") + (item.status !== "active" ? ` (${item.status})` : "") + " ");
      const button = Object.assign(document.createElement("button"), { type: "button", textContent: msg.msgAdmit });
      button.addEventListener("click", () => admitFound(item.id, last4));
      li.append(button);
      list.append(li);
    }
  } catch { /* offline: look-up needs the network */ }
});

netBadge();
showPending();
sync();
