"""Custom Rasa graph components (featurizer, intent classifier, sentiment, language).

Modules here are imported by Rasa from config.yml by dotted path, e.g.
``bot.components.transformer_featurizer.TransformerFeaturizer``. Shared model loading
lives in ``bot.components.encoder``.
"""
