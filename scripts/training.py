"""Train the Rasa model only when its inputs changed.

The fingerprint covers everything that shapes the model: the pipeline and
policies, the domain, the training data, our custom components' code and the
locked dependency set. Rasa's own fingerprinting still runs inside `rasa train`
(it reuses unchanged graph nodes); this stamp just avoids starting Rasa at all
when nothing changed.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = ROOT / "models"
MODEL_NAME = "bank-assistant"
MODEL_PATH = MODEL_DIR / f"{MODEL_NAME}.tar.gz"
STAMP_PATH = MODEL_DIR / f"{MODEL_NAME}.fingerprint"

DOMAIN = "bot/domain"
TRAINING_DATA = ("nlu_data", "bot/stories", "bot/rules")
CONFIG = "config.yml"
FINGERPRINT_INPUTS = (CONFIG, DOMAIN, *TRAINING_DATA, "bot/components", "requirements.lock")


def training_fingerprint(root: Path = ROOT) -> str:
    """Hash of every file that shapes the trained model (paths and contents)."""
    digest = hashlib.sha256()
    for entry in FINGERPRINT_INPUTS:
        path = root / entry
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if not file.exists() or "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def model_is_current(root: Path = ROOT) -> bool:
    return (
        MODEL_PATH.exists()
        and STAMP_PATH.exists()
        and STAMP_PATH.read_text().strip() == training_fingerprint(root)
    )


def rasa_train_command(rasa: str) -> list[str]:
    return [
        rasa,
        "train",
        "--domain",
        DOMAIN,
        "--data",
        *TRAINING_DATA,
        "--config",
        CONFIG,
        "--out",
        str(MODEL_DIR),
        "--fixed-model-name",
        MODEL_NAME,
    ]


def ensure_trained(rasa: str, force: bool = False) -> Path:
    """Train when the fingerprint changed (or when forced); return the model path."""
    fingerprint = training_fingerprint()
    if not force and model_is_current():
        print(f"[train] model is up to date ({MODEL_PATH.relative_to(ROOT)}); skipping training")
        return MODEL_PATH
    print("[train] config or training data changed: training the Rasa model (progress below)")
    started = time.monotonic()
    result = subprocess.run(rasa_train_command(rasa), cwd=ROOT, check=False)
    if result.returncode != 0 or not MODEL_PATH.exists():
        sys.exit(
            "[train] error: `rasa train` failed (see its output above). "
            "Run `make validate` to check the domain and training data."
        )
    STAMP_PATH.write_text(fingerprint + "\n")
    print(f"[train] trained {MODEL_PATH.relative_to(ROOT)} in {time.monotonic() - started:.0f} s")
    return MODEL_PATH
