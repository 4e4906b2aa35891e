// The widget's UI: a launcher button and a chat panel (dialog) with the message log,
// typing indicator, connection status, errors and the input row. No networking here.

import { h } from "./dom.js";
import { disableButtons, isFromCustomer, messageNode } from "./messages.js";

let instances = 0;

export class ChatView {
  constructor(container, { title, onSend, onSignIn }) {
    const id = `bank-chat-${++instances}`;
    this.onSend = onSend;
    this.onSignIn = onSignIn;
    this.ids = new Set();
    this.titles = new Map(); // button payload -> title, to show presses by their title

    this.launcher = h(
      "button",
      {
        type: "button",
        className: "bc-launcher",
        "aria-label": `Open chat with ${title}`,
        "aria-expanded": "false",
        "aria-controls": id,
        onClick: () => this.open(),
      },
      h("span", { className: "bc-launcher-icon", "aria-hidden": "true" }),
    );
    this.statusText = h("span", { className: "bc-status", role: "status" });
    this.identityText = h("span", { className: "bc-identity" });
    this.log = h("div", {
      className: "bc-log",
      role: "log",
      "aria-live": "polite",
      "aria-label": "Conversation",
      tabIndex: 0,
    });
    this.typing = h(
      "div",
      { className: "bc-typing", hidden: true },
      h("span", { className: "bc-dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")),
      h("span", { className: "bc-visually-hidden" }, "The assistant is typing"),
    );
    this.alert = h("div", { className: "bc-alert", role: "alert", hidden: true });
    this.input = h("input", {
      type: "text",
      className: "bc-input",
      placeholder: "Type your message…",
      autocomplete: "off",
      maxLength: 2000,
      "aria-label": "Message",
      onKeydown: (event) => {
        if (event.key === "Enter" && !event.isComposing) {
          event.preventDefault();
          this.submit();
        }
      },
    });
    this.sendButton = h(
      "button",
      { type: "submit", className: "bc-send", "aria-label": "Send message" },
      h("span", { className: "bc-send-icon", "aria-hidden": "true" }),
    );
    const form = h(
      "form",
      {
        className: "bc-compose",
        onSubmit: (event) => {
          event.preventDefault();
          this.submit();
        },
      },
      this.input,
      this.sendButton,
    );
    this.panel = h(
      "div",
      {
        id,
        className: "bc-panel",
        role: "dialog",
        "aria-label": `Chat with ${title}`,
        hidden: true,
        onKeydown: (event) => {
          if (event.key === "Escape") {
            event.preventDefault();
            this.close();
          }
        },
      },
      h(
        "div",
        { className: "bc-header" },
        h("div", { className: "bc-heading" }, h("strong", {}, title), this.identityText),
        this.statusText,
        h(
          "button",
          {
            type: "button",
            className: "bc-close",
            "aria-label": "Close chat",
            onClick: () => this.close(),
          },
          h("span", { "aria-hidden": "true" }, "×"),
        ),
      ),
      this.log,
      this.typing,
      this.alert,
      form,
    );
    this.root = h("div", { className: "bank-chat" }, this.panel, this.launcher);
    container.append(this.root);
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  open() {
    this.panel.hidden = false;
    this.root.classList.add("bc-open");
    this.launcher.setAttribute("aria-expanded", "true");
    this.scrollToEnd();
    this.input.focus();
  }

  close() {
    this.panel.hidden = true;
    this.root.classList.remove("bc-open");
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.focus();
  }

  destroy() {
    this.root.remove();
  }

  submit() {
    const text = this.input.value.trim();
    if (!text || this.sendButton.disabled) return;
    if (this.onSend({ text, payload: text }) !== false) this.input.value = "";
  }

  setStatus(text) {
    this.statusText.textContent = text;
  }

  setIdentity({ authenticated, customerName }) {
    this.identityText.textContent = authenticated
      ? `Signed in${customerName ? ` as ${customerName}` : ""}`
      : "Guest";
  }

  setCanSend(canSend) {
    this.sendButton.disabled = !canSend;
    this.input.disabled = false;
  }

  /** The server refused the sign-in: nothing of the conversation stays on screen. */
  showRefused(message) {
    this.clearMessages();
    this.setTyping(false);
    this.identityText.textContent = "Not signed in";
    this.sendButton.disabled = true;
    this.input.disabled = true;
    this.showError(message, { signIn: true });
  }

  setTyping(typing) {
    this.typing.hidden = !typing;
    if (typing) this.scrollToEnd();
  }

  showError(message, { signIn = false } = {}) {
    this.alert.replaceChildren(h("p", {}, message));
    if (signIn && this.onSignIn) {
      this.alert.append(
        h(
          "button",
          { type: "button", className: "bc-sign-in", onClick: () => this.onSignIn() },
          "Sign in",
        ),
      );
    } else if (signIn) {
      this.alert.append(h("p", {}, "Please sign in on the bank's website or app."));
    }
    this.alert.hidden = false;
  }

  clearError() {
    this.alert.hidden = true;
    this.alert.replaceChildren();
  }

  /** Shows exactly `messages` (the server's transcript), each id once. */
  replaceMessages(messages) {
    this.ids.clear();
    this.titles.clear();
    this.log.replaceChildren();
    // Buttons stay pressable only on bot messages the customer has not answered yet.
    let lastFromCustomer = -1;
    messages.forEach((message, index) => {
      if (isFromCustomer(message)) lastFromCustomer = index;
    });
    messages.forEach((message, index) => this.addMessage(message, index > lastFromCustomer));
  }

  addMessage(message, interactive = true) {
    if (message.id != null) {
      if (this.ids.has(message.id)) return;
      this.ids.add(message.id);
    }
    for (const button of message.buttons ?? []) {
      this.titles.set(String(button.payload), String(button.title));
    }
    if (isFromCustomer(message)) {
      for (const group of this.log.querySelectorAll(".bc-buttons")) disableButtons(group);
    }
    const node = messageNode(message, {
      interactive,
      titleFor: (text) => this.titles.get(text) ?? text,
      onButton: (choice, group) => {
        if (this.sendButton.disabled) return;
        if (this.onSend({ text: choice.title, payload: choice.payload }) !== false) {
          disableButtons(group);
          this.input.focus();
        }
      },
    });
    this.log.append(node);
    this.scrollToEnd();
  }

  clearMessages() {
    this.replaceMessages([]);
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }
}
