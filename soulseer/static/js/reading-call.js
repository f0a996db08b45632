// Voice and video in the reading room (docs/readings.md), only when the server has Agora: joins the
// reading's own channel with a token from GET /readings/<id>/rtc-token (participants only),
// publishes the microphone (and the camera for video), plays the partner, offers Mute and Camera
// off, and renews the token before it expires. The chat and the meter do not depend on it.

const root = document.querySelector("[data-rtc-url]");
if (root) start(root).catch((error) => say(`The call could not start: ${error.message || error}`));

function say(text) {
  const state = document.getElementById("av-state");
  if (state) state.textContent = text;
}

async function credentials(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error || `HTTP ${response.status}`);
  return response.json();
}

async function start(root) {
  const { default: AgoraRTC } = await import(root.dataset.sdkUrl);
  AgoraRTC.setLogLevel(3); // warnings and errors only
  const video = root.dataset.mode === "video";
  const rtcUrl = root.dataset.rtcUrl;
  const client = AgoraRTC.createClient({ mode: "rtc", codec: "vp8" });

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
    } catch (error) {
      say("The call could not be renewed; the chat still works.");
    }
  });

  const first = await credentials(rtcUrl);
  await client.join(first.app_id, first.channel, first.token, first.uid);
  const tracks = [];
  const microphone = await AgoraRTC.createMicrophoneAudioTrack();
  tracks.push(microphone);
  let camera = null;
  if (video) {
    camera = await AgoraRTC.createCameraVideoTrack();
    camera.play(document.getElementById("av-local"));
    tracks.push(camera);
  }
  await client.publish(tracks);
  say("Waiting for your partner to join the call…");

  document.querySelector("[data-av-mute]")?.addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const muted = button.getAttribute("aria-pressed") !== "true";
    await microphone.setMuted(muted);
    button.setAttribute("aria-pressed", String(muted));
    button.textContent = muted ? "Unmute" : "Mute";
  });
  document.querySelector("[data-av-camera]")?.addEventListener("click", async (event) => {
    if (!camera) return;
    const button = event.currentTarget;
    const off = button.getAttribute("aria-pressed") !== "true";
    await camera.setMuted(off);
    button.setAttribute("aria-pressed", String(off));
    button.textContent = off ? "Camera on" : "Camera off";
  });
  window.addEventListener("pagehide", () => {
    for (const track of tracks) track.close();
    client.leave();
  });
}
