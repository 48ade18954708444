"""Benchmarks (not tests): training time, REST latency and throughput, and memory of the Rasa server,
for this project's bot next to Rasa's stock `rasa init` bot on the same machine. Run with `make bench`."""
