"""山西民生政策助手: the assistant service and its domain code.

Kept import-light: the Rasa venv (Python 3.10) imports a few pure-Python modules from here.
"""
