// One conversation message (docs/channels/web-and-mobile.md, `Message`) -> its DOM node.

import { h } from "./dom.js";
import { isSafeUrl, linkNode, richText } from "./format.js";

function buttonsNode(message, onButton) {
  const group = h("div", { className: "bc-buttons", role: "group", "aria-label": "Choose one" });
  for (const button of message.buttons) {
    const title = String(button.title ?? button.payload ?? "");
    group.append(
      h(
        "button",
        {
          type: "button",
          className: "bc-quick-reply",
          onClick: () => onButton({ title, payload: String(button.payload ?? title) }, group),
        },
        title,
      ),
    );
  }
  return group;
}

/**
 * The bubble for `message`. `titleFor(text)` turns a button payload the customer sent
 * back into the title they pressed; `onButton({title, payload}, group)` sends a choice.
 */
export function messageNode(message, { titleFor, onButton, interactive }) {
  const fromCustomer = isFromCustomer(message);
  const bubble = h("div", { className: "bc-bubble" });
  if (fromCustomer) {
    bubble.textContent = titleFor(String(message.text ?? ""));
  } else if (message.text) {
    bubble.append(richText(message.text));
  }
  if (!fromCustomer && message.link && isSafeUrl(message.link)) {
    bubble.append(h("div", { className: "bc-link" }, linkNode(message.link, message.link)));
  }
  if (!fromCustomer && message.image && isSafeUrl(message.image)) {
    bubble.append(h("img", { className: "bc-image", src: message.image, alt: "" }));
  }
  const fromAgent = message.sender === "agent";
  const agentLabel = `${message.agent_name || "Our team"} (bank staff)`;
  const who = fromCustomer ? "You" : fromAgent ? agentLabel : "Assistant";
  const kind = fromCustomer ? "bc-from-customer" : fromAgent ? "bc-from-bot bc-from-agent" : "bc-from-bot";
  const row = h(
    "div",
    { className: `bc-message ${kind}`, "data-message-id": message.id },
    fromAgent
      ? h("span", { className: "bc-agent-name", "aria-hidden": "true" }, agentLabel)
      : null,
    h("span", { className: "bc-visually-hidden" }, `${who}: `),
    bubble,
  );
  if (!fromCustomer && Array.isArray(message.buttons) && message.buttons.length) {
    const group = buttonsNode(message, onButton);
    if (!interactive) disableButtons(group);
    row.append(group);
  }
  return row;
}

export function isFromCustomer(message) {
  return message.sender === "customer" || message.sender === "user";
}

export function disableButtons(group) {
  for (const button of group.querySelectorAll("button")) button.disabled = true;
}
