"""The Rasa edge: everything that imports Rasa or rasa-sdk, as thin adapters around the application in bot/.

    channels/        REST, SMS (Twilio webhooks), the website widget (socket.io), the staff endpoint
    nlu/             the crisis detector and the intent classifier as Rasa graph components
    policies/        the safety policy (its decisions: bot/routing.py)
    tracker_store.py Rasa's SQL tracker store from one URL, recent conversations kept in memory
    event_broker.py  re-alerts while a conversation is paused; the escalation when Rasa gave the crisis lines itself
    event_queue.py   the same, in the worker, from the Rasa servers' events on RabbitMQ (several servers)
    actions_server.py rasa-sdk's action server behind its token
    speedups.py      two patches to Rasa 3.6 for speed
    importer.py      the domain read from domain.yml and the generated domain.screening.yml as one

No module under bot/ imports Rasa, and importing any of them loads neither Rasa nor this package; only the
command line (bot/cli.py) reaches in here, inside the commands that start a server (tests/test_layout.py).
"""
