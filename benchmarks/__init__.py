"""Measured figures for coproduce; ``make bench`` runs them and prints BENCHMARKS.md rows."""
