"""Build a text,intent CSV in the bot's intent names from CLINC150 split files.

    python scripts/clinc_eval_csv.py --out var/eval/clinc_val.csv \
        [--clinc ../shared/datasets/clinc150] [--split val]

Reads ``banking_<split>.csv``, ``credit_cards_<split>.csv`` and ``oos_<split>.csv``.
CLINC intents that one of the bot's intents answers are renamed (INTENT_MAP); the
ones the bot has no intent for (ordering cheques, credit scores, freezing a whole
account) are left out rather than forced into a near miss; every ``oos`` row becomes
``out_of_scope``. Prints how many rows each bot intent received.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CLINC = ROOT.parent / "shared" / "datasets" / "clinc150"

# CLINC150 intent -> the bot's intent (nlu_data/*.yml).
INTENT_MAP = {
    "balance": "check_balance",
    "transactions": "transaction_history",
    "spending_history": "transaction_history",
    "transfer": "transfer_money",
    "pay_bill": "pay_bill",
    "bill_due": "pay_bill",
    "bill_balance": "pay_bill",
    "min_payment": "pay_bill",
    "interest_rate": "interest_rates",
    "apr": "interest_rates",
    "routing": "account_details",
    "pin_change": "change_pin",
    "report_fraud": "report_fraud",
    "account_blocked": "account_blocked",
    "application_status": "track_application",
    "card_declined": "card_declined",
    "credit_limit": "credit_limit",
    "credit_limit_change": "credit_limit",
    "damaged_card": "replace_card",
    "new_card": "apply_for_product",
    "replacement_card_duration": "card_not_arrived",  # "how long until my new card comes"
    "expiration_date": "replace_card",
    "international_fees": "fees_and_charges",
    "report_lost_card": "lost_or_stolen_card",
    "rewards_balance": "rewards",
    "redeem_rewards": "rewards",
    "oos": "out_of_scope",
}
DOMAIN_FILES = ("banking", "credit_cards", "oos")


def build(clinc: Path, split: str) -> list[tuple[str, str]]:
    rows = []
    for domain in DOMAIN_FILES:
        path = clinc / f"{domain}_{split}.csv"
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                intent = INTENT_MAP.get(row["intent"].strip())
                if intent and row["text"].strip():
                    rows.append((row["text"].strip(), intent))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--clinc", type=Path, default=DEFAULT_CLINC)
    parser.add_argument("--split", default="val", help="val, train or test")
    args = parser.parse_args(argv)
    rows = build(args.clinc, args.split)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "intent"])
        writer.writerows(rows)
    for intent, n in sorted(Counter(intent for _, intent in rows).items()):
        print(f"  {intent:<24} {n}")
    print(f"wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()
