// The tablet scanning page: camera (vendored jsQR, works on iPad Safari without BarcodeDetector),
// hardware keyboard-wedge scanners, four modes, and an offline queue in IndexedDB.
//
// Every scan gets a UUID made here (client_id). Scans are stored first, shown as "waiting", and
// sent in order whenever the network is there; the server records each client_id once, so a
// resend after a dropped answer never records twice. Conflicts come back and stay on the list.
(function () {
  "use strict";

  var root = document.getElementById("scanner");
  if (!root) { return; }
  var API = root.getAttribute("data-api");
  var USER = root.getAttribute("data-user");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";

  var $ = function (id) { return document.getElementById(id); };
  var input = $("scan-input");
  var prompt = $("scan-prompt");
  var list = $("scan-list");

  var state = {
    mode: "lookup",
    moveTarget: null,      // {code, label}
    pending: [],           // objects scanned for a move, not yet confirmed
    inventory: null,       // the inventory as the API returns it
    subLocation: null,     // {code, label}: where in the inventoried location we are
    conditionObject: null, // {code, label}
    entries: [],           // this session's scans, newest first
    actions: [],           // undo stack: {type: "pending"|"entry", id}
    online: navigator.onLine !== false
  };

  // ---------------------------------------------------------------- scan codes (as in codes.py)
  var ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  var TYPE_VALUE = { O: 24, L: 21 };

  function checkCharacter(text) {
    var factor = 2, total = 0;
    for (var i = text.length - 1; i >= 0; i--) {
      var c = text.charAt(i);
      var value = (c in TYPE_VALUE) ? TYPE_VALUE[c] : ALPHABET.indexOf(c);
      var addend = factor * value;
      factor = factor === 2 ? 1 : 2;
      total += Math.floor(addend / 32) + (addend % 32);
    }
    return ALPHABET.charAt((32 - (total % 32)) % 32);
  }

  function codeFromScan(text) {
    text = text.trim();
    var marker = text.lastIndexOf("/s/");
    if (marker >= 0 && (text.indexOf("://") >= 0 || text.indexOf("/s/") === 0)) {
      return text.slice(marker + 3).replace(/[/?#].*$/, "");
    }
    return text;
  }

  // "object" / "location" for a valid scan code, null for anything else (legacy barcodes,
  // location codes, object numbers: only the server knows what they are).
  function kindOf(code) {
    var text = code.toUpperCase();
    if (!/^[OL][0-9A-Z]{2,14}$/.test(text)) { return null; }
    var body = text.slice(1, -1).replace(/[IL]/g, "1").replace(/O/g, "0");
    var check = text.slice(-1).replace(/[IL]/g, "1").replace(/O/g, "0");
    for (var i = 0; i < body.length; i++) { if (ALPHABET.indexOf(body.charAt(i)) < 0) { return null; } }
    if (checkCharacter(text.charAt(0) + body) !== check) { return null; }
    return text.charAt(0) === "O" ? "object" : "location";
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    // randomUUID needs a secure context; tablets on a plain-http intranet fall back to this.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // ---------------------------------------------------------------- IndexedDB: the scans kept
  var dbPromise = new Promise(function (resolve, reject) {
    var request = indexedDB.open("catalog-scan", 1);
    request.onupgradeneeded = function () {
      var store = request.result.createObjectStore("scans", { keyPath: "client_id" });
      store.createIndex("user", "user");
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });

  function save(entry) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("scans", "readwrite");
        tx.objectStore("scans").put(entry);
        tx.oncomplete = function () { resolve(entry); };
        tx.onerror = function () { reject(tx.error); };
      });
    }).catch(function () {
      // No IndexedDB (e.g. a private window): the scan still goes out, kept in memory only.
      say("This browser cannot keep scans offline (private mode?); stay online.", "bad");
      return entry;
    });
  }

  function loadEntries() {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("scans", "readonly");
        var request = tx.objectStore("scans").index("user").getAll(USER);
        request.onsuccess = function () { resolve(request.result || []); };
        request.onerror = function () { reject(request.error); };
      });
    });
  }

  // ---------------------------------------------------------------- feedback
  var audio = null;
  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") { audio.resume(); }
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = ok ? 1760 : 220;
      oscillator.type = ok ? "sine" : "square";
      gain.gain.value = 0.15;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + (ok ? 0.08 : 0.35));
    } catch (e) { /* no sound on this device */ }
    if (navigator.vibrate) { navigator.vibrate(ok ? 60 : [120, 60, 120]); }
  }

  function say(text, kind) {
    prompt.textContent = text;
    prompt.className = "scan-prompt" + (kind ? " scan-prompt-" + kind : "");
  }

  // ---------------------------------------------------------------- network
  function api(method, path, body) {
    var options = {
      method: method, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf }
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(API + path, options).then(function (response) {
      setOnline(true);
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, ok: response.ok, data: data };
      });
    }, function (error) { setOnline(false); throw error; });
  }

  function refreshContext() {
    // After a night offline the page's CSRF token may have expired: fetch a fresh one.
    return api("GET", "/scans/context").then(function (answer) {
      if (answer.ok && answer.data.csrf_token) { csrf = answer.data.csrf_token; }
      return answer;
    });
  }

  function setOnline(online) {
    if (state.online === online) { return; }
    state.online = online;
    renderStatus();
  }

  var flushing = null;
  function flush() {
    // A scan made while a send is under way goes out right after it, not at the next retry.
    if (flushing) { return flushing.then(function () { return flush(); }); }
    var waiting = state.entries.filter(function (e) { return e.status === "waiting"; })
      .sort(function (a, b) { return a.created - b.created; });
    if (!waiting.length) { return Promise.resolve(); }
    flushing = waiting.reduce(function (chain, entry) {
      return chain.then(function (go) { return go ? sendOne(entry, false) : false; });
    }, Promise.resolve(true)).catch(function () { return false; }).then(function () {
      flushing = null;
      render();
      if (state.inventory && state.online) { refreshInventory(); }
    });
    return flushing;
  }

  // true: carry on with the next waiting scan; false: stop (offline, signed out, server down)
  function sendOne(entry, retried) {
    if (entry.status !== "waiting") { return Promise.resolve(true); }
    return api("POST", "/scans/", entry.body).then(function (answer) {
      if (answer.status === 400 && !retried) {
        return refreshContext().then(function () { return sendOne(entry, true); });
      }
      if (answer.status === 401) {
        say("You have been signed out. Sign in again: the waiting scans are kept.", "bad");
        return false;
      }
      if (answer.status >= 500 || answer.status === 0) { return false; }
      if (answer.ok) {
        entry.status = answer.data.status;
        entry.message = answer.data.message;
        entry.server_id = answer.data.id;
        if (answer.data.record) {
          entry.label = answer.data.record.label;
          entry.title = answer.data.record.title;
        }
      } else {
        entry.status = "rejected";
        entry.message = answer.data.message || ("Refused (" + answer.status + ")");
      }
      if (entry.status === "conflict" || entry.status === "rejected") { beep(false); }
      return save(entry).then(function () { render(); return true; });
    }, function () { return false; });
  }

  function record(body, label) {
    body.client_id = uuid();
    body.scanned_at = body.scanned_at || new Date().toISOString();
    var entry = {
      client_id: body.client_id, user: USER, body: body, status: "waiting", message: "",
      label: label || body.code, created: Date.now()
    };
    state.entries.unshift(entry);
    state.actions.push({ type: "entry", id: entry.client_id });
    render();
    return save(entry).then(function () { return flush(); }).then(function () { return entry; });
  }

  // ---------------------------------------------------------------- what a scan means
  // What a scan names. Online, the server says (and gives the number or code people know);
  // offline, a Catalog label's code still tells object from location by its first letter.
  function classify(text, code) {
    var offline = { kind: kindOf(code), label: code, code: text };
    if (!state.online) { return Promise.resolve(offline); }
    return api("GET", "/scans/resolve?code=" + encodeURIComponent(text)).then(function (answer) {
      if (answer.status === 404 || answer.status === 422) {
        return { kind: "unknown", label: code, code: text, message: answer.data.message };
      }
      if (!answer.ok) { return offline; }
      return { kind: answer.data.kind, label: answer.data.label, code: text, record: answer.data };
    }, function () { return offline; });
  }

  function handle(raw) {
    var text = (raw || "").trim();
    if (!text) { return Promise.resolve(); }
    var code = codeFromScan(text);
    return classify(text, code).then(function (found) {
      if (found.kind === "unknown") {
        beep(false);
        say(found.message || ("Nothing has the code " + code + "."), "bad");
        return null;
      }
      return ({ lookup: onLookup, move: onMove, inventory: onInventory, condition: onCondition }
              [state.mode])(found);
    });
  }

  function onLookup(found) {
    beep(true);
    say("Looking up " + found.label + " …");
    return record({ mode: "lookup", code: found.code }, found.label).then(function (entry) {
      if (entry.status === "waiting") { say(found.label + ": waiting for the network."); }
      else if (entry.status === "recorded") { say(entry.label + (entry.title ? " · " + entry.title : "") + (entry.message ? " — " + entry.message : ""), "good"); }
      else { say(entry.message, "bad"); }
    });
  }

  function onMove(found) {
    // Once a target is set, a container (known online) joins the move with its contents;
    // any other location becomes the new target.
    var isContainer = found.kind === "location" && found.record && found.record.is_container &&
      state.moveTarget && found.label !== state.moveTarget.label;
    if (isContainer) { found = { kind: "object", label: found.label + " (container)", code: found.code }; }
    if (found.kind === "location" || (found.kind === null && !state.moveTarget)) {
      state.moveTarget = { code: found.code, label: found.label };
      beep(true);
      say("Now scan the objects to move to " + found.label + ", then confirm.", "good");
      render();
      return null;
    }
    if (!state.moveTarget) {
      beep(false);
      say("Scan the location or container first, then the objects.", "bad");
      return null;
    }
    var already = state.pending.some(function (p) { return p.code === found.code; });
    if (already) { beep(false); say(found.label + " is already on the list."); return null; }
    var item = { id: uuid(), code: found.code, label: found.label, scanned_at: new Date().toISOString() };
    state.pending.push(item);
    state.actions.push({ type: "pending", id: item.id });
    beep(true);
    say(state.pending.length + " object(s) to move to " + state.moveTarget.label + ". Confirm when done.", "good");
    render();
    return null;
  }

  function confirmMove() {
    if (!state.moveTarget || !state.pending.length) { return Promise.resolve(); }
    var target = state.moveTarget;
    var items = state.pending.splice(0);
    state.actions = state.actions.filter(function (a) { return a.type !== "pending"; });
    var chain = Promise.resolve();
    items.forEach(function (item) {
      chain = chain.then(function () {
        return record({ mode: "move", code: item.code, location_code: target.code,
                        scanned_at: item.scanned_at }, item.label);
      });
    });
    return chain.then(function () {
      var waiting = state.entries.filter(function (e) { return e.status === "waiting"; }).length;
      say(items.length + " move(s) " + (waiting ? "kept; they will be sent when the network returns." : "sent."), "good");
      render();
    });
  }

  function onInventory(found) {
    if (!state.inventory) {
      if (found.kind === "object") { beep(false); say("Scan the location to inventory first.", "bad"); return null; }
      if (!state.online) { beep(false); say("Starting an inventory needs the network (for the list of what should be there).", "bad"); return null; }
      return api("POST", "/inventories/", { location_code: found.code }).then(function (answer) {
        if (!answer.ok) { beep(false); say(answer.data.message || "Could not start the inventory.", "bad"); return; }
        state.inventory = answer.data;
        state.subLocation = null; // the whole location: objects count where the records put them
        beep(true);
        say("Inventory of " + answer.data.location_code + ": scan everything you find.", "good");
        render();
      });
    }
    if (found.kind === "location" || (found.kind === null && kindOf(codeFromScan(found.code)) === "location")) {
      var scanCode = kindOf(codeFromScan(found.code)) ? codeFromScan(found.code).toUpperCase() : (found.record && found.record.scan_code);
      if (scanCode && state.inventory.sublocation_scan_codes.indexOf(scanCode) < 0) {
        beep(false); say(found.label + " is not inside " + state.inventory.location_code + ".", "bad"); return null;
      }
      state.subLocation = scanCode === state.inventory.location_scan_code ? null : { code: found.code, label: found.label };
      beep(true); say("Now checking " + found.label + ".", "good"); render();
      return null;
    }
    markFoundLocally(found);
    beep(true);
    return record({ mode: "inventory", code: found.code, inventory_id: state.inventory.id,
                    location_code: state.subLocation ? state.subLocation.code : undefined }, found.label)
      .then(function (entry) {
        say(entry.status === "waiting" ? found.label + " found (waiting to be sent)." : (entry.message || found.label), entry.status === "rejected" ? "bad" : "good");
      });
  }

  function markFoundLocally(found) {
    var code = codeFromScan(found.code).toUpperCase();
    state.inventory.objects.forEach(function (o) {
      if (o.scan_code === code || o.object_number.toUpperCase() === found.label.toUpperCase()) {
        o.found = true;
        o.found_location_code = state.subLocation ? state.subLocation.label : state.inventory.location_code;
      }
    });
    render();
  }

  function refreshInventory() {
    if (!state.inventory) { return Promise.resolve(); }
    return api("GET", "/inventories/" + state.inventory.id).then(function (answer) {
      if (answer.ok && state.inventory && answer.data.id === state.inventory.id) {
        state.inventory = answer.data;
        render();
      }
    }, function () { /* offline: keep the local ticks */ });
  }

  function onCondition(found) {
    if (found.kind === "location") { beep(false); say("Condition notes are made on objects: scan an object.", "bad"); return null; }
    state.conditionObject = { code: found.code, label: found.label };
    beep(true);
    say("Type or choose a note for " + found.label + ", then save.", "good");
    render();
    $("condition-text").focus();
    return null;
  }

  function saveCondition() {
    var note = $("condition-text").value.trim();
    if (!state.conditionObject || !note) { return Promise.resolve(); }
    var target = state.conditionObject;
    state.conditionObject = null;
    $("condition-text").value = "";
    return record({ mode: "condition", code: target.code, note: note }, target.label).then(function (entry) {
      say(entry.status === "waiting" ? "Note kept; it will be sent when the network returns." : (entry.message || "Saved."), entry.status === "rejected" ? "bad" : "good");
      refocus();
    });
  }

  // ---------------------------------------------------------------- undo
  function undoLast() {
    var action = state.actions.pop();
    if (!action) { return Promise.resolve(); }
    if (action.type === "pending") {
      state.pending = state.pending.filter(function (p) { return p.id !== action.id; });
      say("Removed the last object from the move.");
      render();
      return Promise.resolve();
    }
    var entry = state.entries.filter(function (e) { return e.client_id === action.id; })[0];
    if (!entry) { return Promise.resolve(); }
    if (entry.status === "waiting") {
      entry.status = "undone";
      entry.message = "Cancelled before it was sent.";
      return save(entry).then(function () { say("Last scan cancelled."); render(); });
    }
    if (!entry.server_id || entry.status === "undone" || entry.body.mode === "lookup") {
      say("Nothing to undo for the last scan.");
      return Promise.resolve();
    }
    return api("POST", "/scans/" + entry.server_id + "/undo", {}).then(function (answer) {
      if (answer.ok) {
        entry.status = answer.data.status;
        entry.message = answer.data.message;
        say("Undone.", "good");
        if (state.inventory) { refreshInventory(); }
      } else {
        state.actions.push(action);
        say(answer.data.message || "Could not undo.", "bad");
      }
      return save(entry).then(render);
    }, function () {
      state.actions.push(action);
      say("Undo needs the network for a scan that was already sent.", "bad");
    });
  }

  // ---------------------------------------------------------------- rendering
  var STATUS_TEXT = { waiting: "waiting", recorded: "recorded", conflict: "conflict",
                      rejected: "rejected", undone: "undone" };

  function li(text, className) {
    var item = document.createElement("li");
    item.textContent = text;
    if (className) { item.className = className; }
    return item;
  }

  function renderStatus() {
    var net = $("net-status");
    net.textContent = state.online ? "Online" : "Offline";
    net.className = "badge " + (state.online ? "badge-recorded" : "badge-waiting");
    var waiting = state.entries.filter(function (e) { return e.status === "waiting"; }).length;
    $("queue-status").textContent = waiting ? waiting + " waiting" : "";
    $("queue-status").className = waiting ? "badge badge-waiting" : "badge";
  }

  function render() {
    renderStatus();
    list.textContent = "";
    state.entries.slice(0, 100).forEach(function (entry) {
      var item = document.createElement("li");
      item.className = "scan-entry scan-entry-" + entry.status;
      item.setAttribute("data-client-id", entry.client_id);
      item.setAttribute("data-status", entry.status);
      var badge = document.createElement("span");
      badge.className = "badge badge-" + entry.status;
      badge.textContent = STATUS_TEXT[entry.status] || entry.status;
      var what = document.createElement("strong");
      what.textContent = entry.label || entry.body.code;
      var mode = document.createElement("span");
      mode.className = "muted";
      mode.textContent = " " + entry.body.mode + " · " + new Date(entry.created).toLocaleTimeString() + " ";
      var message = document.createElement("span");
      message.className = "scan-message";
      message.textContent = entry.message ? " " + entry.message : "";
      item.appendChild(badge); item.appendChild(document.createTextNode(" "));
      item.appendChild(what); item.appendChild(mode); item.appendChild(message);
      list.appendChild(item);
    });
    $("undo-last").disabled = state.actions.length === 0;

    $("move-panel").hidden = state.mode !== "move";
    $("move-target").textContent = state.moveTarget ? state.moveTarget.label : "— scan a location or container —";
    var pending = $("move-pending");
    pending.textContent = "";
    state.pending.forEach(function (p) { pending.appendChild(li(p.label)); });
    $("move-confirm").disabled = !(state.moveTarget && state.pending.length);
    $("move-confirm").textContent = state.pending.length ? "Confirm move of " + state.pending.length : "Confirm move";

    $("inventory-panel").hidden = state.mode !== "inventory";
    var inv = state.inventory;
    $("inventory-location").textContent = inv ? inv.location_code + " " + inv.location_name : "— scan a location —";
    $("inventory-sub").textContent = inv && state.subLocation ? "Checking: " + state.subLocation.label : "";
    var missing = $("inventory-missing"), found = $("inventory-found");
    missing.textContent = ""; found.textContent = "";
    if (inv) {
      var missingCount = 0, foundCount = 0;
      inv.objects.forEach(function (o) {
        var text = o.object_number + (o.title ? " · " + o.title : "");
        if (o.found) { foundCount++; found.appendChild(li(text + (o.found_location_code ? " (" + o.found_location_code + ")" : ""))); }
        else { missingCount++; missing.appendChild(li(text + (o.location_code ? " (" + o.location_code + ")" : ""), "inventory-missing-item")); }
      });
      $("inventory-counts").textContent = foundCount + " found, " + missingCount + " still missing";
      $("inventory-open").hidden = false;
      $("inventory-open").href = "/inventory/" + inv.id;
    } else {
      $("inventory-counts").textContent = "";
      $("inventory-open").hidden = true;
    }

    $("condition-panel").hidden = state.mode !== "condition";
    $("condition-object").textContent = state.conditionObject ? state.conditionObject.label : "— scan an object —";
    $("condition-save").disabled = !state.conditionObject;
  }

  var PROMPTS = {
    lookup: "Scan a label to see what it is.",
    move: "Scan the location or container to move to, then the objects (or boxes) to move, then confirm.",
    inventory: "Scan the location to inventory, then everything you find there.",
    condition: "Scan an object, then type or choose a short note."
  };

  function setMode(mode) {
    if (!PROMPTS[mode]) { return; }
    state.mode = mode;
    document.querySelectorAll(".scan-mode").forEach(function (button) {
      button.setAttribute("aria-selected", button.getAttribute("data-mode") === mode ? "true" : "false");
    });
    say(PROMPTS[mode]);
    render();
    refocus();
  }

  function refocus() {
    if (document.activeElement && document.activeElement.id === "condition-text") { return; }
    input.focus({ preventScroll: true });
  }

  // ---------------------------------------------------------------- camera (jsQR)
  var canvas = $("camera-canvas");
  var video = $("camera-video");
  var stream = null, lastText = "", lastAt = 0, lastDecode = 0;

  function decodeImageData(data, width, height) {
    if (!window.jsQR) { return null; }
    var result = window.jsQR(data, width, height, { inversionAttempts: "dontInvert" });
    return result ? result.data : null;
  }

  function decodeImage(image) {
    var width = image.naturalWidth || image.videoWidth || image.width;
    var height = image.naturalHeight || image.videoHeight || image.height;
    var context = canvas.getContext("2d", { willReadFrequently: true });
    canvas.width = width; canvas.height = height;
    context.drawImage(image, 0, 0, width, height);
    return decodeImageData(context.getImageData(0, 0, width, height).data, width, height);
  }

  function seen(text) {
    var now = Date.now();
    if (text === lastText && now - lastAt < 2500) { return; } // the same label held in view
    lastText = text; lastAt = now;
    handle(text);
  }

  function tick() {
    if (!stream) { return; }
    var now = Date.now();
    if (video.readyState >= 2 && now - lastDecode > 120) {
      lastDecode = now;
      // Decoding a downscaled frame is fast enough on an older iPad and still reads labels.
      var scale = Math.min(1, 720 / Math.max(video.videoWidth, 1));
      var width = Math.round(video.videoWidth * scale), height = Math.round(video.videoHeight * scale);
      var context = canvas.getContext("2d", { willReadFrequently: true });
      canvas.width = width; canvas.height = height;
      context.drawImage(video, 0, 0, width, height);
      var text = decodeImageData(context.getImageData(0, 0, width, height).data, width, height);
      if (text) { seen(text); }
    }
    window.requestAnimationFrame(tick);
  }

  function toggleCamera() {
    var button = $("camera-toggle");
    if (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null; video.hidden = true; button.textContent = "Start camera";
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("This browser gives no camera here (it needs https). Use a hardware scanner or type.", "bad");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (s) {
        stream = s; video.srcObject = s; video.hidden = false;
        video.setAttribute("playsinline", "true"); // iOS Safari: play inline, not full screen
        button.textContent = "Stop camera";
        return video.play();
      }).then(function () { window.requestAnimationFrame(tick); })
      .catch(function (error) { say("No camera: " + error.message, "bad"); });
  }

  // ---------------------------------------------------------------- wiring
  $("scan-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = input.value;
    input.value = "";
    handle(value);
    refocus();
  });
  document.querySelectorAll(".scan-mode").forEach(function (button) {
    button.addEventListener("click", function () { setMode(button.getAttribute("data-mode")); });
  });
  $("camera-toggle").addEventListener("click", toggleCamera);
  $("move-confirm").addEventListener("click", function () { confirmMove().then(refocus); });
  $("move-clear").addEventListener("click", function () {
    state.moveTarget = null; state.pending = [];
    state.actions = state.actions.filter(function (a) { return a.type !== "pending"; });
    setMode("move");
  });
  $("inventory-leave").addEventListener("click", function () {
    state.inventory = null; state.subLocation = null; setMode("inventory");
  });
  $("condition-save").addEventListener("click", saveCondition);
  document.querySelectorAll(".quick-note").forEach(function (button) {
    button.addEventListener("click", function () {
      var area = $("condition-text");
      area.value = area.value ? area.value + "; " + button.textContent : button.textContent;
    });
  });
  $("undo-last").addEventListener("click", function () { undoLast().then(refocus); });
  window.addEventListener("online", function () {
    setOnline(true);
    refreshContext().then(flush, function () { /* still unreachable */ });
  });
  window.addEventListener("offline", function () { setOnline(false); });
  // Retry now and then: "online" events are not fired for a store's Wi-Fi coming back.
  window.setInterval(function () {
    if (state.entries.some(function (e) { return e.status === "waiting"; })) { flush(); }
  }, 15000);

  if ("serviceWorker" in navigator && root.getAttribute("data-sw")) {
    navigator.serviceWorker.register(root.getAttribute("data-sw"), { scope: "/" })
      .catch(function () { /* e.g. plain http: the page still works online */ });
  }

  // For tests and for "scan from a photo": decode an <img>/<canvas>/<video> and act on it.
  window.catalogScanner = {
    decodeImage: function (image) {
      var text = decodeImage(image);
      return text ? handle(text).then(function () { return text; }) : Promise.resolve(null);
    },
    handle: handle,
    flush: function () { return flush(); },
    confirmMove: confirmMove,
    state: state
  };

  loadEntries().then(function (entries) {
    var cutoff = Date.now() - 12 * 3600 * 1000;
    state.entries = entries.filter(function (e) { return e.created > cutoff || e.status === "waiting"; })
      .sort(function (a, b) { return b.created - a.created; });
    render();
    root.setAttribute("data-ready", "true");
    return flush();
  }, function () { root.setAttribute("data-ready", "true"); });

  setMode(window.location.hash === "#inventory" ? "inventory" : window.location.hash === "#move" ? "move" : "lookup");
})();
