"""What the voice channel itself says: short sentences, written to be heard."""

from __future__ import annotations

GREETING = (
    "Thanks for calling. I'm the bank's virtual assistant. "
    "To hear about your accounts, enter your customer number on the keypad, then press hash. "
    "For anything else, just tell me what you need."
)
WHAT_NEXT = "What else can I help you with?"
SILENCE = "Sorry, I didn't hear anything."
LISTENING = "I'm listening. What can I help you with?"
GOODBYE = "I still can't hear you, so I'll end the call now. Thanks for calling. Goodbye."

VERIFY_FIRST = (
    "I can help with that once I've checked who you are. "
    "Please enter your customer number on the keypad, then press hash. "
    "To skip this, press star."
)
CUSTOMER_NUMBER_PROMPT = (
    "Please enter your customer number on the keypad, then press hash. To skip this, press star."
)
NOT_A_CUSTOMER_NUMBER = "That isn't a customer number. It's the digits after C U S T."
CODE_SENT = (
    "Thank you. If that customer number is right, we've just texted a 6-digit code "
    "to the phone number we have on file."
)
CODE_PROMPT = "Please enter the code on your keypad, then press hash. To skip this, press star."
CODE_LENGTH = "The code has 6 digits."
KEYPAD_ONLY = "For your security, please use the keypad for this step."
VERIFIED = "Thank you, you're verified."
SKIPPED = "No problem. I can still help with general questions."
CODE_EXPIRED = "That code has expired. Let's send a new one."
VERIFY_LOCKED = (
    "That code isn't right either, and there are no attempts left. "
    "For your security, I can't verify you on this call. "
    "I can still help with general questions, or you can sign in to online banking."
)
TOO_MANY_REQUESTS = (
    "I've sent as many codes as I can on this call. "
    "For your security, I can't verify you now. I can still help with general questions."
)
NO_ACCOUNT_DATA = (
    "For your security, I can't share account details on this call. "
    "Please sign in to online banking, or call back later."
)
VERIFY_UNAVAILABLE = (
    "Sorry, I can't verify callers right now. "
    "I can still help with general questions, or please call back later."
)
HOLD = "One moment, please."
STILL_WORKING = "I'm still working on it."
TOO_SLOW = "Sorry, that's taking longer than it should. Please ask me again in a moment."
BOT_FAILED = "Sorry, something went wrong on my side. Please try again."
LOST_TRACK = "Sorry, I lost track of our conversation. What can I help you with?"


def wrong_code(attempts_left: int) -> str:
    attempts = "1 more try" if attempts_left == 1 else f"{attempts_left} more tries"
    return f"That code isn't right. You have {attempts}."
