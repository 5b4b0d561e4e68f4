"""The model of Eloqua, with no HTTP in it: what an instance stores and does (see the package)."""
