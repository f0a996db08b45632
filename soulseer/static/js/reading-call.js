// Voice and video in the reading room (docs/readings.md), only when the server has Agora: joins the
// reading's own channel with a token from GET /readings/<id>/rtc-token (participants only),
// publishes the microphone (and the camera for video), plays the partner, offers Mute and Camera
// off, and renews the token before it expires. The chat and the meter do not depend on it.
//
// When the call cannot start (Agora unreachable, a refused token, a blocked microphone), the page
// says so in the call's live region, hides the empty video area and the controls, and offers to
// try again; the chat and the meter go on. The SDK retries an unreachable gateway without end, so
// the join has a deadline of our own.

const JOIN_DEADLINE_MS = 15_000;

const root = document.querySelector("[data-rtc-url]");
if (root) setUp(root);

class CallFailure extends Error {}

function setUp(root) {
  const section = document.getElementById("av");
  const state = document.getElementById("av-state");
  const media = section.querySelector("[data-av-media]");
  const connected = section.querySelector("[data-av-connected]");
  const failed = section.querySelector("[data-av-failed]");
  const muteButton = section.querySelector("[data-av-mute]");
  const cameraButton = section.querySelector("[data-av-camera]");
  let call = null; // { client, microphone, camera } while connected
  let attempt = 0;

  function show(phase, text) {
    section.dataset.call = phase; // connecting | connected | failed
    media.hidden = phase === "failed";
    connected.hidden = phase !== "connected";
    failed.hidden = phase !== "failed";
    state.classList.toggle("notice", phase === "failed");
    if (text) state.textContent = text;
  }

  async function hangUp() {
    const ending = call;
    call = null;
    if (!ending) return;
    for (const track of [ending.microphone, ending.camera]) track?.close();
    await ending.client.leave().catch(() => {});
  }

  async function connect() {
    const mine = ++attempt;
    await hangUp();
    show("connecting", "Connecting the call…");
    resetButton(muteButton, "Mute");
    resetButton(cameraButton, "Camera off");
    try {
      // The SDK's later news (partner joined, reconnecting…) only while this call is the one shown.
      const joined = await join(root, (text) => mine === attempt && section.dataset.call === "connected" && say(text));
      if (mine !== attempt) {
        call = joined; // the page was left meanwhile
        await hangUp();
        return;
      }
      call = joined;
      show("connected", joined.client.remoteUsers.length ? "Connected." : "Waiting for your partner to join the call…");
    } catch (error) {
      if (mine !== attempt) return;
      await hangUp();
      show("failed", failureText(error));
    }
  }

  function say(text) {
    state.textContent = text;
  }

  muteButton?.addEventListener("click", () => toggle(muteButton, call?.microphone, "Mute", "Unmute"));
  cameraButton?.addEventListener("click", () => toggle(cameraButton, call?.camera, "Camera off", "Camera on"));
  section.querySelector("[data-av-retry]")?.addEventListener("click", connect);
  window.addEventListener("pagehide", () => {
    attempt += 1;
    hangUp();
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) connect(); // back from the back-forward cache, like the heartbeat
  });
  connect();
}

async function toggle(button, track, onLabel, offLabel) {
  if (!track) return;
  const off = button.getAttribute("aria-pressed") !== "true";
  try {
    await track.setMuted(off);
  } catch {
    return; // the track is gone (the call ended); the button keeps saying the truth
  }
  button.setAttribute("aria-pressed", String(off));
  button.textContent = off ? offLabel : onLabel;
}

function resetButton(button, label) {
  if (!button) return;
  button.setAttribute("aria-pressed", "false");
  button.textContent = label;
}

async function credentials(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new CallFailure(body.error || `The server refused the call (HTTP ${response.status}).`);
  }
  return response.json();
}

function withDeadline(promise, ms) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new CallFailure("The call service did not answer.")), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function failureText(error) {
  const code = error?.code || error?.name || "";
  let why;
  if (error instanceof CallFailure) why = error.message;
  else if (code === "PERMISSION_DENIED" || code === "NotAllowedError")
    why = "This browser did not allow the microphone or camera.";
  else if (["DEVICE_NOT_FOUND", "NOT_READABLE", "NotFoundError", "NotReadableError"].includes(code))
    why = "No microphone or camera could be used.";
  else why = "The call service could not be reached.";
  return `The call could not start. ${why} You can keep going in the chat below, try the call again, or end the reading.`;
}

// Joins and publishes; resolves { client, microphone, camera } or rejects (the caller hangs up).
async function join(root, say) {
  const { default: AgoraRTC } = await import(root.dataset.sdkUrl);
  AgoraRTC.setLogLevel(3); // warnings and errors only
  const video = root.dataset.mode === "video";
  const rtcUrl = root.dataset.rtcUrl;
  const client = AgoraRTC.createClient({ mode: "rtc", codec: "vp8" });
  const call = { client, microphone: null, camera: null };

  client.on("user-published", async (user, mediaType) => {
    await client.subscribe(user, mediaType);
    if (mediaType === "video") user.videoTrack.play(document.getElementById("av-remote"));
    if (mediaType === "audio") user.audioTrack.play();
    say("Connected.");
  });
  client.on("user-unpublished", (user, mediaType) => {
    if (mediaType === "video") say("Your partner's camera is off.");
  });
  client.on("user-left", () => say("Your partner left the call."));
  client.on("connection-state-change", (state) => {
    if (state === "RECONNECTING") say("Reconnecting the call…");
  });
  // Tokens live 20 minutes; Agora warns 30 s before the end.
  client.on("token-privilege-will-expire", async () => {
    try {
      await client.renewToken((await credentials(rtcUrl)).token);
    } catch {
      say("The call could not be renewed; the chat still works.");
    }
  });

  try {
    const first = await credentials(rtcUrl);
    await withDeadline(client.join(first.app_id, first.channel, first.token, first.uid), JOIN_DEADLINE_MS);
    call.microphone = await AgoraRTC.createMicrophoneAudioTrack();
    if (video) {
      call.camera = await AgoraRTC.createCameraVideoTrack();
      call.camera.play(document.getElementById("av-local"));
    }
    await client.publish([call.microphone, call.camera].filter(Boolean));
    return call;
  } catch (error) {
    for (const track of [call.microphone, call.camera]) track?.close();
    await client.leave().catch(() => {}); // also stops a join still retrying
    throw error;
  }
}
