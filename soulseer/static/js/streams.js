// A live stream's page (docs/streams.md): heartbeats for the viewer count, the page reloading when
// the stream's state changes (it went live, it ended), the chat kept scrolled, gift animations
// cleared, and the video: the host's camera preview and broadcast, or the viewer's picture, on
// Agora in live mode with a token from GET /live/<id>/token (host or audience, renewed before it
// expires). When the video cannot start, the page says so and offers to try again; the chat and
// gifts never depend on it.

const JOIN_DEADLINE_MS = 15_000;
const HIDDEN_LEAVE_MS = 60_000; // a viewer's tab hidden this long leaves the channel (Agora bills minutes)

const page = document.querySelector("[data-stream-page]");
if (page) setUp(page);

class VideoFailure extends Error {}

function setUp(page) {
  const csrf = page.dataset.csrf;
  keepCounted(page, csrf);
  followState(page);
  keepChatScrolled();
  clearGiftBursts();
  if (page.dataset.tokenUrl) setUpVideo(page);
}

function keepCounted(page, csrf) {
  const beat = async () => {
    try {
      const response = await fetch(page.dataset.heartbeatUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf },
      });
      const state = response.headers.get("X-Stream-State");
      if (state && state !== page.dataset.state) location.reload();
    } catch {
      // offline for a moment: the next beat tries again
    }
  };
  beat();
  setInterval(beat, Number(page.dataset.heartbeatSeconds || 10) * 1000);
  window.addEventListener("pagehide", () => {
    const data = new FormData();
    data.append("csrf_token", csrf);
    navigator.sendBeacon(page.dataset.leaveUrl, data);
  });
}

function followState(page) {
  const slot = page.querySelector(".stream-state-slot");
  if (!slot) return;
  new MutationObserver(() => {
    const state = slot.querySelector("[data-stream-state]")?.dataset.streamState;
    if (state && state !== page.dataset.state) location.reload();
  }).observe(slot, { childList: true, subtree: true });
}

function keepChatScrolled() {
  const lines = document.getElementById("stream-chat-lines");
  if (!lines) return;
  lines.scrollTop = lines.scrollHeight;
  new MutationObserver(() => {
    if (lines.scrollHeight - lines.scrollTop - lines.clientHeight < 160) lines.scrollTop = lines.scrollHeight;
  }).observe(lines, { childList: true });
}

function clearGiftBursts() {
  const slot = document.querySelector(".gift-burst-slot");
  if (!slot) return;
  let timer;
  new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(() => slot.replaceChildren(), 4000);
  }).observe(slot, { childList: true });
}

// The video -------------------------------------------------------------------------------------

function setUpVideo(page) {
  const section = document.getElementById("stream-video");
  const screen = document.getElementById("stream-screen");
  const state = document.getElementById("stream-video-state");
  const controls = section.querySelector("[data-video-controls]");
  const failed = section.querySelector("[data-video-failed]");
  const muteButton = section.querySelector("[data-stream-mute]");
  const cameraButton = section.querySelector("[data-stream-camera]");
  const host = page.dataset.role === "host";
  const live = page.dataset.state === "live";
  let session = null; // { client, microphone, camera }
  let attempt = 0;
  let hiddenTimer = null;

  function show(phase, text) {
    section.dataset.video = phase; // connecting | preview | live | watching | failed
    controls.hidden = !(host && (phase === "preview" || phase === "live"));
    failed.hidden = phase !== "failed";
    state.classList.toggle("notice", phase === "failed");
    if (text) state.textContent = text;
  }

  async function stop() {
    const ending = session;
    session = null;
    if (!ending) return;
    for (const track of [ending.microphone, ending.camera]) track?.close();
    await ending.client?.leave().catch(() => {});
  }

  async function start() {
    const mine = ++attempt;
    await stop();
    show("connecting", host ? "Starting your camera…" : "Connecting to the stream…");
    try {
      const started = await (host ? broadcast(page, screen, live, say) : watch(page, screen, say));
      if (mine !== attempt) {
        session = started;
        await stop();
        return;
      }
      session = started;
      if (host) show(live ? "live" : "preview", live ? "You are live." : "This is your preview. Viewers see you once you go live.");
      else show("watching", session.client.remoteUsers.length ? "Watching." : "Waiting for the reader's picture…");
    } catch (error) {
      if (mine !== attempt) return;
      await stop();
      show("failed", failureText(error, host));
    }
  }

  function say(text) {
    if (section.dataset.video !== "failed") state.textContent = text;
  }

  muteButton?.addEventListener("click", () => toggle(muteButton, session?.microphone, "Mute", "Unmute"));
  cameraButton?.addEventListener("click", () => toggle(cameraButton, session?.camera, "Camera off", "Camera on"));
  section.querySelector("[data-video-retry]")?.addEventListener("click", start);
  window.addEventListener("pagehide", () => {
    attempt += 1;
    stop();
  });
  if (!host) {
    document.addEventListener("visibilitychange", () => {
      clearTimeout(hiddenTimer);
      if (document.visibilityState === "hidden") {
        hiddenTimer = setTimeout(() => {
          attempt += 1;
          stop();
          show("connecting", "Paused while this tab was in the background.");
        }, HIDDEN_LEAVE_MS);
      } else if (!session && section.dataset.video !== "failed") {
        start();
      }
    });
  }
  start();
}

