/* The check-in desk. It keeps the event's list of delegates (codes and names) in this
 * browser's localStorage, refreshed every minute while online, so scanning and
 * searching go on when the Wi-Fi drops. Check-ins are queued here with the time of the
 * scan and a random id (nonce) each, and sent when the server answers; the server
 * ignores a nonce it has seen, so a scan sent twice is one check-in. Signing out from
 * the desk clears the list (the server also sends Clear-Site-Data). */
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
  function forgetList() {
    Object.keys(localStorage)
      .filter((key) => key.startsWith("checkin:") && !key.endsWith(":queue"))
      .forEach((key) => localStorage.removeItem(key));
  }

  let delegates = load("list", []);
  let listFetchedAt = load("fetched", null);
  let queue = load("queue", []);
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
    return code.replace(/\s+/g, "").toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1");
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
      const response = await fetch(config.listUrl, { credentials: "same-origin" });
      if (signedOut(response) || !response.ok) return;
      const data = await response.json();
      const waiting = new Set(queue.map((scan) => scan.delegate));
      const previous = byId;
      delegates = data.delegates.map((entry) =>
        waiting.has(entry.id) && previous.has(entry.id)
          ? Object.assign(entry, { checked_in: previous.get(entry.id).checked_in })
          : entry
      );
      listFetchedAt = new Date().toISOString();
      save("list", delegates);
      save("fetched", listFetchedAt);
      index();
      setOnline(true);
    } catch (error) {
      setOnline(false);
    }
  }

  async function sendQueue() {
    if (sending || !queue.length || !navigator.onLine) return showStatus();
    sending = true;
    const batch = queue.slice(0, 200);
    try {
      const response = await post(config.scansUrl, { scans: batch });
      if (signedOut(response) || !response.ok) return;
      const data = await response.json();
      const done = new Set();
      data.results.forEach((result) => {
        if (!result.nonce) return;
        done.add(result.nonce);
        const entry = byId.get(result.delegate);
        if (entry && result.checked_in) {
          entry.checked_in = Object.assign(result.checked_in, { undo: result.undo_nonce });
        }
        if (shown && shown.nonce === result.nonce) showAnswer(result);
      });
      queue = queue.filter((scan) => !done.has(scan.nonce));
      save("queue", queue);
      save("list", delegates);
      setOnline(true);
    } catch (error) {
      setOnline(false);
    } finally {
      sending = false;
      showStatus();
    }
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
    save("queue", queue);
    show(entry, entry ? "checked_in" : "sent", scan.nonce);
    sendQueue();
  }

  function showAnswer(result) {
    const entry = byId.get(result.delegate) || null;
    if (result.status === "unknown") return show(null, "unknown", null);
    if (result.status === "not_confirmed") return show(entry, "not_confirmed", null);
    if (result.status === "already") return show(entry, "already", null);
    if (!shown || shown.state !== "checked_in") show(entry, "checked_in", result.nonce);
  }

  const HEADINGS = {
    checked_in: "Checked in",
    already: "Already checked in",
    unknown: "Not found",
    not_confirmed: "Not confirmed for this event",
    sent: "Code sent: waiting for the server",
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
    $("checkin-undo").hidden = !(state === "checked_in" && entry);
    const badge = $("checkin-badge");
    badge.hidden = !entry;
    if (entry) badge.href = config.badgesUrl + "?scope=delegate&delegate=" + entry.id;
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

  async function undo() {
    if (!shown || !shown.entry || Date.now() - shown.at > UNDO_MS) {
      $("checkin-undo").hidden = true;
      return;
    }
    const entry = shown.entry;
    const waiting = queue.findIndex((scan) => scan.delegate === entry.id);
    if (waiting >= 0) {
      queue.splice(waiting, 1);
    } else {
      const nonce = entry.checked_in && entry.checked_in.undo;
      try {
        const response = await post(config.undoUrl, { nonce: nonce });
        if (!response.ok) throw new Error("refused");
      } catch (error) {
        setText("checkin-result-heading", "Could not undo: try again when online");
        return;
      }
    }
    entry.checked_in = null;
    save("queue", queue);
    save("list", delegates);
    showStatus();
    closeResult();
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
  deskInput.addEventListener("change", () => localStorage.setItem("checkin:desk-name", deskName()));
  $("checkin-sign-out").addEventListener("submit", (event) => {
    if (queue.length) {
      event.preventDefault();
      setText(
        "checkin-sign-out-message",
        queue.length + " check-in(s) are not sent yet: reconnect, wait for them to go, then sign out."
      );
      return;
    }
    Object.keys(localStorage)
      .filter((key) => key.startsWith("checkin:"))
      .forEach((key) => localStorage.removeItem(key));
  });
  window.addEventListener("online", () => {
    setOnline(true);
    sendQueue();
    refreshList();
  });
  window.addEventListener("offline", () => setOnline(false));

  index();
  showStatus();
  refreshList().then(sendQueue);
  setInterval(refreshList, REFRESH_MS);
  setInterval(sendQueue, RETRY_MS);
})();
