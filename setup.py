"""Package list for setuptools (everything else is in pyproject.toml).

The host adapters live in the folder ``hosts/`` but install as ``ft_dcc_hosts``: a DCC's Python
often already has a studio module called ``hosts``. setuptools cannot rename a found package
from pyproject.toml alone, hence this file.
"""

from setuptools import find_namespace_packages, setup

HOSTS_FOLDER, HOSTS_PACKAGE = "hosts", "ft_dcc_hosts"

setup(
    packages=find_namespace_packages(include=["ft_dcc", "ft_dcc.*"])
    + [
        HOSTS_PACKAGE + name[len(HOSTS_FOLDER) :]
        for name in find_namespace_packages(include=[HOSTS_FOLDER, HOSTS_FOLDER + ".*"])
    ],
    package_dir={HOSTS_PACKAGE: HOSTS_FOLDER},
)
