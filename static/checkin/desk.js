/* The check-in desk. It keeps the event's list of delegates (codes and names) in this
 * browser's localStorage, refreshed every minute while online (only what changed since
 * its version), so scanning and searching go on when the Wi-Fi drops. Check-ins are
 * queued here with the time of the scan and a random id (nonce) each, and sent when the
 * server answers; the server ignores a nonce it has seen, so a scan sent twice is one
 * check-in, and each scan gets its own answer.
 *
 * Several tabs: each page keeps its own queue under its own key and holds a Web Lock
 * named after it for as long as it lives. A queue whose lock nobody holds belongs to a
 * tab that closed or a browser that crashed: a living tab takes the lock, copies the
 * queue into its own (saved first), then deletes it. A crash in between leaves the
 * scans in both, and the server keeps one. No tab ever writes another's queue.
 *
 * A service worker (the desk's own scope) keeps the page and its scripts, so a reload
 * or a restarted browser opens the desk offline. Signing out from the desk clears the
 * list, the worker and its copies (the server also sends Clear-Site-Data). */
(function () {
  "use strict";

  const root = document.getElementById("checkin-desk");
  if (!root) return;
  const config = root.dataset;
  const PREFIX = "checkin:" + config.event + ":";
  const REFRESH_MS = 60000;
  const RETRY_MS = 5000;
  const UNDO_MS = 60000;
  const SAME_CODE_MS = 4000;

  const $ = (id) => document.getElementById(id);
  const searchInput = $("checkin-search");
  const results = $("checkin-results");
  const panel = $("checkin-result");

  // Storage -------------------------------------------------------------------------
  function load(name, fallback) {
    try {
      const value = JSON.parse(localStorage.getItem(PREFIX + name));
      return value === null ? fallback : value;
    } catch (error) {
      return fallback;
    }
  }
  function save(name, value) {
    try {
      localStorage.setItem(PREFIX + name, JSON.stringify(value));
    } catch (error) {
      setText("checkin-list-age", "This browser could not keep the list: stay online.");
    }
  }
  const QUEUE_PREFIX = PREFIX + "queue";
  function isQueueKey(key) {
    return key === QUEUE_PREFIX || key.startsWith(QUEUE_PREFIX + ":");
  }
  function forgetList() {
    Object.keys(localStorage)
      .filter((key) => key.startsWith("checkin:") && !key.includes(":queue"))
      .forEach((key) => localStorage.removeItem(key));
  }

  let delegates = load("list", []);
  let listFetchedAt = load("fetched", null);
  let listVersion = load("version", null);
  // This page's queue: its own key, never written by another tab.
  const TAB = uuid();
  const QUEUE_NAME = "queue:" + TAB;
  let queue = [];
  let refused = [];
  let inFlight = new Set();
  let byId = new Map();
  let byCode = new Map();
  let online = navigator.onLine;
  let sending = false;
  let shown = null; // { entry, nonce, at (ms) }

  function index() {
    byId = new Map(delegates.map((entry) => [entry.id, entry]));
    byCode = new Map(delegates.map((entry) => [entry.code, entry]));
  }

  // Text helpers --------------------------------------------------------------------
  function setText(id, text) {
    $(id).textContent = text;
  }
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function clock(iso) {
    return new Date(iso).toLocaleTimeString("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      timeZone: "Europe/London",
    });
  }
  function normaliseCode(code) {
    // As checkin/codes.py: spaces and dashes out, upper case, O as 0, I and L as 1;
    // then the hyphen back in, as the list holds the codes.
    const bare = code
      .replace(/[\s\-\u2010-\u2015\u2212]+/g, "")
      .toUpperCase()
      .replace(/O/g, "0")
      .replace(/[IL]/g, "1");
    const parts = /^(\d{1,12})([0-9A-Z]{8})$/.exec(bare);
    return parts ? parts[1] + "-" + parts[2] : bare;
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return [0, 8, 12, 16, 20].map((start, n, all) => hex.slice(start, all[n + 1])).join("-");
  }
  function deskName() {
    return $("checkin-desk-name").value.trim().slice(0, 40);
  }

  // Status line ---------------------------------------------------------------------
  function showStatus() {
    const connection = $("checkin-connection");
    connection.dataset.state = online ? "online" : "offline";
    connection.textContent = online ? "Online" : "Offline: check-ins are kept and sent later";
    setText("checkin-queue", queue.length ? queue.length + " check-in(s) waiting to be sent" : "");
    badgeLink();
    setText(
      "checkin-list-age",
      listFetchedAt
        ? delegates.length + " delegates, list from " + clock(listFetchedAt)
        : "No list of delegates yet"
    );
  }
  function setOnline(value) {
    online = value;
    showStatus();
  }

  // Talking to the server -------------------------------------------------------------
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrf },
      body: JSON.stringify(body),
    });
  }
  function signedOut(response) {
    // Signed out elsewhere: the sign-in page answers instead. The names go; the queue
    // (ids and times only) stays for when someone signs in again.
    if (response.redirected || response.status === 403) {
      forgetList();
      delegates = [];
      index();
      setText("checkin-list-age", "Signed out: sign in again to go on.");
      return true;
    }
    return false;
  }

  async function refreshList() {
    if (!navigator.onLine) return setOnline(false);
    try {
      const since = listVersion && delegates.length ? "?since=" + listVersion : "";
      const response = await fetch(config.listUrl + since, { credentials: "same-origin" });
      if (signedOut(response) || !response.ok) return;
      const data = await response.json();
      const waiting = new Set(queue.filter((scan) => !scan.undo).map((scan) => scan.delegate));
      const previous = byId;
      let fresh = data.delegates;
      if (!fresh) {
        // Only what changed since our version: the rest of our copy stands.
        const merged = new Map(previous);
        data.removed.forEach((id) => merged.delete(id));
        data.changed.forEach((entry) => merged.set(entry.id, entry));
        fresh = Array.from(merged.values()).sort(
          (a, b) =>
            a.last_name.localeCompare(b.last_name, "en-GB") ||
            a.first_name.localeCompare(b.first_name, "en-GB") ||
            a.id - b.id
        );
      }
      delegates = fresh.map((entry) =>
        waiting.has(entry.id) && previous.has(entry.id)
          ? Object.assign({}, entry, { checked_in: previous.get(entry.id).checked_in })
          : entry
      );
      listFetchedAt = new Date().toISOString();
      listVersion = data.version;
      save("list", delegates);
      save("fetched", listFetchedAt);
      save("version", listVersion);
      index();
      // An answer that left before the Wi-Fi dropped says nothing about now.
      setOnline(navigator.onLine);
    } catch (error) {
      setOnline(false);
    }
  }

  // Queues of other tabs ---------------------------------------------------------------
  function saveQueue() {
    save(QUEUE_NAME, queue);
  }
  function addToQueue(items) {
    const have = new Set(queue.map((item) => item.nonce + (item.undo ? ":undo" : "")));
    items.forEach((item) => {
      if (item && item.nonce && !have.has(item.nonce + (item.undo ? ":undo" : ""))) queue.push(item);
    });
  }
  function otherQueueKeys() {
    return Object.keys(localStorage).filter(
      (key) => isQueueKey(key) && key !== PREFIX + QUEUE_NAME
    );
  }
  function lockName(key) {
    return "checkin-desk:" + key;
  }
  // Take in the queues of tabs that are gone: their lock is free.
  async function adoptOrphans() {
    if (!navigator.locks) return;
    const keys = otherQueueKeys();
    if (!keys.length) return;
    const state = await navigator.locks.query();
    const alive = new Set(
      [].concat(state.held || [], state.pending || []).map((lock) => lock.name)
    );
    for (const key of keys) {
      if (alive.has(lockName(key))) continue;
      await navigator.locks.request(lockName(key), { ifAvailable: true }, (lock) => {
        if (!lock) return;
        let items = [];
        try {
          items = JSON.parse(localStorage.getItem(key)) || [];
        } catch (error) {
          items = [];
        }
        addToQueue(items);
        saveQueue(); // ours first: a crash now leaves them twice, never nowhere
        localStorage.removeItem(key);
      });
    }
    showStatus();
  }
  function allWaiting() {
    return (
      queue.length +
      otherQueueKeys().reduce((sum, key) => sum + (load(key.slice(PREFIX.length), []).length || 0), 0)
    );
  }

  async function sendQueue() {
    await adoptOrphans();
    if (sending || !queue.length || !navigator.onLine) return showStatus();
    sending = true;
    const batch = queue.slice(0, 200);
    // Tried once: its answer may be lost, so an undo must go to the server from now on.
    batch.forEach((item) => {
      item.tried = true;
      inFlight.add(item.nonce);
    });
    saveQueue();
    try {
      const response = await post(config.scansUrl, {
        scans: batch.map(({ tried, label, ...item }) => item),
      });
      if (signedOut(response) || !response.ok) return;
      const data = await response.json();
      const done = new Set();
      data.results.forEach((result, n) => {
        const item = batch[n];
        if (!item) return;
        // "throttled": the code may be right; it stays and goes again later.
        if (result.status === "throttled") return showThrottled(result);
        done.add(item);
        if (result.status === "refused" || result.status === "invalid") {
          return showRefused(item, result);
        }
        // A scan answered after the person at the desk undid it stays undone here: its
        // undo is in the queue (or was just answered), and the server will undo it.
        const undoing = queue.some((other) => other.undo && other.nonce === result.nonce);
        const entry = byId.get(result.delegate);
        if (entry && result.checked_in && !item.undo && !undoing) {
          entry.checked_in = Object.assign(result.checked_in, { undo: result.undo_nonce });
        }
        if (item.undo && result.undone) {
          const undone = byId.get(item.delegate);
          if (undone) undone.checked_in = null;
        }
        if (shown && shown.nonce === result.nonce && !item.undo) showAnswer(result);
      });
      queue = queue.filter((item) => !done.has(item));
      saveQueue();
      save("list", delegates);
      // An answer that left before the Wi-Fi dropped says nothing about now.
      setOnline(navigator.onLine);
    } catch (error) {
      setOnline(false);
    } finally {
      batch.forEach((item) => inFlight.delete(item.nonce));
      sending = false;
      showStatus();
    }
  }

  // What the server would not take: shown until the page closes, with the reason.
  function showRefused(item, result) {
    const entry = byId.get(item.delegate) || byId.get(result.delegate) || null;
    const who = entry
      ? (entry.first_name + " " + entry.last_name).trim()
      : item.label || item.code || "A scan";
    const reason = result.reason || "The server could not read this scan.";
    refused.push({ who: who, reason: reason, undo: !!item.undo });
    if (entry && !item.undo && entry.checked_in && entry.checked_in.pending === item.nonce) {
      entry.checked_in = null;
    }
    const list = $("checkin-refused-list");
    const line = document.createElement("li");
    line.textContent = who + (item.undo ? " (undo)" : "") + ": " + reason;
    list.append(line);
    $("checkin-refused").hidden = false;
    if (shown && shown.nonce === item.nonce) {
      show(entry, "refused", null);
      const warning = $("checkin-result-warning");
      warning.hidden = false;
      warning.textContent = reason;
    }
  }
  function showThrottled(result) {
    setText("checkin-throttled", result.reason || "");
  }

  // Checking in ---------------------------------------------------------------------
  function checkIn(entry, code) {
    const at = new Date().toISOString();
    if (entry && entry.checked_in) {
      show(entry, "already", null);
      return;
    }
    const scan = {
      nonce: uuid(),
      at: at,
      desk: deskName(),
      offline: !navigator.onLine,
    };
    if (entry) {
      scan.delegate = entry.id;
      entry.checked_in = { at: at, clock: clock(at), desk: scan.desk, pending: scan.nonce };
      save("list", delegates);
    } else {
      scan.code = code;
    }
    queue.push(scan);
    saveQueue();
    show(entry, entry ? "checked_in" : "sent", scan.nonce);
    sendQueue();
  }

  function showAnswer(result) {
    const entry = byId.get(result.delegate) || null;
    if (result.status === "unknown") return show(null, "unknown", null);
    if (result.status === "not_confirmed") return show(entry, "not_confirmed", null);
    if (result.status === "already") return show(entry, "already", null);
    if (result.status === "undone") return show(entry, "undone", null);
    if (!shown || shown.state !== "checked_in") show(entry, "checked_in", result.nonce);
  }

  const HEADINGS = {
    checked_in: "Checked in",
    already: "Already checked in",
    unknown: "Not found",
    not_confirmed: "Not confirmed for this event",
    sent: "Code sent: waiting for the server",
    refused: "Not taken by the server",
    undone: "Undone: not checked in",
  };

  function show(entry, state, nonce) {
    shown = { entry: entry, state: state, nonce: nonce, at: Date.now() };
    panel.dataset.state =
      state === "checked_in" || state === "sent"
        ? "ok"
        : state === "already"
          ? "already"
          : "refused";
    setText("checkin-result-heading", HEADINGS[state]);
    const warning = $("checkin-result-warning");
    warning.hidden = state !== "already";
    if (state === "already" && entry) {
      const first = entry.checked_in;
      warning.textContent =
        "Already checked in at " + (first.clock || clock(first.at)) +
        (first.desk ? ", " + first.desk : "") + ".";
    }
    setText("checkin-result-name", entry ? (entry.first_name + " " + entry.last_name).trim() : "");
    setText("checkin-result-organisation", entry ? entry.organisation : "");
    $("checkin-result-needs").hidden = !(entry && entry.access_needs);
    const breakouts = $("checkin-result-breakouts");
    breakouts.replaceChildren();
    if (entry && entry.breakouts.length) {
      const heading = document.createElement("h3");
      heading.textContent = "Breakout sessions";
      const list = document.createElement("ul");
      entry.breakouts.forEach((session) => {
        const item = document.createElement("li");
        item.textContent =
          session.time + " " + session.title + (session.room ? ", " + session.room : "");
        list.append(item);
      });
      breakouts.append(heading, list);
    }
    // Answers to the registration questions the organisers show at the desk.
    const answers = $("checkin-result-answers");
    answers.replaceChildren();
    if (entry && entry.answers && entry.answers.length) {
      const list = document.createElement("dl");
      entry.answers.forEach((answer) => {
        const term = document.createElement("dt");
        term.textContent = answer.question;
        const value = document.createElement("dd");
        value.textContent = answer.answer;
        list.append(term, value);
      });
      answers.append(list);
    }
    $("checkin-undo").hidden = !(state === "checked_in" && entry);
    const badge = $("checkin-badge");
    badge.hidden = !entry;
    badge.dataset.delegate = entry ? entry.id : "";
    setText("checkin-badge-message", "");
    badgeLink();
    panel.hidden = false;
    $("checkin-result-heading").focus();
  }

  function closeResult() {
    panel.hidden = true;
    shown = null;
    searchInput.select();
    searchInput.focus();
    search();
  }

  // Undo: a scan never sent is dropped here; one that was sent (its answer may have been
  // lost) is undone on the server by its nonce, through the queue like a scan, so an
  // undo made offline is not lost either.
  function undo() {
    if (!shown || !shown.entry || Date.now() - shown.at > UNDO_MS) {
      $("checkin-undo").hidden = true;
      return;
    }
    const entry = shown.entry;
    const nonce = shown.nonce || (entry.checked_in && entry.checked_in.undo);
    if (!nonce) return;
    const waiting = queue.findIndex((item) => item.nonce === nonce && !item.undo);
    const scan = waiting >= 0 ? queue[waiting] : null;
    if (scan) queue.splice(waiting, 1);
    if (!scan || scan.tried || inFlight.has(nonce)) {
      queue.push({
        nonce: nonce,
        delegate: entry.id,
        at: new Date().toISOString(),
        undo: true,
      });
    }
    entry.checked_in = null;
    saveQueue();
    save("list", delegates);
    showStatus();
    closeResult();
    sendQueue();
  }

  // Search --------------------------------------------------------------------------
  function matches(entry, query) {
    if (fold(entry.last_name).startsWith(query)) return true;
    return fold(entry.organisation)
      .split(/[\s\-'’]+/)
      .some((word) => word.startsWith(query)) || fold(entry.organisation).startsWith(query);
  }

  function search() {
    const query = fold(searchInput.value.trim());
    results.replaceChildren();
    if (query.length < 2) {
      setText("checkin-results-count", "");
      return;
    }
    const found = delegates.filter((entry) => matches(entry, query)).slice(0, 30);
    found.forEach((entry) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-primary";
      button.dataset.id = entry.id;
      button.textContent =
        entry.last_name + ", " + entry.first_name + " – " + entry.organisation +
        (entry.checked_in ? " (checked in)" : "");
      item.append(button);
      results.append(item);
    });
    setText("checkin-results-count", found.length + " found");
  }

  function moveFocus(step) {
    const buttons = Array.from(results.querySelectorAll("button"));
    const at = buttons.indexOf(document.activeElement);
    const next = at + step;
    if (next < 0) return searchInput.focus();
    if (buttons[next]) buttons[next].focus();
  }

  // Codes: typed or scanned ---------------------------------------------------------
  let lastCode = null;
  let lastCodeAt = 0;
  function useCode(raw) {
    const code = normaliseCode(raw);
    if (!code) return;
    if (code === lastCode && Date.now() - lastCodeAt < SAME_CODE_MS) return;
    lastCode = code;
    lastCodeAt = Date.now();
    const entry = byCode.get(code);
    if (entry) return checkIn(entry, code);
    // Not in this desk's list (registered in the last minute?): the server decides.
    checkIn(null, code);
  }

  let scanning = false;
  async function startCamera() {
    const message = $("checkin-camera-message");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      message.textContent = "This browser cannot use a camera here: search or type the code.";
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false,
      });
      const video = $("checkin-video");
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      scanning = true;
      $("checkin-camera").hidden = true;
      message.textContent = "Camera on: hold a QR code up to it.";
      scanFrame();
    } catch (error) {
      message.textContent = "The camera could not start (" + error.name + "): search or type the code.";
    }
  }

  function scanFrame() {
    if (!scanning) return;
    const video = $("checkin-video");
    const canvas = $("checkin-canvas");
    if (video.readyState >= 2 && panel.hidden && window.jsQR) {
      const scale = Math.min(1, 640 / video.videoWidth);
      canvas.width = Math.floor(video.videoWidth * scale);
      canvas.height = Math.floor(video.videoHeight * scale);
      const context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = window.jsQR(image.data, image.width, image.height, {
        inversionAttempts: "dontInvert",
      });
      if (found && found.data) useCode(found.data);
    }
    setTimeout(scanFrame, 150);
  }

  // Wiring --------------------------------------------------------------------------
  searchInput.addEventListener("input", search);
  searchInput.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      moveFocus(1);
    }
  });
  results.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") moveFocus(1);
    else if (event.key === "ArrowUp") moveFocus(-1);
    else if (event.key === "Escape") searchInput.focus();
    else return;
    event.preventDefault();
  });
  results.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-id]");
    if (button) checkIn(byId.get(Number(button.dataset.id)), null);
  });
  $("checkin-code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    lastCode = null;
    useCode($("checkin-code").value);
    $("checkin-code").value = "";
  });
  $("checkin-camera").addEventListener("click", startCamera);
  $("checkin-next").addEventListener("click", closeResult);
  $("checkin-undo").addEventListener("click", undo);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeResult();
  });
  const deskInput = $("checkin-desk-name");
  deskInput.value = localStorage.getItem("checkin:desk-name") || deskInput.value;
  function walkInLink() {
    const link = $("checkin-walk-in");
    link.href = link.dataset.href + "?desk=" + encodeURIComponent(deskName());
  }
  deskInput.addEventListener("change", () => {
    localStorage.setItem("checkin:desk-name", deskName());
    walkInLink();
  });
  walkInLink();

  // Printing needs the server: offline, the link says so instead of leaving the desk
  // for the browser's error page; online, the PDF comes by fetch, so a failure is
  // told here too.
  function badgeLink() {
    const badge = $("checkin-badge");
    if (!badge) return;
    badge.href = badge.dataset.delegate
      ? config.badgesUrl + "?scope=delegate&delegate=" + badge.dataset.delegate
      : "#";
  }
  $("checkin-badge").addEventListener("click", async (event) => {
    event.preventDefault();
    const message = "checkin-badge-message";
    if (!navigator.onLine) {
      setText(message, "Printing a badge needs the connection: print it when the desk is back online.");
      return;
    }
    try {
      const response = await fetch(event.currentTarget.href, { credentials: "same-origin" });
      if (signedOut(response) || !response.ok) throw new Error("refused");
      const file = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = file;
      link.download = "badge-" + event.currentTarget.dataset.delegate + ".pdf";
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(file), 60000);
      setText(message, "Badge downloaded: print it at actual size.");
    } catch (error) {
      setText(message, "The badge could not be fetched: print it when the desk is back online.");
    }
  });

  $("checkin-sign-out").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    await adoptOrphans();
    // Every tab's queue: signing out clears this browser's storage.
    const waiting = allWaiting();
    if (waiting) {
      setText(
        "checkin-sign-out-message",
        waiting + " check-in(s) are not sent yet: reconnect, wait for them to go, then sign out."
      );
      return;
    }
    Object.keys(localStorage)
      .filter((key) => key.startsWith("checkin:"))
      .forEach((key) => localStorage.removeItem(key));
    await forgetOffline();
    form.submit();
  });
  window.addEventListener("beforeunload", (event) => {
    if (!queue.length) return;
    // Another tab (or this desk reopened) sends them, but say so before closing.
    event.preventDefault();
    event.returnValue = "Check-ins are waiting to be sent."; // older browsers want text
  });
  window.addEventListener("online", () => {
    setOnline(true);
    sendQueue();
    refreshList();
  });
  window.addEventListener("offline", () => setOnline(false));

  // Offline reloads: the service worker and the copies it serves --------------------
  const CACHE = "checkin-desk:" + config.event;
  async function keepOffline() {
    if (!("serviceWorker" in navigator) || !window.caches) return;
    try {
      await navigator.serviceWorker.register(config.serviceWorkerUrl);
      const files = [location.pathname].concat(
        Array.from(document.querySelectorAll("script[src], link[rel=stylesheet]"), (tag) =>
          tag.src || tag.href
        )
      );
      const cache = await caches.open(CACHE);
      await cache.addAll(files);
      await navigator.serviceWorker.ready;
      root.dataset.offline = "ready";
    } catch (error) {
      root.dataset.offline = "unavailable";
    }
  }
  async function forgetOffline() {
    try {
      if ("serviceWorker" in navigator) {
        const registrations = await navigator.serviceWorker.getRegistrations();
        await Promise.all(registrations.map((registration) => registration.unregister()));
      }
      if (window.caches) {
        const names = await caches.keys();
        await Promise.all(
          names.filter((name) => name.startsWith("checkin-desk:")).map((name) => caches.delete(name))
        );
      }
    } catch (error) {
      // The server's Clear-Site-Data clears them too.
    }
  }

  if (navigator.locks) {
    // Held until this page goes: while held, no other tab touches this queue.
    navigator.locks.request(lockName(PREFIX + QUEUE_NAME), () => new Promise(() => {}));
  }
  index();
  showStatus();
  adoptOrphans().then(refreshList).then(sendQueue);
  if (navigator.onLine) keepOffline();
  setInterval(refreshList, REFRESH_MS);
  setInterval(sendQueue, RETRY_MS);
})();
