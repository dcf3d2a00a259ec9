"""The synthetic-school generator: a tool that writes bundles for demos, tests and benchmarks (not part of the engine)."""
