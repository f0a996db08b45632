// What the reading room's call (reading-call.js) and a live stream's video (streams.js) share about
// Agora: loading the vendored SDK, asking our server for a token, joining with a deadline of our
// own (the SDK retries an unreachable gateway without end), renewing the token before it expires,
// leaving, Mute / Camera off, and saying plainly why a call could not start.
//
// The pages import it from the versioned URL in their `data-agora-url` (static_url), never by a
// relative path: static files are cached for a year, so only the versioned URL reaches everyone
// after a deploy, and it is the URL the service worker precaches (every js/*.js).
//
// `what` names the thing in the words people read: "call" in a reading, "video" in a stream.

export const JOIN_DEADLINE_MS = 15_000;

// A refusal of our own (the server refused a token, Agora did not answer): its message is shown as is.
export class MediaFailure extends Error {}

export async function loadSdk(url) {
  const { default: AgoraRTC } = await import(url);
  AgoraRTC.setLogLevel(3); // warnings and errors only
  return AgoraRTC;
}

// { app_id, channel, uid, token } from our server (participants, a stream's host or viewers only).
export async function credentials(url, what) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new MediaFailure(body.error || `The server refused the ${what} (HTTP ${response.status}).`);
  }
  return response.json();
}

function withDeadline(promise, ms, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new MediaFailure(`The ${what} service did not answer.`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

// Joins the channel our server's credentials name, or fails within JOIN_DEADLINE_MS.
export async function join(client, found, what) {
  const first = await found;
  await withDeadline(client.join(first.app_id, first.channel, first.token, first.uid), JOIN_DEADLINE_MS, what);
}

// Tokens live 20 minutes; Agora warns 30 s before the end. `failed()` when no new one comes (an
// ended stream gets none).
export function renewing(client, url, what, failed) {
  client.on("token-privilege-will-expire", async () => {
    try {
      await client.renewToken((await credentials(url, what)).token);
    } catch {
      failed();
    }
  });
}

// Closes a session's tracks and leaves its channel (also stops a join still retrying).
export async function leave({ client, microphone, camera }) {
  for (const track of [microphone, camera]) track?.close();
  await client?.leave().catch(() => {});
}

// Mute / Camera off: a button with aria-pressed, its label saying what a press does next.
export async function toggle(button, track, onLabel, offLabel) {
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

// Why it could not start, in a sentence; `devices` as the page names them ("microphone or camera").
export function whyNot(error, what, devices) {
  const code = error?.code || error?.name || "";
  if (error instanceof MediaFailure) return error.message;
  if (code === "PERMISSION_DENIED" || code === "NotAllowedError") return `This browser did not allow the ${devices}.`;
  if (["DEVICE_NOT_FOUND", "NOT_READABLE", "NotFoundError", "NotReadableError"].includes(code))
    return `No ${devices} could be used.`;
  return `The ${what} service could not be reached.`;
}

// One session ({ client, microphone, camera }) at a time on a page. start(before, open) leaves the
// session before, calls before() (the page says "connecting"), then opens a new one with
// open(stillCurrent); it resolves true once that is the current session, or false when a newer
// start or abandon() overtook it meanwhile (the late session is left at once). open's error is
// thrown only for the current attempt, after leaving.
export function oneSession() {
  let current = null;
  let attempt = 0;
  async function stop() {
    const ending = current;
    current = null;
    if (ending) await leave(ending);
  }
  return {
    get current() {
      return current;
    },
    // The page is left or paused: an attempt under way is abandoned and the session left.
    abandon() {
      attempt += 1;
      return stop();
    },
    async start(before, open) {
      const mine = ++attempt;
      const stillCurrent = () => mine === attempt;
      await stop();
      before();
      try {
        const opened = await open(stillCurrent);
        if (!stillCurrent()) {
          await leave(opened);
          return false;
        }
        current = opened;
        return true;
      } catch (error) {
        if (!stillCurrent()) return false;
        await stop();
        throw error;
      }
    },
  };
}
