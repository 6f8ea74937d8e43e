// The door scanner: camera + jsQR over the whole frame, typed codes, phone look-up, and an
// offline queue in IndexedDB synced through the batch endpoint when the network returns. A
// service worker (/sw.js) keeps this page and its files, so it also opens with no network.
const root = document.getElementById("scanner");
const fairId = Number(root.dataset.fair);
const msg = root.dataset;
const $ = (id) => document.getElementById(id);
// The page's language for the answers' sentences (`?lang=` comes before the cookie and the
// browser's languages): a page opened offline from the cache keeps speaking its own language.
const LANG = document.documentElement.lang || "zh-CN";
const api = (path) => `/api/v1/fairs/${fairId}${path}${path.includes("?") ? "&" : "?"}lang=${encodeURIComponent(LANG)}`;
const MAX_CODE = 200; // the API's bound: a longer QR text is not a ticket
const BATCH = 200; // scans per upload (the API takes up to 500)

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

// What this device remembers of the fair between visits (localStorage): the last counts it was
// told, with the page they were told on, and how many people it admitted.
const MEMORY = `fairs.scanner.${fairId}`;
function recall() {
  try { return JSON.parse(localStorage.getItem(MEMORY)) || {}; } catch { return {}; }
}
function remember(patch) {
  try { localStorage.setItem(MEMORY, JSON.stringify({ ...recall(), ...patch })); } catch { /* full */ }
}

function showCounts(counts) {
  $("scan-count").textContent = counts.checked_in;
  $("scan-registered").textContent = counts.registered;
}

let mine = recall().mine || 0;
function admitted(n) {
  if (!n) return;
  mine += n;
  $("scan-mine").textContent = mine;
  remember({ mine });
}

// The result box: the result in the page's language (with the person's masked name), and the
// service's sentence under it.
function title(result) {
  return msg["title" + result[0].toUpperCase() + result.slice(1)] || msg.titleError;
}

function show(answer, note = "") {
  const box = $("scan-result");
  const kind = CLASS[answer.result] || "refused";
  box.dataset.result = kind;
  box.dataset.code = answer.result;
  const who = answer.attendee ? answer.attendee.name : (answer.employer ? answer.employer.name : "");
  box.querySelector(".scan-result-title").textContent = who ? `${title(answer.result)} · ${who}` : title(answer.result);
  box.querySelector(".scan-result-text").textContent = [answer.explanation, note].filter(Boolean).join(" · ");
  if (answer.counts) {
    showCounts(answer.counts);
    remember({ counts: answer.counts, rendered: root.dataset.rendered });
  }
  beep(kind);
}

function refused(body) {
  show({ result: "error", explanation: body && (body.detail || body.title) });
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
  retryLater();
}

// Sending the queue: when the network comes back (the online event), and after a failure again
// and again, waiting longer each time (2 s doubling to a minute, spread at random so that the
// scanners of a hall do not all come back at once). Each scan keeps its nonce: a batch that
// reached the service but whose answer was lost counts once when it is sent again.
let syncing = false;
let failures = 0;
let retryTimer = null;

function retryLater() {
  clearTimeout(retryTimer);
  if (!navigator.onLine) return; // the online event starts the next try
  const wait = Math.min(60000, 2000 * 2 ** failures) * (0.5 + Math.random() / 2);
  retryTimer = setTimeout(sync, wait);
}

async function upload(scans) {
  const body = scans.map(({ code, nonce, scanned_at, device }) => ({ code, nonce, scanned_at, device, offline: true }));
  const response = await fetch(api("/checkins/batch"), {
    method: "POST", headers: headers(), body: JSON.stringify({ scans: body }), credentials: "same-origin",
  });
  $("scan-login").hidden = !(response.status === 401 || response.status === 403);
  if (!response.ok) return null;
  const answer = await response.json();
  await store("readwrite", (s) => { for (const scan of scans) s.delete(scan.nonce); });
  return answer;
}

