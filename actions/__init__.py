"""Custom actions of the banking assistant (``rasa run actions --actions actions``).

rasa-sdk imports every module of this package and registers each ``Action``
subclass it finds; importing has no side effects (no I/O, no clients created).
"""

from actions.balance import ActionCheckBalance

__all__ = ["ActionCheckBalance"]
