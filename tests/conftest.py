import os

os.environ.setdefault("MPLBACKEND", "Agg")

# the fixture folders hold the scripts that made the reference data (run by hand, from their folder); with
# --doctest-modules pytest would import them, and a script writes its files into the working directory
collect_ignore_glob = ["fixtures/*"]
