"""Personalised, explainable offers and nudges (engine, rules, replies, actions)."""
