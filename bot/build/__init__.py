"""Build-time code, never imported by the running service: the embedding model conversion (model), the
gazetteer snapshot (gazetteer), the spaCy place pipeline (spacy_pipeline, run in the Rasa venv), the NLU
held-out evaluation (nlu_eval).

Needs the build requirements (requirements/build.txt) where noted; the Makefile runs each step.
"""
