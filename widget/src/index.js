// window.BankChat: the bank assistant's chat widget.
//
//   const chat = BankChat.mount({
//     server: "https://assistant.example",           // origin of the Rasa server (bank_web channel)
//     path: "/socket.io/",                           // optional: Socket.IO path behind a proxy
//     getToken: async () => "<jwt>" or null,         // null: anonymous visitor
//     container: document.body,                      // optional
//     title: "Harbor Bank assistant",                // optional
//     onSignInRequest: () => {...},                  // optional: the "Sign in" button
//     onAuthError: ({code, message}) => {...},       // optional: the token was refused
//     open: false,                                   // optional: start with the panel open
//   });
//   chat.open(); chat.close(); chat.unmount();

import { connect } from "./connection.js";
import { uuid4 } from "./ids.js";
import { ChatView } from "./view.js";

export const version = "0.1.0";

const STATUS_TEXT = {
  connecting: "Connecting…",
  online: "Online",
  reconnecting: "Reconnecting…",
  refused: "Signed out",
  offline: "Offline",
};

let current = null;

export function mount(options = {}) {
  const { server, getToken, container = document.body, title = "the bank assistant" } = options;
  if (!server) throw new Error("BankChat.mount: `server` (the assistant's URL) is required");
  if (current) current.unmount();

  const view = new ChatView(container, {
    title,
    onSend: ({ text, payload }) => {
      if (!connection.connected) return false;
      view.clearError();
      const clientMessageId = connection.send(payload, text);
      view.addMessage({ id: `local-${clientMessageId}`, sender: "customer", text });
      return true;
    },
    onSignIn: options.onSignInRequest
      ? () => {
          view.close();
          options.onSignInRequest();
        }
      : null,
  });
  view.setCanSend(false);

  const connection = connect({
    server,
    path: options.path,
    getToken,
    events: {
      status(state) {
        view.setStatus(STATUS_TEXT[state] ?? state);
        view.setCanSend(state === "online");
      },
      session(session) {
        view.clearError();
        view.setIdentity(session);
        view.replaceMessages(session.transcript);
      },
      message(message) {
        view.addMessage({ id: message.id ?? `server-${uuid4()}`, ...message });
      },
      typing(typing) {
        view.setTyping(typing);
      },
      error(error) {
        view.showError(error.message);
      },
      refused(error) {
        view.setStatus(STATUS_TEXT.refused);
        view.showRefused(error.message);
        options.onAuthError?.(error);
      },
    },
  });

  if (options.open) view.open();

  const handle = {
    open: () => view.open(),
    close: () => view.close(),
    get isOpen() {
      return view.isOpen;
    },
    unmount() {
      connection.close();
      view.destroy();
      if (current === handle) current = null;
    },
  };
  current = handle;
  return handle;
}

/** Removes the mounted widget, if any. */
export function unmount() {
  current?.unmount();
}
