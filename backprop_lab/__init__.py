"""Developer tools for Backprop Lab: set-up, build, serve and benchmarks."""
