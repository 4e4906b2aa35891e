"""Development settings for the channels in bot/credentials.yml, as environment variables.

A deployment sets these itself (its own keys, secrets and Twilio auth token). For `make run` and the
end-to-end tests, the web channel verifies RS256 tokens with a key pair generated once
under ``<run_dir>/keys/`` and, because the demo flag is on, the demo login signs with
its private half.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.web_auth import TokenVerifier
from connectors.web_demo import DemoLogin

DEMO_ISSUER = "https://login.demo-bank.invalid"
WEB_RATE_LIMITS = (
    "BANK_WEB_RATE_LIMIT_CUSTOMER",
    "BANK_WEB_RATE_LIMIT_IP",
    "BANK_WEB_RATE_LIMIT_CONNECT_IP",
)
AUDIENCE = "bank-assistant"


@dataclass(frozen=True)
class KeyPair:
    private_key_file: Path
    public_key_file: Path


def demo_key_pair(run_dir: Path) -> KeyPair:
    """The development RS256 key pair, created on first use (private key mode 0600)."""
    keys = run_dir / "keys"
    pair = KeyPair(keys / "demo_login_private.pem", keys / "demo_login_public.pem")
    if pair.private_key_file.is_file() and pair.public_key_file.is_file():
        return pair
    keys.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pair.private_key_file.touch(mode=0o600)
    pair.private_key_file.write_bytes(private_pem)
    pair.public_key_file.write_bytes(public_pem)
    return pair


def web_channel_env(run_dir: Path, demo_login: bool, cors_origins: str = "") -> dict[str, str]:
    pair = demo_key_pair(run_dir)
    return {
        "BANK_WEB_JWT_ALGORITHM": "RS256",
        "BANK_WEB_JWT_KEY_FILE": str(pair.public_key_file),
        "BANK_WEB_JWT_ISSUER": DEMO_ISSUER,
        "BANK_WEB_JWT_AUDIENCE": AUDIENCE,
        "BANK_WEB_CORS_ORIGINS": cors_origins,
        "BANK_DEMO_LOGIN": "true" if demo_login else "false",
        "BANK_DEMO_SIGNING_KEY_FILE": str(pair.private_key_file) if demo_login else "",
        "BANK_WEB_SOCKETIO_REDIS_URL": "",  # one process (production.rasa_env sets it)
        # Empty: the channel's default limits; an operator or the load benchmark may set them.
        **{key: os.environ.get(key, "") for key in WEB_RATE_LIMITS},
    }


def demo_login(run_dir: Path) -> DemoLogin:
    """The demo login of a stack under ``run_dir``, signing with its development key pair."""
    env = web_channel_env(run_dir, demo_login=True)
    verifier = TokenVerifier.from_key_file(
        env["BANK_WEB_JWT_ALGORITHM"],
        env["BANK_WEB_JWT_KEY_FILE"],
        env["BANK_WEB_JWT_ISSUER"],
        env["BANK_WEB_JWT_AUDIENCE"],
    )
    return DemoLogin.from_key_file(env["BANK_DEMO_SIGNING_KEY_FILE"], verifier)


def voice_channel_env(core_url: str, core_api_key: str) -> dict[str, str]:
    """Development values for the voice channel (docs/channels/voice.md)."""
    return {
        "TWILIO_AUTH_TOKEN": "dev-twilio-auth-token",
        "BANK_VOICE_PUBLIC_URL": "",
        "BANK_VOICE_CORE_BANKING_URL": core_url,
        "BANK_VOICE_CORE_BANKING_API_KEY": core_api_key,
        "BANK_VOICE_VOICE": "Polly.Joanna-Neural",
        "BANK_VOICE_SSML": "true",
        "BANK_VOICE_RESPONSE_BUDGET_SECONDS": "8",
        "BANK_VOICE_STATE_REDIS_URL": "",  # one process (production.rasa_env sets it)
    }
