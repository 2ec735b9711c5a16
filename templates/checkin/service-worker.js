/* The check-in desk's service worker. Its scope is the desk's own address (it is
 * served from there), so it sees the desk page and what that page fetches, nothing
 * else of the site.
 *
 * It lets a desk that reloads, or a browser restarted, during a Wi-Fi outage open the
 * desk again: the page and its scripts and styles are fetched from the network when
 * there is one (and the copy renewed), from the copy the desk page made when there is
 * not. The list of delegates and the queued check-ins are the page's own (in
 * localStorage), so they are there too. Scans, undos and the list are never answered
 * from a copy. The desk's sign-out unregisters it and deletes the copies. */
"use strict";

const CACHE = "checkin-desk:{{ slug|escapejs }}";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function offlinePage() {
  const html =
    "<!doctype html><html lang=\"en-GB\"><meta charset=\"utf-8\"><title>Offline</title>" +
    "<h1>This page needs the connection</h1><p>The check-in desk works offline; this " +
    "page does not. Go back to the desk.</p></html>";
  return new Response(html, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8" },
  });
}

async function networkElseCopy(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // Renew a copy we keep; never keep the sign-in page a signed-out desk is sent to.
    if (response.ok && !response.redirected && (await cache.match(request))) {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const copy = await cache.match(request, { ignoreSearch: request.mode === "navigate" });
    if (copy) return copy;
    if (request.mode === "navigate") return offlinePage();
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.endsWith("/list.json")) return;
  event.respondWith(networkElseCopy(request));
});
