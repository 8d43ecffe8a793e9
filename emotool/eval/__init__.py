"""Evaluations: crisis detection (``crisis``) and scripted dialogues scored on the empathy rubric
(``dialogue``, ``rubric``). Each module is imported on its own; this package imports nothing."""
