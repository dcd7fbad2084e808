(function () {
  "use strict";
  // The code format mirrors workfw.assessment._codes.encode_response byte for byte; its constants come from
  // Python through the JSON block, so the page never carries a second copy of them.
  var data = JSON.parse(document.getElementById("wf-data").textContent);
  var byId = function (id) { return document.getElementById(id); };
  var form = byId("wf-form");
  var nameInput = byId("wf-name");
  var teamInput = byId("wf-team");
  var encoder = new TextEncoder();
  var downloadUrl = null;

  // Python's str.strip() removes these (str.isspace); JavaScript's trim() differs slightly, and the name
  // must be the same text the notebook would store.
  var SPACE = "[\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029" +
              "\\u202f\\u205f\\u3000]";
  var EDGES = new RegExp("^" + SPACE + "+|" + SPACE + "+$", "g");

  function pyStrip(text) { return text.replace(EDGES, ""); }

  // A lone surrogate cannot be written as UTF-8 (Python would refuse it); the browser would swap it silently.
  function wellFormed(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.length) {
        var d = text.charCodeAt(i + 1);
        if (d >= 0xDC00 && d <= 0xDFFF) { out += text[i] + text[i + 1]; i++; continue; }
      }
      out += (c >= 0xD800 && c <= 0xDFFF) ? "\uFFFD" : text[i];
    }
    return out;
  }

  function randomHex(digits) {
    var bytes = new Uint8Array(Math.ceil(digits / 2));
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); })
      .join("").slice(0, digits);
  }
  // One anonymous name per opened page, like the notebook form's per participant.
  var anonymous = "anonymous-" + randomHex(4);

  var CRC_TABLE = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) { c = (c & 1) ? (0xEDB88320 ^ (c >>> 1)) : (c >>> 1); }
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(bytes) {
    var c = 0xFFFFFFFF;
    for (var i = 0; i < bytes.length; i++) { c = CRC_TABLE[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8); }
    return (c ^ 0xFFFFFFFF) >>> 0;
  }

  // RFC 4648 base32 without the "=" padding, as Python's b32encode(...).rstrip("=").
  function base32(bytes) {
    var out = "", value = 0, bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      value = ((value << 8) | bytes[i]) & 0xFFFF;
      bits += 8;
      while (bits >= 5) { out += data.alphabet[(value >>> (bits - 5)) & 31]; bits -= 5; }
    }
    if (bits > 0) { out += data.alphabet[(value << (5 - bits)) & 31]; }
    return out;
  }

  function checksum(head, payload) {
    var headBytes = encoder.encode(head);
    var joined = new Uint8Array(headBytes.length + payload.length);
    joined.set(headBytes, 0);
    joined.set(payload, headBytes.length);
    var bits = 5 * data.checkChars;
    var value = crc32(joined) % Math.pow(2, bits);
    var out = "";
    for (var shift = bits - 5; shift >= 0; shift -= 5) {
      out += data.alphabet[Math.floor(value / Math.pow(2, shift)) % 32];
    }
    return out;
  }

  function encode(digits, seconds, name, team) {
    var packed = BigInt(0), base = BigInt(data.base);
    digits.forEach(function (d) { packed = packed * base + BigInt(d); });
    var answers = new Uint8Array(data.answerBytes);
    for (var i = data.answerBytes - 1; i >= 0; i--) {
      answers[i] = Number(packed & BigInt(255));
      packed = packed >> BigInt(8);
    }
    var nameBytes = encoder.encode(name), teamBytes = encoder.encode(team || "");
    var parts = [[digits.length], answers,
                 [(seconds >>> 24) & 255, (seconds >>> 16) & 255, (seconds >>> 8) & 255, seconds & 255],
                 [nameBytes.length], nameBytes, [teamBytes.length], teamBytes];
    var size = parts.reduce(function (n, p) { return n + p.length; }, 0);
    var payload = new Uint8Array(size), at = 0;
    parts.forEach(function (p) { payload.set(p, at); at += p.length; });
    return data.head + "-" + base32(payload) + "-" + checksum(data.head, payload);
  }

  function fieldsets() { return Array.prototype.slice.call(document.querySelectorAll("fieldset.statement")); }

  // Statement number -> "1".."5", "?" or null (skipped), in bank order.
  function chosen() {
    return fieldsets().map(function (fs) {
      var picked = fs.querySelector("input[type=radio]:checked");
      return picked ? picked.value : null;
    });
  }

  function show(id, visible) { byId(id).hidden = !visible; }

  function problem(input, box, text) {
    byId(box).textContent = text || "";
    show(box, !!text);
    input.setAttribute("aria-invalid", text ? "true" : "false");
    return !text;
  }

  function checkPerson() {
    var name = pyStrip(wellFormed(nameInput.value)), team = pyStrip(wellFormed(teamInput.value));
    var nameOk = true, teamOk = true;
    if (Array.from(name).length > data.maxName) {
      nameOk = problem(nameInput, "wf-name-problem", "Your name has " + Array.from(name).length +
                       " characters; at most " + data.maxName + " fit. Use a shorter name or a pseudonym.");
    } else if (encoder.encode(name).length > data.maxTextBytes) {
      nameOk = problem(nameInput, "wf-name-problem", "Your name is too long for a code (" +
                       encoder.encode(name).length + " bytes; at most " + data.maxTextBytes + "). Shorten it.");
    } else { problem(nameInput, "wf-name-problem", ""); }
    if (encoder.encode(team).length > data.maxTextBytes) {
      teamOk = problem(teamInput, "wf-team-problem", "The team name is too long for a code (" +
                       encoder.encode(team).length + " bytes; at most " + data.maxTextBytes + "). Shorten it.");
    } else { problem(teamInput, "wf-team-problem", ""); }
    if (!nameOk) { nameInput.focus(); return null; }
    if (!teamOk) { teamInput.focus(); return null; }
    return {name: name || anonymous, team: team || null};
  }

  function progress() {
    var answers = chosen();
    var given = answers.filter(function (a) { return a !== null; });
    var dk = given.filter(function (a) { return a === "?"; }).length;
    byId("wf-progress").textContent = given.length + " of " + answers.length + " statements answered" +
      (dk ? ", " + dk + " of them \"" + data.dontKnowLabel + "\"" : "") + ".";
    fieldsets().forEach(function (fs, i) { if (answers[i] !== null) { fs.classList.remove("missing"); } });
  }

  function unanswered() {
    var answers = chosen();
    return data.statements.map(function (s, i) { return {number: i + 1, text: s.text, skipped: answers[i] === null}; })
      .filter(function (s) { return s.skipped; });
  }

  function listUnanswered(list, items, links) {
    list.textContent = "";
    items.forEach(function (s) {
      var li = document.createElement("li");
      li.value = s.number;
      if (links) {
        var a = document.createElement("a");
        a.href = "#wf-q" + s.number;
        a.textContent = s.text;
        li.appendChild(a);
      } else { li.textContent = s.text; }
      list.appendChild(li);
    });
  }

  function slug(name) {
    var ascii = name.normalize("NFKD").replace(/[^\x00-\x7F]/g, "");
    var out = ascii.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
    return out.replace(/^-+|-+$/g, "") || "participant";
  }

  function isoSeconds(seconds) { return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, "Z"); }

  function make(skipConfirmed) {
    show("wf-problem", false);
    var person = checkPerson();
    if (!person) { return; }
    var answers = chosen();
    var skipped = unanswered();
    if (skipped.length === answers.length) {
      byId("wf-problem").textContent = "Answer at least one statement first (\"?\" counts as an answer).";
      show("wf-problem", true);
      show("wf-check", false);
      fieldsets()[0].querySelector("input").focus();
      return;
    }
    if (skipped.length && !skipConfirmed) {
      skipped.forEach(function (s) { byId("wf-q" + s.number).classList.add("missing"); });
      byId("wf-check-text").textContent = "You have not answered " + skipped.length + " statement" +
        (skipped.length === 1 ? "" : "s") + ". Answer " + (skipped.length === 1 ? "it" : "them") +
        ", choose ? if you do not know, or skip " + (skipped.length === 1 ? "it" : "them") + ":";
      listUnanswered(byId("wf-unanswered"), skipped, true);
      show("wf-check", true);
      show("wf-result", false);
      byId("wf-check").focus();
      return;
    }
    show("wf-check", false);
    var digits = answers.map(function (a) { return a === null ? 0 : (a === "?" ? data.dontKnow : Number(a)); });
    var seconds = Math.floor(Date.now() / 1000);
    var code = encode(digits, seconds, person.name, person.team);
    var doc = {format: data.format, version: data.version, participant: person.name, team: person.team,
               framework: data.framework, submitted_at: isoSeconds(seconds), answers: {}};
    data.statements.forEach(function (s, i) {
      if (answers[i] !== null) { doc.answers[s.id] = answers[i] === "?" ? null : Number(answers[i]); }
    });
    var file = JSON.stringify(doc, null, 1) + "\n";
    if (downloadUrl) { URL.revokeObjectURL(downloadUrl); }
    downloadUrl = URL.createObjectURL(new Blob([file], {type: "application/json"}));
    var link = byId("wf-download");
    link.href = downloadUrl;
    link.download = data.fileStem + "-answers-" + slug(person.name) + ".json";
    byId("wf-code").value = code;
    byId("wf-copied").textContent = "";
    byId("wf-result-text").textContent = "Thank you, " + person.name + ". Your " + data.title + " code:";
    byId("wf-skipped").textContent = skipped.length ? "Skipped (sent as skipped, not as \"" + data.dontKnowLabel +
      "\"): statement" + (skipped.length === 1 ? " " : "s ") +
      skipped.map(function (s) { return s.number; }).join(", ") + "." : "";
    show("wf-result", true);
    byId("wf-result").focus();
  }

  function stale() {
    // A code shown for other answers must never be copied by mistake.
    show("wf-result", false);
    show("wf-check", false);
    show("wf-problem", false);
    progress();
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); make(false); });
  form.addEventListener("change", stale);
  nameInput.addEventListener("input", stale);
  teamInput.addEventListener("input", stale);
  byId("wf-anyway").addEventListener("click", function () { make(true); });
  byId("wf-back").addEventListener("click", function () {
    var first = unanswered()[0];
    show("wf-check", false);
    if (first) { byId("wf-q" + first.number).querySelector("input").focus(); }
  });
  byId("wf-copy").addEventListener("click", function () {
    var box = byId("wf-code");
    var done = function () { byId("wf-copied").textContent = "Copied."; };
    var manual = function () {
      box.focus();
      box.select();
      byId("wf-copied").textContent = "Selected: press Ctrl+C (or Cmd+C) to copy.";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(done, manual);
    } else { manual(); }
  });
  progress();
})();
