/* Confide's progressive enhancement. Every page works without this file; with it:
   - a transcript line seeks the recording instead of reloading the page,
   - "Read it aloud" plays the speech rendering,
   - an answer can be recorded in the browser (MediaRecorder) and uploaded to the API,
     with its upload and transcription status announced in a live region,
   - the shared journal announces new entries without moving focus.
   No keyboard shortcuts are added: standard keys only, so nothing clashes with a screen
   reader. The session cookie is HttpOnly; requests to /api send it same-origin. */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function say(region, message) {
    if (!region) { return; }
    if (region.textContent !== message) { region.textContent = message; return; }
    // The same words again: clear first so screen readers announce them again.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 100);
  }

  function words(seconds) {
    var total = Math.max(0, Math.round(seconds));
    var m = Math.floor(total / 60), s = total % 60;
    var sec = s === 1 ? "1 second" : s + " seconds";
    if (!m) { return sec; }
    return (m === 1 ? "1 minute" : m + " minutes") + (s ? " " + sec : "");
  }

  function clock(seconds) {
    var total = Math.max(0, Math.floor(seconds));
    var m = Math.floor(total / 60), s = total % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function showJsOnly() {
    var items = document.querySelectorAll(".js-only:not(.recorder)");
    for (var i = 0; i < items.length; i++) { items[i].hidden = false; }
  }

  /* Transcript lines: seek the recording (the form reloads with ?t= without JS). */
  function setUpSeeking() {
    var audio = document.getElementById("recording");
    var list = document.querySelector(".segments");
    if (!audio || !list) { return; }
    list.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button.seek") : null;
      if (!button) { return; }
      event.preventDefault();
      var start = parseFloat(button.getAttribute("data-start")) || 0;
      var previous = list.querySelector('button.seek[aria-current="true"]');
      if (previous) { previous.removeAttribute("aria-current"); }
      button.setAttribute("aria-current", "true");
      var seek = function () {
        audio.currentTime = start;
        var playing = audio.play();
        if (playing && playing.catch) { playing.catch(function () { /* user can press play */ }); }
      };
      if (audio.readyState >= 1) { seek(); } else {
        audio.addEventListener("loadedmetadata", seek, { once: true });
        audio.load();
      }
    });
  }

  /* "Read it aloud": play or pause the speech rendering of the transcript. */
  function setUpReadAloud() {
    var button = document.getElementById("read-aloud");
    if (!button) { return; }
    var audio = document.getElementById(button.getAttribute("data-target"));
    if (!audio) { return; }
    var idle = button.textContent;
    button.addEventListener("click", function () {
      if (audio.paused) {
        var playing = audio.play();
        if (playing && playing.catch) {
          playing.catch(function () { say(document.getElementById("announcer"), "The speech could not be played."); });
        }
      } else {
        audio.pause();
      }
    });
    audio.addEventListener("play", function () { button.textContent = "Pause reading"; });
    audio.addEventListener("pause", function () { button.textContent = idle; });
    audio.addEventListener("ended", function () { button.textContent = idle; });
  }

  /* The shared journal: poll politely and announce new entries without moving focus. */
  function setUpUpdates() {
    var box = document.querySelector("[data-poll-updates]");
    if (!box) { return; }
    var url = box.getAttribute("data-poll-updates");
    var newest = parseInt(box.getAttribute("data-newest"), 10) || 0;
    var status = document.getElementById("updates-status");
    var link = document.getElementById("updates-link");
    function poll() {
      if (document.visibilityState !== "visible") { return; }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !(data.newest_id > newest)) { return; }
          newest = data.newest_id;
          say(status, (data.message || "There is something new in the shared journal.") +
            " Choose “Show the new entries” to see it.");
          if (link) { link.hidden = false; }
        })
        .catch(function () { /* offline for a moment: try again next time */ });
    }
    window.setInterval(poll, 30000);
  }

  /* Answering by voice: MediaRecorder, then upload to the API and follow the job. */
  function setUpRecorder() {
    var box = document.getElementById("recorder");
    if (!box) { return; }
    if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return; // the written answer above still works
    }
    box.hidden = false;
    var toggle = document.getElementById("record-toggle");
    var timer = document.getElementById("record-timer");
    var review = document.getElementById("record-review");
    var preview = document.getElementById("record-preview");
    var send = document.getElementById("record-send");
    var discard = document.getElementById("record-discard");
    var status = document.getElementById("record-status");
    var uploadUrl = box.getAttribute("data-upload");
    var threadUrl = box.getAttribute("data-thread");
    var recorder = null, chunks = [], blob = null, started = 0, ticking = null, stream = null;

    function reset() {
      blob = null;
      if (preview.src) { URL.revokeObjectURL(preview.src); preview.removeAttribute("src"); }
      review.hidden = true;
      timer.textContent = "";
      toggle.textContent = "Start recording";
      toggle.setAttribute("aria-pressed", "false");
    }

    function stopTracks() {
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    }

    function start() {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (s) {
        stream = s;
        chunks = [];
        var type = "";
        ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm"].some(function (t) {
          if (MediaRecorder.isTypeSupported(t)) { type = t; return true; }
          return false;
        });
        recorder = type ? new MediaRecorder(s, { mimeType: type }) : new MediaRecorder(s);
        recorder.addEventListener("dataavailable", function (e) { if (e.data.size) { chunks.push(e.data); } });
        recorder.addEventListener("stop", stopped);
        recorder.start(1000);
        started = Date.now();
        toggle.textContent = "Stop recording";
        toggle.setAttribute("aria-pressed", "true");
        review.hidden = true;
        ticking = window.setInterval(function () {
          timer.textContent = "Recording " + clock((Date.now() - started) / 1000);
        }, 500);
        say(status, "Recording. Take your time; press Stop recording when you are done.");
      }).catch(function () {
        say(status, "The microphone could not be used. Allow microphone access, or answer in writing above.");
      });
    }

    function stopped() {
      window.clearInterval(ticking);
      stopTracks();
      var seconds = (Date.now() - started) / 1000;
      blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
      preview.src = URL.createObjectURL(blob);
      review.hidden = false;
      toggle.textContent = "Record again";
      toggle.setAttribute("aria-pressed", "false");
      timer.textContent = "Recorded " + clock(seconds);
      say(status, "Recording stopped after " + words(seconds) +
        ". Listen back if you like, then send it or record again.");
    }

    toggle.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") { recorder.stop(); return; }
      reset();
      start();
    });

    discard.addEventListener("click", function () {
      reset();
      say(status, "Recording discarded.");
      toggle.focus();
    });

    send.addEventListener("click", function () {
      if (!blob) { return; }
      var form = new FormData();
      var ext = blob.type.indexOf("ogg") >= 0 ? "ogg" : "webm";
      form.append("file", blob, "answer." + ext);
      send.disabled = true;
      say(status, "Sending your spoken answer…");
      fetch(uploadUrl, {
        method: "POST", body: form, credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken(), "Accept": "application/json" }
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) { throw new Error(body.detail || "The server refused it."); }
          return body;
        });
      }).then(function (body) {
        reset();
        refreshThread();
        if (body.job_id) {
          say(status, "Sent. Your answer is saved and is being transcribed; you can keep reading or leave this page.");
          followJob(body.job_id, 1500);
        } else {
          say(status, "Sent. Your answer was added to the thread.");
        }
      }).catch(function (err) {
        say(status, "Your answer was not sent: " + err.message + " Your recording is still here; try Send again.");
      }).then(function () { send.disabled = false; });
    });

    function followJob(jobId, delay) {
      window.setTimeout(function () {
        fetch("/api/jobs/" + encodeURIComponent(jobId), {
          credentials: "same-origin", headers: { "Accept": "application/json" }
        }).then(function (r) { return r.ok ? r.json() : null; }).then(function (job) {
          if (!job || job.status === "queued" || job.status === "running") {
            followJob(jobId, Math.min(delay * 1.5, 10000));
            return;
          }
          refreshThread();
          if (job.status === "done") {
            say(status, "Your spoken answer is transcribed and shown in the answers.");
          } else {
            say(status, "Your spoken answer is saved, but it could not be transcribed. The recording is kept in the answers.");
          }
        }).catch(function () { followJob(jobId, Math.min(delay * 2, 15000)); });
      }, delay);
    }

    function refreshThread() {
      fetch(threadUrl, { credentials: "same-origin" }).then(function (r) { return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("thread");
          var here = document.getElementById("thread");
          if (fresh && here) { here.innerHTML = fresh.innerHTML; }
        }).catch(function () { /* the thread shows on the next visit */ });
    }
  }

  function ready() {
    showJsOnly();
    setUpSeeking();
    setUpReadAloud();
    setUpUpdates();
    setUpRecorder();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
}());
