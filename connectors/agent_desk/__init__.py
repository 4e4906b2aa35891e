"""The agent desk: a FastAPI service where agents take over conversations the bot hands off.

The action server opens tickets through the service API (``service_api``); agents sign
in, claim, chat and close in the browser (``agent_api`` + ``static/``); replies and the
resume go to Rasa's HTTP API and customer messages come back from its tracker
(``rasa``, ``sync``). The contract is docs/handoff.md.
"""
