"""Personal data kept out of logs, the tracker store and the event broker.

- ``privacy.redact``: the patterns (emails, phone, account and card numbers, IBANs,
  one-time codes in context, street addresses, postcodes, JWTs) and ``redact(text)``.
- ``privacy.log_filter``: the logging filter every process we start installs
  (``bot/logging.yml``; ``install()`` for processes configured in code).
- ``privacy.policy``: the masking policy and retention setting (``bot/privacy.yml``).
- ``privacy.tracker_store``: ``MaskingTrackerStore``, Rasa's tracker store wrapped so
  that what is stored and published to the event broker is masked.
- ``privacy.retention``: ``python -m privacy.retention`` deletes old conversations.

Nothing here runs at import time.
"""
