// Voice and video in the reading room (docs/readings.md), only when the server has Agora: joins the
// reading's own channel with a token from GET /readings/<id>/rtc-token (participants only),
// publishes the microphone (and the camera for video), plays the partner, offers Mute and Camera
// off, and renews the token before it expires. The chat and the meter do not depend on it.
//
// When the call cannot start (Agora unreachable, a refused token, a blocked microphone), the page
// says so in the call's live region, hides the empty video area and the controls, and offers to
// try again; the chat and the meter go on. What it shares with a stream's video is in voice-video.js.

const root = document.querySelector("[data-rtc-url]");
const agora = root ? await import(root.dataset.agoraUrl) : null;
if (root) setUp(root);

function setUp(root) {
  const section = document.getElementById("av");
  const state = document.getElementById("av-state");
  const media = section.querySelector("[data-av-media]");
  const connected = section.querySelector("[data-av-connected]");
  const failed = section.querySelector("[data-av-failed]");
  const muteButton = section.querySelector("[data-av-mute]");
  const cameraButton = section.querySelector("[data-av-camera]");
  const call = agora.oneSession(); // call.current: { client, microphone, camera } while connected

  function show(phase, text) {
    section.dataset.call = phase; // connecting | connected | failed
    media.hidden = phase === "failed";
    connected.hidden = phase !== "connected";
    failed.hidden = phase !== "failed";
    state.classList.toggle("notice", phase === "failed");
    if (text) state.textContent = text;
  }

  function connecting() {
    show("connecting", "Connecting the call…");
    resetButton(muteButton, "Mute");
    resetButton(cameraButton, "Camera off");
  }

  async function connect() {
    try {
      // The SDK's later news (partner joined, reconnecting…) only while this call is the one shown.
      const news = (current) => (text) => current() && section.dataset.call === "connected" && say(text);
      if (!(await call.start(connecting, (current) => join(root, news(current))))) return; // the page was left meanwhile
      show("connected", call.current.client.remoteUsers.length ? "Connected." : "Waiting for your partner to join the call…");
    } catch (error) {
      show("failed", failureText(error));
    }
  }

  function say(text) {
    state.textContent = text;
  }

  muteButton?.addEventListener("click", () => agora.toggle(muteButton, call.current?.microphone, "Mute", "Unmute"));
  cameraButton?.addEventListener("click", () => agora.toggle(cameraButton, call.current?.camera, "Camera off", "Camera on"));
  section.querySelector("[data-av-retry]")?.addEventListener("click", connect);
  window.addEventListener("pagehide", () => call.abandon());
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) connect(); // back from the back-forward cache, like the heartbeat
  });
  connect();
}

function resetButton(button, label) {
  if (!button) return;
  button.setAttribute("aria-pressed", "false");
  button.textContent = label;
}

function failureText(error) {
  const why = agora.whyNot(error, "call", "microphone or camera");
  return `The call could not start. ${why} You can keep going in the chat below, try the call again, or end the reading.`;
}

// Joins and publishes; resolves { client, microphone, camera } or rejects (the caller hangs up).
async function join(root, say) {
  const AgoraRTC = await agora.loadSdk(root.dataset.sdkUrl);
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
  agora.renewing(client, rtcUrl, "call", () => say("The call could not be renewed; the chat still works."));

  try {
    await agora.join(client, agora.credentials(rtcUrl, "call"), "call");
    call.microphone = await AgoraRTC.createMicrophoneAudioTrack();
    if (video) {
      call.camera = await AgoraRTC.createCameraVideoTrack();
      call.camera.play(document.getElementById("av-local"));
    }
    await client.publish([call.microphone, call.camera].filter(Boolean));
    return call;
  } catch (error) {
    await agora.leave(call);
    throw error;
  }
}
