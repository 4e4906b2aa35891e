/* The agent desk UI: sign-in, queue, ticket context, chat, claim and close.
   Plain DOM, no build step; every piece of data is written with textContent. */
"use strict";

const POLL_MS = 1000;
const REASONS = {
  customer_request: "Asked for a person",
  negative_sentiment: "Customer upset",
  not_understood: "Bot did not understand",
  sensitive_topic: "Sensitive topic",
  contact_change_locked: "Contact change locked",
  agent_follow_up: "Needs a follow-up",
};
const state = { agent: null, outcomes: [], tickets: [], selected: null, ticket: null,
  lastMessageId: null, timer: null, queueKey: "" };
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const response = await fetch(path, {
    method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-Desk-Request": "1" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error((data.error && data.error.message) || `Error ${response.status}`);
    error.status = response.status;
    error.body = data;
    if (response.status === 401 && state.agent) showSignIn("Your session has ended. Please sign in again.");
    throw error;
  }
  return data;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function reasonLabel(reason) { return REASONS[reason] || reason.replace(/_/g, " "); }

function waited(seconds) {
  if (seconds < 60) return "under a minute";
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function timeOf(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/* -- session ------------------------------------------------------------------ */

function showSignIn(message) {
  stopPolling();
  state.agent = null;
  $("who").hidden = true;
  $("desk-view").hidden = true;
  $("sign-in-view").hidden = false;
  $("sign-in-error").textContent = message || "";
  $("agent-id").focus();
}

function showDesk(session) {
  state.agent = session.agent;
  state.outcomes = session.outcomes;
  $("agent-name").textContent = session.agent.name;
  $("who").hidden = false;
  $("sign-in-view").hidden = true;
  $("desk-view").hidden = false;
  renderOutcomes();
  startPolling();
}

async function signIn(event) {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  try {
    const session = await api("POST", "/desk/api/session", {
      agent_id: $("agent-id").value.trim(), password: $("password").value,
    });
    $("password").value = "";
    showDesk(session);
    const first = document.querySelector("#queue button");
    (first || $("queue-title")).focus();
  } catch (error) {
    $("sign-in-error").textContent = error.message;
    $("password").select();
  }
}

async function signOut() {
  try { await api("DELETE", "/desk/api/session"); } catch (_) { /* signed out anyway */ }
  state.selected = null;
  state.ticket = null;
  showSignIn("You have signed out.");
}

/* -- queue --------------------------------------------------------------------- */

function startPolling() {
  stopPolling();
  const tick = async () => {
    try {
      await refreshQueue();
      if (state.selected) await refreshMessages();
    } catch (_) { /* shown where it matters; try again next tick */ }
    if (state.agent) state.timer = setTimeout(tick, POLL_MS);
  };
  tick();
}

function stopPolling() { if (state.timer) clearTimeout(state.timer); state.timer = null; }

async function refreshQueue() {
  const data = await api("GET", "/desk/api/queue");
  state.tickets = data.tickets;
  const key = JSON.stringify([state.selected, data.tickets.map((t) =>
    [t.id, t.status, t.claimed_by, waited(t.waiting_seconds)])]);
  if (key !== state.queueKey) { state.queueKey = key; renderQueue(); }
  const current = state.tickets.find((t) => t.id === state.selected);
  const status = current ? current.status : "closed";
  if (state.ticket && status !== state.ticket.status) await loadTicket(state.selected, false);
}

function renderQueue() {
  const list = $("queue");
  const focused = document.activeElement && document.activeElement.dataset.ticketId;
  list.replaceChildren();
  const queued = state.tickets.filter((t) => t.status === "queued").length;
  $("queue-count").textContent = `${queued} waiting, ${state.tickets.length - queued} claimed`;
  for (const ticket of state.tickets) {
    const item = el("li");
    const button = el("button");
    button.type = "button";
    button.dataset.ticketId = String(ticket.id);
    if (ticket.id === state.selected) button.setAttribute("aria-current", "true");
    const line1 = el("span", null, "line1");
    line1.append(el("span", `#${ticket.id} ${reasonLabel(ticket.reason)}`),
      el("span", `P${ticket.priority}`, "tag"));
    const line2 = el("span");
    line2.append(el("span", ticket.kind === "callback" ? "Call back" : "Live chat",
      `tag ${ticket.kind}`), document.createTextNode(` ${ticket.language.toUpperCase()} · waiting ${waited(ticket.waiting_seconds)} `));
    if (ticket.claimed_by) line2.append(el("span", `claimed by ${ticket.claimed_by.name}`, "tag claimed"));
    button.append(line1, line2);
    if (ticket.summary) button.append(el("span", ticket.summary, "muted"));
    button.addEventListener("click", () => loadTicket(ticket.id, true));
    item.append(button);
    list.append(item);
    if (focused === String(ticket.id)) button.focus();
  }
  if (!state.tickets.length) list.append(el("li", "No open tickets.", "muted"));
}

/* -- ticket ------------------------------------------------------------------- */

async function loadTicket(id, moveFocus) {
  $("ticket-error").textContent = "";
  let data;
  try { data = await api("GET", `/desk/api/tickets/${id}`); } catch (error) {
    $("ticket-error").textContent = error.message;
    return;
  }
  state.selected = id;
  state.ticket = data.ticket;
  state.queueKey = "";
  renderTicket();
  $("chat").replaceChildren();
  state.lastMessageId = null;
  appendMessages(data.ticket.messages);
  if (moveFocus) $("ticket").focus();
}

function renderTicket() {
  const t = state.ticket;
  const mine = t.claimed_by && t.claimed_by.id === state.agent.id;
  $("no-ticket").hidden = true;
  $("ticket-body").hidden = false;
  $("ticket-title").textContent = `Ticket #${t.id}: ${reasonLabel(t.reason)}`;
  const who = t.claimed_by ? (mine ? "claimed by you" : `claimed by ${t.claimed_by.name}`) : "waiting";
  $("ticket-status").textContent = t.status === "closed" ? `Closed: ${t.outcome || ""}` : who;
  $("claim").hidden = t.status !== "queued";
  $("close").hidden = !(t.status === "claimed" && mine);
  const callback = t.kind === "callback";
  $("callback").hidden = !callback;
  $("chat-pane").hidden = callback;
  $("reply").hidden = !(t.status === "claimed" && mine);
  if (callback) renderCallback(t);
  renderContext(t);
}

function renderCallback(t) {
  const details = $("callback-details");
  details.replaceChildren();
  const extra = (t.context && t.context.callback) || {};
  const rows = [["Customer", t.customer_name || t.customer_id || "not signed in"],
    ["Customer id", t.customer_id || "none"], ["Language", t.language.toUpperCase()]];
  for (const [key, value] of Object.entries(extra)) rows.push([key.replace(/_/g, " "), value]);
  for (const [term, value] of rows) details.append(el("dt", term), el("dd", value));
}

function addRow(list, term, value) {
  if (value === null || value === undefined || value === "" ||
      (Array.isArray(value) && !value.length)) return;
  list.append(el("dt", term));
  const dd = el("dd");
  if (value instanceof Node) dd.append(value); else dd.textContent = String(value);
  list.append(dd);
}

function listOf(items, render, ordered) {
  if (!items || !items.length) return null;
  const list = el(ordered ? "ol" : "ul");
  for (const item of items) list.append(el("li", render(item)));
  return list;
}

function renderContext(t) {
  const c = t.context || {};
  const customer = c.customer || {};
  const dl = el("dl");
  addRow(dl, "Reason", reasonLabel(t.reason));
  addRow(dl, "Priority", t.priority);
  addRow(dl, "Summary", c.summary);
  addRow(dl, "Customer", [customer.name, customer.preferred_name && `("${customer.preferred_name}")`]
    .filter(Boolean).join(" ") || (t.customer_id ? t.customer_id : "Not signed in"));
  addRow(dl, "Segment", customer.segment);
  addRow(dl, "Products", listOf(customer.products,
    (p) => [p.name || p.type, p.masked_number].filter(Boolean).join(" ")));
  addRow(dl, "Applications", listOf(customer.open_applications,
    (a) => [a.reference, a.product, a.status].filter(Boolean).join(" · ")));
  addRow(dl, "Intents", listOf(c.intents, (i) => {
    const entities = (i.entities || []).map((e) => `${e.entity}=${e.value}`).join(", ");
    const score = typeof i.confidence === "number" ? ` (${Math.round(i.confidence * 100)}%)` : "";
    return `${i.intent}${score}${entities ? ` — ${entities}` : ""}`;
  }));
  addRow(dl, "Sentiment", (c.sentiment || []).map((s) =>
    `${s.label}${typeof s.score === "number" ? ` ${s.score.toFixed(2)}` : ""}`).join(" → "));
  addRow(dl, "Bot tried", (c.bot_actions || []).join(", "));
  addRow(dl, "Language", t.language.toUpperCase());
  addRow(dl, "Transcript", listOf(c.transcript,
    (m) => `${m.sender === "customer" ? "Customer" : "Bot"}: ${m.text}`, true));
  const transcript = dl.querySelector("ol");
  if (transcript) transcript.className = "transcript";
  $("context").replaceChildren(dl);
}

/* -- chat --------------------------------------------------------------------- */

async function refreshMessages() {
  const id = state.selected;
  const after = state.lastMessageId === null ? "" : `?after=${state.lastMessageId}`;
  const data = await api("GET", `/desk/api/tickets/${id}/messages${after}`);
  if (id === state.selected) appendMessages(data.messages);
}

function appendMessages(messages) {
  const chat = $("chat");
  for (const message of messages) {
    const existing = chat.querySelector(`[data-message-id="${message.id}"]`);
    const item = renderMessage(message);
    if (existing) existing.replaceWith(item); else chat.append(item);
    if (state.lastMessageId === null || message.id > state.lastMessageId) state.lastMessageId = message.id;
  }
  if (messages.length) chat.scrollTop = chat.scrollHeight;
}

function renderMessage(message) {
  const item = el("li", null, `from-${message.sender}`);
  item.dataset.messageId = String(message.id);
  const names = { customer: "Customer", agent: "Agent", bot: "Assistant" };
  item.append(el("span", `${names[message.sender] || message.sender} · ${timeOf(message.created_at)}`, "who"),
    el("span", message.text));
  if (message.sender === "agent" && message.delivery && message.delivery !== "delivered") {
    const note = el("span", message.delivery === "failed" ? " Not delivered. " : " Sending… ", "undelivered");
    if (message.delivery === "failed") {
      const retry = el("button", "Retry");
      retry.type = "button";
      retry.addEventListener("click", () => retrySend(message.id));
      note.append(retry);
    }
    item.append(el("br"), note);
  }
  return item;
}

async function sendReply(event) {
  event.preventDefault();
  const box = $("reply-text");
  const text = box.value.trim();
  if (!text) return;
  $("reply-error").textContent = "";
  try {
    const data = await api("POST", `/desk/api/tickets/${state.selected}/messages`, { text });
    appendMessages([data.message]);
    box.value = "";
  } catch (error) {
    $("reply-error").textContent = error.message;
    if (error.body && error.body.error && error.body.error.undelivered) {
      appendMessages([error.body.error.undelivered]);
      box.value = "";
    }
  }
  box.focus();
}

async function retrySend(messageId) {
  $("reply-error").textContent = "";
  try {
    const data = await api("POST", `/desk/api/tickets/${state.selected}/messages/${messageId}/retry`);
    appendMessages([data.message]);
  } catch (error) {
    $("reply-error").textContent = error.message;
  }
}

/* -- claim and close ------------------------------------------------------------- */

async function claim() {
  $("ticket-error").textContent = "";
  try {
    await api("POST", `/desk/api/tickets/${state.selected}/claim`);
    await loadTicket(state.selected, false);
    await refreshQueue();
    ($("reply").hidden ? $("close") : $("reply-text")).focus();
  } catch (error) {
    $("ticket-error").textContent = error.message;
    await loadTicket(state.selected, false);
  }
}

function renderOutcomes() {
  const box = $("outcomes");
  box.replaceChildren();
  state.outcomes.forEach((outcome, index) => {
    const row = el("div", null, "outcome");
    const input = el("input");
    input.type = "radio";
    input.name = "outcome";
    input.id = `outcome-${outcome.code}`;
    input.value = outcome.code;
    input.checked = index === 0;
    const label = el("label", outcome.label);
    label.htmlFor = input.id;
    row.append(input, label);
    box.append(row);
  });
}

function openClose() {
  $("close-error").textContent = "";
  $("close-dialog").showModal();
  document.querySelector('#outcomes input:checked').focus();
}

async function confirmClose(event) {
  event.preventDefault();
  const outcome = document.querySelector('#outcomes input:checked').value;
  $("close-error").textContent = "";
  $("close-confirm").disabled = true;
  try {
    await api("POST", `/desk/api/tickets/${state.selected}/close`, { outcome, note: $("close-note").value });
    $("close-dialog").close();
    $("close-note").value = "";
    await loadTicket(state.selected, false);
    await refreshQueue();
    $("ticket-status").focus();
  } catch (error) {
    $("close-error").textContent = error.message;
  } finally {
    $("close-confirm").disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  $("sign-in").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("claim").addEventListener("click", claim);
  $("close").addEventListener("click", openClose);
  $("close-form").addEventListener("submit", confirmClose);
  $("close-cancel").addEventListener("click", () => { $("close-dialog").close(); $("close").focus(); });
  $("reply").addEventListener("submit", sendReply);
  $("reply-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("reply").requestSubmit(); }
  });
  $("ticket-status").tabIndex = -1;
  try { showDesk(await api("GET", "/desk/api/session")); } catch (_) { showSignIn(""); }
});
