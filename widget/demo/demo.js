// The demo bank page: a demo login (POST ./demo/login, answered only when the channel's
// demo_login setting is on) and the chat widget mounted with the customer's token.
//
// For tests: `?token=<jwt>` in the URL uses that token for this page load (so an expired
// or forged one can be tried), and window.HarborDemo.signInWithToken(token, name) does the
// same from script.

const TOKEN_KEY = "harbor-demo.token";
const NAME_KEY = "harbor-demo.customer-name";
const LOGIN_URL = "./demo/login";

const $ = (id) => document.getElementById(id);
const form = $("login-form");
const signedIn = $("signed-in");
const status = $("login-status");

let token = null;
let widget = null;

function readSession() {
  try {
    return { token: sessionStorage.getItem(TOKEN_KEY), name: sessionStorage.getItem(NAME_KEY) };
  } catch {
    return { token: null, name: null };
  }
}

function writeSession(newToken, name) {
  try {
    if (newToken) {
      sessionStorage.setItem(TOKEN_KEY, newToken);
      sessionStorage.setItem(NAME_KEY, name ?? "");
    } else {
      sessionStorage.removeItem(TOKEN_KEY);
      sessionStorage.removeItem(NAME_KEY);
    }
  } catch {
    // Storage blocked: the sign-in lasts until the page is reloaded.
  }
}

/** Shows the login form (`signedInAs` null) or who is signed in. */
function showSignedIn(signedInAs) {
  form.hidden = signedInAs !== null;
  signedIn.hidden = signedInAs === null;
  $("customer-name").textContent = signedInAs ?? "";
}

function mountWidget({ open = false } = {}) {
  widget = window.BankChat.mount({
    server: window.location.origin,
    getToken: async () => token,
    title: "Harbor Bank's assistant",
    open,
    onSignInRequest: () => $("customer").focus(),
    onAuthError: () => {
      token = null;
      writeSession(null);
      showSignedIn(null);
    },
  });
}

function signInWithToken(newToken, name = null, { remember = true } = {}) {
  token = newToken;
  if (remember) writeSession(newToken, name);
  showSignedIn(name || "a customer (token given to the page)");
  mountWidget({ open: widget?.isOpen ?? false });
}

function signOut() {
  token = null;
  writeSession(null);
  showSignedIn(null);
  status.textContent = "Signed out.";
  mountWidget();
  $("customer").focus();
}

async function demoLogin(customerId) {
  const response = await fetch(LOGIN_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ customer_id: customerId }),
  });
  if (response.status === 404) {
    throw new Error("Demo login is turned off on this server. You can still chat as a guest.");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.token) {
    throw new Error(body?.error?.message ?? `Demo login failed (HTTP ${response.status}).`);
  }
  return body;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  status.textContent = "Signing in…";
  try {
    const { token: newToken, customer_name: name } = await demoLogin($("customer").value);
    signInWithToken(newToken, name ?? $("customer").value);
    status.textContent = "Open the chat (bottom right) to talk to the assistant.";
  } catch (error) {
    status.textContent = error.message;
  }
});

$("guest").addEventListener("click", () => {
  status.textContent = "Chatting as a guest: general questions only.";
  widget.open();
});

$("sign-out").addEventListener("click", signOut);

window.HarborDemo = {
  signInWithToken: (newToken, name = null) => signInWithToken(newToken, name),
  signOut,
  get widget() {
    return widget;
  },
};

const urlToken = new URLSearchParams(window.location.search).get("token");
const saved = readSession();
if (urlToken) {
  signInWithToken(urlToken, null, { remember: false });
} else if (saved.token) {
  signInWithToken(saved.token, saved.name || null);
} else {
  showSignedIn(null);
  mountWidget();
}
