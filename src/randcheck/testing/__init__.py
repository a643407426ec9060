"""Conformance testing: YAML cases, a pytest plugin and assertions (being written)."""
