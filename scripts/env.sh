# Sourced by every script: one place for the environment the processes run in.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
export PATH="$VENV/bin:$PATH"
export TF_CPP_MIN_LOG_LEVEL=2            # TensorFlow's start-up chatter hides real problems
export SQLALCHEMY_SILENCE_UBER_WARNING=1 # Rasa 3.6 runs SQLAlchemy 1.4; its 2.0 warning is noise here
export RASA_TELEMETRY_ENABLED=false      # no calls home: the machine has no network and participants' privacy matters
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"
export RASA_INTERFACE="${RASA_INTERFACE:-127.0.0.1}"  # 0.0.0.0 to serve other machines (behind TLS)
export RASA_PORT="${RASA_PORT:-5005}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export ACTIONS_INTERFACE="${ACTIONS_INTERFACE:-127.0.0.1}"  # the action server: only the Rasa server calls it
# The secret the Rasa server sends the action server (endpoints.yml); this default is bot/settings.py's
# development one, which production refuses.
export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN:-dev-only-action-server-token}"
export CONSOLE_PORT="${CONSOLE_PORT:-8000}"  # the console: widget assets and the demo page
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTIONS_PORT/webhook}"
# What Rasa trains on: the NLU data and the rules. data/stories/ holds the conversation tests (`rasa test core`);
# training on them would add their messages as examples and change the model.
TRAINING_DATA=(data/nlu data/rules)
mkdir -p "$ROOT/var"
