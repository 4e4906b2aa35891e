"""Readiness check of a Rasa server pod: its HTTP API answers /status with a model loaded.

    python deploy/rasa_ready.py [--url http://127.0.0.1:5005]

Rasa's /status needs the API token (``--auth-token``) and answers 409 while no model is
loaded, so a Kubernetes httpGet probe cannot use it; this exec probe reads the token from
RASA_API_TOKEN, like the agent desk does, and exits 0 only for a loaded model.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

STATUS_PATH = "/status"


def status_url(base_url: str, token: str) -> str:
    query = f"?{urllib.parse.urlencode({'token': token})}" if token else ""
    return f"{base_url.rstrip('/')}{STATUS_PATH}{query}"


def model_is_loaded(status_code: int, body: bytes) -> bool:
    """Rasa's /status body names the loaded model file; anything else is not ready."""
    if status_code != 200:
        return False
    try:
        return bool(json.loads(body).get("model_file"))
    except (ValueError, AttributeError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args(argv)
    url = status_url(args.url, os.environ.get("RASA_API_TOKEN", ""))
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:  # noqa: S310
            ready = model_is_loaded(response.status, response.read())
    except urllib.error.HTTPError as error:
        print(f"rasa not ready: /status answered {error.code}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, TimeoutError) as error:
        print(f"rasa not ready: {error}", file=sys.stderr)
        return 1
    if not ready:
        print("rasa not ready: no model loaded", file=sys.stderr)
    return 0 if ready else 1


if __name__ == "__main__":
    sys.exit(main())
