# The two commands that matter: `make run` and `make test`. Both set everything up from scratch.
.PHONY: run run-cluster test shell bench setup train lock clean

run: setup
	@scripts/run

# N Rasa servers behind HAProxy with PostgreSQL, Redis and RabbitMQ (docs/cluster.md): make run-cluster N=3
run-cluster: setup
	@scripts/cluster $(or $(N),2)

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
