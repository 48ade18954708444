# The two commands that matter: `make run` and `make test`. Both set everything up from scratch.
.PHONY: run test shell bench setup train lock clean

run: setup
	@scripts/run

test: setup
	@scripts/test

shell: setup
	@scripts/shell

bench: setup
	@scripts/bench

setup:
	@scripts/setup

train: setup
	@scripts/train >/dev/null

# Re-pin every dependency after changing pyproject.toml (needs the package registry).
lock:
	@scripts/lock

clean:
	rm -rf .venv models var .rasa
