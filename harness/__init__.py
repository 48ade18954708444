"""What tests/ and bench/ both drive the product with: the real servers started as `make run` starts them
(servers), a scripted participant (conversation), a stand-in for Twilio's API (fake_twilio) and a website
widget's socket (widget_socket). Not part of the product: nothing in bot/, rasa_edge/ or actions/ imports it."""
