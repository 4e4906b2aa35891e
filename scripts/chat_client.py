"""A terminal chat client that follows the mobile contract (docs/channels/web-and-mobile.md).

It is the example a native app can copy: get a token from the bank's login, connect
over Socket.IO with it, ask for the session (transcript included), send messages,
show replies, typing and errors, and reconnect. Against `make run`:

  python scripts/chat_client.py --demo-customer CUST-0001            # interactive
  python scripts/chat_client.py --demo-customer CUST-0001 -m "what's my balance"
  python scripts/chat_client.py --token "$JWT" --server https://assistant.example
  python scripts/chat_client.py -m "what are your opening hours"     # anonymous visitor

Button replies are listed as numbers; type the number to press one.
"""

from __future__ import annotations

import argparse
import sys
import threading
import uuid
from typing import Any

import httpx
import socketio

DEFAULT_SERVER = "http://127.0.0.1:5005"
REPLY_TIMEOUT_SECONDS = 30.0


class ChatClient:
    """One device's connection to the ``bank_web`` channel."""

    def __init__(self, server: str, auth: dict[str, str]) -> None:
        self.server = server
        self.auth = auth
        self.sio = socketio.Client(reconnection=True)
        self.buttons: list[dict[str, str]] = []
        self.conversation_id: str | None = None
        self._idle = threading.Event()
        self._confirmed = threading.Event()
        self.sio.on("session_confirm", self._on_session)
        self.sio.on("bot_uttered", self._on_bot)
        self.sio.on("user_uttered", self._on_echo)
        self.sio.on("bot_typing", self._on_typing)
        self.sio.on("error", self._on_error)
        self.sio.on("connect", self._on_connect)
        self.sio.on("connect_error", self._on_connect_error)

    def connect(self) -> None:
        self.sio.connect(self.server, auth=self.auth, transports=["websocket"], wait_timeout=10)
        if not self._confirmed.wait(REPLY_TIMEOUT_SECONDS):
            raise TimeoutError("the assistant did not confirm the session")

    def send(self, text: str) -> None:
        """Send a message (or a number pressing a button) and wait until the bot is idle."""
        metadata: dict[str, str] = {"client": "chat_client.py"}
        if text.isdigit() and 0 < int(text) <= len(self.buttons):
            button = self.buttons[int(text) - 1]
            text, metadata["display_text"] = button["payload"], button["title"]
        self._idle.clear()
        self.sio.emit("user_uttered", {"message": text, "metadata": metadata})
        if not self._idle.wait(REPLY_TIMEOUT_SECONDS):
            print("(no answer yet; it will appear when it arrives)")

    # ---- events --------------------------------------------------------------------

    def _on_connect(self) -> None:
        self.sio.emit("session_request", {})  # after every (re)connect: get the transcript

    def _on_session(self, data: dict[str, Any]) -> None:
        self.conversation_id = data["conversation_id"]
        who = "signed in" if data["authenticated"] else "anonymous visitor"
        print(f"[connected: {who}; {len(data['transcript'])} earlier messages]")
        for message in data["transcript"][-5:]:
            print(f"  {'you' if message['sender'] == 'customer' else 'bot'}: {message['text']}")
        last = data["transcript"][-1] if data["transcript"] else {}
        self.buttons = last.get("buttons", []) if last.get("sender") == "bot" else []
        self._confirmed.set()

    def _on_bot(self, message: dict[str, Any]) -> None:
        print(f"bot: {message['text']}")
        self.buttons = message.get("buttons", [])
        for number, button in enumerate(self.buttons, start=1):
            print(f"  [{number}] {button['title']}")

    def _on_echo(self, message: dict[str, Any]) -> None:
        print(f"you (another device): {message['text']}")

    def _on_typing(self, data: dict[str, Any]) -> None:
        if not data.get("typing"):
            self._idle.set()

    def _on_error(self, error: dict[str, Any]) -> None:
        print(f"[error {error.get('code')}] {error.get('message')}")
        self._idle.set()

    def _on_connect_error(self, error: Any) -> None:
        data = error.get("data") if isinstance(error, dict) else None
        detail = data or error
        print(f"[refused] {detail}", file=sys.stderr)


def demo_token(server: str, customer_id: str) -> str:
    """DEMO ONLY: the demo page's login (off unless the server's demo flag is on)."""
    answer = httpx.post(
        f"{server}/webhooks/bank_web/demo/login", json={"customer_id": customer_id}, timeout=10
    )
    if answer.status_code == 404:
        raise SystemExit("the server's demo login is off: pass --token from your bank's login")
    answer.raise_for_status()
    return str(answer.json()["token"])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--server", default=DEFAULT_SERVER)
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--token", help="a bank-login JWT for the customer")
    who.add_argument("--demo-customer", metavar="CUST-ID", help="sign in through the demo login")
    parser.add_argument("-m", "--message", action="append", help="send these and exit")
    args = parser.parse_args()

    token = args.token or (
        demo_token(args.server, args.demo_customer) if args.demo_customer else None
    )
    auth = {"token": token} if token else {"visitor_id": f"visitor-{uuid.uuid4()}"}
    client = ChatClient(args.server.rstrip("/"), auth)
    try:
        client.connect()
    except (socketio.exceptions.ConnectionError, TimeoutError) as error:
        print(f"could not connect: {error}", file=sys.stderr)
        return 1
    try:
        if args.message:
            for text in args.message:
                print(f"you: {text}")
                client.send(text)
            return 0
        while True:
            try:
                text = input("you: ").strip()
            except EOFError:
                return 0
            if text:
                client.send(text)
    except KeyboardInterrupt:
        return 0
    finally:
        client.sio.disconnect()


if __name__ == "__main__":
    sys.exit(main())
