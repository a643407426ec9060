"""One module per source document, named for the jurisdiction and the year it took effect.

Each module reads like its document: the rules in the document's order, each
with its clause and the quoted sentence, and the clauses it does not model with
the reason. A new version of a jurisdiction's rules is a new module beside the
old one (``huojia_2026.py``), listed in :data:`randcheck.policies.registry.BUILTINS`.
"""
