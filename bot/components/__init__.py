"""Custom Rasa graph components (featurizer, intent classifier, sentiment, language).

Modules here are imported by Rasa from config.yml by dotted path, e.g.
``bot.components.transformer_featurizer.TransformerFeaturizer``. Shared model loading
lives in ``bot.components.encoder``.
"""

from bot import rasa_speedups

# Rasa imports this package with the model in every process that runs it (the server,
# `rasa test`, training), so Rasa 3.6's two hot spots are replaced here (bot/rasa_speedups.py).
rasa_speedups.install()
