/* The scanning page of events check-in (events/checkin/scan.html).

   A photo taken with the phone's camera (<input type="file" capture="environment">: works over plain http,
   unlike getUserMedia) is decoded here with jsQR, in the browser: nothing is uploaded. The code it carries
   (the URL /events/checkin/<code>/, or the bare code) opens this site's check-in page for that code, whatever
   host the QR code was printed with. Where the browser allows the camera stream (a secure context), live
   scanning is offered too. */
(function () {
  "use strict";

  var root = document.querySelector("[data-xqt-scan]");
  if (!root || typeof window.jsQR !== "function") {
    return;
  }
  var base = root.getAttribute("data-checkin-base");
  var status = root.querySelector("[data-scan-status]");
  var photo = root.querySelector("[data-photo]");
  var canvas = root.querySelector("[data-canvas]");
  var ctx = canvas.getContext("2d", { willReadFrequently: true });
  var CODE_IN_URL = /\/events\/checkin\/([A-Za-z0-9_-]+)\/?/;
  var BARE_CODE = /^[A-Za-z0-9_-]{4,64}$/;

  function text(name) {
    return root.getAttribute("data-msg-" + name) || "";
  }

  function say(message, kind) {
    status.textContent = message;
    status.className = "small mb-3" + (kind ? " text-" + kind : "");
  }

  function codeOf(data) {
    if (!data) {
      return null;
    }
    var found = CODE_IN_URL.exec(data);
    if (found) {
      return found[1];
    }
    data = data.trim();
    return BARE_CODE.test(data) ? data : null;
  }

  /* Open the check-in page of what a QR code carried; false when it is not one of ours. */
  function open(data) {
    var code = codeOf(data);
    if (!code) {
      say(text("not-ours"), "danger");
      return false;
    }
    say(text("found"), "success");
    window.location.assign(base + encodeURIComponent(code) + "/");
    return true;
  }

  /* Draw the source at most maxSide pixels wide or high and look for a QR code. */
  function decode(source, width, height, maxSide, inversion) {
    var scale = Math.min(1, maxSide / Math.max(width, height));
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
    var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return window.jsQR(image.data, image.width, image.height, { inversionAttempts: inversion });
  }

  function loadImage(file) {
    if (window.createImageBitmap) {
      return window.createImageBitmap(file).catch(function () {
        return loadWithElement(file);
      });
    }
    return loadWithElement(file);
  }

  function loadWithElement(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        URL.revokeObjectURL(url);
        resolve(img);
      };
      img.onerror = function (error) {
        URL.revokeObjectURL(url);
        reject(error);
      };
      img.src = url;
    });
  }

  photo.addEventListener("change", function () {
    var file = photo.files && photo.files[0];
    if (!file) {
      return;
    }
    say(text("reading"));
    loadImage(file)
      .then(function (image) {
        var width = image.naturalWidth || image.width;
        var height = image.naturalHeight || image.height;
        // a phone photo is large: try small first (fast), then larger for a small or distant code
        var sizes = [1024, 1600, 2400];
        for (var i = 0; i < sizes.length; i++) {
          var result = decode(image, width, height, sizes[i], "attemptBoth");
          if (result && result.data) {
            open(result.data);
            return;
          }
          if (Math.max(width, height) <= sizes[i]) {
            break;
          }
        }
        say(text("none"), "danger");
      })
      .catch(function () {
        say(text("none"), "danger");
      })
      .finally(function () {
        photo.value = ""; // the same photo may be chosen again
      });
  });

  /* Live scanning: only where the camera stream is allowed (HTTPS or localhost). */
  var liveButton = root.querySelector("[data-live-button]");
  var live = root.querySelector("[data-live]");
  var video = root.querySelector("[data-video]");
  var stream = null;

  function stopLive() {
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    live.hidden = true;
    liveButton.hidden = false;
  }

  function tick() {
    if (!stream) {
      return;
    }
    if (video.readyState >= video.HAVE_ENOUGH_DATA) {
      var result = decode(video, video.videoWidth, video.videoHeight, 720, "dontInvert");
      if (result && result.data && open(result.data)) {
        stopLive();
        return;
      }
    }
    window.requestAnimationFrame(tick);
  }

  var canStream =
    window.isSecureContext && navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === "function";
  if (canStream) {
    liveButton.hidden = false;
    liveButton.addEventListener("click", function () {
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          live.hidden = false;
          liveButton.hidden = true;
          say(text("live"));
          return video.play();
        })
        .then(function () {
          window.requestAnimationFrame(tick);
        })
        .catch(function () {
          stopLive();
          say(text("camera-error"), "danger");
        });
    });
    root.querySelector("[data-live-stop]").addEventListener("click", function () {
      stopLive();
      say("");
    });
    window.addEventListener("pagehide", stopLive);
  }
})();
