"""Speed and memory figures for workfw at 10k-1M tasks (figures, not tests).

Run ``make benchmark`` (or ``.venv/bin/python -m benchmarks --sizes 10000,100000``).
Each measured step runs in its own child process so its peak resident
memory is its own; the table goes to ``benchmarks/results.md`` and the
generated exports to the git-ignored ``benchmarks/out/``.
"""
