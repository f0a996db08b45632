// A live stream's page (docs/streams.md): heartbeats for the viewer count, the page reloading when
// the stream's state changes (it went live, it ended), the chat kept scrolled, gift animations
// cleared, and the video: the host's camera preview and broadcast, or the viewer's picture, on
// Agora in live mode with a token from GET /live/<id>/token (host or audience, renewed before it
// expires). When the video cannot start, the page says so and offers to try again; the chat and
// gifts never depend on it. What the video shares with a reading's call is in voice-video.js.

const HIDDEN_LEAVE_MS = 60_000; // a viewer's tab hidden this long leaves the channel (Agora bills minutes)

const page = document.querySelector("[data-stream-page]");
const agora = page?.dataset.agoraUrl ? await import(page.dataset.agoraUrl) : null;
if (page) setUp(page);

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
  const video = agora.oneSession(); // video.current: { client, microphone, camera }
  let hiddenTimer = null;

  function show(phase, text) {
    section.dataset.video = phase; // connecting | preview | live | watching | failed
    controls.hidden = !(host && (phase === "preview" || phase === "live"));
    failed.hidden = phase !== "failed";
    state.classList.toggle("notice", phase === "failed");
    if (text) state.textContent = text;
  }

  function connecting() {
    show("connecting", host ? "Starting your camera…" : "Connecting to the stream…");
  }

  async function start() {
    try {
      if (!(await video.start(connecting, () => (host ? broadcast(page, screen, live, say) : watch(page, screen, say))))) return;
      if (host) show(live ? "live" : "preview", live ? "You are live." : "This is your preview. Viewers see you once you go live.");
      else show("watching", video.current.client.remoteUsers.length ? "Watching." : "Waiting for the reader's picture…");
    } catch (error) {
      show("failed", failureText(error, host));
    }
  }

  function say(text) {
    if (section.dataset.video !== "failed") state.textContent = text;
  }

  muteButton?.addEventListener("click", () => agora.toggle(muteButton, video.current?.microphone, "Mute", "Unmute"));
  cameraButton?.addEventListener("click", () => agora.toggle(cameraButton, video.current?.camera, "Camera off", "Camera on"));
  section.querySelector("[data-video-retry]")?.addEventListener("click", start);
  window.addEventListener("pagehide", () => video.abandon());
  if (!host) {
    document.addEventListener("visibilitychange", () => {
      clearTimeout(hiddenTimer);
      if (document.visibilityState === "hidden") {
        hiddenTimer = setTimeout(() => {
          video.abandon();
          show("connecting", "Paused while this tab was in the background.");
        }, HIDDEN_LEAVE_MS);
      } else if (!video.current && section.dataset.video !== "failed") {
        start();
      }
    });
  }
  start();
}

function failureText(error, host) {
  const why = agora.whyNot(error, "video", "camera or microphone");
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

function renewing(client, say) {
  agora.renewing(client, page.dataset.tokenUrl, "video", () => {
    say("The stream's access could not be renewed.");
    client.leave().catch(() => {});
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
    const AgoraRTC = await agora.loadSdk(page.dataset.sdkUrl);
    const client = AgoraRTC.createClient({ mode: "live", codec: "vp8" });
    session.client = client;
    await client.setClientRole("host");
    renewing(client, say);
    client.on("connection-state-change", (state) => {
      if (state === "RECONNECTING") say("Reconnecting…");
    });
    await agora.join(client, agora.credentials(page.dataset.tokenUrl, "video"), "video");
    session.microphone.agora = AgoraRTC.createCustomAudioTrack({ mediaStreamTrack: audio });
    session.camera.agora = AgoraRTC.createCustomVideoTrack({ mediaStreamTrack: video });
    await client.publish([session.microphone.agora, session.camera.agora]);
    return session;
  } catch (error) {
    for (const track of media?.getTracks() || []) track.stop();
    await agora.leave(session);
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
  const asked = agora.credentials(page.dataset.tokenUrl, "video"); // while the SDK loads
  asked.catch(() => {}); // handled where it is awaited
  const AgoraRTC = await agora.loadSdk(page.dataset.sdkUrl);
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
    renewing(client, say);
    await agora.join(client, asked, "video");
    return { client, microphone: null, camera: null };
  } catch (error) {
    await client.leave().catch(() => {});
    throw error;
  }
}
