// Bot text -> DOM nodes. Texts are plain text except `[label](https://...)` links
// (docs/channels/web-and-mobile.md, section 3); money amounts get a styled <span>.
// Nothing here ever assigns HTML: every node is built with createElement/textContent.

const LINK = /\[([^\]\n]{1,200})\]\((https?:\/\/[^\s()<>]{1,2000})\)/g;

// Formatted money as the assistant writes it (Babel, per locale):
//   $4,612.40  -$35.10  €120.00  US$120.00      (currency sign first)
//   4.612,40 €  -120,00 US$  1.234,50 GBP       (currency after, e.g. es_ES)
const SIGN = "(?:[A-Z]{1,3})?[$€£¥₹]";
const GROUPED_DOT = "\\d{1,3}(?:,\\d{3})+(?:\\.\\d{1,2})?|\\d+(?:\\.\\d{1,2})?";
const GROUPED_COMMA = "\\d{1,3}(?:[.\\u00a0\\u202f]\\d{3})+(?:,\\d{2})?|\\d+,\\d{2}";
const MONEY = new RegExp(
  `[-−]?${SIGN}\\s?(?:${GROUPED_DOT})` +
    `|[-−]?(?:${GROUPED_COMMA})[\\u00a0\\u202f ]?(?:${SIGN}|[A-Z]{3}\\b)`,
  "gu",
);

/** Splits `text` on `pattern`; yields {match} for hits and {text} for the rest. */
function* split(text, pattern) {
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) yield { text: text.slice(last, match.index) };
    yield { match };
    last = match.index + match[0].length;
  }
  if (last < text.length) yield { text: text.slice(last) };
}

export function isSafeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:";
  } catch {
    return false;
  }
}

export function linkNode(label, url) {
  const a = document.createElement("a");
  a.href = url;
  a.textContent = label;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

function appendWithMoney(parent, text) {
  for (const part of split(text, MONEY)) {
    if (part.text !== undefined) {
      parent.append(document.createTextNode(part.text));
    } else {
      const span = document.createElement("span");
      span.className = "money";
      span.textContent = part.match[0];
      parent.append(span);
    }
  }
}

/** A DocumentFragment showing `text` with safe links and highlighted money. */
export function richText(text) {
  const fragment = document.createDocumentFragment();
  for (const part of split(String(text ?? ""), LINK)) {
    if (part.text !== undefined) {
      appendWithMoney(fragment, part.text);
    } else if (isSafeUrl(part.match[2])) {
      fragment.append(linkNode(part.match[1], part.match[2]));
    } else {
      fragment.append(document.createTextNode(part.match[0]));
    }
  }
  return fragment;
}
