"""Traceability: links a city's agency records, from the 911 call to the sentence, and analyses them."""

__version__ = "0.1.0"
