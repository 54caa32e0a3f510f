"""citebot benchmarks: engine vs. tuned sentence baselines, and a synthetic scaling run.

Run ``python -m benchmarks.run`` from the repository root; see ``benchmarks/README.md``.
"""
