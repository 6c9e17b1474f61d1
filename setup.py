"""The wheel's packages: every package under server/ and models/, found (so a new models/demos/<demo>/ or
server/tools/ module ships with no list to edit), plus server.static and server.templates, which pyproject.toml's
package-dir maps onto the checkout's top-level static/ and templates/."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["server", "server.*", "models", "models.*"]), "server.static",
                "server.templates"])
