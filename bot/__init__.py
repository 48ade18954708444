"""The IOP intake assistant's application core: plain Python, no Rasa imports."""
