"""What every channel applies, in plain Python: who may call (access), how much and how fast (limits), and
how a message's text is cleaned (text). The Rasa channel adapters that use them are in rasa_edge/channels/."""