async function sync() {
  if (syncing) return;
  syncing = true;
  clearTimeout(retryTimer);
  let sent = 0;
  let ok = 0;
  let conflicts = 0;
  let last = null;
  let again = false;
  try {
    for (let scans = await queued(); scans.length; scans = await queued()) {
      if (!navigator.onLine) { again = true; break; }
      const answer = await upload(scans.slice(0, BATCH));
      if (!answer) { again = true; break; }
      sent += answer.results.length;
      ok += answer.results.filter((r) => r.result === "ok").length;
      conflicts += answer.conflicts || 0;
      last = answer.results[answer.results.length - 1] || last;
    }
  } catch {
    again = true; // still offline, or the answer was lost: try again later
  } finally {
    syncing = false;
    await showPending();
  }
  if (last) {
    // The queue's scans were never counted on this device: its ok answers count now.
    admitted(ok);
    show(last, `${msg.msgSynced}: ${ok}/${sent}` + (conflicts ? ` · ${conflicts} ${msg.msgConflicts}` : ""));
  }
  failures = again ? failures + 1 : 0;
  if (again) retryLater();
}

function netBadge() {
  const badge = $("scan-net");
  badge.textContent = navigator.onLine ? msg.msgOnline : msg.msgOffline;
  badge.className = "badge " + (navigator.onLine ? "ok" : "warn");
}
window.addEventListener("online", () => { netBadge(); failures = 0; sync(); });
window.addEventListener("offline", () => { netBadge(); clearTimeout(retryTimer); });

// --- submitting a scan ----------------------------------------------------------------------

async function submit(code) {
  code = (code || "").trim();
  if (!code) return;
  if (code.length > MAX_CODE) return show({ result: "unknown", explanation: msg.msgUnknown });
  const scan = { code, nonce: newNonce(), scanned_at: new Date().toISOString(), device: DEVICE };
  if (!navigator.onLine) return enqueue(scan);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 5000);
  try {
    const response = await fetch(api("/checkins"), {
      method: "POST", headers: headers(), credentials: "same-origin",
      body: JSON.stringify({ ...scan, offline: false }), signal: abort.signal,
    });
    if (response.status >= 500) return enqueue(scan);
    const answer = await response.json();
    if (!response.ok) return refused(answer);
    show(answer);
    if (answer.result === "ok" && !answer.replayed) admitted(1);
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
    const response = await fetch(api(`/registrations/${id}/admit`), {
      method: "POST", headers: headers(), credentials: "same-origin",
      body: JSON.stringify({ last4, nonce: newNonce(), device: DEVICE }),
    });
    const answer = await response.json();
    if (!response.ok) return refused(answer);
    show(answer);
    if (answer.result === "ok" && !answer.replayed) admitted(1);
  } catch {
    show({ result: "error", explanation: msg.msgOffline });
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

// A camera that cannot be opened is said under the camera: the result box keeps the last scan.
function cameraSays(text) {
  const note = $("scan-camera-msg");
  note.textContent = text || "";
  note.hidden = !text;
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
    cameraSays("");
    tick();
  } catch {
    root.dataset.camera = "off";
    cameraSays(msg.msgCameraError);
  }
}
$("scan-start").addEventListener("click", startCamera);
if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) startCamera();
else cameraSays(msg.msgCameraError);

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
    const response = await fetch(api(`/registrations/lookup?last4=${last4}`), { credentials: "same-origin" });
    const body = await response.json();
    if (!body.items || !body.items.length) {
      list.append(Object.assign(document.createElement("li"), { textContent: msg.msgNone }));
      return;
    }
    for (const item of body.items) {
      const li = document.createElement("li");
      li.append(`${item.name} · ${item.phone}` + (item.checked_in_at ? " ✓" : "") + (item.status !== "active" ? ` (${msg.msgCancelled})` : "") + " ");
      const button = Object.assign(document.createElement("button"), { type: "button", textContent: msg.msgAdmit });
      button.addEventListener("click", () => admitFound(item.id, last4));
      li.append(button);
      list.append(li);
    }
  } catch { /* offline: look-up needs the network */ }
});

// --- working offline -------------------------------------------------------------------------

// The service worker keeps this page and what it loads. Opened for the first time (before the
// worker ran) the page asks it to keep the page; opened through the worker, it is kept already.
async function offlineReady() {
  if (!("serviceWorker" in navigator)) return;
  const ready = () => { root.dataset.offline = "ready"; $("scan-offline").hidden = false; };
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "kept" && event.data.ok) ready();
  });
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const registration = await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller) ready();
    else registration.active.postMessage({ type: "keep", url: location.href });
  } catch { /* no worker (an old browser, a private window): scans still queue while open */ }
}

// A page opened from the cache shows the counts this device heard last, when newer than its own.
const saved = recall();
if (!navigator.onLine && saved.counts && (saved.rendered || "") >= root.dataset.rendered) showCounts(saved.counts);
$("scan-mine").textContent = mine;
netBadge();
showPending();
sync();
offlineReady();
