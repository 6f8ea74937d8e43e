// The door scanner's service worker, served at /sw.js (scope "/") by fairs/checkin/pages.py,
// which fills in VERSION (a hash of every file under /static: a deploy that changes one makes a
// new worker, which replaces this one and its caches) and PRECACHE (what the scanner page loads).
//
// - The scanner page (/scan/{fair id}) goes to the network first; a good answer is kept, and
//   with no network (or no answer within a few seconds) the kept copy opens instead.
// - The files it needs (CSS, scripts, the QR decoder, icons) come from the precache.
// - Nothing else is touched: API calls, other pages and posts go to the network as if there were
//   no worker, so no API answer and no other page is ever stored.
// - A login or a logout (by the form or the API) forgets the kept pages: the next person on this
//   device never sees the previous one's page. The offline queue (IndexedDB, scanner.js) stays:
//   its scans were taken at the door and count once whoever sends them.
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const STATIC_CACHE = `fairs-static-${VERSION}`;
const PAGE_CACHE = `fairs-pages-${VERSION}`;
const SCANNER_PAGE = /^\/scan\/\d+\/?$/;
const SESSION_CHANGES = new Set(["/login", "/logout", "/api/v1/auth/login", "/api/v1/auth/logout"]);
const NETWORK_WAIT = 4000; // ms before a slow network gives way to the kept page

const isPageCache = (name) => name.startsWith("fairs-pages-");

async function keep(url, response) {
  const type = response.headers.get("content-type") || "";
  if (response.status === 200 && response.type === "basic" && !response.redirected &&
      type.startsWith("text/html")) {
    await forgetting;
    await (await caches.open(PAGE_CACHE)).put(url, response.clone());
    return true;
  }
  return false;
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(STATIC_CACHE);
    await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })));
    // The pages the previous version kept, fetched again so they match the new files.
    for (const name of (await caches.keys()).filter((n) => isPageCache(n) && n !== PAGE_CACHE)) {
      for (const request of await (await caches.open(name)).keys()) {
        try { await keep(request.url, await fetch(request.url)); } catch { /* offline */ }
      }
    }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("fairs-") && name !== STATIC_CACHE && name !== PAGE_CACHE) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

// Forgetting runs before any page is kept again: the page a login leads to is kept after the
// previous session's pages are gone, never deleted with them.
let forgetting = Promise.resolve();
function forgetPages() {
  forgetting = forgetting.then(async () => {
    for (const name of (await caches.keys()).filter(isPageCache)) await caches.delete(name);
  }).catch(() => undefined);
  return forgetting;
}

async function kept(url) {
  const cache = await caches.open(PAGE_CACHE);
  return (await cache.match(url, { ignoreVary: true })) ||
    (await cache.match(url, { ignoreVary: true, ignoreSearch: true }));
}

async function scannerPage(event) {
  const url = event.request.url;
  const network = fetch(event.request).then(async (response) => {
    if (response.status >= 500) {
      return (await kept(url)) || response;
    }
    if (response.ok) {
      await keep(url, response);
    } else { // logged out, not allowed, gone
      await (await caches.open(PAGE_CACHE)).delete(url, { ignoreVary: true });
    }
    return response;
  });
  event.waitUntil(network.catch(() => undefined));
  const slow = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT))
    .then(async () => (await kept(url)) || network);
  try {
    return await Promise.race([network, slow]);
  } catch {
    return (await kept(url)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && SESSION_CHANGES.has(url.pathname)) {
    event.waitUntil(forgetPages());
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate" && SCANNER_PAGE.test(url.pathname)) {
    event.respondWith(scannerPage(event));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: STATIC_CACHE })
      .then((hit) => hit || fetch(request)));
  }
});

// The scanner page asks for itself to be kept when it was not opened through this worker (the
// first visit, before the worker was installed).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep" || typeof data.url !== "string") return;
  const url = new URL(data.url, self.location.origin);
  if (url.origin !== self.location.origin || !SCANNER_PAGE.test(url.pathname)) return;
  event.waitUntil((async () => {
    let ok = false;
    try {
      const response = await fetch(url.href, { credentials: "same-origin" });
      ok = await keep(url.href, response);
    } catch { /* offline: kept on the next visit */ }
    if (event.source) event.source.postMessage({ type: "kept", url: url.href, ok });
  })());
});
