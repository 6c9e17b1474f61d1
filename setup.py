"""The wheel's packages: the server's (static/ and templates/ mapped into it by pyproject.toml's package-dir) and
every package under models/, found, so a new models/demos/<demo>/ ships with no list to edit."""

from setuptools import find_packages, setup

setup(packages=["server", "server.static", "server.templates", *find_packages(include=["models", "models.*"])])
