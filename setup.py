"""Build mapping for the data folders (everything else is in pyproject.toml).

``agents/`` and ``prompts/`` sit at the top of the source tree, as data, not
code. The wheel carries them as the package data of two data-only packages,
``emotool._agents`` and ``emotool._prompts``, mapped from those folders, so an
installed emotool finds them beside its modules (``emotool/datafiles.py``).
pyproject.toml cannot combine automatic package discovery with such a
mapping, hence this file.
"""

from setuptools import find_packages, setup

DATA_PACKAGES = {"emotool._agents": "agents", "emotool._prompts": "prompts"}

setup(
    packages=[*find_packages(include=["emotool", "emotool.*"]), *DATA_PACKAGES],
    package_dir=DATA_PACKAGES,
)