async function toggle(button, track, onLabel, offLabel) {
  if (!track) return;
  const off = button.getAttribute("aria-pressed") !== "true";
  try {
    await track.setMuted(off);
  } catch {
    return;
  }
  button.setAttribute("aria-pressed", String(off));
  button.textContent = off ? offLabel : onLabel;
}

async function credentials(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new VideoFailure(body.error || `The server refused the video (HTTP ${response.status}).`);
  }
  return response.json();
}

function withDeadline(promise, ms) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new VideoFailure("The video service did not answer.")), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function failureText(error, host) {
  const code = error?.code || error?.name || "";
  let why;
  if (error instanceof VideoFailure) why = error.message;
  else if (code === "PERMISSION_DENIED" || code === "NotAllowedError")
    why = "This browser did not allow the camera or microphone.";
  else if (["DEVICE_NOT_FOUND", "NOT_READABLE", "NotFoundError", "NotReadableError"].includes(code))
    why = "No camera or microphone could be used.";
  else why = "The video service could not be reached.";
  const rest = host ? "The chat and gifts still work; try the video again or end the stream." : "The chat and gifts still work; you can try the video again.";
  return `The video could not start. ${why} ${rest}`;
}

// Our own <video>: the SDK's play() writes inline styles, which the CSP refuses.
function showTrack(screen, track, mirrored) {
  showStream(screen, new MediaStream([track.getMediaStreamTrack()]), mirrored);
}

function showStream(screen, stream, mirrored) {
  const video = document.createElement("video");
  video.muted = true; // the picture only; sound plays through the SDK's audio track
  video.autoplay = true;
  video.playsInline = true;
  video.classList.toggle("mirrored", mirrored);
  video.srcObject = stream;
  screen.replaceChildren(video);
}

async function sdk(page) {
  const { default: AgoraRTC } = await import(page.dataset.sdkUrl);
  AgoraRTC.setLogLevel(3);
  return AgoraRTC;
}

function renewing(client, url, say) {
  // Tokens live 20 minutes; Agora warns 30 s before. An ended stream gets no new token.
  client.on("token-privilege-will-expire", async () => {
    try {
      await client.renewToken((await credentials(url)).token);
    } catch {
      say("The stream's access could not be renewed.");
      client.leave().catch(() => {});
    }
  });
}

// The host: the camera and microphone from the browser itself (the preview needs no SDK, and the
// SDK's own camera track writes an inline style the CSP refuses); once live, the same tracks are
// handed to Agora as custom tracks and published.
async function broadcast(page, screen, live, say) {
  const session = { client: null, microphone: null, camera: null };
  let media = null;
  try {
    media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const [audio] = media.getAudioTracks();
    const [video] = media.getVideoTracks();
    showStream(screen, new MediaStream([video]), true);
    session.microphone = switchable(audio);
    session.camera = switchable(video);
    if (!live) return session;
    const AgoraRTC = await sdk(page);
    const client = AgoraRTC.createClient({ mode: "live", codec: "vp8" });
    session.client = client;
    await client.setClientRole("host");
    renewing(client, page.dataset.tokenUrl, say);
    client.on("connection-state-change", (state) => {
      if (state === "RECONNECTING") say("Reconnecting…");
    });
    const first = await credentials(page.dataset.tokenUrl);
    await withDeadline(client.join(first.app_id, first.channel, first.token, first.uid), JOIN_DEADLINE_MS);
    session.microphone.agora = AgoraRTC.createCustomAudioTrack({ mediaStreamTrack: audio });
    session.camera.agora = AgoraRTC.createCustomVideoTrack({ mediaStreamTrack: video });
    await client.publish([session.microphone.agora, session.camera.agora]);
    return session;
  } catch (error) {
    for (const track of [session.microphone, session.camera]) track?.close();
    for (const track of media?.getTracks() || []) track.stop();
    await session.client?.leave().catch(() => {});
    throw error;
  }
}

// A browser track with Mute / Camera off, and the Agora track made from it once published.
function switchable(raw) {
  return {
    raw,
    agora: null,
    async setMuted(off) {
      raw.enabled = !off;
      if (this.agora) await this.agora.setMuted(off);
    },
    close() {
      this.agora?.close();
      raw.stop();
    },
  };
}

// A viewer: audience, subscribed to the reader's tracks only.
async function watch(page, screen, say) {
  const asked = credentials(page.dataset.tokenUrl); // while the SDK loads
  asked.catch(() => {}); // handled where it is awaited
  const AgoraRTC = await sdk(page);
  const client = AgoraRTC.createClient({ mode: "live", codec: "vp8" });
  const hostUid = Number(page.dataset.hostUid);
  try {
    await client.setClientRole("audience", { level: Number(page.dataset.audienceLevel || 1) });
    client.on("user-published", async (user, mediaType) => {
      if (user.uid !== hostUid) return;
      await client.subscribe(user, mediaType);
      if (mediaType === "video") showTrack(screen, user.videoTrack, false);
      if (mediaType === "audio") user.audioTrack.play();
      say("Watching.");
    });
    client.on("user-unpublished", (user, mediaType) => {
      if (user.uid === hostUid && mediaType === "video") say("The reader's camera is off.");
    });
    client.on("user-left", (user) => {
      if (user.uid === hostUid) say("The reader's picture stopped.");
    });
    renewing(client, page.dataset.tokenUrl, say);
    const first = await asked;
    await withDeadline(client.join(first.app_id, first.channel, first.token, first.uid), JOIN_DEADLINE_MS);
    return { client, microphone: null, camera: null };
  } catch (error) {
    await client.leave().catch(() => {});
    throw error;
  }
}
