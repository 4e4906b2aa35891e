// The Socket.IO side of the bank_web channel (docs/channels/web-and-mobile.md, section 3).
// Emits plain callbacks; knows nothing about the DOM.

import { io } from "socket.io-client";

import { uuid4, visitorId } from "./ids.js";

const CLIENT = "bank-chat-web";

/** The handshake `auth` object: the bank login's token, else this browser's visitor id. */
export async function handshakeAuth(getToken) {
  const token = getToken ? await getToken() : null;
  if (typeof token === "string" && token.trim()) return { token: token.trim() };
  return { visitor_id: visitorId() };
}

/**
 * Connects to `server` and keeps the conversation in sync. `events` receives:
 * status(state) with state in connecting|online|reconnecting|refused|offline,
 * session({conversationId, authenticated, customerName, transcript}), message(Message),
 * typing(bool), error({code, message}), refused({code, message}).
 */
export function connect({ server, path = "/socket.io/", getToken, events }) {
  // Only the origin: a path in `server` would be taken as a Socket.IO namespace.
  const socket = io(new URL(server, window.location.href).origin, {
    path,
    transports: ["websocket", "polling"],
    // A function, so every reconnection asks the page for a fresh token.
    auth: (send) => {
      handshakeAuth(getToken).then(send, () => send({ visitor_id: visitorId() }));
    },
  });

  events.status("connecting");
  socket.on("connect", () => {
    events.status("online");
    socket.emit("session_request", {});
  });
  socket.on("session_confirm", (session) => {
    events.session({
      conversationId: session?.conversation_id,
      authenticated: Boolean(session?.authenticated),
      customerName: session?.customer_name ?? null,
      transcript: Array.isArray(session?.transcript) ? session.transcript : [],
    });
  });
  socket.on("bot_uttered", (message) => events.message({ sender: "bot", ...message }));
  socket.on("user_uttered", (message) => events.message({ ...message, sender: "customer" }));
  socket.on("bot_typing", (data) => events.typing(Boolean(data?.typing)));
  socket.on("error", (data) => events.error(describe(data)));
  socket.on("connect_error", (err) => {
    if (socket.active) {
      events.status("reconnecting"); // the network or server is away; Socket.IO retries
    } else {
      // The server refused the handshake (token expired, forged, ...): no retry and
      // no anonymous fallback; the customer has to sign in again.
      events.refused(describe(err?.data, SIGN_IN_AGAIN));
    }
  });
  socket.on("disconnect", (reason) => {
    events.typing(false);
    // Only a deliberate disconnect (ours or the server's) stops Socket.IO reconnecting.
    const deliberate = reason === "io client disconnect" || reason === "io server disconnect";
    events.status(deliberate ? "offline" : "reconnecting");
  });
  socket.io.on("reconnect_failed", () => events.status("offline"));

  return {
    get connected() {
      return socket.connected;
    },
    /** Sends `message`; `displayText` is what the customer saw (a button's title). */
    send(message, displayText = null) {
      const clientMessageId = uuid4();
      const metadata = { client: CLIENT, locale: navigator.language || "en" };
      if (displayText && displayText !== message) metadata.display_text = displayText;
      socket.emit("user_uttered", { message, client_message_id: clientMessageId, metadata });
      return clientMessageId;
    },
    close() {
      socket.disconnect();
    },
  };
}

const SOMETHING_WRONG = { code: "error", message: "Something went wrong. Please try again." };
const SIGN_IN_AGAIN = { code: "token_invalid", message: "Please sign in again to chat." };

/** {code, message} from the server's error data (its message is safe to show). */
function describe(data, fallback = SOMETHING_WRONG) {
  const ok = (value) => typeof value === "string" && value.trim() !== "";
  return {
    code: ok(data?.code) ? data.code : fallback.code,
    message: ok(data?.message) ? data.message : fallback.message,
  };
}
