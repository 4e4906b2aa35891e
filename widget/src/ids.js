// Random ids: the anonymous visitor's id (kept in localStorage) and message ids.

const VISITOR_KEY = "bank-chat.visitor-id";
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const VISITOR_ID = new RegExp(`^visitor-${UUID_V4.source.slice(1)}`);

/** A random UUID v4 (crypto.getRandomValues works outside secure contexts too). */
export function uuid4() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function isVisitorId(value) {
  return typeof value === "string" && VISITOR_ID.test(value);
}

let memoryVisitorId = null; // when localStorage is unavailable (private mode, blocked)

/** This browser's anonymous visitor id: `visitor-<uuid v4>`, created once and kept. */
export function visitorId(storage = globalThis.localStorage) {
  let stored = null;
  try {
    stored = storage.getItem(VISITOR_KEY);
  } catch {
    stored = memoryVisitorId;
  }
  if (isVisitorId(stored)) return stored;
  const fresh = `visitor-${uuid4()}`;
  try {
    storage.setItem(VISITOR_KEY, fresh);
  } catch {
    memoryVisitorId = fresh;
  }
  return fresh;
}
